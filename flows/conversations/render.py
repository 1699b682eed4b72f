"""A prompt and its messages in words, for the phone (spoken) or for a text (written). Pure.

The channel adapters (ivr/conversation.py, sms/conversation.py) call these, then wrap the words
in TwiML. parts() turns anything a conversation says (a Say, a ready text, a message it made
itself) into words. Options are numbered from content data in order: the text lists "1 School or college",
the phone says "For school or college, press 1." Values: Phone and Day are written or spoken as
each channel needs (engine.Phone, engine.Day); a date problem (flows.dateparse.DateProblem) gives
its own words.
"""

from __future__ import annotations

from flows.phone import display_number, spoken_digits
from flows.conversations.engine import CHOICE, PHONE, YES_NO, Day, Phone, Prompt, Say
from flows.dateparse import DateProblem
from flows.wording import long_date, spoken_date


def value(item: object, copy, spoken: bool) -> object:
    """One value as the channel writes or says it."""
    if isinstance(item, Phone):
        return spoken_digits(item.e164) if spoken else display_number(item.e164)
    if isinstance(item, Day):
        return spoken_date(item.date, year=item.year) if spoken else long_date(item.date, year=True)
    if isinstance(item, DateProblem):
        return item.say(copy) if spoken else item.text(copy)
    return item


def words(copy, message: Say, *, spoken: bool, common: dict | None = None) -> str:
    """A message filled in; `common` are values every message may use (helpline, textphone)."""
    values = {**(common or {}), **{k: value(v, copy, spoken) for k, v in message.values.items()}}
    return copy.say(message.key, **values) if spoken else copy.text(message.key, **values)


def parts(copy, item, *, spoken: bool, common: dict | None = None) -> list[str]:
    """One thing said, as words: a ready text, a message by key (Say), or a message the conversation
    made (engine.Made: its spoken sentences, or its one text)."""
    if isinstance(item, str):
        return [item]
    if isinstance(item, Say):
        return [words(copy, item, spoken=spoken, common=common)]
    return list(item.spoken(copy)) if spoken else [item.written(copy)]


def text(copy, prompt: Prompt, common: dict | None = None) -> str:
    """The question as a text: its words, then each option on its own line, numbered."""
    question = words(copy, Say(prompt.key, prompt.values), spoken=False, common=common)
    if prompt.kind == CHOICE:
        return "\n".join([question, *(f"{o.key} {o.text}" for o in prompt.options)])
    hint = _hint(prompt)
    return f"{question} {copy.text(hint)}" if hint else question


def speech(copy, prompt: Prompt, common: dict | None = None) -> str:
    """The question spoken: its words, then "For X, press 1." for each option."""
    question = words(copy, Say(prompt.key, prompt.values), spoken=True, common=common)
    if prompt.kind == CHOICE:
        return " ".join([question, *(_press(copy, o) for o in prompt.options)])
    hint = _hint(prompt)
    return f"{question} {copy.say(hint)}" if hint else question


def _press(copy, option) -> str:
    """'For school or college, press 1.', or for an action ('to cancel it'): 'To cancel it, press 3.'"""
    if option.say.startswith("to "):
        return copy.say("conversations.press_to", action=option.say[0].upper() + option.say[1:], number=option.key)
    return copy.say("conversations.press", option=option.say, number=option.key)


def _hint(prompt: Prompt) -> str | None:
    """How to answer a yes or no, or a number we already have (keys 1 and 2 on the phone)."""
    if prompt.kind == YES_NO:
        return "conversations.yes_no_hint"
    if prompt.kind == PHONE and prompt.default:
        return "conversations.phone_hint"
    return None


def hints(prompt: Prompt) -> list[str]:
    """Words to help speech recognition: the options' words, or yes and no."""
    if prompt.kind == CHOICE:
        return [w for o in prompt.options for w in (o.say.removeprefix("to "), *o.words)][:40]
    return ["yes", "no"]
