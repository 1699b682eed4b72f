"""Outbound from inbound: a caller's "text me this" and a texter's STOP and START."""

from flows.guidance import load_guidance
from tests.conftest import sms_replies, spoken, twiml


def test_text_me_this_queues_the_first_text_of_the_page_once(twilio, redis_client):
    for _ in range(2):  # Twilio may post the same key press twice
        root = twiml(twilio.call("/ivr/menu-choice?node=health", Digits="8", call_sid="CA" + "7" * 32))
        assert "We will text this" in spoken(root)
    records = [k for k in redis_client.scan_iter("helpline:outbound:*") if redis_client.type(k) == "hash"]
    assert len(records) == 1
    body = redis_client.hget(records[0], "body")
    assert body == load_guidance().sms_parts("health", hours="x")[0]
    assert "Send MORE for part 2 of" in body


def test_text_me_this_from_a_landline_explains_why_not(twilio, redis_client):
    root = twiml(twilio.call("/ivr/menu-choice?node=health", Digits="8", from_="+441632960123"))
    assert "only send texts to UK mobile numbers" in spoken(root)
    assert not [k for k in redis_client.scan_iter("helpline:outbound:*")]


def test_stop_sends_nothing_and_start_is_silent_too(twilio):
    assert sms_replies(twilio.sms("STOP")) == []
    assert sms_replies(twilio.sms("start")) == []
