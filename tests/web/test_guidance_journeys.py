"""A parent's journey to each route, by phone (keys from the main menu) and by text (keyword)."""

import json
from collections import deque

import pytest

from flows.guidance import load_guidance
from tests.conftest import Twilio, sms_replies, spoken, twiml

# route -> (SMS keyword, facts heard on the phone, facts read in the text)
ROUTES = {
    "school_talk": ("SENCO", ["SENCO", "teacher", "head"], ["SENCO", "head"]),
    "school_complain": ("GOVERNOR", ["in writing", "the word complaint", "governor"], ["in writing", "'complaint'", "governor"]),
    "school_dfe": ("ACADEMY", ["Department for Education", "academies", "private"], ["Department for Education", "academies"]),
    "ofsted": ("OFSTED", ["whole school", "Ofsted"], ["whole school", "Ofsted"]),
    "plan": ("EHCP", ["special educational needs team", "s e n, underscore, admin"], ["SEN team", "sen_admin@bathnes.gov.uk"]),
    "assessment": ("ASSESSMENT", ["EHC needs assessment", "6 weeks", "2 months after", "s e n, underscore, admin"],
                   ["EHC needs assessment", "6 weeks", "2 months after", "sen_admin@bathnes.gov.uk", "date of birth"]),
    "sen_team": ("SEN TEAM", ["s e n, underscore, admin"], ["sen_admin@bathnes.gov.uk"]),
    "exclusion": ("EXCLUDED", ["15 school days", "independent review", "6 months"], ["15 school days", "independent review", "6 months"]),
    "local_offer": ("LOCAL OFFER", ["Local Offer", "bath n e s dot gov dot uk"], ["Local Offer", "www.bathnes.gov.uk"]),
    "young_people": ("YOUNG PERSON", ["rights of your own", "2 months"], ["rights of your own", "2 months"]),
    "council_complain": ("OMBUDSMAN", ["complaints procedure", "Ombudsman"], ["complaints procedure", "Ombudsman"]),
    "health": ("NHS", ["NHS complaints procedure", "Integrated Care Board", "PALS", "Healthwatch"],
               ["NHS complaints procedure", "Integrated Care", "PALS", "Healthwatch"]),
    "resolution": ("RESOLVE", ["free", "confidential", "voluntary", "independent", "Global Mediation"],
                   ["free", "confidential", "voluntary", "Global Mediation"]),
    "mediation": ("MEDIATION", ["mediation advice", "certificate", "3 working days"],
                  ["mediation advice", "certificate", "3 working days"]),
    "appeal": ("TRIBUNAL", ["Tribunal", "2 months after", "letter was sent", "mediation certificate"],
               ["Tribunal", "2 months after", "letter was sent", "late appeal may still be possible"]),
    "routes": ("ROUTES", ["more than one route"], ["more than one route"]),
    "orgs": ("IPSEA", ["IPSEA", "Contact", "Coram", "c a family dot org dot uk"], ["IPSEA", "cafamily.org.uk", "Coram"]),
    "contact": ("CONTACT", ["0 1 2 2 5, 3 9 4 3 8 2", "0 7 5 3 0, 2 6 3 4 0 1"], ["01225 394382", "07530 263401"]),
}
FORBIDDEN = ["CCG", "Clinical Commissioning", "ESFA", "Education and Skills Funding"]


def key_path(target: str) -> list[str]:
    """The keys that reach a node from the main menu (breadth first)."""
    tree = load_guidance()
    queue, seen = deque([(tree.root, [])]), {tree.root}
    while queue:
        node, keys = queue.popleft()
        if node == target:
            return keys
        for option in tree.choices(node, "voice"):
            if not option.is_action and option.target not in seen:
                seen.add(option.target)
                queue.append((option.target, keys + [option.key]))
    raise AssertionError(f"{target} cannot be reached by keypad")


