"""Read a date the way UK parents write or say it: always day first.

parse_date(text, today) understands "31/12/2025", "31/12/25", "31.12.2025", "31-12-2025",
"31 12 2025", "31 December 2025", "31st Dec", "Dec 31 2025", "Wednesday 31st of December",
"today", "yesterday", "last Tuesday" (the one before today), "31122025", and any of them inside
a sentence ("it was sent on 3rd March 2026"), in any case and with stray punctuation. parse_keypad_date(digits, today) reads 8 keypad
digits DDMMYYYY.

Each returns a ParsedDate or a DateProblem (a reason code plus words from deadlines.toml that
say what was wrong and how to write the date).

Decisions where the input is open to reading:
- Year-first ISO dates ("2025-12-31") are accepted: with a 4-digit year first, nobody writes
  year-day-month, so the order is certain (and it is what phones and forms often produce).
- Numbers with no year ("12/3") are rejected (reason "missing_year"): two bare numbers are the
  form most often mistyped or written month first, and the year decides the deadline.
- A date written with a month NAME and no year ("31st Dec") is taken as the most recent such
  date not after today when only past dates make sense (letters, past_only); otherwise (a review
  meeting, a move to a new school) as the nearest such date, before or after today ("7th Jan"
  in December is next month). ParsedDate.year_assumed says so, so the channel can read the
  full date back.
- Two-digit years mean 20YY. Years more than 10 from today are rejected as a likely slip.
- "12/31/2025" (month first) gets its own reason, "month_first", so the hint fits.
- A weekday that does not match the date ("Tuesday 4 March 2026") is rejected, not guessed.
- Several different dates in one message are rejected: we cannot tell which one was meant.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from flows.copy import Copy, load_copy
from flows.wording import long_date, spoken_date

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
WEEKDAYS.update({name.lower(): i for i, name in enumerate(calendar.day_abbr)})
WEEKDAYS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})
YEAR_WINDOW = 10  # a year further than this from today is taken as a slip

_MONTH = "(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?P<weekday>" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\.?,?\s+(?:the\s+)?)?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4}|'?\d{2})"

# In priority order: an earlier pattern's match wins where two overlap.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"(?<![\d/.\-])(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?![\d/.\-])")),
    ("numeric", re.compile(_WEEKDAY + r"(?<![\d/.\-])(?P<day>\d{1,2})(?P<sep>[/.\- ])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})(?![\d/.\-])")),
    ("digits8", re.compile(r"(?<!\d)(?P<day>\d{2})(?P<month>\d{2})(?P<year>\d{4})(?!\d)")),
    ("day_name", re.compile(_WEEKDAY + r"\b" + _DAY + r"\s*(?:of\s+)?\b" + _MONTH + r"(?:,?\s+" + _YEAR + r")?(?![\w/])")),
    ("name_day", re.compile(_WEEKDAY + r"\b" + _MONTH + r"\s+(?:the\s+)?" + _DAY + r"\b(?:,?\s+" + _YEAR + r")?(?![\w/])")),
    ("relative", re.compile(r"\b(?P<word>today|yesterday)\b")),
    ("last_weekday", re.compile(r"\blast\s+(?P<weekday>" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\b")),
]
# Tried only when nothing above matched: "12/3" on its own is a date with no year, but next to a
# full date it is more likely something else ("3/4 pages"). Dots are left out: "10.30" is a time.
_SHORT = re.compile(r"(?<![\d/.\-])(?P<day>\d{1,2})[/\-](?P<month>\d{1,2})(?![\d/.\-])")


@dataclass(frozen=True)
class ParsedDate:
    """A date that was read. year_assumed: no year was given, so the most recent one was used."""

    date: dt.date
    year_assumed: bool = False
    ok = True


@dataclass(frozen=True)
class DateProblem:
    """Why a date could not be used: `reason` (a code) and the words to tell the parent."""

    reason: str
    values: tuple[tuple[str, object], ...] = ()
    keypad: bool = False
    ok = False

    def _filled(self, spoken: bool) -> dict[str, object]:
        out = {}
        for k, v in self.values:
            if isinstance(v, dt.date):
                v = spoken_date(v, year=True) if spoken else long_date(v)
            out[k] = v
        return out

    def text(self, copy: Copy | None = None) -> str:
        """The problem and how to write the date, for an SMS."""
        copy = copy or load_copy()
        hint = "deadlines.date_hint_keypad" if self.keypad else "deadlines.date_hint"
        return f"{copy.text('deadlines.date_' + self.reason, **self._filled(False))} {copy.text(hint)}"

    def say(self, copy: Copy | None = None) -> str:
        """The problem and how to give the date, spoken."""
        copy = copy or load_copy()
        hint = "deadlines.date_hint_keypad" if self.keypad else "deadlines.date_hint"
        return f"{copy.say('deadlines.date_' + self.reason, **self._filled(True))} {copy.say(hint)}"

    @property
    def message(self) -> str:
        """Shorthand for text()."""
        return self.text()


def _problem(reason: str, keypad: bool = False, **values: object) -> DateProblem:
    return DateProblem(reason, tuple(values.items()), keypad)


def _when(day: int, month: int, year: int | None) -> str:
    text = f"{day} {calendar.month_name[month]}"
    return f"{text} {year}" if year is not None else text


def _year(raw: str | None) -> int | None:
    if raw is None:
        return None
    raw = raw.lstrip("'")
    return 2000 + int(raw) if len(raw) == 2 else int(raw)


def _build(
    day: int, month: int, year: int | None, today: dt.date, *, numeric: bool,
    weekday: str | None = None, past_only: bool = False, keypad: bool = False,
) -> ParsedDate | DateProblem:
    """Check one candidate and turn it into a date (or the reason it is not one)."""
    if not 1 <= month <= 12:
        if numeric and 1 <= day <= 12 and 13 <= month <= 31:
            return _problem("month_first", keypad)
        return _problem("bad_month", keypad, month=month)
    if year is not None and abs(year - today.year) > YEAR_WINDOW:
        return _problem("year_range", keypad, year=year)
    assumed = year is None
    if assumed:
        # Past only: the most recent such date not after today; otherwise the nearest, either way
        # (a leap day may need a few years).
        years = [today.year + step for step in range(-8, 9 if not past_only else 1)]
        dates = [dt.date(y, month, day) for y in years if 1 <= day <= calendar.monthrange(y, month)[1]]
        dates = [d for d in dates if d <= today] if past_only else dates
        if not dates:
            return _problem("impossible", keypad, when=_when(day, month, None))
        year = min(dates, key=lambda d: (abs((d - today).days), d < today)).year
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return _problem("impossible", keypad, when=_when(day, month, year))
    date = dt.date(year, month, day)
    if weekday is not None and WEEKDAYS[weekday] != date.weekday():
        return _problem("weekday_mismatch", keypad, date=date, actual=f"{date:%A}",
                        given=calendar.day_name[WEEKDAYS[weekday]])
    if past_only and date > today:
        return _problem("future", keypad, date=date)
    return ParsedDate(date, year_assumed=assumed)


def _candidate(kind: str, m: re.Match[str], today: dt.date, past_only: bool) -> ParsedDate | DateProblem:
    g = m.groupdict()
    if kind == "relative":
        date = today if g["word"] == "today" else today - dt.timedelta(days=1)
        return ParsedDate(date)
    if kind == "last_weekday":  # "last Tuesday": the one before today (read back in full)
        back = (today.weekday() - WEEKDAYS[g["weekday"]]) % 7 or 7
        return ParsedDate(today - dt.timedelta(days=back), year_assumed=True)
    if kind == "numeric_short":
        day, month = int(g["day"]), int(g["month"])
        if 1 <= day <= 12 and 13 <= month <= 31:
            return _problem("month_first")
        return _problem("missing_year")
    month = int(g["month"]) if g["month"].isdigit() else MONTHS[g["month"]]
    weekday = g.get("weekday")
    return _build(int(g["day"]), month, _year(g.get("year")), today,
                  numeric=kind in ("numeric", "digits8"), weekday=weekday, past_only=past_only)


def _normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"\s*([/\\])\s*", "/", text)  # "31 / 12 / 2025" and a mistyped backslash
    text = re.sub(r"[,;:!?()\[\]\"]+", " ", text)
    text = re.sub(r"(?<=[a-z])\.(?=\s|$)", " ", text)  # "Dec." or a sentence's full stop
    text = re.sub(r"(?<=\d)\.(?=\s|$)", " ", text)  # "...2025." at the end of a sentence
    return re.sub(r"\s+", " ", text).strip()


def parse_date(text: str, today: dt.date, *, past_only: bool = False) -> ParsedDate | DateProblem:
    """Find the one date in a parent's message; past_only rejects dates after today."""
    text = _normalise(text or "")
    taken: list[tuple[int, int]] = []
    found: list[ParsedDate | DateProblem] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            span = m.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            taken.append(span)
            found.append(_candidate(kind, m, today, past_only))
    if not found:
        found = [_candidate("numeric_short", m, today, past_only) for m in _SHORT.finditer(text)]
    if not found:
        return _problem("unreadable")
    if len(found) == 1:
        return found[0]
    dates = {f.date for f in found if isinstance(f, ParsedDate)}
    if len(dates) == 1 and all(isinstance(f, ParsedDate) for f in found):
        return found[0]
    return _problem("several")


def plausible(date: dt.date, today: dt.date) -> bool:
    """True for a date parse_date could have read: its year within YEAR_WINDOW of today's."""
    return abs(date.year - today.year) <= YEAR_WINDOW


def parse_keypad_date(digits: str, today: dt.date, *, past_only: bool = False) -> ParsedDate | DateProblem:
    """Read 8 keypad digits DDMMYYYY (a trailing # or * is ignored)."""
    digits = (digits or "").strip().strip("#*").replace(" ", "")
    if not re.fullmatch(r"[0-9]{8}", digits):  # str.isdigit() passes "²", which int() refuses
        return _problem("keypad_length", keypad=True)
    return _build(int(digits[:2]), int(digits[2:4]), int(digits[4:]), today, numeric=True,
                  past_only=past_only, keypad=True)
