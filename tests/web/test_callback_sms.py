"""Callback requests by text, end to end through signed webhooks and the real Redis."""

import datetime as dt

from store import callbacks as store
from tests.conftest import OPEN_MONDAY, Twilio, sms_replies


def open_requests(app):
    svc = app.extensions["helpline"]
    return store.list_open(svc.connections.redis, svc.settings)


def test_callback_by_text_takes_four_answers_and_confirms_day_and_number(app, twilio):
    twilio.sms("hello")
    first = sms_replies(twilio.sms("CALLBACK"))
    assert "Shall we call you on 07700 900123?" in first[0]
    assert "What is it about?" in sms_replies(twilio.sms("yes"))[0]
    assert "MORNING, AFTERNOON or ANY" in sms_replies(twilio.sms("3"))[0]
    assert "Relay UK" in sms_replies(twilio.sms("am"))[0]
    reply = sms_replies(twilio.sms("1"))[-1]
    assert "We will call you on Monday 23 November between 10am and 12 noon, from 01225 394382." in reply
    [request] = open_requests(app)
    assert request["phone"] == "+447700900123" and request["topic"] == "disagree" and request["channel"] == "sms"
    assert request["part_of_day"] == "morning" and request["contact_by"] == "voice" and request["text_ok"] is True
    assert request["expected_on"] == "2026-11-23" and request["urgent"] is False


def test_the_route_being_read_is_the_default_topic_and_another_number_can_be_given(app, twilio):
    twilio.sms("hello")
    twilio.sms("APPEAL")
    twilio.sms("CALL ME")
    assert 'keep "Appeals to the Tribunal"' in sms_replies(twilio.sms("07700 900456"))[0]
    twilio.sms("y")
    twilio.sms("any")
    reply = sms_replies(twilio.sms("2"))[-1]
    assert "An adviser will text you on Monday 23 November between 10am and 3pm." in reply
    [request] = open_requests(app)
    assert request["phone"] == "+447700900456" and request["topic"] == "appeal" and request["contact_by"] == "text"


def test_wrong_answers_are_asked_again_and_menu_leaves(app, twilio):
    twilio.sms("hello")
    twilio.sms("CALLBACK")
    assert "not a UK phone number" in sms_replies(twilio.sms("+1 202 555 0123"))[0]
    twilio.sms("yes")
    assert "number from 1 to 5" in sms_replies(twilio.sms("banana"))[0]
    twilio.sms("5")
    assert "MORNING, AFTERNOON or ANY" in sms_replies(twilio.sms("tea time"))[0]
    twilio.sms("MENU")
    assert open_requests(app) == []


def test_a_foreign_number_is_asked_for_a_uk_number(app, twilio):
    reply = sms_replies(twilio.sms("CALLBACK", from_="+33612345678"))[-1]
    assert "Please send the UK phone number we should call." in reply


def finish(twilio, sid=None, from_="+447700900123"):
    for body in ("CALLBACK", "yes", "1", "any"):
        twilio.sms(body, from_=from_)
    return twilio.sms("1", from_=from_, message_sid=sid)


def test_the_same_message_sid_twice_makes_one_request(app, twilio):
    first = finish(twilio, sid="SM" + "a" * 32)
    again = twilio.sms("1", message_sid="SM" + "a" * 32)
    assert sms_replies(first) == sms_replies(again)
    assert len(open_requests(app)) == 1


def test_asking_again_updates_the_open_request(app, twilio):
    finish(twilio)
    reply = sms_replies(finish(twilio))[-1]
    assert reply.startswith("We already had your request, so we have updated it.")
    [request] = open_requests(app)
    assert request["requests"] == 2 and "asked again" in request["events"][-1]["what"]


def test_after_a_safety_reply_the_request_is_urgent(app, twilio):
    twilio.sms("hello")
    twilio.sms("I am scared he will hurt himself")
    reply = sms_replies(finish(twilio))[-1]
    assert "We have marked your request as urgent." in reply
    assert open_requests(app)[0]["urgent"] is True


def test_in_hours_with_room_today_counts(make_app):
    app = make_app(at=OPEN_MONDAY)
    twilio = Twilio(app.test_client())
    assert "on Monday 23 November" in sms_replies(finish(twilio))[-1]


def test_a_full_day_rolls_to_the_next(make_app):
    app = make_app(at=OPEN_MONDAY, callbacks_per_day=1)
    twilio = Twilio(app.test_client())
    finish(twilio, from_="+447700900111")
    assert "on Tuesday 24 November" in sms_replies(finish(twilio, from_="+447700900222"))[-1]


def test_late_in_term_the_year_is_given(make_app):
    app = make_app(at=dt.datetime(2026, 12, 17, 16))
    twilio = Twilio(app.test_client())
    assert "on Monday 4 January 2027 between" in sms_replies(finish(twilio))[-1]


def test_a_number_sent_with_the_keyword_is_taken_at_once(app, twilio):
    twilio.sms("hello")
    reply = sms_replies(twilio.sms("CALLBACK 07700 900456"))[0]
    assert "What is it about?" in reply  # the number question is skipped
    twilio.sms("3")
    twilio.sms("any")
    twilio.sms("1")
    [request] = open_requests(app)
    assert request["phone"] == "+447700900456"
