"""Callback requests by text, end to end through signed webhooks and the real Redis."""

import datetime as dt

from store import callbacks as store
from tests.conftest import OPEN_MONDAY, Twilio, sms_replies


def open_requests(app):
    svc = app.extensions["helpline"]
    return store.list_open(svc.connections.redis, svc.settings)


def test_callback_by_text_asks_the_questions_and_confirms_the_number_and_the_day(app, twilio):
    twilio.sms("hello")
    first = sms_replies(twilio.sms("CALLBACK"))
    assert "Shall we call you on 07700 900123?" in first[0]
    topic = sms_replies(twilio.sms("yes"))[0]
    assert "What is it about?" in topic and "\n4 Health or the NHS" in topic
    assert "decision letter" in sms_replies(twilio.sms("3"))[0]  # an appeal: the letter's date
    assert "last day to appeal is" in sms_replies(twilio.sms("25 September 2026"))[0]
    assert "\n3 A call through Relay UK" in sms_replies(twilio.sms("am"))[0]
    assert "voicemail" in sms_replies(twilio.sms("1"))[0]
    assert "few words" in sms_replies(twilio.sms("no"))[0]
    reply = sms_replies(twilio.sms("he needs a new school by January"))[-1]
    assert "We will call you on 07700 900123 on Monday 23 November 2026, between 10am and 12 noon, from 01225 394382." in reply
    assert "CALLBACK OFF" in reply and "CALLBACK MOVE" in reply and "urgent" in reply
    [request] = open_requests(app)
    assert request["phone"] == "+447700900123" and request["topic"] == "disagree" and request["channel"] == "sms"
    assert request["part_of_day"] == "morning" and request["contact_by"] == "voice" and request["text_ok"] is True
    assert request["expected_on"] == "2026-11-23" and request["urgent"] is True and request["deadline"] == "2026-11-25"
    assert request["voicemail_ok"] is False and request["problem_words"] == "he needs a new school by January"
    assert request["conversation_texts"][0] == "yes" and request["conversation_texts"][-1].startswith("he needs")


def test_the_route_being_read_is_offered_first_and_another_number_is_written_back(app, twilio):
    twilio.sms("hello")
    twilio.sms("SCHOOL")
    twilio.sms("CALL ME")
    assert "We will call 07700 900456." in sms_replies(twilio.sms("07700 900456"))[0]  # written back
    assert "\n1 School" in sms_replies(twilio.sms("yes"))[0]
    twilio.sms("1")
    twilio.sms("any")
    assert "few words" in sms_replies(twilio.sms("2"))[0]  # texts only: no voicemail or "may we text" question
    reply = sms_replies(twilio.sms("skip"))[-1]
    assert "An adviser will text you on 07700 900456 on Monday 23 November 2026 between 10am and 3pm." in reply.replace(",", "")
    [request] = open_requests(app)
    assert request["phone"] == "+447700900456" and request["topic"] == "school" and request["contact_by"] == "text"


def test_no_to_the_number_asks_for_another_without_calling_it_wrong(app, twilio):
    twilio.sms("hello")
    twilio.sms("CALLBACK")
    reply = sms_replies(twilio.sms("no"))[0]
    assert "Please send the UK phone number we should call." in reply and "not a UK phone number" not in reply


def test_wrong_answers_are_asked_again_and_menu_leaves(app, twilio):
    twilio.sms("hello")
    twilio.sms("CALLBACK")
    assert "not a UK phone number" in sms_replies(twilio.sms("+1 202 555 0123"))[0]
    twilio.sms("yes")
    assert "did not understand" in sms_replies(twilio.sms("banana"))[0]
    twilio.sms("5")
    assert "did not understand" in sms_replies(twilio.sms("tea time"))[0]
    twilio.sms("MENU")
    assert open_requests(app) == []


def test_a_foreign_number_is_asked_for_a_uk_number(app, twilio):
    reply = sms_replies(twilio.sms("CALLBACK", from_="+33612345678"))[-1]
    assert "Please send the UK phone number we should call." in reply


def finish(twilio, sid=None, from_="+447700900123", first=("CALLBACK",)):
    for body in (*first, "yes", "1", "any", "1", "yes"):
        twilio.sms(body, from_=from_)
    return twilio.sms("skip", from_=from_, message_sid=sid)


def test_the_same_message_sid_twice_makes_one_request(app, twilio):
    first = finish(twilio, sid="SM" + "a" * 32)
    again = twilio.sms("skip", message_sid="SM" + "a" * 32)
    assert sms_replies(first) == sms_replies(again)
    assert len(open_requests(app)) == 1


def test_asking_again_hears_the_live_request_and_can_change_it(app, twilio):
    finish(twilio)
    assert "already have a call back booked for Monday 23 November 2026" in sms_replies(twilio.sms("CALLBACK"))[0]
    reply = sms_replies(finish(twilio, first=("4",)))[-1]
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
    assert "on Monday 4 January 2027, between" in sms_replies(finish(twilio))[-1]


def test_a_number_sent_with_the_keyword_is_written_back_first(app, twilio):
    twilio.sms("hello")
    reply = sms_replies(twilio.sms("CALLBACK 07700 900456"))[0]
    assert "We will call 07700 900456." in reply and "Reply YES" in reply
    assert "What is it about?" in sms_replies(twilio.sms("yes"))[0]
    for answer in ("5", "any", "1", "yes", "no", "skip"):
        twilio.sms(answer)
    [request] = open_requests(app)
    assert request["phone"] == "+447700900456"


