"""The deadline calculator as transcripts: answers in, prompts (steps and message keys) and facts out.

Run against flows/ directly (no channel, no Redis): the same conversation the phone and the texts
render. Answers are Answer values (text for a text or speech, digits for keys). The expected
dates are worked from shared/reference/deadline-rules.md (the same tables as
tests/flows/test_deadlines*.py); the words of the results belong to flows/deadlines.py.
The clock: Sunday 22 November 2026.
"""

import datetime as dt

import pytest

from clock import london
from flows import deadlines
from flows.conversations import CONVERSATIONS, engine, render
from flows.conversations.deadline import Answered
from flows.conversations.effects import Counted, ScheduleReminders, SendText
from flows.conversations.engine import Answer
from flows.copy import load_copy
from flows.deadline_kinds import kinds
from flows.gsm7 import gsm7_length, is_gsm7
from flows.guidance import load_guidance
from flows.hours import HelplineCalendar

CAL = HelplineCalendar.load()
TREE = load_guidance()
CONV = CONVERSATIONS["deadline"]
SUNDAY = london(dt.datetime(2026, 11, 22, 17, 0))
MOBILE = "+447700900123"
LANDLINE = "+441174960123"
D = dt.date
SILENCE = Answer()


def ctx():
    return engine.Context(TREE, CAL, SUNDAY)


def t(text):
    return Answer(text=text)


def k(digits):
    return Answer(digits=digits)


def transcript(answers, channel="sms", own=MOBILE, **facts):
    """Start, then give each answer; returns the turns (the first is the start)."""
    turns = [engine.start(CONV, ctx(), {"channel": channel, "own": own, **facts})]
    for answer in answers:
        assert turns[-1].prompt is not None, f"the conversation ended before {answer}"
        turns.append(engine.resume(CONV, ctx(), turns[-1].state, answer))
    return turns


def steps(turns):
    return [turn.prompt.step if turn.prompt else None for turn in turns]


def keys(turn):
    return [getattr(s, "key", type(s).__name__) for s in turn.said]


def answered(turn) -> Answered:
    [said] = [s for s in turn.said if isinstance(s, Answered)]
    return said


def dates(turn) -> list[dt.date]:
    result = answered(turn).result
    return [r.date for r in (result if isinstance(result, tuple) else (result,))]


# --- every kind, by text and by phone -------------------------------------------------------------

EVERY_KIND = [  # (kind's number, option's number, the date it counts from, the dates given)
    ("2", None, D(2026, 1, 5), [D(2026, 2, 16), D(2026, 4, 27), D(2026, 5, 25)]),
    ("3", None, D(2026, 11, 16), [D(2026, 11, 30)]),
    ("4", None, D(2027, 3, 15), [D(2027, 3, 1), D(2027, 3, 29), D(2027, 4, 12)]),  # a meeting ahead
    ("5", None, D(2026, 11, 2), [D(2026, 11, 16)]),
    ("6", None, D(2026, 1, 5), [D(2026, 4, 13)]),
    ("7", "1", D(2027, 9, 1), [D(2027, 2, 14)]),
    ("7", "2", D(2027, 9, 1), [D(2027, 3, 30)]),
    ("7", "3", D(2027, 7, 31), [D(2027, 2, 28)]),
    ("8", None, D(2026, 10, 10), [D(2027, 4, 9)]),
]


@pytest.mark.parametrize(("kind", "option", "start", "expected"), EVERY_KIND)
def test_every_kind_by_text(kind, option, start, expected):
    answers = [t(kind), *([t(option)] if option else []), t(f"{start:%d/%m/%Y}")]
    turns = transcript(answers)
    assert steps(turns) == ["kind", *(["which"] if option else []), "sent", None]
    assert dates(turns[-1]) == expected
    assert turns[-1].effects == [Counted(f"deadline:{kinds()[int(kind) - 1].name}")]


@pytest.mark.parametrize(("kind", "option", "start", "expected"), EVERY_KIND)
def test_every_kind_by_phone_reads_the_date_back_then_gives_the_same_answer_and_the_options(
        kind, option, start, expected):
    answers = [k(kind), *([k(option)] if option else []), k(f"{start:%d%m%Y}#"), k("1")]
    turns = transcript(answers, channel="voice")
    assert steps(turns) == ["kind", *(["which"] if option else []), "sent", "sent_ok", "after"]
    assert turns[-2].prompt.values["date"] == engine.Day(start, year=True)
    assert dates(turns[-1]) == expected
    assert keys(turns[0]) == ["deadline_chat.ivr_intro"]


