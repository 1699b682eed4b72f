"""Staff changes to the helpline calendar, laid over the shipped data file and checked by its rules.

Pure: no Flask, Redis or rq. The shipped file (flows/data/calendar.toml) stays the default; what
advisers change on the staff Calendar page is an Overlay (kept in Redis by store/calendar_changes.py):

  closures   closure days added (or re-worded), each a date, a reason and maybe a `from` time
             ("close the line for the rest of today" is a closure from now)
  removed    closure days of the shipped file taken away again
  confirmed  school years whose provisional dates staff have checked
  years      school years staff have entered (next year's terms)

`CalendarEditor.calendar(overlay)` merges the overlay into the file's TOML and runs the file's own
checks (flows.calendar_data.parse_calendar: terms in order, no overlaps, sensible hours), so a staff
change can never make a calendar the file itself would refuse. Each change (`add_closure`,
`remove_closure`, `close_rest_of_today`, `confirm_year`, `add_year`) returns a Change: the new
overlay, what it did in words for the audit list, and the days that became closed (their booked
callbacks are moved by workers/calendar_jobs.py). A change that breaks a rule raises
CalendarChangeError with a message for the adviser.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field, replace

from flows import gsm7
from flows.calendar_data import BankHolidays, CalendarDataError, parse_calendar
from flows.hours import HelplineCalendar, Status
from flows.wording import clock_time, long_date

REASON_MAX_CHARS = 60
TERM_NAME_MAX_CHARS = 30
SOURCE_MAX_CHARS = 120
TERM_NAMES = ("Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2")
_YEAR_NAME = re.compile(r"(\d{4})/(\d{2})")

# Why a day is closed already, in words for an adviser ("... is already closed: the weekend").
CLOSED_WORDS = {
    "weekend": "the weekend",
    "not_staffed_day": "the line is not staffed on {detail}s",
    "half_term": "half term",
    "school_holidays": "the school holidays",
    "bank_holiday": "a bank holiday ({detail})",
    "extra_closure": "a closure day ({detail})",
    "unknown_dates": "it is outside the term dates we know",
    "after_hours": "it has closed for today",
    "before_hours": "it has not opened yet today",
}


class CalendarChangeError(ValueError):
    """A staff change the calendar rules refuse; the message says why, in plain words."""


@dataclass(frozen=True)
class Closure:
    """A closure day from staff: the whole day, or from a time to closing."""

    day: dt.date
    reason: str
    start: dt.time | None = None  # None: the whole day

    def as_toml(self) -> dict:
        entry = {"date": self.day, "reason": self.reason}
        if self.start is not None:
            entry["from"] = self.start.strftime("%H:%M")
        return entry


@dataclass(frozen=True)
class Overlay:
    """Everything staff have changed; empty for a new install (the shipped file as it is)."""

    closures: tuple[Closure, ...] = ()
    removed: frozenset[dt.date] = frozenset()
    confirmed: frozenset[str] = frozenset()
    years: tuple[dict, ...] = ()  # as in the file: name, provisional, source, terms [{name, start, end}]

    def to_json(self) -> dict:
        """A JSON-ready dict (dates as ISO strings)."""
        return {
            "closures": [{"date": c.day.isoformat(), "reason": c.reason,
                          "from": c.start.strftime("%H:%M") if c.start else ""} for c in self.closures],
            "removed": sorted(d.isoformat() for d in self.removed),
            "confirmed": sorted(self.confirmed),
            "years": [{**y, "terms": [{**t, "start": t["start"].isoformat(), "end": t["end"].isoformat()}
                                      for t in y["terms"]]} for y in self.years],
        }

    @classmethod
    def from_json(cls, raw: dict | None) -> "Overlay":
        """Back from to_json(); an empty or missing value is the empty overlay."""
        if not raw:
            return cls()
        closures = tuple(Closure(dt.date.fromisoformat(c["date"]), c["reason"],
                                 dt.time.fromisoformat(c["from"]) if c.get("from") else None)
                         for c in raw.get("closures", []))
        years = tuple({**y, "terms": [{**t, "start": dt.date.fromisoformat(t["start"]),
                                        "end": dt.date.fromisoformat(t["end"])} for t in y["terms"]]}
                      for y in raw.get("years", []))
        return cls(closures, frozenset(dt.date.fromisoformat(d) for d in raw.get("removed", [])),
                   frozenset(raw.get("confirmed", [])), years)

    @property
    def is_empty(self) -> bool:
        return not (self.closures or self.removed or self.confirmed or self.years)


@dataclass(frozen=True)
class Change:
    """One accepted change: the overlay after it, what it did (for the audit list), and the
    days on which callbacks are booked that are now closed (to move them)."""

    overlay: Overlay
    what: str
    newly_closed: tuple[dt.date, ...] = field(default=())


def merged_raw(raw: dict, overlay: Overlay) -> dict:
    """The file's TOML with the overlay laid over it (the file is not changed).

    Years staff entered that the file now lists too (a later release shipped them) are left to
    the file: the file wins.
    """
    out = copy.deepcopy(raw)
    years = out.setdefault("years", [])
    names = {y.get("name") for y in years}
    years.extend(copy.deepcopy(y) for y in overlay.years if y["name"] not in names)
    for year in years:
        if year.get("name") in overlay.confirmed:
            year["provisional"] = False
    ours = {c.day: c for c in overlay.closures}
    kept = [c for c in out.get("extra_closures", []) if c.get("date") not in overlay.removed and c.get("date") not in ours]
    out["extra_closures"] = kept + [c.as_toml() for c in overlay.closures]
    return out


class CalendarEditor:
    """The shipped file and its bank holidays; builds calendars and checks staff changes."""

    def __init__(self, raw: dict, holidays: BankHolidays):
        self.raw = raw
        self.holidays = holidays

    def calendar(self, overlay: Overlay) -> HelplineCalendar:
        """The calendar with staff changes; CalendarDataError if the result breaks the file's rules."""
        return HelplineCalendar(parse_calendar(merged_raw(self.raw, overlay)), self.holidays)

    def _checked(self, overlay: Overlay) -> HelplineCalendar:
        try:
            return self.calendar(overlay)
        except CalendarDataError as error:
            raise CalendarChangeError(f"That would break the calendar's rules: {error}.") from None

    def file_closures(self) -> set[dt.date]:
        return {c.get("date") for c in self.raw.get("extra_closures", [])}

    # --- the changes ------------------------------------------------------------------

    def add_closure(self, overlay: Overlay, day: dt.date, reason: str, *, today: dt.date) -> Change:
        """Close the line all day on `day` (today or later), for `reason`."""
        reason = clean_reason(reason)
        if day < today:
            raise CalendarChangeError(f"{long_date(day)} has passed: choose today or a later day.")
        current = self.calendar(overlay)
        status = current.day_status(day)
        if not status.is_open:
            raise CalendarChangeError(f"{long_date(day)} is already closed: {closed_words(status)}.")
        closures = tuple(c for c in overlay.closures if c.day != day) + (Closure(day, reason),)
        new = replace(overlay, closures=closures, removed=overlay.removed - {day})
        self._checked(new)
        return Change(new, f"closed {long_date(day)} all day, for {reason}", (day,))

    def close_rest_of_today(self, overlay: Overlay, now: dt.datetime, reason: str) -> Change:
        """Close the line from now (to the minute) until closing time today."""
        reason = clean_reason(reason)
        current = self.calendar(overlay)
        local = current.local(now)
        day, at = local.date(), local.time().replace(second=0, microsecond=0)
        status = current.status(local)
        if not (status.is_open or status.reason == "before_hours"):
            raise CalendarChangeError(f"The line is not open today: {closed_words(status)}. Nothing to close.")
        start = None if at <= current.data.opens else at
        closures = tuple(c for c in overlay.closures if c.day != day) + (Closure(day, reason, start),)
        new = replace(overlay, closures=closures, removed=overlay.removed - {day})
        self._checked(new)
        when = "all day" if start is None else f"from {clock_time(start)}"
        return Change(new, f"closed the line for the rest of today ({long_date(day)}) {when}, for {reason}", (day,))

    def remove_closure(self, overlay: Overlay, day: dt.date, *, today: dt.date) -> Change:
        """Open the line again on a closure day (today or later)."""
        if day < today:
            raise CalendarChangeError(f"{long_date(day)} has passed: it cannot be changed now.")
        ours = any(c.day == day for c in overlay.closures)
        in_file = day in self.file_closures() and day not in overlay.removed
        if not (ours or in_file):
            raise CalendarChangeError(f"{long_date(day)} is not a closure day.")
        new = replace(overlay, closures=tuple(c for c in overlay.closures if c.day != day),
                      removed=overlay.removed | {day} if in_file else overlay.removed)
        calendar = self._checked(new)
        after = calendar.day_status(day)
        still = "" if after.is_open else f" (the line is still closed that day: {closed_words(after)})"
        return Change(new, f"removed the closure on {long_date(day)}{still}")

    def confirm_year(self, overlay: Overlay, name: str) -> Change:
        """Mark a school year's term dates as checked (no longer provisional)."""
        years = {y.get("name"): y for y in merged_raw(self.raw, overlay).get("years", [])}
        if name not in years:
            raise CalendarChangeError(f"There is no school year {name!r} in the calendar.")
        if not years[name].get("provisional", True):
            raise CalendarChangeError(f"The {name} term dates are already confirmed.")
        new = replace(overlay, confirmed=overlay.confirmed | {name})
        self._checked(new)
        return Change(new, f"confirmed the {name} term dates (no longer provisional)")

    def add_year(self, overlay: Overlay, name: str, terms: list[tuple[str, dt.date | None, dt.date | None]], *,
                 provisional: bool, source: str = "") -> Change:
        """Enter a school year's terms after the last one known. `terms`: (name, start, end),
        rows with no dates at all are skipped; at least one term is needed."""
        name = name.strip()
        first_year = _year_name(name)
        known = {y.get("name") for y in merged_raw(self.raw, overlay).get("years", [])}
        if name in known:
            raise CalendarChangeError(f"The {name} school year is already in the calendar.")
        rows = []
        for term_name, start, end in terms:
            term_name = " ".join((term_name or "").split())
            if start is None and end is None:
                continue
            rows.append(_term(term_name, start, end, first_year))
        if not rows:
            raise CalendarChangeError("Give the start and end date of at least one term.")
        source = " ".join((source or "").split())[:SOURCE_MAX_CHARS] or "entered on the staff page"
        year = {"name": name, "provisional": bool(provisional), "source": source, "terms": rows}
        new = replace(overlay, years=overlay.years + (year,))
        self._checked(new)
        first, last = rows[0]["start"], rows[-1]["end"]
        state = "provisional" if provisional else "confirmed"
        return Change(new, f"entered the {name} terms ({len(rows)} terms, {long_date(first)} to {long_date(last)}, {state})")