def test_callback_off_cancels_in_one_reply_and_is_not_an_opt_out(app, twilio):
    finish(twilio)
    reply = sms_replies(twilio.sms("CALLBACK OFF"))
    assert len(reply) == 1 and "cancelled" in reply[0] and "Monday 23 November 2026" in reply[0]
    assert open_requests(app) == []
    svc = app.extensions["helpline"]
    from store import optouts
    assert not optouts.is_opted_out(svc.connections.redis, svc.settings, "+447700900123")
    assert "no call back booked" in sms_replies(twilio.sms("NO CALL"))[0]


def test_callback_move_moves_to_the_next_day_with_room_in_one_reply(make_app):
    app = make_app(callbacks_per_day=1)
    twilio = Twilio(app.test_client())
    finish(twilio, from_="+447700900111")  # Tuesday is free, Monday taken by the next one
    finish(twilio)
    reply = sms_replies(twilio.sms("CHANGE DAY"))
    assert len(reply) == 1 and "moved to Wednesday 25 November 2026" in reply[0]
    request = [r for r in open_requests(app) if r["phone"] == "+447700900123"][0]
    assert request["expected_on"] == "2026-11-25"


def test_callback_and_a_language_books_an_interpreter(app, twilio):
    twilio.sms("hello")
    replies = sms_replies(twilio.sms("Dzien dobry, moj syn potrzebuje pomocy w szkole"))
    assert "Send CALLBACK and the name of your language" in replies[0]
    twilio.sms("CALLBACK polski")
    reply = sms_replies(finish(twilio, first=()))[-1]
    assert "An interpreter who speaks Polish will be on the call." in reply
    [request] = open_requests(app)
    assert request["interpreter"] == "pl"


def test_own_words_about_a_booked_call_back_open_its_menu(app, twilio):
    """'please cancel my call back' is not a new request: the live one's menu, then 3 cancels it."""
    finish(twilio)
    reply = sms_replies(twilio.sms("please cancel my call back"))
    assert len(reply) == 1 and "already have a call back booked for Monday 23 November 2026" in reply[0]
    assert "3 Cancel it" in reply[0]
    assert "cancelled" in sms_replies(twilio.sms("3"))[0]
    assert open_requests(app) == []


def test_own_words_to_cancel_with_nothing_booked_say_so_and_start_nothing(app, twilio):
    reply = sms_replies(twilio.sms("I don't need the call any more thanks", from_="+447700900456"))
    assert any("no call back booked" in r for r in reply)
    assert "Shall we call you" not in " ".join(reply)
    assert "no call back booked" not in " ".join(sms_replies(twilio.sms("yes", from_="+447700900456")))


def test_changing_the_number_of_a_booked_call_back_leaves_one_request(make_app):
    """'Change what we know' with another number: the new request stands for the old one, which
    closes (its history says why), and an urgent one stays urgent."""
    app = make_app(sms_limit_per_window=0)  # more texts than the rate limit allows in 5 minutes
    twilio = Twilio(app.test_client())
    twilio.sms("I am scared he will hurt himself")  # a safety reply first: the request is urgent
    finish(twilio)
    [old] = open_requests(app)
    assert old["urgent"] is True
    for body in ("CALLBACK", "4", "no", "07700 900456", "yes", "1", "any", "1", "yes", "yes"):
        twilio.sms(body)
    assert "07700 900456" in sms_replies(twilio.sms("skip"))[0]
    [new] = open_requests(app)
    assert new["id"] != old["id"] and new["phone"] == "+447700900456" and new["urgent"] is True
    svc = app.extensions["helpline"]
    closed = store.get(svc.connections.redis, svc.settings, old["id"])
    assert closed["status"] == "closed" and f"replaced by request {new['id']}" in closed["events"][-1]["what"]


def test_a_call_back_after_the_last_day_to_appeal_says_so_first(make_app):
    """Thursday 3 December 2026 at 14:50: the call is booked for Monday 7 December, after an appeal
    deadline of Friday 4 December; the reply leads with that, not with the booking."""
    twilio = Twilio(make_app(dt.datetime(2026, 12, 3, 14, 50), sms_limit_per_window=0).test_client())
    for body in ("CALLBACK", "yes", "3", "4/10/2026", "any", "1", "yes"):
        twilio.sms(body)
    [reply] = sms_replies(twilio.sms("skip"))
    assert reply.startswith("Your last day to appeal, Friday 4 December 2026, is before we can call you.")
    assert "Monday 7 December 2026" in reply and len(reply) <= 612


def test_a_decision_date_whose_deadline_has_gone_says_so(app, twilio):
    for body in ("CALLBACK", "yes", "3"):
        twilio.sms(body)
    [reply] = sms_replies(twilio.sms("1 September 2026"))
    assert "The last day to appeal is Monday 2 November 2026. That date has passed." in reply
    assert "late appeal may still be possible" in reply


def test_a_call_back_asked_for_another_number_can_be_cancelled_from_the_asking_phone(make_app):
    app = make_app(sms_limit_per_window=0)
    twilio = Twilio(app.test_client())
    for body in ("CALLBACK", "no", "07700 900777", "yes", "1", "any", "1", "yes", "yes"):
        twilio.sms(body)
    assert "07700 900777" in sms_replies(twilio.sms("skip"))[0]
    [request] = open_requests(app)
    assert request["phone"] == "+447700900777"
    live = sms_replies(twilio.sms("CALLBACK"))[0]
    assert "already have a call back booked" in live
    twilio.sms("1")  # keep it
    reply = sms_replies(twilio.sms("CALLBACK OFF"))
    assert len(reply) == 1 and "cancelled" in reply[0]
    assert open_requests(app) == []