def test_the_kinds_are_the_content_list_in_order_and_the_phone_adds_9_for_the_main_menu():
    by_text = transcript([])[0].prompt
    by_phone = transcript([], channel="voice")[0].prompt
    assert [(o.key, o.id, o.text) for o in by_text.options] == [(kd.key, kd.name, kd.text) for kd in kinds()]
    assert [o.key for o in by_phone.options] == [kd.key for kd in kinds()] + ["9"]
    assert by_phone.options[-1].id == "menu"


def test_words_choose_a_kind_and_an_option():
    turns = transcript([t("moving school"), t("to a sixth form")])
    assert turns[1].state["kind"] == "transfer" and turns[2].state["opt"] == "post16"
    assert transcript([t("a re-assessment")])[1].state["kind"] == "reassessment"


# --- an appeal's branches ---------------------------------------------------------------------------

APPEALS = [  # (letter, certificate answer, only about the school?, last day, mediation needed first?)
    ("30/12/2025", "no", "no", D(2026, 3, 2), True),
    ("1/10/2026", "NONE", "no", D(2026, 12, 1), True),
    ("1/10/2026", "none", "yes", D(2026, 12, 1), False),
    ("15/05/2026", "22/06/2026", "no", D(2026, 7, 22), False),  # a later certificate counts
    ("15/05/2026", "22/06/2026", "yes", D(2026, 7, 15), False),  # only the school: 2 months, no certificate
    ("26/10/2026", "I don't have one", "n", D(2027, 1, 4), True),
]


@pytest.mark.parametrize(("letter", "cert", "school", "last_day", "mediation"), APPEALS)
def test_an_appeal_by_text(letter, cert, school, last_day, mediation):
    turns = transcript([t("1"), t(letter), t(cert), t(school)])
    assert steps(turns) == ["kind", "sent", "cert", "school", None]
    result = answered(turns[-1]).result
    assert result.date == last_day and result.kind == "appeal"
    assert ("mediation adviser" in result.text_summary()) is mediation
    assert result.shows_late  # a late appeal may still be possible, on every appeal


@pytest.mark.parametrize(("letter", "cert", "school", "last_day", "mediation"), APPEALS)
def test_the_same_appeal_by_phone(letter, cert, school, last_day, mediation):
    day, month, year = (int(x) for x in letter.split("/"))
    keyed = [k(f"{day:02d}{month:02d}{year}#"), k("1")]
    if "/" in cert:
        cd, cm, cy = (int(x) for x in cert.split("/"))
        cert_answers = [k(f"{cd:02d}{cm:02d}{cy}#"), k("1")]
    else:
        cert_answers = [t(cert)]  # spoken
    turns = transcript([k("1"), *keyed, *cert_answers, k("1" if school.startswith("y") else "2")], channel="voice")
    expected = ["kind", "sent", "sent_ok", "cert", *(["cert_ok"] if "/" in cert else []), "school", "after"]
    assert steps(turns) == expected
    assert answered(turns[-1]).result.date == last_day


def test_a_date_at_the_first_question_is_an_appeal_and_a_bad_one_says_why():
    turns = transcript([t("12 January 2026"), t("no"), t("no")])
    assert steps(turns) == ["kind", "cert", "school", None]
    assert answered(turns[-1]).result.date == D(2026, 3, 12)
    bad = transcript([t("31/02/2026")])
    assert steps(bad) == ["kind", "sent"] and keys(bad[1]) == ["conversations.date_problem"]
    assert bad[1].said[0].values["problem"].reason == "impossible"
    spoken = transcript([t("it was the 12th of January 2026")], channel="voice")
    assert steps(spoken) == ["kind", "sent_ok"]  # by phone a date is always read back


def test_one_shot_gives_the_appeal_at_once_with_what_the_certificate_and_school_change():
    [turn] = transcript([], arg="1/10/2026")
    assert turn.ended and not turn.gave_up
    said = answered(turn)
    assert said.result.date == D(2026, 12, 1)
    assert said.notes == ((85, "deadline_chat.one_shot_note"), (80, "deadline_chat.remind_offer"))
    text = said.written(load_copy())
    assert text.startswith("Your appeal must reach the Tribunal (special court) by 5pm on Tuesday 1 December 2026.")
    assert "Not needed if only about the school named" in text and len(text) <= deadlines.SMS_MAX_CHARS
    assert text == said.result.text_summary(deadlines.SMS_MAX_CHARS, extras=(  # the notes fitted in by priority
        (85, "Have a certificate? Send DEADLINE to add it."), (80, "Send REMIND for reminders.")))
    assert turn.effects == [Counted("deadline:appeal")]
    assert CONV.leaves(ctx(), turn.state) == {"deadline": {"date": "2026-12-01", "kind": "appeal",
                                                           "what": said.result.headline_phrase.text()}}
    assert transcript([], arg="4")[0].prompt.step == "sent"  # DEADLINE 4: that kind's question
    assert transcript([], arg="31/02/2026")[0].prompt.step == "sent"


