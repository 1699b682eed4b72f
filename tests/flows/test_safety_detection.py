"""Safety detection generalises: however a parent puts it, the concern is caught, sorted and answered."""

import re

import pytest

from flows.gsm7 import first_non_gsm7, gsm7_length
from flows.guidance import copy_problems
from flows.safety import (
    Concern,
    SafetyConfigError,
    assess,
    categories,
    load_safety,
    message_for,
    parse_safety,
    to_confirm,
    urgent_message,
)
from flows.safety_eval import (
    MAX_FALSE_ALARM_RATE,
    CorpusError,
    CrisisText,
    parse_crisis,
    parse_everyday,
    read_corpora,
    report,
    score,
)

CATEGORIES = ("suicide_self_harm", "missing_child", "child_harm", "domestic_abuse")


def category(text):
    concern = assess(text)
    return concern.category if concern else None


# --- issue 11: the seven texts that were missed ----------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I can't cope anymore, I want to end it", "suicide_self_harm"),
        ("i cant cope any more", "suicide_self_harm"),
        ("I feel like ending it all", "suicide_self_harm"),
        ("she tried to hang herself last night", "suicide_self_harm"),
        ("he took a load of pills", "suicide_self_harm"),
        ("a teacher slapped my son", "child_harm"),
        ("my daughter hasnt come home and isnt answering her phone", "missing_child"),
    ],
)
def test_the_issues_examples_are_caught_in_the_right_category(text, expected):
    assert category(text) == expected


# --- each way of writing it ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I can't cope", "i cant cope", "I cannot cope", "i can not cope", "I'm not coping",
        "im not coping", "I don't want to be here anymore", "i dont want to be here anymore",
        "i don\u2019t want to be alive", "I won't be around much longer", "i wont be around much longer",
        "I'm gonna kill myself", "im going to kill myself", "i wanna die",
    ],
)
def test_contractions_with_and_without_apostrophes(text):
    assert category(text) == "suicide_self_harm"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("he tried to hang himself", "suicide_self_harm"),
        ("he hanged himself", "suicide_self_harm"),
        ("he hung himself", "suicide_self_harm"),
        ("she is hanging herself", "suicide_self_harm"),
        ("she cut herself", "suicide_self_harm"),
        ("she cuts herself", "suicide_self_harm"),
        ("she is cutting herself", "suicide_self_harm"),
        ("he overdosed", "suicide_self_harm"),
        ("he took an overdose", "suicide_self_harm"),
        ("he has been overdosing", "suicide_self_harm"),
        ("she took loads of tablets", "suicide_self_harm"),
        ("she has taken a handful of pills", "suicide_self_harm"),
        ("the teacher slaps him", "child_harm"),
        ("the teacher was slapping him", "child_harm"),
        ("my son was slapped by the TA", "child_harm"),
        ("staff restrained her", "child_harm"),
        ("staff keep restraining her", "child_harm"),
        ("my partner hit me", "domestic_abuse"),
        ("my partner keeps hitting me", "domestic_abuse"),
    ],
)
def test_every_form_of_a_word(text, expected):
    assert category(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I want to kill myself", "he wants to kill himself", "she wants to kill herself",
        "they want to kill themselves", "my son wants to kill himself",
        "my daughter wants to kill herself", "my child wants to kill themselves",
        "my 14 year old wants to kill himself", "my autistic son says he wants to die",
    ],
)
def test_every_subject(text):
    assert category(text) == "suicide_self_harm"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("i want to just end it", "suicide_self_harm"),
        ("i really just want to end it all", "suicide_self_harm"),
        ("thinking about ending it all", "suicide_self_harm"),
        ("i keep thinking about ending things", "suicide_self_harm"),
        ("um i just um cant cope", "suicide_self_harm"),
        ("the teacher at his school slapped him", "child_harm"),
        ("my husband has been hitting me", "domestic_abuse"),
    ],
)
def test_words_in_between(text, expected):
    assert category(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("sucidal", "suicide_self_harm"),
        ("he is suicdal", "suicide_self_harm"),
        ("she keeps talking about suicde", "suicide_self_harm"),
        ("she hurt herslef", "suicide_self_harm"),
        ("i want to kill mysefl", "suicide_self_harm"),
        ("he took a lot of paracetemol", "suicide_self_harm"),
        ("shes cuttin herself", "suicide_self_harm"),
        ("shes been cuting her arms", "suicide_self_harm"),
        ("the teacher slaped him", "child_harm"),
        ("he tried to kill hisself", "suicide_self_harm"),
        ("she hasnt come hom", "missing_child"),
        ("my son has been self arming", "suicide_self_harm"),  # speech-to-text
    ],
)
def test_common_misspellings(text, expected):
    assert category(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "theres no point living", "whats the point in living anymore", "i cant go on",
        "i can't go on like this", "i dont want to be here anymore", "they would be better off without me",
        "i'm scared i'll do something stupid", "nothing to live for", "life isnt worth living",
        "i want to go to sleep and never wake up", "i want it all to stop", "i cant take it anymore",
        "i want to disappear forever", "i dont think i can carry on", "everyone would be better off if i was gone",
    ],
)
def test_saying_it_without_the_obvious_words(text):
    assert category(text) == "suicide_self_harm"


