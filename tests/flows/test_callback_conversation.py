"""The callback conversation as transcripts: answers in, prompts (steps and message keys) and facts out.

Run against flows/ directly (no channel, no Redis): the same conversation the phone and the texts
render. Each transcript is a list of (answer, the step asked next); answers are Answer values
(text for a text or speech, digits for keys). Asserts facts and keys, not sentences.
"""

import datetime as dt

import pytest

from clock import london
from flows import deadlines
from flows.conversations import CONVERSATIONS, content, engine
from flows.conversations.effects import CancelCallback, MoveCallback, SaveCallback
from flows.conversations.engine import Answer, Say
from flows.copy import load_copy
from flows.guidance import load_guidance
from flows.hours import HelplineCalendar
from flows.conversations import render

CAL = HelplineCalendar.load()
TREE = load_guidance()
CONV = CONVERSATIONS["callback"]
SUNDAY = london(dt.datetime(2026, 11, 22, 9, 0))  # closed; opens Monday 23 November
OWN = "+447700900123"
OTHER = "+447700900456"


def ctx(now=SUNDAY):
    return engine.Context(TREE, CAL, now)


def t(text):
    return Answer(text=text, keep=True)


def k(digits):
    return Answer(digits=digits)


SILENCE = Answer()


def transcript(facts, answers, now=SUNDAY):
    """Start, then give each answer; returns the turns (the first is the start)."""
    turns = [engine.start(CONV, ctx(now), {"channel": "sms", "own": OWN, **facts})]
    for answer in answers:
        assert turns[-1].prompt is not None, f"the conversation ended before {answer}"
        turns.append(engine.resume(CONV, ctx(now), turns[-1].state, answer))
    return turns


def steps(turns):
    return [turn.prompt.step if turn.prompt else None for turn in turns]


def saved(turns) -> SaveCallback:
    [effect] = turns[-1].effects
    assert isinstance(effect, SaveCallback)
    return effect


def keys(turn):
    return [s.key for s in turn.said]


def test_by_text_every_question_in_order_then_the_request():
    turns = transcript({}, [t("yes"), t("1"), t("morning"), t("1"), t("no"), t("he has no school place")])
    assert steps(turns) == ["number", "topic", "time", "how", "voicemail", "message", None]
    request = saved(turns)
    assert (request.phone, request.topic, request.part_of_day, request.contact_by) == (OWN, "school", "morning", "voice")
    assert request.voicemail_ok is False and request.text_ok is True  # texting from that number
    assert request.problem_words == "he has no school place"
    assert request.conversation_texts == ("yes", "1", "morning", "1", "no", "he has no school place")


def test_by_phone_the_same_questions_in_the_same_order_with_the_same_numbers():
    by_text = transcript({"route": "appeal"}, [t("1"), t("1"), t("SKIP"), t("3"), t("1"), t("1"), t("skip")])
    by_phone = [engine.start(CONV, ctx(), {"channel": "voice", "own": OWN, "route": "appeal"})]
    for answer in [k("1"), k("1"), k("0"), k("3"), k("1"), k("1"), k("1"), Answer(recording="https://x/RE1")]:
        by_phone.append(engine.resume(CONV, ctx(), by_phone[-1].state, answer))
    # by text the number texting us takes texts, so the text question is not needed there
    assert steps(by_phone) == ["number", "topic", "date", "time", "how", "voicemail", "text", "message", None]
    assert steps(by_text) == ["number", "topic", "date", "time", "how", "voicemail", "message", None]
    for turn_text, turn_phone in zip(by_text, by_phone):
        if turn_text.prompt and turn_phone.prompt and turn_text.prompt.step == turn_phone.prompt.step:
            assert [(o.key, o.id) for o in turn_text.prompt.options] == [(o.key, o.id) for o in turn_phone.prompt.options]
    topic = by_phone[1].prompt
    assert [o.id for o in topic.options] == ["appeal", "school", "council", "disagree", "health", "general"]
    assert saved(by_phone).voice_message_url == "https://x/RE1" and saved(by_phone).topic == "appeal"


