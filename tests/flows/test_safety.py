"""Risk phrases: caught in their many spellings, not set off by everyday phrases."""

import pytest

from flows.guidance import copy_problems
from flows.safety import (
    SafetyConfigError,
    detect_risk,
    find_risk,
    load_safety,
    parse_safety,
    urgent_message,
)


@pytest.mark.parametrize(
    "text",
    [
        "My son has talked about suicide",
        "she is suicidal",
        "SUICIDE",
        "he said he wants to kill himself",
        "I can't cope, I want to kill myself",
        "my daughter is self-harming",
        "Self harm",
        "selfharm",
        "he keeps trying to hurt himself at school",
        "she has been hurting herself",
        "my child is not safe",
        "he is unsafe in the playground",
        "the TA abused him",
        "I think there is abuse at home",
        "his dad is going to kill us",
        "he said he's gonna kill me",
        "she took an overdose",
        "sucide",  # one slip in a long word
        "suicdal",
        "they restrained him in a room",
        "he ran away from school today",
    ],
)
def test_risk_is_detected(text):
    assert detect_risk(text) is True
    assert find_risk(text)


@pytest.mark.parametrize(
    "text",
    [
        "I need to kill time before the meeting",
        "we were killing time at the park",
        "I'm going to kill time in the cafe",
        "this will kill two birds with one stone",
        "safe to say the school is not listening",
        "better safe than sorry",
        "the school says it is a safe space",
        "appeal",
        "the school won't give my son his hours",
        "my son was disabused of the idea",
        "the skill level is low",  # "kill" inside a word
        "what are the opening hours",
        "",
    ],
)
def test_everyday_phrases_are_not_flagged(text):
    assert detect_risk(text) is False
    assert find_risk(text) is None


def test_an_exception_does_not_hide_a_real_risk_in_the_same_text():
    assert detect_risk("I was killing time when he said he wanted to kill himself")


def test_the_urgent_message_gives_emergency_numbers_first_then_a_callback():
    msg = urgent_message()
    text = msg.text
    assert text.index("999") < text.index("116 123") < text.index("0800 1111") < text.index("CALLBACK")
    assert "Samaritans" in text and "Childline" in text
    say = msg.say
    assert "9 9 9" in say and "1 1 6, 1 2 3" in say and "0 8 0 0, 1 1 1 1" in say
    assert say.index("9 9 9") < say.index("call back")
    assert "press 0" in say


def test_the_urgent_message_meets_the_copy_rules():
    msg = urgent_message()
    assert copy_problems("urgent", say=msg.say, text=msg.text) == []


def tiny_config(patterns, exceptions=(), **extra):
    """A one-category config, for testing the notation."""
    messages = {"urgent": {"say": "s", "text": "t"}, "suicide_self_harm": {"say": "s", "text": "t"}}
    raw = {"categories": {"suicide_self_harm": {"label": "Suicide or self-harm", "patterns": list(patterns)}},
           "exceptions": {"patterns": list(exceptions)}, "messages": messages}
    return parse_safety({**raw, **extra})


def test_phrases_are_configurable():
    config = tiny_config(["Blue Whale"])
    assert detect_risk("he is playing the blue-whale game", config)
    assert not detect_risk("suicide", config)


def test_exceptions_are_configurable():
    config = tiny_config(["not safe"], exceptions=["not safe to assume"])
    assert not detect_risk("it is not safe to assume anything", config)
    assert detect_risk("he is not safe", config)


URGENT = {"urgent": {"say": "s", "text": "t"}}


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"categories": {}},
        {"categories": {"x": {"label": "X", "patterns": ["x"]}}},  # no urgent message
        {"categories": {"x": {"label": "X", "patterns": ["x"]}}, "messages": URGENT},  # no message for x
        {"categories": {"x": {"label": "X", "patterns": "suicide"}}, "messages": {**URGENT, "x": {"say": "s", "text": "t"}}},
        {"categories": {"x": {"label": "X", "patterns": ["x"]}}, "messages": {"urgent": {"say": "s"}}},
    ],
)
def test_a_broken_config_is_refused(raw):
    with pytest.raises(SafetyConfigError):
        parse_safety(raw)


def test_the_real_config_loads():
    config = load_safety()
    assert "suicide" in config.phrases
    assert any(p.source == "kill time" for p in config.exceptions)