@pytest.mark.parametrize(
    "text",
    [
        "my son hasn't come home", "she hasnt come home from school", "he didnt come home last night",
        "we cant find our son", "nobody knows where she is", "my daughter has gone missing",
        "he ran off and we cant find him", "the school lost my son",
    ],
)
def test_a_missing_child_however_it_is_put(text):
    assert category(text) == "missing_child"


@pytest.mark.parametrize(
    "text",
    [
        "a teacher hit my son", "the TA restrained him", "they locked him in a room",
        "he was locked in a cupboard at school", "I think she is being groomed", "her uncle sexually abused her",
        "a member of staff pinned him to the floor", "the escort touched my daughter inappropriately",
    ],
)
def test_a_child_harmed_by_an_adult_including_at_school(text):
    assert category(text) == "child_harm"


@pytest.mark.parametrize(
    "text",
    [
        "dying to go back", "the deadline is killing me", "cutting his support hours", "hanging in there",
        "he hit his targets", "the school is killing me with paperwork", "I could murder a cup of tea",
        "he was over the moon", "she missed the bus", "transport is missing from his plan", "his hours were cut",
        "the TA was restrained in her comments", "he hasnt come home with his reading book",
        "the school can't cope with his behaviour", "he can't go on the school trip", "i lost my copy of the ehcp",
        "i cant find the form", "he fell over and hurt himself in the playground", "she hurt her wrist in PE",
        "the school threatened me with a fine", "he needs help with personal grooming",
        "the TA pushes her wheelchair", "i want to end the placement", "he is at risk of exclusion",
        "we were killing time at the park", "my phone is going to die", "it suddenly hit me that he needs help",
    ],
)
def test_figurative_and_near_miss_uses_are_not_flagged(text):
    assert assess(text) is None


def test_an_exception_does_not_hide_a_real_risk_later_in_the_text():
    assert category("the deadline is killing me and honestly i want to kill myself") == "suicide_self_harm"


def test_a_crisis_in_the_middle_of_a_long_text_is_caught():
    text = ("Hello, I rang about the annual review last week and the school still has not sent the paperwork. " * 8
            + "Last night my son told me he wants to kill himself. "
            + "Could someone also explain the appeal deadline? Thank you. " * 6)
    assert len(text) > 1000
    concern = assess(text)
    assert concern.category == "suicide_self_harm"
    assert concern.matched == "kill himself"


# --- the answer --------------------------------------------------------------------------------


def test_concern_names_the_category_its_label_the_words_and_every_category():
    concern = assess("My husband hits me and he has started hitting our son")
    assert isinstance(concern, Concern)
    assert concern.categories == ("child_harm", "domestic_abuse")
    assert concern.category == "child_harm"
    assert concern.label == "Child harmed or at risk"
    assert concern.matched in "My husband hits me and he has started hitting our son"


def test_the_most_serious_category_comes_first():
    concern = assess("my partner hits me and my daughter has been cutting herself")
    assert concern.category == "suicide_self_harm"
    assert concern.categories == ("suicide_self_harm", "domestic_abuse")


def test_the_words_matched_are_as_the_parent_wrote_them():
    assert assess("She's been CUTTING herself again!!").matched == "CUTTING herself"


def test_categories_in_priority_order_with_staff_labels():
    assert categories() == {
        "suicide_self_harm": "Suicide or self-harm",
        "missing_child": "Missing child",
        "child_harm": "Child harmed or at risk",
        "domestic_abuse": "Domestic abuse",
    }


@pytest.mark.parametrize(
    "name, number, spoken",
    [
        ("suicide_self_harm", "116 123", "1 1 6, 1 2 3"),
        ("missing_child", "116 000", "1 1 6, 0 0 0"),
        ("child_harm", "0808 800 5000", "0 8 0 8, 8 0 0, 5 0 0 0"),
        ("domestic_abuse", "0808 2000 247", "0 8 0 8, 2 0 0 0, 2 4 7"),
    ],
)
def test_each_category_gives_999_then_its_service_then_how_to_ask_for_a_call_back(name, number, spoken):
    msg = message_for(name)
    assert msg.text.index("999") < msg.text.index(number) < msg.text.index("reply CALLBACK")
    assert msg.say.index("9 9 9") < msg.say.index(spoken) < msg.say.index("press 0")
    assert not re.search(r"\d\d", msg.say), "numbers are spoken digit by digit"


@pytest.mark.parametrize("name", ("urgent",) + CATEGORIES)
def test_every_text_is_one_gsm7_segment_and_meets_the_copy_rules(name):
    msg = message_for(name) if name != "urgent" else urgent_message()
    assert first_non_gsm7(msg.text) is None
    assert gsm7_length(msg.text) <= 160
    assert copy_problems(f"safety {name}", say=msg.say, text=msg.text) == []