def test_health_is_a_topic_and_the_route_they_were_in_comes_first():
    turns = transcript({"route": "health"}, [t("yes")])
    options = turns[1].prompt.options
    assert [o.id for o in options] == ["health", "school", "council", "disagree", "general"]
    assert [o.key for o in options] == ["1", "2", "3", "4", "5"]
    plain = transcript({}, [t("yes")])[1].prompt.options
    assert [o.id for o in plain] == ["school", "council", "disagree", "health", "general"]


def test_a_changed_number_is_always_written_back_and_confirmed():
    turns = transcript({}, [t("07700 900456"), t("yes")])
    assert steps(turns) == ["number", "confirm", "topic"]
    assert turns[1].prompt.values["number"] == engine.Phone(OTHER)
    assert turns[2].state["phone"] == OTHER


def test_no_to_the_number_asks_for_another_not_an_error():
    turns = transcript({}, [t("no"), t("07700 900456"), t("no"), t("07700 900789"), t("yes")])
    assert steps(turns) == ["number", "key", "confirm", "key", "confirm", "topic"]
    assert "conversations.bad_number" not in keys(turns[1])
    assert turns[-1].state["phone"] == "+447700900789"


def test_a_different_number_typed_at_the_confirmation_is_confirmed_in_its_turn():
    turns = transcript({"arg": "07700 900456"}, [t("07700 900789"), t("y")])
    assert steps(turns) == ["confirm", "confirm", "topic"]
    assert turns[-1].state["phone"] == "+447700900789"


@pytest.mark.parametrize("answer, phone", [
    ("ring me on 07700 900 456 instead", OTHER),
    ("no, use 07700900456", OTHER),
    ("my husbands number is +44 7700 900 456", OTHER),
    ("07700 900456 please", OTHER),
    ("yes, that one: 07700 900123", OWN),
])
def test_a_number_in_words_is_taken_and_a_new_one_written_back(answer, phone):
    turns = transcript({}, [t(answer)])
    if phone == OWN:
        assert steps(turns) == ["number", "topic"] and turns[-1].state["phone"] == OWN
    else:
        assert steps(turns) == ["number", "confirm"]
        assert turns[1].prompt.values["number"] == engine.Phone(phone)


def test_two_numbers_in_one_text_are_not_guessed_between():
    turns = transcript({}, [t("07700 900456 or 07700 900789")])
    assert steps(turns) == ["number", "number"] and "conversations.bad_number" in keys(turns[1])


@pytest.mark.parametrize("answer, step", [
    ("yes thats right", "topic"), ("yeah that's fine", "topic"), ("\U0001F44D", "topic"), ("Yes please!", "topic"),
    ("no thats my old phone", "key"), ("nope", "key"), ("no.", "key"),
])
def test_yes_and_no_in_a_few_more_words(answer, step):
    assert steps(transcript({}, [t(answer)]))[-1] == step


@pytest.mark.parametrize("answer", ["ok but not mornings", "not sure", "tak", "maybe"])
def test_an_answer_that_is_neither_is_asked_again(answer):
    turns = transcript({}, [t("yes"), t("1"), t("1"), t("1"), t(answer)])
    assert steps(turns)[-2:] == ["voicemail", "voicemail"] and "conversations.not_understood" in keys(turns[-1])


def test_the_parents_own_words_give_the_topic_the_letter_date_and_the_few_words():
    words = "the council decision letter came 10 November and i want to appeal"
    turns = transcript({}, [t("yes"), t(words), t("any"), t("1"), t("yes")])
    assert steps(turns) == ["number", "topic", "time", "how", "voicemail", None]  # no date or words question
    assert keys(turns[2]) == ["callbacks.decision_date_read"]
    request = saved(turns)
    assert request.topic == "disagree" and request.decision_date == "2026-11-10"
    assert request.deadline == deadlines.appeal_deadline(dt.date(2026, 11, 10), today=SUNDAY.date()).date.isoformat()
    assert request.problem_words == words


def test_an_appeal_asks_the_decision_date_and_a_close_deadline_is_kept():
    turns = transcript({}, [t("yes"), t("3"), t("25 September 2026")])
    assert steps(turns)[:4] == ["number", "topic", "date", "time"]
    assert turns[3].state["deadline"] == "2026-11-25"
    bad = transcript({}, [t("yes"), t("3"), t("31 February 2026")])
    assert bad[-1].prompt.step == "date" and keys(bad[-1]) == ["conversations.date_problem"]
    skipped = transcript({}, [t("yes"), t("3"), t("don't know")])
    assert skipped[-1].prompt.step == "time" and "deadline" not in skipped[-1].state