def walk(twilio, keys: list[str]):
    """Press keys from the main menu, following each Gather and Redirect; return the last document."""
    root = twiml(twilio.call("/ivr/menu?node=main"))
    for key in keys:
        action = root.find("Gather").get("action")
        root = twiml(twilio.call(action, Digits=key))
        redirect = root.find("Redirect")
        root = twiml(twilio.call(redirect.text))
    return root


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_phone_journey_reaches_each_route(twilio, route):
    root = walk(twilio, key_path(route))
    words = spoken(root)
    for fact in ROUTES[route][1]:
        assert fact.lower() in words.lower(), fact
    for wrong in FORBIDDEN:
        assert wrong not in words
    gather = root.find("Gather")
    assert gather is not None and gather.get("input") == "dtmf speech"
    assert "press 8" in spoken(gather)  # text me this
    assert len(gather.findall("Say")) >= 3  # spoken in pieces, not one block


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_text_journey_reaches_each_route(twilio, route):
    keyword, _, facts = ROUTES[route]
    phone = "+447700900" + str(200 + sorted(ROUTES).index(route))
    texts = [sms_replies(twilio.sms(keyword, from_=phone))[-1]]
    while "Send MORE" in texts[-1] and len(texts) < 6:
        texts.append(sms_replies(twilio.sms("MORE", from_=phone))[-1])
    assert all(len(t) <= 459 and t.isascii() for t in texts)
    full = "\n".join(texts)
    for fact in facts:
        assert fact.lower() in full.lower(), fact
    for wrong in FORBIDDEN:
        assert wrong not in full
    assert "MENU" in full  # every reply says what to send next


def test_numbered_replies_follow_the_last_menu(twilio):
    sms_replies(twilio.sms("MENU"))
    (health,) = sms_replies(twilio.sms("4"))
    assert "NHS complaints procedure" in health
    (again,) = sms_replies(twilio.sms("MENU"))
    assert "Reply with a number" in again


@pytest.mark.parametrize("text,expected", [
    ("apeal", "Tribunal"), ("Mediation please", "mediation advice"), ("ehc plan", "SEN team"), ("exluded", "15 school days"),
    ("  nhs  ", "NHS complaints procedure"), ("OFSTED!", "Ofsted"), ("tribunel", "Tribunal"), ("hours", "10am to 3pm"),
])
def test_keywords_forgive_case_spacing_and_slips(twilio, text, expected):
    replies = sms_replies(twilio.sms(text))
    assert expected.lower() in replies[-1].lower()


def test_free_text_gets_the_best_routes_and_the_menu(twilio):
    replies = sms_replies(twilio.sms("the school won't give my son his hours"))
    assert "SCHOOL" in replies[-1] or "SENCO" in replies[-1]
    assert "MENU" in replies[-1]


def test_unknown_text_gets_a_short_menu(twilio):
    replies = sms_replies(twilio.sms("zzqx"))
    assert "Send MENU" in replies[-1]


def test_first_texter_gets_the_welcome_once(twilio):
    first = sms_replies(twilio.sms("MENU", from_="+447700900301"))
    second = sms_replies(twilio.sms("MENU", from_="+447700900301"))
    assert "answers automatically" in first[0] and len(first) == 2
    assert len(second) == 1


def test_a_replayed_text_gets_the_same_reply_and_changes_nothing(twilio, redis_client):
    first = sms_replies(twilio.sms("MENU", message_sid="SM" + "a" * 32))
    sms_replies(twilio.sms("4"))
    replay = sms_replies(twilio.sms("MENU", message_sid="SM" + "a" * 32))
    assert replay == first
    (reply,) = sms_replies(twilio.sms("MORE"))
    assert "part 3 of 3" in reply or "PALS" in reply  # MORE continues the health guidance: not reset by the replay


