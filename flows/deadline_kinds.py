"""The deadlines a parent can work out, offered alike by text and by phone.

The list (order, words, speech hints, the question for each) is content:
flows/content/deadline_kinds.toml. This module loads and checks it, and `calculate()` turns a
kind, its option and a date into a result from flows.deadlines, so both channels get the same
answer from the same answers.

    kinds()                       every Kind, in order; Kind.key is "1", "2", ... (text and keypad)
    by_key("3"), by_name("review")
    calculate("transfer", move_date, option="post16", today=...)
    check_kinds()                 problems with the file ([] = good), for tests and `content check`
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flows import deadlines
from flows.copy import load_copy

DEFAULT_PATH = Path(__file__).parent / "content" / "deadline_kinds.toml"
MAX_KINDS = 8  # keys 1-8 on the phone: 9 is the main menu, 0 a person

# What each kind counts from must be in the past (a letter, a request), except these: a review
# meeting or a move can be asked about before it happens.
FUTURE_ALLOWED = frozenset({"review", "transfer"})


class KindsError(ValueError):
    """The kinds file is broken: the problems, one a line."""


@dataclass(frozen=True)
class Option:
    """One answer to a kind's follow-up choice (which move?)."""

    key: str
    name: str
    text: str
    say: str
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    """One deadline a parent can ask about: its number, words and the question for its date."""

    key: str
    name: str
    text: str
    say: str
    question: str
    hints: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()

    @property
    def past_only(self) -> bool:
        """True when the date it counts from must not be after today."""
        return self.name not in FUTURE_ALLOWED

    def option(self, key: str) -> Option | None:
        """The option with this number, or None."""
        return next((o for o in self.options if o.key == key), None)

    def option_named(self, name: str | None) -> Option | None:
        """The option with this name, or None."""
        return next((o for o in self.options if o.name == name), None)


def _calculate_appeal(start, option, today, certificate=None, school_only=None):
    return deadlines.appeal_deadline(start, certificate, school_only, today=today)


def _calculate_transfer(start, option, today, **_):
    if option == "post16_move":
        return deadlines.post16_move_deadline(start, today=today)
    return deadlines.phase_transfer_deadline(start.year, option == "post16", today=today)


_CALCULATORS = {
    "appeal": _calculate_appeal,
    "ehc": lambda start, option, today, **_: deadlines.ehc_assessment_deadlines(start, today=today),
    "draft_comments": lambda start, option, today, **_: deadlines.draft_plan_comments_deadline(start, today=today),
    "review": lambda start, option, today, **_: deadlines.annual_review_deadlines(start, today=today),
    "amendments": lambda start, option, today, **_: deadlines.amendment_comments_deadline(start, today=today),
    "reassessment": lambda start, option, today, **_: deadlines.reassessment_plan_deadline(start, today=today),
    "transfer": _calculate_transfer,
    "discrimination_claim": lambda start, option, today, **_: deadlines.discrimination_claim_deadline(
        start, today=today),
}
_OPTIONS = {"transfer": {"phase", "post16", "post16_move"}}


def calculate(
    kind: str,
    start: dt.date,
    *,
    option: str | None = None,
    certificate: dt.date | None = None,
    school_only: bool | None = None,
    today: dt.date | None = None,
) -> deadlines.Result:
    """The result for a kind (by name) counted from `start`; unknown kinds count as an appeal.

    certificate and school_only matter only to an appeal; option only to a kind with options.
    """
    calc = _CALCULATORS.get(kind, _calculate_appeal)
    if calc is _calculate_appeal:
        return _calculate_appeal(start, option, today, certificate, school_only)
    return calc(start, option, today)


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _build(raw: dict) -> tuple[tuple[Kind, ...], list[str]]:
    problems: list[str] = []
    copy = load_copy()
    kinds: list[Kind] = []
    entries = raw.get("kinds")
    if not isinstance(entries, list) or not entries:
        return (), ["deadline_kinds.toml: no [[kinds]]"]
    if len(entries) > MAX_KINDS:
        problems.append(f"deadline_kinds.toml: {len(entries)} kinds, at most {MAX_KINDS} (phone keys 1-8)")
    seen: set[str] = set()
    for n, entry in enumerate(entries, start=1):
        name = str(entry.get("name", ""))
        where = f"deadline_kinds.toml kind {n} ({name or 'no name'})"
        if name not in _CALCULATORS:
            problems.append(f"{where}: the calculator knows no kind {name!r}")
        if name in seen:
            problems.append(f"{where}: listed twice")
        seen.add(name)
        for field in ("text", "say", "question"):
            if not str(entry.get(field, "")).strip():
                problems.append(f"{where}: no {field}")
        question = str(entry.get("question", ""))
        message = copy.messages.get(f"deadline_chat.{question}")
        if question and (message is None or message.text is None or message.say is None):
            problems.append(f"{where}: question {question!r} needs a text and a say version in deadline_chat.toml")
        options = []
        for m, opt in enumerate(entry.get("options", []) or [], start=1):
            oname = str(opt.get("name", ""))
            if oname not in _OPTIONS.get(name, set()):
                problems.append(f"{where}: option {m} {oname!r} is not one the calculator knows")
            if not str(opt.get("text", "")).strip() or not str(opt.get("say", "")).strip():
                problems.append(f"{where}: option {m} needs text and say")
            options.append(Option(str(m), oname, str(opt.get("text", "")), str(opt.get("say", "")),
                                  _strings(opt.get("hints"))))
        if name in _OPTIONS and not options:
            problems.append(f"{where}: needs its options")
        kinds.append(Kind(str(n), name, str(entry.get("text", "")), str(entry.get("say", "")), question,
                          _strings(entry.get("hints")), tuple(options)))
    for kind in kinds:
        for version, words in [("text", kind.text), ("say", kind.say)] + [
                (f"option {o.key}", o.text + o.say) for o in kind.options]:
            if not words.isascii():
                problems.append(f"deadline_kinds.toml {kind.name} ({version}): plain ASCII only")
    return tuple(kinds), problems


def check_kinds(path: Path | str | None = None) -> list[str]:
    """Every problem with the kinds file ([] = good)."""
    try:
        with open(Path(path or DEFAULT_PATH), "rb") as f:
            raw = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        return [f"deadline_kinds.toml: {e}"]
    return _build(raw)[1]


@lru_cache(maxsize=2)
def kinds(path: Path | str | None = None) -> tuple[Kind, ...]:
    """The kinds, in order (read once); KindsError if the file is broken."""
    problems = check_kinds(path)
    if problems:
        raise KindsError("\n".join(problems))
    with open(Path(path or DEFAULT_PATH), "rb") as f:
        return _build(tomllib.load(f))[0]


def by_key(key: str) -> Kind | None:
    """The kind with this number ("1" ...), or None."""
    return next((k for k in kinds() if k.key == key), None)


def by_name(name: str | None) -> Kind | None:
    """The kind with this name, or None."""
    return next((k for k in kinds() if k.name == name), None)