def test_not_understood_twice_then_the_default_and_silence_on_the_number_gives_up():
    turns = transcript({}, [t("yes"), t("banana"), t("cheese"), t("biscuits")])
    assert keys(turns[2]) == ["conversations.not_understood"] and turns[2].prompt.step == "topic"
    assert turns[4].prompt.step == "time" and turns[4].state["topic"] == "general"  # the topic's default
    voice = [engine.start(CONV, ctx(), {"channel": "voice", "own": OWN})]
    for _ in range(3):
        voice.append(engine.resume(CONV, ctx(), voice[-1].state, SILENCE))
    assert [keys(turn) for turn in voice[1:]] == [["conversations.no_answer"], ["conversations.no_answer"],
                                                  ["callbacks.too_many_tries"]]
    assert voice[-1].gave_up and voice[-1].effects == []


def test_a_hidden_number_by_phone_keys_one_or_texts_instead():
    turns = [engine.start(CONV, ctx(), {"channel": "voice", "own": ""})]
    assert turns[0].prompt.step == "withheld"
    texted = engine.resume(CONV, ctx(), turns[0].state, k("2"))
    assert texted.ended and keys(texted) == ["callbacks.text_instead"] and texted.effects == []
    keyed = engine.resume(CONV, ctx(), turns[0].state, k("1"))
    assert keyed.prompt.step == "key"
    confirm = engine.resume(CONV, ctx(), keyed.state, k("01225394000#"))
    assert confirm.prompt.step == "confirm" and confirm.prompt.values["number"] == engine.Phone("+441225394000")


def test_texts_only_and_relay_and_a_landline():
    relay = saved(transcript({}, [t("y"), t("5"), t("pm"), t("relay"), t("yes"), t("skip")]))
    assert relay.contact_by == "relay" and relay.part_of_day == "afternoon" and relay.voicemail_ok is True
    text_only = transcript({}, [t("y"), t("5"), t("any"), t("texts only"), t("skip")])
    assert steps(text_only)[-2:] == ["message", None]  # no voicemail question for texts only
    assert saved(text_only).contact_by == "text" and saved(text_only).text_ok is True
    landline = transcript({"arg": "01225 394000"}, [t("yes"), t("5"), t("any")])
    assert "text" not in [o.id for o in landline[-1].prompt.options]  # a landline takes no texts


def test_an_interpreter_by_its_option_then_the_language_list_from_content():
    turns = transcript({}, [t("y"), t("5"), t("any"), t("interpreter"), t("1")])
    assert turns[4].prompt.step == "language"
    assert [o.id for o in turns[4].prompt.options] == [o.id for o in content.offered_languages()]
    assert turns[5].state["lang"] == "pl" and turns[5].state["how"] == "voice"


@pytest.mark.parametrize("said, code", [("Polish", "pl"), ("polski", "pl"), ("I need an Urdu interpreter", "ur"),
                                        ("in Romanian please", "ro"), ("bangla", "bn")])
def test_a_language_named_at_any_question_records_the_interpreter_and_asks_again(said, code):
    turns = transcript({}, [t("yes"), t(said)])
    assert turns[-1].prompt.step == "topic" and keys(turns[-1]) == ["callbacks.interpreter_noted"]
    assert turns[-1].state["lang"] == code


def test_callback_and_a_language_name_starts_with_the_interpreter_need():
    turns = transcript({"arg": "polski"}, [t("yes"), t("1"), t("any"), t("1"), t("no"), t("skip")])
    assert saved(turns).interpreter == "pl"


