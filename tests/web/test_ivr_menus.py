"""Voice menus from the guidance tree: keypad and speech, repeat, main menu, fallbacks, text me this."""

import pytest

from flows.guidance import load_guidance
from tests.conftest import OPEN_MONDAY, Twilio, spoken, twiml


def test_main_menu_offers_five_options_by_keypad_and_speech(twilio):
    root = twiml(twilio.call("/ivr/menu?node=main"))
    gather = root.find("Gather")
    assert gather.get("input") == "dtmf speech" and gather.get("language") == "en-GB"
    assert gather.get("numDigits") == "1"
    assert "health services" in gather.get("hints")
    words = spoken(gather)
    for digit in "12345":
        assert f"press {digit}" in words
    assert "Press star to hear this again, 9 for the main menu, or 0" in words
    assert all(s.get("voice") == "Polly.Amy-Neural" for s in root.iter("Say"))


def test_no_input_asks_twice_more_then_says_goodbye_kindly(twilio):
    first = twiml(twilio.call("/ivr/menu?node=main"))
    assert "did not hear anything" in spoken(first).split("0 to speak to someone")[-1]
    assert first.find("Redirect").text == "/ivr/menu?node=main&tries=1"
    last = twiml(twilio.call("/ivr/menu?node=main&tries=2"))
    assert "text us" in spoken(last)
    assert last.find("Hangup") is not None and last.find("Redirect") is None


@pytest.mark.parametrize("key", ["7", "#", "55"])
def test_an_invalid_key_says_so_then_the_menu_again(twilio, key):
    root = twiml(twilio.call("/ivr/menu-choice?node=main", Digits=key if key != "55" else "6"))
    says = [s.text for s in root.iter("Say")]
    assert says[0] == "Sorry, that is not one of the options."
    assert root.find("Gather").get("action") == "/ivr/menu-choice?node=main&bad=1"


def test_three_wrong_keys_offer_a_person_instead(twilio):
    root = twiml(twilio.call("/ivr/menu-choice?node=main&bad=2", Digits="7"))
    assert "finding it hard to help you this way" in spoken(root)


def test_star_repeats_and_nine_goes_to_the_main_menu(twilio):
    assert twiml(twilio.call("/ivr/menu-choice?node=health", Digits="*")).find("Redirect").text == "/ivr/menu?node=health"
    assert twiml(twilio.call("/ivr/menu-choice?node=health", Digits="9")).find("Redirect").text == "/ivr/menu?node=main"


def test_speech_picks_an_option(twilio):
    root = twiml(twilio.call("/ivr/menu-choice?node=main", SpeechResult="health services please", Confidence="0.8"))
    assert root.find("Redirect").text == "/ivr/menu?node=health"
    root = twiml(twilio.call("/ivr/menu-choice?node=health", SpeechResult="main menu"))
    assert root.find("Redirect").text == "/ivr/menu?node=main"


def test_zero_in_hours_puts_the_caller_through(make_app):
    twilio = Twilio(make_app(OPEN_MONDAY).test_client())
    assert twiml(twilio.call("/ivr/menu-choice?node=main", Digits="0")).find("Redirect").text == "/ivr/connect"


def test_zero_out_of_hours_offers_a_callback_request(twilio):
    redirect = twiml(twilio.call("/ivr/menu-choice?node=health", Digits="0")).find("Redirect").text
    assert redirect.startswith("/ivr/callback") or redirect == "/ivr/menu?node=main"


def test_guidance_is_spoken_in_pieces_with_pauses(twilio):
    root = twiml(twilio.call("/ivr/menu?node=appeal"))
    gather = root.find("Gather")
    assert len(load_guidance().node("appeal").say_parts) >= 2
    assert len(gather.findall("Pause")) == len(load_guidance().node("appeal").say_parts) - 1


def test_risk_words_on_a_call_give_emergency_numbers_and_raise_a_concern(twilio, redis_client):
    root = twiml(twilio.call("/ivr/menu-choice?node=main", SpeechResult="my son says he wants to kill himself"))
    assert "9 9 9" in spoken(root)
    assert root.find("Gather").get("action").startswith("/ivr/urgent-choice?back=")
    assert redis_client.zcard("helpline:safety:open") == 1


def test_every_node_is_reachable_by_keypad(twilio):
    tree = load_guidance()
    from tests.web.test_guidance_journeys import key_path

    for node_id in tree.nodes:
        key_path(node_id)


def test_each_menu_document_is_made_once_and_is_the_same_every_time(app, twilio):
    from flows.guidance import load_guidance

    for node_id in load_guidance().nodes:
        first = twilio.call(f"/ivr/menu?node={node_id}").get_data(as_text=True)
        assert twilio.call(f"/ivr/menu?node={node_id}").get_data(as_text=True) == first
    assert len(app.extensions["ivr.menu_documents"]) == len(load_guidance().nodes)


def test_a_silly_tries_count_is_held_to_the_real_range(twilio):
    low = twiml(twilio.call("/ivr/menu?node=main&tries=-7"))
    assert low.find("Redirect").text == "/ivr/menu?node=main&tries=1"
    high = twiml(twilio.call("/ivr/menu?node=main&tries=999999"))
    assert high.find("Hangup") is not None


@pytest.mark.parametrize("said,target", [
    ("my son has been excluded what can i do", "/ivr/menu?node=exclusion"),
    ("how do i ask the council for an EHC needs assessment", "/ivr/menu?node=assessment"),
    ("i want to complain about the NHS", "/ivr/menu?node=health"),
    ("can someone call me back please", "/ivr/callback"),
])
def test_free_speech_that_names_no_option_is_read_as_a_text_would_be(twilio, said, target):
    root = twiml(twilio.call("/ivr/menu-choice?node=main", SpeechResult=said))
    assert root.find("Redirect").text.startswith(target)


def test_speech_that_points_nowhere_still_gets_the_fallback(twilio):
    root = twiml(twilio.call("/ivr/menu-choice?node=main", SpeechResult="purple elephants on tuesday"))
    assert root.find("Gather") is not None and "sorry" in spoken(root).lower()
