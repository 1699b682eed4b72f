"""The deadline calculator by phone, driven end to end through signed webhooks.

Each step posts what Twilio would post to the URL the previous TwiML pointed at (a Gather's
action with the keys pressed, or a Redirect), and the TwiML is parsed with ElementTree.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest

from store import outbound as records
from tests.conftest import PARENT, spoken, twiml

CALL = "CA" + "d" * 32
TEXTPHONE_SPOKEN = "0 7 5 3 0, 2 6 3 4 0 1"


class Caller:
    """One call: follows redirects, answers Gathers with keys or speech, or stays silent."""

    def __init__(self, twilio, from_: str = PARENT):
        self.twilio, self.from_ = twilio, from_
        self.doc: ET.Element | None = None
        self.heard: list[str] = []

    def post(self, path: str, **fields) -> ET.Element:
        self.doc = twiml(self.twilio.call(path, call_sid=CALL, from_=self.from_, **fields))
        self.heard.append(spoken(self.doc))
        return self.doc

    def follow(self) -> ET.Element:
        """Follow Redirects until the document asks something (a Gather) or ends."""
        while self.doc.find("Gather") is None and self.doc.find("Redirect") is not None:
            self.post(path_of(self.doc.find("Redirect").text))
        return self.doc

    def start(self, path: str = "/ivr/deadline", kind: str | None = "1") -> ET.Element:
        """Start the calculator and (by default) choose the appeal, key 1 of the kinds menu."""
        self.post(path)
        self.follow()
        return self.press(kind) if kind else self.doc

    def press(self, digits: str) -> ET.Element:
        self.post(path_of(self.doc.find("Gather").get("action")), Digits=digits)
        return self.follow()

    def speak(self, words: str) -> ET.Element:
        self.post(path_of(self.doc.find("Gather").get("action")), SpeechResult=words, Confidence="0.9")
        return self.follow()

    def silence(self) -> ET.Element:
        """Say nothing: Twilio moves on to the verb after the Gather (here a Redirect or Hangup)."""
        redirect = self.doc.find("Redirect")
        if redirect is None:
            return self.doc
        self.post(path_of(redirect.text))
        return self.follow()

    @property
    def last(self) -> str:
        return self.heard[-1]

    def recent(self, n: int = 3) -> str:
        return " ".join(self.heard[-n:])


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def caller(twilio):
    return Caller(twilio)


def gather_prompt(doc: ET.Element) -> str:
    return " ".join((s.text or "") for s in doc.find("Gather").iter("Say"))


def test_keypad_date_read_back_confirm_no_certificate_result(caller):
    doc = caller.start()
    assert "usually the date on the letter" in gather_prompt(doc)
    gather = doc.find("Gather")
    assert gather.get("finishOnKey") == "#" and gather.get("numDigits") is None
    assert "8 digits" in gather_prompt(doc)

    doc = caller.press("30122025")
    assert "You gave Tuesday the 30th of December 2025." in gather_prompt(doc)
    doc = caller.press("1")
    assert "mediation certificate" in gather_prompt(doc) and "press 0" in gather_prompt(doc)
    doc = caller.press("0")
    assert "only about the school" in gather_prompt(doc)
    doc = caller.press("2")
    said = spoken(doc)
    first = doc.find("Say").text  # the key fact first: the last day and the mediation step
    assert first == ("Your appeal must reach the Tribunal, a special court, by 5pm on Monday the 2nd of March 2026; "
                     "first get the mediation adviser's advice and certificate.")
    assert "Contact them by" not in said  # passed: the late-appeal advice is what helps now
    assert "That date has passed." in said
    assert "February 2026 has no 30th day" in said and "There is no the" not in said
    assert "This is a guide, not legal advice." in said and "the charity IPSEA" in said
    assert "a late appeal may still be possible, as the Tribunal, a special court, can allow it" in said
    assert len(doc.findall("Pause")) >= len(doc.findall("Say")) - 2  # a pause between the parts
    assert "For the answer again, press 1." in gather_prompt(doc)

    doc = caller.press("1")  # hear it again
    assert "Monday the 2nd of March 2026" in spoken(doc)


def test_a_later_certificate_and_school_only(caller):
    caller.start()
    caller.press("15052026")
    caller.press("1")
    doc = caller.press("22062026")
    assert "You gave Monday the 22nd of June 2026." in gather_prompt(doc)
    caller.press("1")
    doc = caller.press("2")
    assert doc.find("Say").text == ("Your appeal must reach the Tribunal, a special court, by 5pm on Wednesday the "
                                    "22nd of July 2026; you have the mediation certificate you need to appeal.")


def test_school_only_by_speech(caller):
    caller.start()
    doc = caller.speak("it was the 15th of May 2026")
    assert "Friday the 15th of May 2026" in gather_prompt(doc)
    caller.speak("yes")
    caller.speak("no I don't have one")
    doc = caller.speak("yes")
    assert doc.find("Say").text == (
        "Your appeal must reach the Tribunal, a special court, by 5pm on Wednesday the 15th of July 2026. "
        "It is only about the school named, so you need no mediation certificate or advice.")
    assert "mediation adviser" not in spoken(doc)


def _appeal_result(caller, school_key: str) -> str:
    caller.start()
    for keys in ("01102026", "1", "0"):
        caller.press(keys)
    return spoken(caller.press(school_key))


def test_only_about_the_school_changes_what_is_said_as_by_text(caller, twilio):
    not_only, only = _appeal_result(caller, "2"), _appeal_result(Caller(twilio), "1")
    assert not_only != only
    assert "first get the mediation adviser's advice and certificate" in not_only
    assert "Contact them by Tuesday the 1st of December 2026." in not_only
    assert "you need no mediation certificate or advice" in only and "mediation adviser" not in only
    for said in (not_only, only):
        assert "by 5pm on Tuesday the 1st of December 2026" in said
        assert "a late appeal may still be possible" in said  # on every appeal, passed or not


def test_re_entering_a_date(caller):
    caller.start()
    caller.press("12012026")
    doc = caller.press("2")
    assert "decision letter" in gather_prompt(doc)
    doc = caller.press("06022026")
    assert "Friday the 6th of February 2026" in gather_prompt(doc)


@pytest.mark.parametrize(("keys", "why"), [
    ("31022026", "There is no 31 February 2026."),
    ("123", "Please key in 8 digits"),
    ("25122026", "has not happened yet"),
])
def test_a_bad_date_says_why_and_asks_the_same_question(caller, keys, why):
    caller.start()
    doc = caller.press(keys)
    assert why in spoken(doc)
    assert "decision letter" in gather_prompt(doc)
    assert urlsplit(doc.find("Gather").get("action")).path == "/ivr/deadline/answer/sent"


def test_invalid_keys_are_not_options(caller):
    caller.start()
    doc = caller.press("30122025")
    doc = caller.press("7")
    assert "Sorry, that is not one of the options." in spoken(doc)
    assert "You gave Tuesday the 30th of December 2025." in gather_prompt(doc)
    caller.press("1")
    caller.press("0")
    doc = caller.press("5")
    assert "Sorry, that is not one of the options." in spoken(doc) and "only about the school" in gather_prompt(doc)
    caller.press("2")
    doc = caller.press("8")
    assert "Sorry, that is not one of the options." in spoken(doc) and "press 9" in gather_prompt(doc)


@pytest.mark.parametrize("answers", [None, [], ["30122025"], ["30122025", "1", "0", "2"]])
def test_silence_asks_twice_more_then_says_goodbye(caller, answers):
    doc = caller.start(kind=None if answers is None else "1")
    answers = answers or []
    for keys in answers:
        doc = caller.press(keys)
    question = gather_prompt(doc)
    assert doc.find("Redirect") is not None and doc.find("Hangup") is None
    for _ in range(2):
        doc = caller.silence()
        assert gather_prompt(doc) == question  # the same question again
        assert "did not hear" in spoken(doc).split(question)[0]
    # The third silence after the question ends the call politely.
    doc = caller.silence()
    assert [child.tag for child in doc] == ["Say", "Hangup"]
    goodbye = doc.find("Say").text
    assert "text DEADLINE to " + TEXTPHONE_SPOKEN in goodbye and "call us back" in goodbye


def test_text_me_this_queues_exactly_one_text(caller, app):
    caller.start()
    for keys in ("26102026", "1", "0", "2"):
        doc = caller.press(keys)
    assert "Monday the 4th of January 2027" in spoken(doc)
    doc = caller.press("2")
    assert "We are sending it to you by text now." in spoken(doc)
    doc = caller.press("2")  # pressed again: still one text
    svc = app.extensions["helpline"]
    redis = svc.connections.redis
    ids = records.ids_for_phone(redis, svc.settings, PARENT)
    assert len(ids) == 1
    record = records.get(redis, svc.settings, ids[0])
    assert "Monday 4 January 2027" in record["body"] and "guide, not legal advice" in record["body"]
    assert record["purpose"] == "deadline" and record["immediate"] == "1"
    assert len(svc.connections.queue.job_ids) == 1


def test_text_me_this_needs_a_uk_mobile(twilio, app):
    caller = Caller(twilio, from_="+441174960123")
    caller.start()
    for keys in ("30122025", "1", "0", "2"):
        caller.press(keys)
    doc = caller.press("2")
    assert "only send texts to a UK mobile" in spoken(doc) and TEXTPHONE_SPOKEN in spoken(doc)
    svc = app.extensions["helpline"]
    assert svc.connections.queue.job_ids == []


def test_callback_and_main_menu(caller):
    caller.start()
    for keys in ("30122025", "1", "0", "2"):
        caller.press(keys)
    action = path_of(caller.doc.find("Gather").get("action"))
    doc = twiml(caller.twilio.call(action, call_sid=CALL, Digits="3"))
    target = urlsplit(doc.find("Redirect").text)
    assert target.path == "/ivr/callback"
    assert parse_qs(target.query) == {"topic": ["appeal"]}  # passed: no deadline to make it urgent
    doc = twiml(caller.twilio.call(action, call_sid=CALL, SpeechResult="main menu"))
    assert urlsplit(doc.find("Redirect").text).path == "/ivr/menu"


def test_a_call_back_after_a_close_deadline_is_urgent(caller, app):
    from tests.web.test_callback_ivr import Call, answer_until_record, open_requests

    caller.start()
    for keys in ("23092026", "1", "0"):  # an appeal by Monday 23 November 2026: tomorrow
        caller.press(keys)
    doc = caller.press("2")
    assert "Monday the 23rd of November 2026" in spoken(doc)
    doc = caller.post(path_of(doc.find("Gather").get("action")), Digits="3")
    target = urlsplit(doc.find("Redirect").text)
    assert target.path == "/ivr/callback"
    assert parse_qs(target.query) == {"topic": ["appeal"], "deadline": ["2026-11-23"]}
    call = Call(caller.twilio, call_sid=CALL)
    root, _ = answer_until_record(call, call.follow(call.post(doc.find("Redirect").text)))
    assert "urgent" in spoken(call.answer(root))  # no message left: the request is saved
    [request] = open_requests(app)
    assert request["urgent"] is True and request["deadline"] == "2026-11-23" and request["topic"] == "appeal"


def test_reminder_texts_by_phone(caller, app):
    caller.start()
    for keys in ("20112026", "1", "0"):  # an appeal by Wednesday 20 January 2027
        caller.press(keys)
    doc = caller.press("2")
    assert "For reminder texts before the last day, press 4." in gather_prompt(doc)
    doc = caller.press("4")
    assert "We will text you a reminder on Wednesday 6 January, Wednesday 13 January and Monday 18 January." \
        in spoken(doc)
    assert "REMIND OFF to " + TEXTPHONE_SPOKEN in spoken(doc)
    assert "For the answer again, press 1." in gather_prompt(doc)  # the options again
    svc = app.extensions["helpline"]
    ids = records.ids_for_phone(svc.connections.redis, svc.settings, PARENT)
    reminders = [records.get(svc.connections.redis, svc.settings, i) for i in ids]
    assert len([r for r in reminders if r["purpose"] == "reminder"]) == 3
    assert all("Wednesday 20 January 2027" in r["body"] for r in reminders)


def test_no_reminders_for_a_date_that_has_passed_or_to_a_landline(caller, twilio, app):
    caller.start()
    for keys in ("30122025", "1", "0", "2"):
        doc = caller.press(keys)
    assert "reminder" not in gather_prompt(doc)
    doc = caller.press("4")
    assert "Sorry, that is not one of the options." in spoken(doc)
    landline = Caller(twilio, from_="+441174960123")
    landline.start()
    for keys in ("20112026", "1", "0", "2"):
        landline.press(keys)
    doc = landline.press("4")
    assert "only send texts to a UK mobile" in spoken(doc)
    svc = app.extensions["helpline"]
    assert svc.connections.queue.job_ids == []


# ---- every kind the text offers, by phone too ----------------------------------------------

def test_the_kinds_menu_reads_the_same_list_as_the_text_menu(caller):
    from flows.deadline_kinds import kinds

    doc = caller.start(kind=None)
    prompt = gather_prompt(doc)
    assert prompt.startswith("Which deadline do you want to work out?")
    for kind in kinds():
        assert f"For {kind.say}, press {kind.key}." in prompt
    assert prompt.endswith("For the main menu, press 9.")
    doc = caller.press("0")
    assert "Sorry, that is not one of the options." in spoken(doc) and gather_prompt(doc) == prompt
    doc = twiml(caller.twilio.call(path_of(doc.find("Gather").get("action")), call_sid=CALL, Digits="9"))
    assert urlsplit(doc.find("Redirect").text).path == "/ivr/menu"


@pytest.mark.parametrize(("choose", "date", "expected"), [
    (["2"], "05012026", ["Monday the 16th of February 2026", "Monday the 27th of April 2026",
                         "Monday the 25th of May 2026"]),
    (["3"], "16112026", ["Send your comments on the draft plan by Monday the 30th of November 2026."]),
    (["4"], "15032027", ["notice of the review meeting, and its papers, by Monday the 1st of March 2027",
                         "Monday the 29th of March 2027", "Monday the 12th of April 2027"]),
    (["5"], "02112026", ["Send your comments on the proposed changes to the plan by Monday the 16th of November 2026.",
                         "final amended plan by Monday the 28th of December 2026"]),
    (["6"], "05012026", ["The final plan after the re-assessment should be issued by Monday the 13th of April 2026."]),
    (["7", "1"], "01092027", ["reviewed and amended for the move by Sunday the 14th of February 2027",
                              "Friday the 12th of February 2027"]),
    (["7", "2"], "01092027", ["reviewed and amended for the move by Tuesday the 30th of March 2027"]),
    (["7", "3"], "31072027", ["to name the new college by Sunday the 28th of February 2027",
                              "February 2027 has no 31st day"]),
    (["8"], "10102026", ["Friday the 9th of April 2027"]),
])
def test_every_kind_by_phone(caller, choose, date, expected):
    caller.start(kind=None)
    for key in choose:
        doc = caller.press(key)
    assert "8 digits" in gather_prompt(doc)
    doc = caller.press(date)
    assert "You gave" in gather_prompt(doc)
    doc = caller.press("1")
    said = spoken(doc)
    for words in expected:
        assert words in said
    assert "This is a guide, not legal advice." in said
    assert "For the answer again, press 1." in gather_prompt(doc)


def test_a_move_can_be_in_the_future_and_a_wrong_option_is_said(caller):
    caller.start(kind="7")
    doc = caller.press("5")
    assert "Sorry, that is not one of the options." in spoken(doc) and "Which move is it?" in gather_prompt(doc)
    doc = caller.speak("to a sixth form")
    assert "start at the new school or college" in gather_prompt(doc)


def test_a_list_result_is_texted_whole(caller, app):
    caller.start(kind="4")
    caller.press("15032027")
    caller.press("1")
    doc = caller.press("2")
    assert "We are sending it to you by text now." in spoken(doc)
    svc = app.extensions["helpline"]
    ids = records.ids_for_phone(svc.connections.redis, svc.settings, PARENT)
    body = records.get(svc.connections.redis, svc.settings, ids[0])["body"]
    assert "- Notice of the meeting and its papers by Monday 1 March 2027" in body


def test_a_damaged_url_asks_the_first_question_it_cannot_read(caller):
    doc = caller.post("/ivr/deadline/ask/sent?kind=nonsense&sent=2026-01-12")
    assert "Which deadline do you want to work out?" in gather_prompt(doc)
    doc = caller.post("/ivr/deadline/answer/after?kind=appeal&sent=2026-02-31&sok=1&cert=none&school=1&told=1",
                      Digits="1")
    assert "decision letter" in gather_prompt(doc)
    assert urlsplit(doc.find("Gather").get("action")).path == "/ivr/deadline/answer/sent"
    doc = caller.post("/ivr/deadline/ask/school?kind=appeal&sent=2026-01-12&sok=1")  # the certificate comes first
    assert "mediation certificate" in gather_prompt(doc)


@pytest.mark.parametrize("keys", ["*", "#", "99", "0#", "12345678#", "7"])
def test_any_key_at_the_kinds_menu_gets_a_question(caller, keys):
    caller.start(kind=None)
    doc = caller.press(keys)
    assert doc.find("Gather") is not None or urlsplit(doc.find("Redirect").text).path == "/ivr/menu"


def test_answers_it_cannot_read_lead_to_an_adviser_not_goodbye(caller):
    """The caller is there (keys pressed), but three dates cannot be read: a call back is offered."""
    caller.start(kind="1")
    for _ in range(3):
        doc = caller.press("9999")
    assert "could not work out the date" in caller.recent(2) and "Goodbye" not in caller.recent(2)
    gather = doc.find("Gather")  # the call back offer, on the appeal's topic
    assert doc.find("Hangup") is None and "press 0" in spoken(gather)
    assert gather.get("action").startswith("/ivr/no-adviser-choice") and "topic=appeal" in gather.get("action")
