"""The conversation engine: pure steps over typed prompts, the same for the phone and for texts.

A conversation (flows/conversations/callback.py, deadline.py) is a set of named steps over a
small state dict. It never talks to Redis or Twilio: given the state and one
answer, the engine returns a Turn (what to say, the next prompt or the end, the new state, and
effects for the edge to carry out). The channels only render a Prompt (ivr/conversation.py and
ivr/callback.py: <Gather> with keys and speech, or <Record>; sms/conversation.py: a text with
numbered replies) and turn what came back into an Answer.

What a conversation provides (the Conversation protocol below):
    begin(ctx, facts) -> (state, said, effects)        the state to start from
    next_step(ctx, state) -> str | None                the first question not yet answered (None: done)
    prompt(ctx, state, step) -> Prompt | None          that question (None: it cannot be asked now)
    take(ctx, state, step, value, answer) -> (state, said, effects)   an understood answer
    finish(ctx, state) -> (said, effects)              nothing left to ask
    give_up(ctx, state, step) -> said                  too many tries and no default: offer a person
    interrupt(ctx, state, prompt, answer) -> (state, said) | None     words that count anywhere
                                                       (e.g. a language: "Polish")

State values are short strings (the phone keeps them in the query string), except "said", the
list of a parent's texts (kept by text only). state["step"] is the question asked, state["tries"]
how many times it has been asked again; state["end"] set by take() ends the conversation at once.

Prompt kinds: CHOICE (options from content data, numbered in order: the phone maps the numbers
to keys, a text lists them), DATE, PHONE (a UK number; with `default`, yes keeps it and no asks
for another), YES_NO, TEXT (a few words, typed), RECORDING (a voice message, by phone; typed
words are its text equivalent). Every prompt has its "Other" path (not understood: say so and
ask again) and its "No Response" path (silence on the phone): both count as tries, and after
MAX_TRIES the prompt's default is taken, or the conversation gives up with a way to reach a
person. By text, silence has no moment; a conversation left for IDLE_HOURS is dropped
(expired()), and the next text is read afresh.

Values in said messages: Phone and Day render as each channel writes them (digits read one by
one / "07700 900123"; "Monday the 23rd of November" / "Monday 23 November 2026"): see render.py.
Besides Say, a conversation may say a message it made itself (Made: a worked-out deadline), with
its spoken parts and its one text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Protocol

from flows.dateparse import DateProblem, parse_date, parse_keypad_date
from flows.phone import find_uk_number, normalise_uk_number

CHOICE, DATE, PHONE, YES_NO, TEXT, RECORDING = "choice", "date", "phone", "yes_no", "text", "recording"
KINDS = (CHOICE, DATE, PHONE, YES_NO, TEXT, RECORDING)
MAX_TRIES = 2  # asked again twice, then the default or a way to reach a person
IDLE_HOURS = 6  # by text: a conversation left this long is over
WORDS_MAX_CHARS = 500
SAID_MAX = 12  # texts kept from one conversation

YES_WORDS = frozenset({"yes", "y", "yeah", "yep", "yup", "ok", "okay", "sure", "correct", "right", "fine",
                       "please", "yes please", "1", "thats right", "that's right", "aye", "that is right",
                       "no problem", "no worries", "go ahead", "thats fine", "that's fine", "thats ok"})
NO_WORDS = frozenset({"no", "n", "nope", "nah", "2", "no thanks", "not this one", "different", "other",
                      "wrong", "thats wrong", "that's wrong"})
# A longer answer that starts with one of these ("yes thats right", "no, that's my old phone") is
# read as yes or no, unless a word of the other kind follows ("ok but not mornings": asked again).
YES_LEADS = frozenset({"yes", "y", "yeah", "yea", "ya", "yep", "yup", "ok", "okay", "sure", "correct", "right",
                       "fine", "aye", "definitely", "absolutely"})
NO_LEADS = frozenset({"no", "n", "nope", "nah"})
NEGATIONS = frozenset({"not", "no", "dont", "never", "wrong", "isnt", "cant", "cannot", "but", "nope", "nah"})
YES_SIGNS, NO_SIGNS = ("\U0001F44D", "\U0001F44C", "\u2705", "\u2714"), ("\U0001F44E", "\u274C")  # thumbs, ticks, crosses
LEAD_MAX_WORDS = 8
SKIP_WORDS = frozenset({"skip", "dont know", "don't know", "do not know", "not sure", "no idea", "none",
                        "not yet", "i dont know", "i don't know", "unknown", "pass", "0"})


class _Marker:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


SKIPPED = _Marker("SKIPPED")  # "skip", "don't know", or silence where that is fine
ANOTHER = _Marker("ANOTHER")  # PHONE with a default: "no, another number"


@dataclass(frozen=True)
class Phone:
    """A UK number in a message: read digit by digit on the phone, written "07700 900123"."""

    e164: str


@dataclass(frozen=True)
class Day:
    """A date in a message: "Monday the 23rd of November" spoken, "Monday 23 November 2026" written.
    year: spoken with its year too (a date read back to be confirmed)."""

    date: dt.date
    year: bool = False


@dataclass(frozen=True)
class Say:
    """One message by key (flows/content/messages), with its values."""

    key: str
    values: dict = field(default_factory=dict)


class Made(Protocol):
    """A message a conversation made itself (flows/conversations/deadline.py's Answered): its
    sentences spoken (the phone pauses between them) and its one text."""

    def spoken(self, copy) -> list[str]: ...

    def written(self, copy) -> str: ...


@dataclass(frozen=True)
class Option:
    """One choice: its number, its id, and its words (written, spoken, and what a parent may say)."""

    key: str
    id: str
    text: str
    say: str
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prompt:
    """One question: its kind, its message, and how to read the answer."""

    step: str
    kind: str
    key: str  # the question's message key
    values: dict = field(default_factory=dict)
    options: tuple[Option, ...] = ()
    has_default: bool = False  # after MAX_TRIES, take `default` instead of giving up
    default: object = None
    yes: str | None = None  # CHOICE: the option id "yes" picks (keep the route they were in)
    past_only: bool = False  # DATE: only today or before
    other: str = "conversations.not_understood"  # the "Other" path's message key

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Answer:
    """What came back: typed or spoken words, keys pressed, a recording; nothing at all is silence."""

    text: str = ""
    digits: str = ""
    recording: str = ""
    keep: bool = False  # keep the words in state["said"] (by text: the parent's texts go on the request)

    @property
    def silent(self) -> bool:
        return not (self.text.strip() or self.digits.strip() or self.recording.strip())


@dataclass(frozen=True)
class Invalid:
    """An answer that could not be used, with the message that says why (None: the prompt's own)."""

    why: Say | None = None


@dataclass
class Turn:
    """The outcome of one answer: messages, the next prompt (None: the end), state, effects."""

    said: list[Say]
    prompt: Prompt | None
    state: dict
    effects: list = field(default_factory=list)
    gave_up: bool = False

    @property
    def ended(self) -> bool:
        return self.prompt is None


class Conversation(Protocol):
    """See the module docstring."""

    name: str

    def begin(self, ctx, facts: dict) -> tuple[dict, list[Say], list]: ...

    def next_step(self, ctx, state: dict) -> str | None: ...

    def prompt(self, ctx, state: dict, step: str) -> Prompt | None: ...

    def take(self, ctx, state: dict, step: str, value, answer: Answer) -> tuple[dict, list[Say], list]: ...

    def finish(self, ctx, state: dict) -> tuple[list[Say], list]: ...

    def give_up(self, ctx, state: dict, step: str) -> list[Say]: ...

    def interrupt(self, ctx, state: dict, prompt: Prompt, answer: Answer) -> tuple[dict, list[Say]] | None: ...


# --- running a conversation -------------------------------------------------------------------


def start(conv: Conversation, ctx, facts: dict) -> Turn:
    """Begin a conversation: its first question (or its end, if nothing needs asking)."""
    state, said, effects = conv.begin(ctx, facts)
    return advance(conv, ctx, state, list(said), list(effects))


def advance(conv: Conversation, ctx, state: dict, said: list[Say], effects: list) -> Turn:
    """Ask the next question, or finish."""
    if state.get("end"):
        return Turn(said, None, state, effects)
    step = conv.next_step(ctx, state)
    if step is None:
        more_said, more_effects = conv.finish(ctx, state)
        return Turn(said + list(more_said), None, {**state, "end": "done"}, effects + list(more_effects))
    if state.get("step") != step:
        state = {**state, "step": step}
        state.pop("tries", None)
    prompt = conv.prompt(ctx, state, step)
    if prompt is None:  # a conversation whose next_step and prompt disagree: end, rather than loop
        return Turn(said + conv.give_up(ctx, state, step), None, {**state, "end": "gave_up"}, effects, gave_up=True)
    return Turn(said, prompt, state, effects)


def resume(conv: Conversation, ctx, state: dict, answer: Answer, step: str | None = None) -> Turn:
    """One answer to the question `step` (by default the one asked last)."""
    state = dict(state)
    step = step or state.get("step") or conv.next_step(ctx, state)
    prompt = conv.prompt(ctx, state, step) if step else None
    if prompt is None:
        return advance(conv, ctx, state, [], [])
    state["step"] = step
    if answer.keep and answer.text.strip():
        state["said"] = (list(state.get("said") or []) + [answer.text.strip()[:WORDS_MAX_CHARS]])[-SAID_MAX:]
    if not answer.silent:
        hit = conv.interrupt(ctx, state, prompt, answer)
        if hit is not None:
            new_state, said = hit
            turn = advance(conv, ctx, new_state, list(said), [])
            return turn
    value = SKIPPED if answer.silent and prompt.kind == RECORDING else (
        None if answer.silent else parse(prompt, answer, ctx.today))
    if value is None or isinstance(value, Invalid):
        tries = _int(state.get("tries")) + 1
        if tries > MAX_TRIES:
            if not prompt.has_default:
                return Turn(conv.give_up(ctx, state, step), None, {**state, "end": "gave_up"}, [], gave_up=True)
            value = prompt.default
        else:
            if value is None:
                why = Say("conversations.no_answer")
            else:
                why = value.why or Say(prompt.other, prompt.values)  # e.g. "a number from 1 to {last}"
            return Turn([why], prompt, {**state, "tries": str(tries)}, [])
    new_state, said, effects = conv.take(ctx, state, step, value, answer)
    return advance(conv, ctx, new_state, list(said), list(effects))


def expired(state: dict, now: dt.datetime) -> bool:
    """By text: True when the question was asked more than IDLE_HOURS ago (the No Response path)."""
    asked = state.get("asked_at")
    try:
        return bool(asked) and now - dt.datetime.fromisoformat(asked) > dt.timedelta(hours=IDLE_HOURS)
    except (TypeError, ValueError):
        return False


def _int(value) -> int:
    try:
        return max(0, min(int(value or 0), 99))
    except (TypeError, ValueError):
        return 0


# --- reading answers ----------------------------------------------------------------------------


def plain(text: str) -> str:
    """'  Yes, please! ' -> 'yes please' (for matching words)."""
    cleaned = re.sub(r"[^\w\s']", " ", (text or "").lower()).replace("'", "")
    return " ".join(cleaned.split())


def yes_or_no(text: str) -> bool | None:
    """True for yes-like answers, False for no-like ones, None otherwise (the one list of both)."""
    word = plain(text)
    if word in {plain(w) for w in YES_WORDS}:
        return True
    if word in {plain(w) for w in NO_WORDS}:
        return False
    signs_yes, signs_no = any(c in text for c in YES_SIGNS), any(c in text for c in NO_SIGNS)
    if signs_yes != signs_no and not word:
        return signs_yes
    first, *rest = word.split() or [""]
    if len(rest) >= LEAD_MAX_WORDS:
        return None
    if first in YES_LEADS and not NEGATIONS & set(rest):
        return True
    if first in NO_LEADS:
        return False
    return None


def is_skip(text: str) -> bool:
    return plain(text) in {plain(w) for w in SKIP_WORDS}


def _keys(digits: str) -> str:
    return re.sub(r"[^0-9*#]", "", (digits or "").strip()).rstrip("#")


def parse(prompt: Prompt, answer: Answer, today: dt.date):
    """The value of an answer for this prompt, or Invalid (the "Other" path)."""
    reader = {CHOICE: _choice, DATE: _date, PHONE: _phone, YES_NO: _yes_no, TEXT: _text,
              RECORDING: _recording}[prompt.kind]
    return reader(prompt, answer, today)


def _choice(prompt: Prompt, answer: Answer, today):
    keys = _keys(answer.digits)
    if keys:
        return next((o.id for o in prompt.options if o.key == keys), Invalid())
    text = plain(answer.text)
    found = next((o.id for o in prompt.options if o.key == text.strip(". ")), None)
    if found:
        return found
    if prompt.yes and yes_or_no(text) is True:
        return prompt.yes
    return match_option(prompt.options, text) or Invalid()


def match_option(options, text: str) -> str | None:
    """The option whose words the text uses most (longest word on a tie), or None."""
    text = f" {plain(text)} "
    best, best_score = None, (0, 0)
    for option in options:
        hits = [w for w in option.words if f" {plain(w)} " in text]
        score = (len(hits), max((len(w) for w in hits), default=0))
        if hits and score > best_score:
            best, best_score = option.id, score
    return best


def _date(prompt: Prompt, answer: Answer, today: dt.date):
    keys = _keys(answer.digits)
    if keys in ("0", "0*") or (not keys and is_skip(answer.text)):
        return SKIPPED
    found = parse_keypad_date(keys, today, past_only=prompt.past_only) if keys else \
        parse_date(answer.text, today, past_only=prompt.past_only)
    if isinstance(found, DateProblem):
        return Invalid(Say("conversations.date_problem", {"problem": found}))
    return found.date


def _phone(prompt: Prompt, answer: Answer, today):
    keys = _keys(answer.digits)
    # A number in the words wins over a yes or no around it ("no, ring 07700 900777 instead").
    number = normalise_uk_number(keys) if keys else find_uk_number(answer.text)
    if prompt.default and number is None:
        if keys == "1" or (not keys and yes_or_no(answer.text) is True):
            return prompt.default
        if keys == "2" or (not keys and yes_or_no(answer.text) is False):
            return ANOTHER
        if len(keys) == 1:
            return Invalid()  # another single key: not understood
    if number is None:
        return Invalid(Say("conversations.bad_number"))
    return number


def _yes_no(prompt: Prompt, answer: Answer, today):
    keys = _keys(answer.digits)
    if keys:
        return {"1": True, "2": False}.get(keys, Invalid())
    found = yes_or_no(answer.text)
    return Invalid() if found is None else found


def _text(prompt: Prompt, answer: Answer, today):
    words = " ".join(answer.text.split())
    if not words or is_skip(words):
        return SKIPPED
    return words[:WORDS_MAX_CHARS]


def _recording(prompt: Prompt, answer: Answer, today):
    if answer.recording.strip():
        return answer.recording.strip()
    return _text(prompt, answer, today)  # typed words count as the message


@dataclass(frozen=True)
class Context:
    """What a conversation reads: the guidance tree, the helpline calendar, and the time now."""

    tree: object
    calendar: object
    now: dt.datetime

    @property
    def today(self) -> dt.date:
        local = getattr(self.calendar, "local", None)
        return (local(self.now) if local else self.now).date()