def test_no_category_or_an_unknown_one_gets_the_general_message():
    assert message_for(None) == urgent_message()
    assert message_for("something new") == urgent_message()
    assert "116 123" in urgent_message().text


def test_numbers_not_in_the_councils_leaflets_are_marked_for_staff_to_confirm():
    notes = to_confirm()
    for number in ("116 123", "0800 1111", "116 000", "0808 800 5000", "0808 2000 247"):
        assert any(number in note for note in notes), number


# --- the corpus --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpora():
    return read_corpora()


def test_the_corpus_is_big_and_varied_enough(corpora):
    crisis, everyday = corpora
    assert len(crisis) >= 150 and len(everyday) >= 150
    for name in CATEGORIES:
        assert sum(name in item.expected for item in crisis) >= 20, name


def test_every_crisis_text_is_caught_in_an_acceptable_category(corpora):
    crisis, _ = corpora
    result = score(crisis, [])
    assert [item.text for item in result.missed] == []
    assert [(item.text, got) for item, got in result.wrong_category] == []


def test_at_most_two_percent_of_everyday_texts_are_flagged(corpora):
    _, everyday = corpora
    result = score([], everyday)
    assert result.false_alarm_rate <= MAX_FALSE_ALARM_RATE, report(result)


def test_the_score_reports_misses_and_false_alarms():
    result = score([CrisisText(("suicide_self_harm",), "all fine here")], ["i want to kill myself"])
    assert result.recall == 0.0 and result.false_alarm_rate == 1.0 and not result.meets_targets
    lines = report(result)
    assert "Crisis texts caught: 0 of 1 (0.0%); target: all." in lines
    assert "MISSED (suicide_self_harm): all fine here" in lines
    assert any(line.startswith("FALSE ALARM (matched 'kill myself')") for line in lines)


def test_corpus_lines_are_read_with_comments_and_either_or_categories():
    crisis = parse_crisis("# comment\nchild_harm/domestic_abuse | he hits me and the kids\n\n", categories())
    assert crisis == [CrisisText(("child_harm", "domestic_abuse"), "he hits me and the kids")]
    assert parse_everyday("# c\nhello\n\n  bye  \n") == ["hello", "bye"]
    with pytest.raises(CorpusError):
        parse_crisis("no category here", categories())
    with pytest.raises(CorpusError):
        parse_crisis("made_up | text", categories())


# --- the notation --------------------------------------------------------------------------


def notation(*patterns, exceptions=(), groups=None, same=None, words=None):
    msg = {"say": "s", "text": "t"}
    raw = {"categories": {"suicide_self_harm": {"label": "S", "patterns": list(patterns)}},
           "exceptions": {"patterns": list(exceptions)}, "groups": groups or {}, "same": same or {},
           "words": words or {}, "messages": {"urgent": msg, "suicide_self_harm": msg}}
    return parse_safety(raw)


def test_notation_words_groups_choices_gaps_exact_forms_and_both():
    config = notation("<who> ...2 (end it|end things)", "=missing & <who>", "hang|cut <self>",
                      groups={"who": ["my son", "he"], "self": ["himself"]})
    assert assess("my son wants to end things", config)
    assert not assess("my son wants to say that we will end it", config)  # more than 2 words between
    assert assess("he is missing", config)
    assert not assess("he missed the bus", config)  # =missing is that form only
    assert not assess("it is missing", config)  # & needs <who> somewhere too
    assert assess("he was hanging himself", config) and assess("he cuts himself", config)


def test_notation_fillers_and_same():
    config = notation("want to end it", same={"wanna": "want to"}, words={"fillers": ["just"]})
    assert assess("i wanna just end it", config)


@pytest.mark.parametrize(
    "patterns, groups",
    [
        (["<nobody>"], {}),  # unknown group
        (["<a>"], {"a": ["<b>"], "b": ["<a>"]}),  # a group inside itself
        (["... end it"], {}),  # cannot start with a gap
        (["end it ..."], {}),
        (["end (it|"], {}),  # unmatched bracket
        (["end a||b"], {}),  # empty choice
        (["...x end"], {}),
    ],
)
def test_a_pattern_that_cannot_be_read_is_refused(patterns, groups):
    with pytest.raises(SafetyConfigError):
        notation(*patterns, groups=groups)


def test_a_text_message_over_one_segment_is_refused():
    msg = {"say": "s", "text": "x" * 161}
    with pytest.raises(SafetyConfigError, match="one SMS"):
        parse_safety({"categories": {"a": {"label": "A", "patterns": ["a"]}},
                      "messages": {"urgent": msg, "a": {"say": "s", "text": "t"}}})


def test_a_table_put_after_a_category_by_mistake_is_refused():
    with pytest.raises(SafetyConfigError, match="belongs to it"):
        parse_safety({"categories": {"a": {"label": "A", "patterns": ["a"], "exceptions": ["b"]}},
                      "messages": {"urgent": {"say": "s", "text": "t"}, "a": {"say": "s", "text": "t"}}})


def test_the_shipped_file_loads_once_and_is_cached():
    assert load_safety() is load_safety()
