"""What a caller hears and a texter reads first, in and out of hours."""

import datetime as dt

from tests.conftest import CLOSED_SUNDAY, OPEN_MONDAY, Twilio, sms_replies, spoken, twiml


def test_out_of_hours_call_hears_closed_why_and_when(twilio):
    root = twiml(twilio.call())
    words = spoken(root)
    assert "closed at the weekend" in words
    assert "We open again on Monday the 23rd of November at 10am." in words
    assert root.find("Dial") is None
    assert root.find("Gather") is None  # no adviser offer when closed
    redirect = root.find("Redirect")
    assert redirect is not None and redirect.text.startswith("/ivr/menu")


def test_in_hours_call_offers_an_adviser_then_the_menu(make_app):
    twilio = Twilio(make_app(OPEN_MONDAY).test_client())
    root = twiml(twilio.call())
    assert "An adviser is available now." in spoken(root)
    gather = root.find("Gather")
    assert gather.get("action") == "/ivr/greeting-choice"
    assert gather.get("input") == "dtmf speech"
    assert gather.get("language") == "en-GB"
    assert "press 0" in spoken(gather)
    assert root.find("Redirect").text.startswith("/ivr/menu")  # silence -> the menu


def test_pressing_0_in_hours_dials_the_adviser_showing_the_helpline_number(make_app):
    twilio = Twilio(make_app(OPEN_MONDAY).test_client())
    root = twiml(twilio.call("/ivr/greeting-choice", Digits="0"))
    assert root.find("Redirect").text == "/ivr/connect"
    root = twiml(twilio.call("/ivr/connect"))
    dial = root.find("Dial")
    assert dial.get("callerId") == "+441225394382"
    assert dial.get("timeout") == "25"
    assert dial.get("action") == "/ivr/dial-result"
    assert dial.find("Number").text == "+441632960001"


def test_saying_adviser_also_puts_the_caller_through(make_app):
    twilio = Twilio(make_app(OPEN_MONDAY).test_client())
    root = twiml(twilio.call("/ivr/greeting-choice", SpeechResult="I'd like an adviser please"))
    assert root.find("Redirect").text == "/ivr/connect"


def test_nobody_answers_offers_a_call_back_in_the_same_breath(make_app):
    twilio = Twilio(make_app(OPEN_MONDAY).test_client())
    root = twiml(twilio.call("/ivr/dial-result", DialCallStatus="no-answer"))
    gather = root.find("Gather")
    assert spoken(root).startswith("Sorry, no adviser could answer just now.")
    assert "To ask for a call back, press 0, or say call me back." in spoken(gather)
    assert gather.get("action") == "/ivr/no-adviser-choice"
    answered = twiml(twilio.call("/ivr/dial-result", DialCallStatus="completed"))
    assert answered.find("Hangup") is not None


def test_connect_when_closed_does_not_dial(twilio):
    root = twiml(twilio.call("/ivr/connect"))
    assert root.find("Dial") is None
    assert "no adviser can take your call" in spoken(root)
    assert root.find("Gather").get("action") == "/ivr/no-adviser-choice"  # a call back instead


def test_no_forward_number_means_no_adviser_offer(make_app):
    twilio = Twilio(make_app(OPEN_MONDAY, staff_forward_number=None).test_client())
    assert twiml(twilio.call()).find("Gather") is None


def test_first_text_out_of_hours_says_when_we_open_and_how_to_get_guidance(twilio):
    welcome, menu = sms_replies(twilio.sms("hello"))
    assert "answers automatically" in welcome
    assert "closed at the weekend" in welcome
    assert "We open again on Monday 23 November 2026 at 10am." in welcome
    assert "Send MENU" in menu and "1 Support at school or college" in menu
    assert welcome.isascii() and menu.isascii()


def test_first_text_in_hours_says_the_line_is_open(make_app):
    welcome, _ = sms_replies(Twilio(make_app(OPEN_MONDAY).test_client()).sms("hello"))
    assert "The helpline is open now." in welcome
    assert "adviser is available" not in welcome  # a text cannot be put through to anyone


def test_the_welcome_is_sent_once(twilio):
    assert len(sms_replies(twilio.sms("hello"))) == 2
    assert len(sms_replies(twilio.sms("hello"))) == 1


def test_closed_for_half_term_says_so(make_app):
    twilio = Twilio(make_app(dt.datetime(2026, 10, 27, 11, 0)).test_client())
    words = spoken(twiml(twilio.call()))
    assert "closed for half term" in words
    assert "Monday the 2nd of November at 10am" in words


def test_call_status_callback_is_accepted_without_a_body(twilio):
    response = twilio.call("/ivr/status", CallStatus="completed", CallDuration="42")
    assert response.status_code == 204


def test_default_clock_is_fixed_by_the_app(make_app):
    # The app's clock decides: the same request at two moments gets two answers.
    sunday = spoken(twiml(Twilio(make_app(CLOSED_SUNDAY).test_client()).call()))
    monday = spoken(twiml(Twilio(make_app(OPEN_MONDAY).test_client()).call()))
    assert sunday != monday


def test_one_process_greets_by_the_clock_as_it_moves(make_app):
    """The greeting is rendered once per opening state: a later call hears the state then."""
    from clock import SIMULATED_NOW_HEADER

    twilio = Twilio(make_app(CLOSED_SUNDAY).test_client())

    def greeting(at: dt.datetime) -> str:
        params = {"CallSid": "CA" + "1" * 32, "From": "+447700900123", "To": "+447700900000"}
        return spoken(twiml(twilio.post("/ivr/incoming", params, headers={SIMULATED_NOW_HEADER: at.isoformat()})))

    sunday = greeting(CLOSED_SUNDAY)
    assert "closed at the weekend" in sunday
    assert "An adviser is available now." in greeting(OPEN_MONDAY)
    evening = greeting(OPEN_MONDAY.replace(hour=18))
    assert "closed" in evening and "Tuesday the 24th of November at 10am" in evening
    assert greeting(CLOSED_SUNDAY) == sunday