def test_a_live_request_is_heard_first_keep_move_or_cancel():
    live = {"id": "7", "expected_on": "2026-11-23", "part_of_day": "any"}
    start = transcript({"live": live}, [])[0]
    assert start.prompt.step == "live" and start.prompt.values["day"] == engine.Day(dt.date(2026, 11, 23))
    assert [o.id for o in start.prompt.options] == ["keep", "move", "cancel", "change"]
    kept = transcript({"live": live}, [t("1")])[-1]
    assert kept.ended and keys(kept) == ["callbacks.live_kept"] and kept.effects == []
    cancelled = transcript({"live": live}, [t("cancel")])[-1]
    assert cancelled.effects == [CancelCallback("7")]
    moved = transcript({"live": live}, [t("2"), t("1")])
    assert steps(moved) == ["live", "move_day", None] and moved[-1].effects == [MoveCallback("7", "")]
    days = moved[1].prompt.options
    assert days[0].id == "next" and "2026-11-23" not in [o.id for o in days]
    chosen = transcript({"live": live}, [t("move"), t(days[2].key)])[-1]
    assert chosen.effects == [MoveCallback("7", days[2].id)]
    changed = transcript({"live": live}, [t("4")])
    assert changed[-1].prompt.step == "number"


@pytest.mark.parametrize("answers", [[SILENCE, SILENCE, SILENCE], [t("purple"), t("?"), t("hmm")]])
def test_silence_or_no_sense_when_moving_keeps_the_call_back_where_it_was(answers):
    live = {"id": "7", "expected_on": "2026-11-23", "part_of_day": "morning"}
    turns = transcript({"live": live}, [t("2"), *answers])
    assert turns[-1].ended and turns[-1].effects == []  # nothing moved
    assert "callbacks.live_kept" in keys(turns[-1])
    assert turns[-1].said[-1].values["day"] == engine.Day(dt.date(2026, 11, 23))


@pytest.mark.parametrize("arg, effect", [("OFF", CancelCallback()), ("move", MoveCallback())])
def test_callback_off_and_callback_move_end_at_once(arg, effect):
    turn = transcript({"arg": arg}, [])[0]
    assert turn.ended and turn.effects == [effect]


def test_urgent_after_a_risk_message_goes_on_the_request():
    turns = transcript({"urgent": True}, [t("y"), t("1"), t("any"), t("1"), t("1"), t("skip")])
    assert saved(turns).urgent is True


def test_every_prompt_renders_for_both_channels_and_content_checks_clean():
    copy = load_copy()
    turns = transcript({"route": "appeal"}, [t("no"), t("07700 900456"), t("yes"), t("1"), t("skip"), t("any"),
                                             t("interpreter"), t("2"), t("yes"), t("yes")])
    for turn in turns:
        if turn.prompt is None:
            continue
        written = render.text(copy, turn.prompt, {"helpline": "01225 394382", "textphone": "07530 263401"})
        voice_prompt = CONV.prompt(ctx(), {**turn.state, "channel": "voice"}, turn.prompt.step)
        spoken_ = render.speech(copy, voice_prompt, {"helpline": "0 1", "textphone": "0 7"})
        assert written and spoken_
        for option in turn.prompt.options:
            assert f"{option.key} {option.text}" in written and f"press {option.key}" in spoken_
    assert content.check_conversations(copy, TREE, conversations=CONVERSATIONS) == []


def test_the_content_check_sees_a_number_typed_into_the_words(tmp_path, monkeypatch):
    copy = load_copy()
    broken = dict(copy.messages)
    key = "callbacks.ask_how"
    broken[key] = type(copy.messages[key])(key, "Press 1 for a call.", copy.messages[key].text)
    problems = content.check_conversations(type(copy)(broken), TREE, conversations=CONVERSATIONS)
    assert any("types an option's number" in p for p in problems)


@pytest.mark.parametrize("text, intent", [
    ("please cancel my call back", "cancel"),
    ("call it off please, I no longer need a call back", "cancel"),
    ("I don't need the call any more thanks, school have sorted it", "cancel"),
    ("stop calling me", "cancel"),
    ("change callback", "move"),
    ("can you move my call to tuesday instead please", "move"),
    ("can you ring me tomorrow instead? something's come up", "move"),
    ("cancel tuesday and move my call back to thursday", "change"),
    ("the school won't change his support, who can I call?", None),  # a question, not our call back
    ("I want to cancel my son's school place", None),
    ("thanks for the call", None),
    ("please " * 30 + "cancel my call back", None),  # a long text is read as a whole, not for this
])
def test_what_a_parent_wants_done_with_their_call_back(text, intent):
    from flows.conversations.callback import intent_of

    assert intent_of(text) == intent
