"""What staff are told about a message that did not get through, and when Send again is allowed."""

import datetime as dt

import pytest

from flows.delivery_problems import assess, due_day, purpose_words

MONDAY = dt.date(2026, 11, 23)


def message(status, code="", error="", **fields):
    return {"id": "m1", "kind": "sms", "status": status, "error_code": code, "error": error,
            "purpose": "guidance:school", "created_at": "2026-11-23T11:00:00+00:00", **fields}


@pytest.mark.parametrize("status,code,error,can_resend,words", [
    ("unknown", "", "interrupted while sending", True, "We could not tell whether it was sent: it may have arrived."),
    ("failed", "21610", "", False, "opted out of our texts"),
    ("failed", "21211", "", False, "not a valid phone number"),
    ("failed", "21614", "", False, "not a mobile"),
    ("failed", "30003", "", True, "switched off or out of signal"),
    ("failed", "503", "gave up: send text: Twilio said 503", True, "even after 5 tries"),
    ("failed", "20429", "gave up: Twilio said 429", True, "busy"),
    ("failed", "21408", "send text: Twilio said 400 (error 21408)", False, "refused it (error 21408)"),
    ("failed", "", "", False, "Twilio refused it."),
    ("undelivered", "30003", "", True, "switched off"),
    ("undelivered", "30004", "", False, "blocked our number"),
    ("undelivered", "30005", "", False, "does not exist"),
    ("undelivered", "30006", "", False, "landline"),
    ("undelivered", "30007", "", False, "suspected spam"),
    ("undelivered", "30008", "", True, "did not say why"),
    ("undelivered", "", "", True, "could not deliver it"),
    ("refused", "", "opted_out", False, "they sent STOP"),
    ("refused", "", "not_mobile", False, "not a UK mobile"),
    ("refused", "", "not_uk_number", False, "not a UK phone number"),
    ("refused", "", "too_long", False, "longer than 3 texts"),
    ("sent", "", "", False, "did not fail"),
])
def test_each_status_and_error_code_in_plain_words(status, code, error, can_resend, words):
    verdict = assess(message(status, code, error), today=MONDAY, opted_out=False)
    assert verdict.can_resend is can_resend
    assert words in verdict.meaning
    assert verdict.advice.startswith(("You can send it again", "Check with the parent")) is can_resend


def test_only_an_unknown_fate_needs_a_check_with_the_parent():
    assert assess(message("unknown"), today=MONDAY, opted_out=False).needs_check
    assert not assess(message("undelivered"), today=MONDAY, opted_out=False).needs_check


def test_refused_content_points_to_whoever_looks_after_the_service():
    assert "the words need fixing" in assess(message("refused", error="not_gsm7"), today=MONDAY, opted_out=False).advice


def test_an_opt_out_since_and_calls_are_never_sent_again():
    assert not assess(message("undelivered"), today=MONDAY, opted_out=True).can_resend
    call = assess(message("unknown", kind="call", purpose="callback_bridge"), today=MONDAY, opted_out=False)
    assert not call.can_resend and "use Call now" in call.advice


@pytest.mark.parametrize("purpose,stale", [("reminder", True), ("callback_confirmation", True),
                                           ("guidance:school", False), ("callback_closing", False)])
def test_texts_about_a_day_go_again_only_on_that_day(purpose, stale):
    sunday = message("undelivered", purpose=purpose, created_at="2026-11-22T23:30:00+00:00")
    assert assess(sunday, today=dt.date(2026, 11, 22), opted_out=False).can_resend
    assert assess(sunday, today=MONDAY, opted_out=False).can_resend is not stale


def test_the_due_day_is_london_time_and_a_resend_keeps_its_original_day():
    summer_night = {"created_at": "2026-06-01T23:30:00+00:00"}  # 00:30 on 2 June in London
    assert due_day(summer_night) == dt.date(2026, 6, 2)
    assert due_day({"created_at": "2026-06-01T08:00:00+00:00", "not_before": "2026-06-03T09:30:00+01:00"}) == \
        dt.date(2026, 6, 3)
    assert due_day({"created_at": "2026-06-05T10:00:00+01:00", "first_due": "2026-06-03"}) == dt.date(2026, 6, 3)


def test_purposes_in_plain_words():
    assert purpose_words("callback_confirmation") == "Call back confirmation"
    assert purpose_words("reminder") == "Deadline reminder"
    assert purpose_words("guidance:appeal") == "Guidance text"
    assert purpose_words("callback_bridge") == "Call now (staff phone, then the parent)"
    assert purpose_words("mystery") == "Other message (mystery)"