def test_no_certificate_by_key_0_or_by_words_and_a_date_is_not_a_no():
    for answer in (k("0#"), t("no"), t("not yet"), t("we haven't got one"), t("2")):
        assert transcript([t("1"), t("1/10/2026"), answer])[-1].state["cert"] == "none", answer
    dated = transcript([t("1"), t("1/10/2026"), t("no, it was 3 November 2026")])
    assert dated[-1].state["cert"] == "2026-11-03"


# --- the Other and No Response paths ----------------------------------------------------------------

def test_not_understood_says_the_numbers_then_after_three_tries_offers_other_ways():
    turns = transcript([t("9"), t("banana"), t("cheese")])
    assert [keys(turn) for turn in turns[1:3]] == [["deadline_chat.choice_again"]] * 2
    assert turns[1].said[0].values["last"] == "8" and turns[1].prompt.step == "kind"
    which = transcript([t("7"), t("4")])
    assert which[-1].said[0].values["last"] == "3" and which[-1].prompt.step == "which"
    assert keys(turns[-1]) == ["deadline_chat.too_many_tries"] and turns[-1].gave_up
    school = transcript([t("1"), t("1/10/2026"), t("no"), t("maybe")])
    assert keys(school[-1]) == ["deadline_chat.yes_no_again"] and school[-1].prompt.step == "school"


ASKED_AGAIN = [([], "a banana")] + [  # (the answers to reach a question, a wrong answer to it)
    (answers, wrong) for answers in ([t("7")], [t("1")], [t("1"), t("1/10/2026")], [t("1"), t("1/10/2026"), t("no")])
    for wrong in ("a banana", "1/1/2025 and 2/2/2025")]


@pytest.mark.parametrize(("answers", "wrong"), ASKED_AGAIN)
def test_by_text_every_question_asked_again_fits_in_three_texts(answers, wrong):
    turns = transcript([*answers, t(wrong)])
    copy = load_copy()
    reply = " ".join([*(render.parts(copy, s, spoken=False)[0] for s in turns[-1].said),
                      render.text(copy, turns[-1].prompt)])
    assert turns[-1].said and turns[-1].prompt.step == turns[-2].prompt.step
    assert is_gsm7(reply) and gsm7_length(reply) <= deadlines.SMS_MAX_CHARS, (gsm7_length(reply), reply)


def test_silence_by_phone_asks_twice_more_then_gives_up():
    turns = transcript([k("1"), SILENCE, SILENCE, SILENCE], channel="voice")
    assert [keys(turn) for turn in turns[2:]] == [["conversations.no_answer"], ["conversations.no_answer"],
                                                  ["deadline_chat.too_many_tries"]]
    assert turns[-1].gave_up and turns[-1].effects == []


def test_a_bad_date_says_why_and_asks_again_and_none_is_not_a_date_to_count_from():
    turns = transcript([t("1"), t("25/12/2026"), t("don't know")])
    assert keys(turns[2]) == ["conversations.date_problem"] and turns[2].said[0].values["problem"].reason == "future"
    assert keys(turns[3]) == ["deadline_chat.need_date"] and turns[3].prompt.step == "sent"
    keyed = transcript([k("1"), k("123#")], channel="voice")
    assert keyed[-1].said[0].values["problem"].reason == "keypad_length" and keyed[-1].prompt.step == "sent"


def test_no_at_the_read_back_asks_the_date_again():
    turns = transcript([k("1"), k("12012026#"), k("2"), k("06022026#"), t("yes")], channel="voice")
    assert steps(turns) == ["kind", "sent", "sent_ok", "sent", "sent_ok", "cert"]
    assert turns[-1].state["sent"] == "2026-02-06"


