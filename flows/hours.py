"""HelplineCalendar: is the line open, why not, and when does it next open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

from flows.calendar_data import DEFAULT_PATH, BankHolidays, CalendarData, Term, bank_holidays, load_calendar

# Why the line is closed; the words for each live in flows/content/messages/hours.toml.
OPEN = "open"
WEEKEND = "weekend"
NOT_STAFFED_DAY = "not_staffed_day"
BEFORE_HOURS = "before_hours"
AFTER_HOURS = "after_hours"
HALF_TERM = "half_term"
SCHOOL_HOLIDAYS = "school_holidays"
BANK_HOLIDAY = "bank_holiday"
EXTRA_CLOSURE = "extra_closure"
UNKNOWN_DATES = "unknown_dates"

SEARCH_DAYS = 400


@dataclass(frozen=True)
class Status:
    """Open or closed at a moment, why, and the detail a parent might need (holiday name)."""

    reason: str
    detail: str = ""

    @property
    def is_open(self) -> bool:
        """True when an adviser should be there now."""
        return self.reason == OPEN


class HelplineCalendar:
    """Helpline hours from calendar.toml, bank holidays and term dates."""

    def __init__(self, data: CalendarData, holidays: BankHolidays):
        self.data = data
        self.holidays = holidays
        self.tz = ZoneInfo(data.timezone)

    @classmethod
    def load(cls, path: Path | None = None) -> "HelplineCalendar":
        """The calendar from the data file (the shipped one unless a path is given)."""
        path = path or DEFAULT_PATH
        return cls(load_calendar(path), bank_holidays(path))

    def local(self, at: dt.datetime) -> dt.datetime:
        """`at` in London time (naive values are taken as London time)."""
        return at.replace(tzinfo=self.tz) if at.tzinfo is None else at.astimezone(self.tz)

    def term_for(self, day: dt.date) -> Term | None:
        """The term that day falls in, if any."""
        for term in self.data.terms:
            if term.start <= day <= term.end:
                return term
        return None

    def _break_reason(self, day: dt.date) -> Status:
        """Between terms: half term or the longer school holidays."""
        if not (self.data.first_known_day <= day <= self.data.last_known_day):
            return Status(UNKNOWN_DATES)
        before = max((t for t in self.data.terms if t.end < day), key=lambda t: t.end)
        after = min((t for t in self.data.terms if t.start > day), key=lambda t: t.start)
        same_season = before.name.split()[0] == after.name.split()[0]
        return Status(HALF_TERM) if same_season else Status(SCHOOL_HOLIDAYS)

    def day_status(self, day: dt.date) -> Status:
        """Whether the line is staffed at all on that day, ignoring the time."""
        holiday = self.holidays.name(day)
        if holiday:
            return Status(BANK_HOLIDAY, holiday)
        if day in self.data.extra_closures:
            return Status(EXTRA_CLOSURE, self.data.extra_closures[day])
        if day.weekday() >= 5:
            return Status(WEEKEND)
        if self.term_for(day) is None:
            return self._break_reason(day)
        if day.weekday() not in self.data.open_weekdays:
            return Status(NOT_STAFFED_DAY, f"{day:%A}")
        return Status(OPEN)

    def status(self, at: dt.datetime) -> Status:
        """Open, or closed and why, at a moment."""
        local = self.local(at)
        day = self.day_status(local.date())
        if not day.is_open:
            return day
        if local.time() < self.data.opens:
            return Status(BEFORE_HOURS)
        if local.time() >= self.data.closes:
            return Status(AFTER_HOURS)
        early = self.data.closed_from.get(local.date())
        if early and local.time() >= early[0]:
            return Status(EXTRA_CLOSURE, early[1])  # staff closed the line for the rest of the day
        return day

    def is_open(self, at: dt.datetime) -> bool:
        """True when the line is staffed at that moment."""
        return self.status(at).is_open

    def open_days(self, start: dt.date) -> Iterator[dt.date]:
        """Staffed days from `start` on (inclusive), as far as the data file knows."""
        day = start
        for _ in range(SEARCH_DAYS):
            if day > self.data.last_known_day:
                return
            if self.day_status(day).is_open:
                yield day
            day += dt.timedelta(days=1)

    def opening_on(self, day: dt.date) -> dt.datetime:
        """The moment the line opens on that day (London time, correct across clock changes)."""
        return dt.datetime.combine(day, self.data.opens, tzinfo=self.tz)

    def next_opening(self, at: dt.datetime) -> dt.datetime | None:
        """When the line next opens after `at` (or `at` itself if open now); None past the known dates."""
        local = self.local(at)
        if self.is_open(local):
            return local
        start = local.date() if local.time() < self.data.opens else local.date() + dt.timedelta(days=1)
        return next((self.opening_on(d) for d in self.open_days(start)), None)

    def warnings(self, day: dt.date) -> list[str]:
        """Why staff should check the data file for this day (provisional year, unknown dates)."""
        if not (self.data.first_known_day <= day <= self.data.last_known_day):
            return [f"{day} is outside the term dates in calendar.toml ({self.data.first_known_day} to "
                    f"{self.data.last_known_day}): add the next school year's dates on the staff Calendar page."]
        term = self.term_for(day) or next((t for t in self.data.terms if t.start > day), None)
        if term and term.provisional:
            return [f"the {term.year} term dates are provisional: check them against the council's "
                    "'School term and holiday dates' page and confirm them on the staff Calendar page."]
        return []
