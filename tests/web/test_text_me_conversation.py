"""Key 8 ("text me this") starts a text conversation, as the issue found it broken (issue 13 item 4).

Found: every part sent at once, each saying "Send MORE for part 2 of 3"; texting MORE then got the
first-time welcome and "did not understand"; after the health text, replying "1" opened the school
menu; and the call replayed the whole spoken guidance.
"""

import json

from flows.guidance import load_guidance
from store import conversations
from tests.conftest import CLOSED_SUNDAY, PARENT, Twilio, sms_replies, spoken, twiml
from tests.workers.support import run_worker, worker_env
from store.outbox import list_outbox


def press_8_on_health(twilio, **fields):
    return twiml(twilio.call("/ivr/menu-choice?node=health", Digits="8", **fields))


def test_press_8_on_health_then_more_and_1_carry_on_from_health(make_app, settings, redis_client):
    app = make_app(CLOSED_SUNDAY)
    twilio = Twilio(app.test_client())
    tree = load_guidance()
    parts = tree.sms_parts("health", hours="unused")
    press_8_on_health(twilio)

    run_worker(worker_env(settings, now=CLOSED_SUNDAY))  # the real worker sends it (outbox: not sent)
    [text] = [m for m in list_outbox(redis_client, settings.key_prefix, limit=20) if m["kind"] == "sms"]
    assert text["to"] == PARENT
    assert text["body"] == parts[0]  # the first part only, as texting HEALTH would send it
    assert f"Send MORE for part 2 of {len(parts)}" in text["body"]

    more = sms_replies(twilio.sms("MORE"))
    assert more == [parts[1]]  # health's part 2: no welcome, no "did not understand"

    option = tree.choice("health", "1", "sms")
    assert option.target != "school"
    assert sms_replies(twilio.sms("1")) == [tree.sms_parts(option.target, hours="unused")[0]]


def test_numbered_reply_straight_after_the_text_picks_from_the_page_options(make_app):
    twilio = Twilio(make_app(CLOSED_SUNDAY).test_client())
    tree = load_guidance()
    press_8_on_health(twilio)
    reply = sms_replies(twilio.sms("1"))
    assert reply == [tree.sms_parts(tree.choice("health", "1", "sms").target, hours="unused")[0]]


def test_the_call_goes_on_with_sent_and_the_options_not_the_guidance_again(twilio):
    root = press_8_on_health(twilio)
    assert spoken(root) == "We will text this to the number you are calling from in the next few minutes."
    redirect = root.find("Redirect").text
    assert redirect == "/ivr/menu?node=health&brief=1"
    brief = twiml(twilio.call(redirect))
    words = spoken(brief.find("Gather"))
    health = load_guidance().node("health")
    assert all(part not in words for part in health.say_parts)
    assert "press 8" not in words  # it has just been sent
    assert load_guidance().spoken_choices("health") in words
    assert "9 for the main menu" in words
    assert brief.find("Gather").get("action") == "/ivr/menu-choice?node=health&bad=0"
    silence = brief.find("Redirect").text
    assert silence == "/ivr/menu?node=health&tries=1&brief=1"  # silence keeps it brief


def test_a_conversation_in_progress_is_left_but_an_urgent_mark_is_kept(make_app, settings, redis_client):
    twilio = Twilio(make_app(CLOSED_SUNDAY).test_client())
    key = conversations.conversation_key(settings, PARENT)
    redis_client.set(key, json.dumps({"flow": "deadline", "data": {"kind": "appeal"}, "urgent": True,
                                      "menu": "main"}))
    press_8_on_health(twilio)
    state = json.loads(redis_client.get(key))
    assert state == {"urgent": True, "menu": "health", "node": "health", "part": 0}
    assert redis_client.ttl(key) > 0
    assert redis_client.exists(conversations.seen_key(settings, PARENT))
    assert not any("7700900123" in k for k in redis_client.scan_iter("*"))  # key names hold no number


def test_a_broken_conversation_value_is_replaced_not_a_500(make_app, settings, redis_client):
    twilio = Twilio(make_app(CLOSED_SUNDAY).test_client())
    key = conversations.conversation_key(settings, PARENT)
    for junk in ("not json", "[1, 2]", '"a string"'):
        redis_client.set(key, junk)
        assert press_8_on_health(twilio).find("Redirect") is not None
        assert json.loads(redis_client.get(key))["node"] == "health"


def test_a_landline_gets_no_text_and_no_conversation_and_the_call_goes_on(twilio, redis_client):
    root = press_8_on_health(twilio, from_="+441632960123")
    assert "only send texts to UK mobile numbers" in spoken(root)
    assert root.find("Redirect").text == "/ivr/menu?node=health&brief=1"
    assert list(redis_client.scan_iter("helpline:sms:*")) == []