def test_a_damaged_state_asks_the_first_question_it_cannot_read():
    for state, step in [({"kind": "nonsense"}, "kind"), ({"kind": "transfer", "opt": "bogus"}, "which"),
                        ({"kind": "appeal", "sent": "2026-02-31"}, "sent"),
                        ({"kind": "appeal", "sent": "9999-01-01", "sok": "1"}, "sent"),
                        ({"kind": "appeal", "sent": "2026-11-02", "sok": "1", "cert": "junk"}, "cert"),
                        ({"kind": "appeal", "sent": "2026-11-02", "sok": "1", "cert": "none", "school": "x"}, "school")]:
        assert CONV.next_step(ctx(), {"channel": "voice", **state}) == step, state


# --- by phone, after the answer ---------------------------------------------------------------------

def after(answers=(), own=MOBILE, letter="20112026#"):
    """By phone: an appeal (by default by Wednesday 20 January 2027, still ahead), then the answers."""
    return transcript([k("1"), k(letter), k("1"), k("0"), k("2"), *answers], channel="voice", own=own)


def test_the_options_after_the_answer_come_from_content_data():
    turns = after()
    assert [(o.key, o.id) for o in turns[-1].prompt.options] == [
        ("1", "again"), ("2", "text"), ("3", "callback"), ("4", "remind"), ("9", "menu")]
    passed = after(letter="30122025#")
    assert [o.id for o in passed[-1].prompt.options] == ["again", "text", "callback", "menu"]  # no reminders


def test_again_says_the_answer_again_and_it_is_counted_once():
    turns = after([k("1")])
    assert turns[-2].effects == [Counted("deadline:appeal")]
    assert answered(turns[-1]).result.date == D(2027, 1, 20) and turns[-1].effects == []
    assert turns[-1].prompt.step == "after"


def test_text_me_sends_the_text_result_once_per_key_to_a_mobile_only():
    turns = after([k("2")])
    [effect] = turns[-1].effects
    assert isinstance(effect, SendText) and effect.purpose == "deadline" and effect.key == "appeal:2027-01-20"
    assert effect.body == deadlines.text_of(answered(turns[-2]).result)
    assert keys(turns[-1]) == ["deadline_chat.ivr_text_sent"] and turns[-1].prompt.step == "after"
    landline = after([k("2")], own=LANDLINE)
    assert keys(landline[-1]) == ["deadline_chat.ivr_not_mobile"] and landline[-1].effects == []
    assert keys(after([k("2")], own="")[-1]) == ["deadline_chat.ivr_not_mobile"]  # a hidden number


def test_reminders_by_phone_are_the_same_as_remind_by_text():
    turns = after([t("remind me")])
    [effect] = turns[-1].effects
    by_text = transcript([t("1"), t("20/11/2026"), t("no"), t("no")])
    assert effect == ScheduleReminders(**CONV.leaves(ctx(), by_text[-1].state)["deadline"])
    assert effect.date == "2027-01-20" and effect.kind == "appeal"


def test_call_back_hands_over_the_topic_and_the_deadline_and_9_is_the_main_menu():
    turns = after([k("3")])
    assert turns[-1].ended and turns[-1].state["end"] == "callback"
    assert CONV.callback_facts(ctx(), turns[-1].state) == {"topic": "appeal", "deadline": "2027-01-20"}
    passed = after([t("call me back")], letter="30122025#")
    assert CONV.callback_facts(ctx(), passed[-1].state) == {"topic": "appeal", "deadline": ""}
    review = transcript([k("4"), k("15032027#"), k("1"), k("3")], channel="voice")
    assert CONV.callback_facts(ctx(), review[-1].state) == {"topic": "council", "deadline": ""}
    for answer in (k("9"), t("main menu")):
        assert after([answer])[-1].state["end"] == "menu"
    assert transcript([k("9")], channel="voice")[-1].state["end"] == "menu"


def test_by_text_the_conversation_ends_with_the_answer_and_leaves_the_deadline_for_remind():
    turns = transcript([t("1"), t("30/12/2025"), t("no"), t("no")])
    assert turns[-1].ended
    assert CONV.leaves(ctx(), turns[-1].state) == {"deadline": None}  # passed: nothing to remind about
    written = answered(turns[-1]).written(load_copy())
    assert "REMIND" not in written and written.startswith(
        "Your appeal must reach the Tribunal (special court) by 5pm on Monday 2 March 2026. First get the mediation "
        "adviser's advice and certificate.")


def test_the_answer_is_spoken_in_the_sentences_flows_deadlines_gives():
    turns = after()
    said = answered(turns[-1])
    assert render.parts(load_copy(), said, spoken=True) == deadlines.spoken_of(said.result)