def test_risk_words_get_emergency_numbers_first_and_raise_a_concern(twilio, redis_client):
    replies = sms_replies(twilio.sms("I am scared he will hurt himself"))
    urgent, welcome = replies  # a first-time texter: the emergency numbers even before the welcome
    assert welcome.startswith("Hello, this is the SEND Partnership Service")
    assert "999" in urgent and "116 123" in urgent and "CALLBACK" in urgent
    assert redis_client.zcard("helpline:safety:open") == 1


@pytest.mark.parametrize("word", ["HELP", "help", "Info"])
def test_help_opens_the_main_menu(twilio, word):
    replies = sms_replies(twilio.sms(word))
    assert "Reply with a number" in replies[-1]


def test_concerns_from_calls_and_texts_reach_one_queue(twilio, redis_client):
    from store import safety

    for n in range(3):
        twilio.sms("I think he might kill himself", from_=f"+44770090040{n}")
    twilio.call("/ivr/menu-choice?node=main", SpeechResult="she is going to hurt herself")
    settings = twilio.client.application.extensions["helpline"].settings
    channels = [c["channel"] for c in safety.list_open(redis_client, settings)]
    assert channels == ["sms", "sms", "sms", "voice"]


def test_one_number_flooding_risk_words_still_gets_help_but_makes_one_concern(twilio, redis_client):
    from store import safety

    for n in range(safety.PER_LINE_PER_HOUR + 3):
        (reply, *_) = sms_replies(twilio.sms(f"I think he might kill himself {n}"))
        assert reply.startswith("If anyone is in danger now, call 999.")  # every time
    twilio.sms("she is going to hurt herself", from_="+447700900456")
    settings = twilio.client.application.extensions["helpline"].settings
    mine, other = safety.list_open(redis_client, settings)
    assert mine["phone"] == "+447700900123" and len(mine["words"]) == safety.MAX_WORDS
    assert other["phone"] == "+447700900456"


# --- free text as parents write it (issue 12) ------------------------------------------------


@pytest.mark.parametrize("text, fact", [
    ("my son has been excluded from school what can i do", "15 school days"),
    ("how do i ask the council for an EHC needs assessment", "within 6 weeks"),
    ("I am 17 and I want to appeal about my own plan", "rights of your own"),
])
def test_free_text_from_the_issue_reaches_its_route(twilio, text, fact):
    replies = sms_replies(twilio.sms(text, from_="+447700900321"))
    assert fact in replies[-1] and "Send MORE" in replies[-1]


@pytest.mark.parametrize("text, fact", [
    ("thank you", "You are welcome"), ("ok thanks", "You are welcome"), ("is anyone there?", "no one reads texts"),
])
def test_thanks_and_is_anyone_there_get_a_kind_reply_with_the_hours(twilio, text, fact):
    replies = sms_replies(twilio.sms(text, from_="+447700900322"))
    assert fact in replies[-1] and "10am to 3pm" in replies[-1] and "CALLBACK" in replies[-1]
    assert "did not understand" not in replies[-1]


def test_can_someone_call_me_starts_a_callback_request(twilio):
    replies = sms_replies(twilio.sms("can i get someone to call me", from_="+447700900323"))
    assert "07700 900323" in replies[-1]  # the callback conversation asks about the number


@pytest.mark.parametrize("text, first_line", [
    ("Dzień dobry, czy mogę prosić o pomoc? Mój syn nie dostaje wsparcia w szkole", "PL: "),
    ("Hola, mi hijo tiene necesidades especiales y la escuela no le ayuda", "ES: "),
    ("میرے بیٹے کو اسکول میں مدد کی ضرورت ہے", "UR: "),
])
def test_another_language_gets_an_interpreter_offer_in_gsm7(twilio, text, first_line):
    reply = sms_replies(twilio.sms(text, from_="+447700900324"))[-1]
    lines = reply.splitlines()
    assert lines[0].startswith("We can call you back with an interpreter") and lines[1].startswith(first_line)
    assert reply.isascii() and len(reply) <= 459
    assert "An EHC plan" not in reply and "Sorry, we did not understand" not in reply
