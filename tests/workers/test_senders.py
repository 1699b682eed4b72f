"""The senders: TwilioSender against a local Twilio stand-in (the real twilio client,
real HTTP), and OutboxSender against a real Redis."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid

import pytest
import redis

from tests.twilio_standin import TwilioStandin
from store.outbox import list_outbox
from workers.senders import (
    AmbiguousSendError,
    OutboxSender,
    PermanentSendError,
    SendResult,
    TemporarySendError,
    TwilioSender,
)

PARENT = "+447700900123"
STAFF = "+447700900456"
HELPLINE = "+441632960001"  # our Twilio number (drama range)
TWIML_URL = "https://helpline.example/ivr/bridge/42"


# --- Redis: all access goes through this one fixture, built on conftest's test database --


@pytest.fixture
def redis_prefix(redis_url):
    """(client, prefix): a real Redis (bytes, as rq's connection is) and our own key prefix."""
    client = redis.Redis.from_url(redis_url)
    prefix = f"test:{uuid.uuid4().hex}:"
    yield client, prefix
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


# --- Twilio stand-in -------------------------------------------------------------------


@pytest.fixture
def standin():
    with TwilioStandin() as running:
        yield running


@pytest.fixture
def sender(standin):
    return TwilioSender(standin.account_sid, standin.auth_token, HELPLINE,
                        timeout_seconds=1, api_base_url=standin.base_url)


def test_send_sms_posts_the_right_form_with_basic_auth(standin, sender):
    result = sender.send_sms(PARENT, "Thank you. We will call you back.",
                             status_callback="https://helpline.example/sms/status")

    assert isinstance(result, SendResult)
    assert result.sid.startswith("SM") and len(result.sid) == 34
    assert result.status == "queued"
    [request] = standin.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{standin.account_sid}/Messages.json"
    assert request.auth == (standin.account_sid, standin.auth_token)
    assert request.form == {
        "To": PARENT,
        "From": HELPLINE,
        "Body": "Thank you. We will call you back.",
        "StatusCallback": "https://helpline.example/sms/status",
    }
    assert standin.messages[result.sid]["to"] == PARENT


def test_no_status_callback_sends_no_field(standin, sender):
    sender.send_sms(PARENT, "Hello")
    assert "StatusCallback" not in standin.requests[0].form


def test_place_call_with_a_twiml_url(standin, sender):
    result = sender.place_call(STAFF, caller_id=HELPLINE, twiml_url=TWIML_URL,
                               status_callback="https://helpline.example/ivr/status")

    assert result.sid.startswith("CA") and len(result.sid) == 34
    assert result.status == "queued"
    [request] = standin.requests
    assert request.path == f"/2010-04-01/Accounts/{standin.account_sid}/Calls.json"
    assert request.auth == (standin.account_sid, standin.auth_token)
    assert request.form == {
        "To": STAFF,
        "From": HELPLINE,
        "Url": TWIML_URL,
        "StatusCallback": "https://helpline.example/ivr/status",
    }


def test_place_call_with_inline_twiml(standin, sender):
    twiml = "<Response><Dial>+447700900123</Dial></Response>"
    sender.place_call(STAFF, caller_id="+441632960002", twiml=twiml)
    form = standin.requests[0].form
    assert form["Twiml"] == twiml
    assert form["From"] == "+441632960002"
    assert "Url" not in form


@pytest.mark.parametrize("kwargs", [{}, {"twiml_url": TWIML_URL, "twiml": "<Response/>"}])
def test_place_call_needs_exactly_one_of_url_or_twiml(standin, sender, kwargs):
    with pytest.raises(ValueError):
        sender.place_call(STAFF, caller_id=HELPLINE, **kwargs)
    assert standin.requests == []


@pytest.mark.parametrize("status", [429, 500, 503])
def test_rate_limits_and_server_errors_are_temporary(standin, sender, status):
    standin.fail_next(status=status, code=20429 if status == 429 else 20500)
    with pytest.raises(TemporarySendError) as caught:
        sender.send_sms(PARENT, "Hello")
    assert caught.value.status == status
    assert caught.value.retry_after is None
    # and the next attempt goes through
    assert sender.send_sms(PARENT, "Hello").status == "queued"


def test_retry_after_is_passed_on(standin, sender):
    standin.fail_next(status=429, code=20429, retry_after=30)
    with pytest.raises(TemporarySendError) as caught:
        sender.send_sms(PARENT, "Hello")
    assert caught.value.retry_after == 30
    assert caught.value.code == 20429


@pytest.mark.parametrize(
    "code, opted_out",
    [(21610, True), (21211, False), (21614, False), (21408, False)],
)
def test_twilio_refusals_are_permanent_with_the_code(standin, sender, code, opted_out):
    standin.fail_next(status=400, code=code, message=f"The 'To' number {PARENT} is refused")
    with pytest.raises(PermanentSendError) as caught:
        sender.send_sms(PARENT, "Hello")
    assert caught.value.code == code
    assert caught.value.status == 400
    assert caught.value.opted_out is opted_out
    assert PARENT not in str(caught.value)  # no full numbers in messages that get logged


def test_wrong_credentials_are_permanent(standin):
    sender = TwilioSender(standin.account_sid, "wrong", HELPLINE, api_base_url=standin.base_url)
    with pytest.raises(PermanentSendError) as caught:
        sender.send_sms(PARENT, "Hello")
    assert (caught.value.status, caught.value.code) == (401, 20003)


def test_a_read_timeout_after_sending_is_ambiguous(standin, sender):
    # The stand-in reads the whole request and answers only after the client's 1s time-out
    # (Twilio may well have queued the text by then): a blind retry could text twice.
    standin.hang_next(3)
    started = time.monotonic()
    with pytest.raises(AmbiguousSendError):
        sender.send_sms(PARENT, "Hello")
    assert time.monotonic() - started < 2.5
    assert not isinstance(AmbiguousSendError("x"), TemporarySendError)


def test_a_dropped_line_after_sending_is_ambiguous(standin, sender):
    standin.drop_next()
    with pytest.raises(AmbiguousSendError):
        sender.place_call(STAFF, caller_id=HELPLINE, twiml_url=TWIML_URL)


def test_no_connection_at_all_is_temporary():
    standin = TwilioStandin().start()
    base_url = standin.base_url
    standin.stop()  # nothing listens there now: connection refused, nothing sent
    sender = TwilioSender(standin.account_sid, standin.auth_token, HELPLINE,
                          timeout_seconds=1, api_base_url=base_url)
    with pytest.raises(TemporarySendError):
        sender.send_sms(PARENT, "Hello")


def test_fetch_message(standin, sender):
    sid = sender.send_sms(PARENT, "Hello").sid
    assert sender.fetch_message(sid) == SendResult(sid, "queued")

    standin.set_message_status(sid, "undelivered", error_code=30003)
    assert sender.fetch_message(sid) == SendResult(sid, "undelivered", 30003)
    request = standin.requests[-1]
    assert (request.method, request.path) == (
        "GET", f"/2010-04-01/Accounts/{standin.account_sid}/Messages/{sid}.json")


def test_fetch_unknown_message_is_none(standin, sender):
    assert sender.fetch_message("SM" + "0" * 32) is None


def test_a_timeout_while_fetching_is_temporary_not_ambiguous(standin, sender):
    sid = sender.send_sms(PARENT, "Hello").sid
    standin.hang_next(3)
    with pytest.raises(TemporarySendError):
        sender.fetch_message(sid)


def test_delete_recording_by_sid_and_by_url(standin, sender):
    by_sid, by_url = standin.add_recording(), standin.add_recording()
    url = f"https://api.twilio.com/2010-04-01/Accounts/{standin.account_sid}/Recordings/{by_url}"

    sender.delete_recording(by_sid)
    sender.delete_recording(url + ".mp3")

    assert standin.deleted_recordings == [by_sid, by_url]
    assert [r.method for r in standin.requests] == ["DELETE", "DELETE"]
    assert standin.requests[1].path.endswith(f"/Recordings/{by_url}.json")


def test_deleting_a_recording_twice_is_fine(standin, sender):
    sid = standin.add_recording()
    sender.delete_recording(sid)
    sender.delete_recording(sid)  # 404: already gone, which is what we wanted
    assert standin.deleted_recordings == [sid]


def test_delete_recording_needs_a_recording(sender):
    with pytest.raises(ValueError):
        sender.delete_recording("https://example.org/not-a-recording")


def test_logs_mask_numbers(standin, sender, caplog):
    caplog.set_level(logging.DEBUG)
    sender.send_sms(PARENT, "Hello")
    standin.fail_next(status=400, code=21211)
    with pytest.raises(PermanentSendError):
        sender.send_sms(PARENT, "Hello")
    assert "+44 7700 900***" in caplog.text
    assert PARENT not in caplog.text


def test_nothing_reaches_the_real_twilio(standin, sender):
    sid = sender.send_sms(PARENT, "Hello").sid
    sender.fetch_message(sid)
    sender.place_call(STAFF, caller_id=HELPLINE, twiml="<Response/>")
    # every request was answered here, so none went to api.twilio.com
    assert [r.method for r in standin.requests] == ["POST", "GET", "POST"]


# --- outbox ----------------------------------------------------------------------------


NOW = dt.datetime(2026, 11, 22, 21, 15, tzinfo=dt.timezone.utc)


def test_outbox_keeps_texts_and_calls_marked_not_sent(redis_prefix):
    client, prefix = redis_prefix
    outbox = OutboxSender(client, prefix, clock=lambda: NOW)

    text = outbox.send_sms(PARENT, "Thank you.", status_callback="https://x.example/s")
    call = outbox.place_call(STAFF, caller_id=HELPLINE, twiml_url=TWIML_URL)

    assert text.sid.startswith("SMoutbox") and len(text.sid) == 34
    assert call.sid.startswith("CAoutbox") and len(call.sid) == 34
    assert text.status == call.status == "not sent (outbox)"
    entries = list_outbox(client, prefix)
    assert entries == [
        {"id": call.sid, "sid": call.sid, "kind": "call", "to": STAFF, "caller_id": HELPLINE,
         "twiml_url": TWIML_URL, "created_at": "2026-11-22T21:15:00+00:00",
         "status": "not sent (outbox)"},
        {"id": text.sid, "sid": text.sid, "kind": "sms", "to": PARENT, "body": "Thank you.",
         "status_callback": "https://x.example/s", "created_at": "2026-11-22T21:15:00+00:00",
         "status": "not sent (outbox)"},
    ]
    assert client.ttl(f"{prefix}outbox") > 0


def test_outbox_fetch_message(redis_prefix):
    client, prefix = redis_prefix
    outbox = OutboxSender(client, prefix)
    sid = outbox.send_sms(PARENT, "Hello").sid
    assert outbox.fetch_message(sid) == SendResult(sid, "not sent (outbox)")
    assert outbox.fetch_message("SMoutbox" + "0" * 26) is None


def test_outbox_is_trimmed_and_listed_newest_first(redis_prefix):
    client, prefix = redis_prefix
    outbox = OutboxSender(client, prefix, max_entries=5)
    for n in range(8):
        outbox.send_sms(PARENT, f"text {n}")
    assert client.llen(f"{prefix}outbox") == 5
    assert [e["body"] for e in list_outbox(client, prefix)] == [f"text {n}" for n in (7, 6, 5, 4, 3)]
    assert [e["body"] for e in list_outbox(client, prefix, limit=2)] == ["text 7", "text 6"]
    assert list_outbox(client, prefix, limit=0) == []


def test_outbox_records_recording_deletions(redis_prefix):
    client, prefix = redis_prefix
    sid = "RE" + "a" * 32
    OutboxSender(client, prefix).delete_recording(f"https://api.twilio.com/x/Recordings/{sid}")
    [entry] = list_outbox(client, prefix)
    assert (entry["kind"], entry["recording"], entry["status"]) == (
        "recording_deletion", sid, "not sent (outbox)")


def test_outbox_with_decoded_responses(redis_prefix, redis_client):
    _, prefix = redis_prefix
    OutboxSender(redis_client, prefix).send_sms(PARENT, "Hello")  # decode_responses=True
    assert list_outbox(redis_client, prefix)[0]["body"] == "Hello"


def test_outbox_log_masks_numbers(redis_prefix, caplog):
    client, prefix = redis_prefix
    caplog.set_level(logging.INFO)
    OutboxSender(client, prefix).send_sms(PARENT, "Hello")
    assert "+44 7700 900***" in caplog.text and PARENT not in caplog.text


@pytest.mark.parametrize("cls", [TwilioSender, OutboxSender])
def test_both_senders_have_the_interface_signatures(cls):
    import inspect

    from workers.senders import Sender

    for name in ("send_sms", "place_call", "fetch_message", "delete_recording"):
        assert inspect.signature(getattr(cls, name)) == inspect.signature(getattr(Sender, name))
