"""Honest availability on a call, as signed webhooks (issue 13 item 5), written the way it was found.

Found: "An adviser is available now" said when no put-through number is set; when the adviser
does not answer, 0 rang them again and "call me back" was "not one of the options"; at 14:50 on a
Thursday a caller was promised a call "on Thursday the 26th of November, between 10am and 3pm";
at 09:30 "has not opened yet today. We open again on Monday" instead of "today at 10am".
"""

import datetime as dt

import pytest

from flows.guidance import load_guidance
from store import callbacks as store
from tests.conftest import OPEN_MONDAY, Twilio, spoken, twiml

THURSDAY_1450 = dt.datetime(2026, 11, 26, 14, 50)
MONDAY_0930 = dt.datetime(2026, 11, 23, 9, 30)


@pytest.fixture
def no_forward(make_app):
    return Twilio(make_app(OPEN_MONDAY, staff_forward_number=None).test_client())


@pytest.fixture
def in_hours(make_app):
    return Twilio(make_app(OPEN_MONDAY).test_client())


def redirect(root) -> str:
    return root.find("Redirect").text


def test_no_put_through_number_means_no_adviser_is_promised(no_forward):
    root = twiml(no_forward.call())
    assert "An adviser is available now." not in spoken(root)
    assert "The helpline is open now." in spoken(root)
    assert root.find("Gather") is None  # no "press 0 to speak to an adviser now"


def test_with_a_put_through_number_in_hours_the_adviser_is_offered(in_hours):
    root = twiml(in_hours.call())
    assert "An adviser is available now." in spoken(root)
    assert root.find("Gather").get("action") == "/ivr/greeting-choice"


def test_hours_option_is_as_honest_as_the_greeting(no_forward):
    hours_key = next(o.key for o in load_guidance().choices("contact") if o.target == "action:hours")
    words = spoken(twiml(no_forward.call("/ivr/menu-choice?node=contact", Digits=hours_key)))
    assert "The helpline is open now." in words and "adviser is available" not in words


def test_zero_without_a_put_through_number_asks_for_a_call_back_not_a_dial(no_forward):
    assert redirect(twiml(no_forward.call("/ivr/menu-choice?node=health", Digits="0"))) == "/ivr/callback?topic=health"
    root = twiml(no_forward.call("/ivr/connect"))  # an old URL, or a number removed during the call
    assert root.find("Dial") is None
    assert "no adviser can take your call" in spoken(root)
    assert "press 0, or say call me back" in spoken(root.find("Gather"))


def test_the_topic_goes_with_the_put_through_and_comes_back_if_nobody_answers(in_hours):
    assert redirect(twiml(in_hours.call("/ivr/menu-choice?node=health", Digits="0"))) == "/ivr/connect?topic=health"
    dial = twiml(in_hours.call("/ivr/connect?topic=health")).find("Dial")
    assert dial.get("action") == "/ivr/dial-result?topic=health"
    root = twiml(in_hours.call("/ivr/dial-result?topic=health", DialCallStatus="no-answer"))
    assert spoken(root).startswith("Sorry, no adviser could answer just now. An adviser can call you back instead.")
    assert root.find("Gather").get("action") == "/ivr/no-adviser-choice?topic=health"


@pytest.mark.parametrize("answer", [{"Digits": "0"}, {"SpeechResult": "call me back"},
                                    {"SpeechResult": "can you call me back please"}, {"Digits": "1"}])
def test_when_the_adviser_does_not_answer_0_and_call_me_back_ask_for_a_call_back(in_hours, answer):
    root = twiml(in_hours.call("/ivr/no-adviser-choice?topic=health", **answer))
    assert redirect(root) == "/ivr/callback?topic=health"  # not a second ring, not "not one of the options"
    start = twiml(in_hours.call(redirect(root)))
    assert "call you back" in spoken(start)


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed", "canceled"])
def test_every_unanswered_dial_gets_the_call_back_offer(in_hours, status):
    root = twiml(in_hours.call("/ivr/dial-result", DialCallStatus=status))
    assert root.find("Gather").get("action") == "/ivr/no-adviser-choice"


def test_nine_is_the_main_menu_and_anything_else_asks_again(in_hours):
    assert redirect(twiml(in_hours.call("/ivr/no-adviser-choice", Digits="9"))) == "/ivr/menu?node=main"
    assert redirect(twiml(in_hours.call("/ivr/no-adviser-choice", SpeechResult="main menu"))) == "/ivr/menu?node=main"
    again = twiml(in_hours.call("/ivr/no-adviser-choice?topic=appeal", Digits="7"))
    assert spoken(again).startswith("Sorry, that is not one of the options.")
    assert again.find("Gather").get("action") == "/ivr/no-adviser-choice?topic=appeal"


def test_silence_after_the_offer_asks_once_more_then_plays_the_main_menu(in_hours):
    first = twiml(in_hours.call("/ivr/dial-result?topic=appeal", DialCallStatus="no-answer"))
    assert redirect(first) == "/ivr/no-adviser?tries=1&topic=appeal"
    second = twiml(in_hours.call(redirect(first)))
    assert "press 0, or say call me back" in spoken(second.find("Gather"))
    assert redirect(second) == "/ivr/menu?node=main"


def test_an_urgent_put_through_that_nobody_answers_stays_urgent(in_hours):
    root = twiml(in_hours.call("/ivr/no-adviser-choice?topic=health&urgent=1", Digits="0"))
    assert redirect(root) == "/ivr/callback?topic=health&urgent=1"


def test_call_me_back_in_a_menu_is_an_option(no_forward):
    root = twiml(no_forward.call("/ivr/menu-choice?node=health", SpeechResult="call me back"))
    assert redirect(root) == "/ivr/callback?topic=health"


def test_at_1450_on_a_thursday_the_caller_is_promised_the_next_helpline_day(make_app, redis_client, settings):
    twilio = Twilio(make_app(THURSDAY_1450).test_client())
    root = twiml(twilio.call("/ivr/callback/save?topic=health&phone=%2B447700900123&vm=1&txt=0",
                             call_sid="CA" + "3" * 32))
    words = spoken(root)
    assert "Monday the 30th of November, between 10am and 3pm" in words
    assert "Thursday the 26th" not in words
    [record] = store.list_open(redis_client, settings)
    assert record["expected_on"] == "2026-11-30"


def test_at_0930_the_caller_hears_we_open_today_at_10am(make_app):
    words = spoken(twiml(Twilio(make_app(MONDAY_0930).test_client()).call()))
    assert "The helpline is not open yet. We open today at 10am." in words
    assert "We open again on Monday" not in words