# --- checks on what staff type -------------------------------------------------------------


def clean_reason(reason: str) -> str:
    """The closure reason parents hear ("closed today, for staff training"): short, plain text."""
    text = " ".join((reason or "").split()).rstrip(".")
    if not text:
        raise CalendarChangeError("Say why the line is closed (for example: staff training). Parents hear it.")
    if len(text) > REASON_MAX_CHARS:
        raise CalendarChangeError(f"Keep the reason short: at most {REASON_MAX_CHARS} characters (parents hear it).")
    bad = gsm7.first_non_gsm7(text)
    if bad is not None or any(ch in text for ch in "{}[]<>\\^~|€"):
        raise CalendarChangeError("Use plain letters, numbers and simple punctuation in the reason.")
    return text


def closed_words(status: Status) -> str:
    """Why a day is closed, for an adviser."""
    return CLOSED_WORDS.get(status.reason, status.reason.replace("_", " ")).format(detail=status.detail)


def next_year_name(last: str) -> str:
    """'2026/27' -> '2027/28' (what to offer in the form)."""
    match = _YEAR_NAME.fullmatch(last or "")
    if not match:
        return ""
    first = int(match.group(1)) + 1
    return f"{first}/{(first + 1) % 100:02d}"


def _year_name(name: str) -> int:
    match = _YEAR_NAME.fullmatch(name)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise CalendarChangeError("Write the school year like 2027/28.")
    return int(match.group(1))


def _term(name: str, start: dt.date | None, end: dt.date | None, first_year: int) -> dict:
    label = name or "a term"
    if not name:
        raise CalendarChangeError("Give each term a name (for example: Autumn 1).")
    if len(name) > TERM_NAME_MAX_CHARS:
        raise CalendarChangeError(f"Keep term names short (at most {TERM_NAME_MAX_CHARS} characters).")
    if start is None or end is None:
        raise CalendarChangeError(f"{label}: give both the first and the last day of the term.")
    if start > end:
        raise CalendarChangeError(f"{label}: the first day ({long_date(start)}) is after the last ({long_date(end)}).")
    earliest, latest = dt.date(first_year, 8, 1), dt.date(first_year + 1, 8, 31)
    if start < earliest or end > latest:
        raise CalendarChangeError(f"{label}: the dates must fall in the school year, between "
                                  f"{long_date(earliest)} and {long_date(latest)}.")
    for what, day in (("first", start), ("last", end)):
        if day.weekday() >= 5:
            raise CalendarChangeError(f"{label}: the {what} day, {long_date(day)}, is a weekend day. Check the date.")
    return {"name": name, "start": start, "end": end}
