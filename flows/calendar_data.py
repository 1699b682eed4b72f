"""Load and validate the calendar data file, and know England & Wales bank holidays."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


DEFAULT_PATH = Path(__file__).parent / "data" / "calendar.toml"
HOURS_KEYS = {"timezone", "opens", "closes", "days"}
YEAR_KEYS = {"name", "provisional", "source", "terms"}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class CalendarDataError(ValueError):
    """The calendar data file is wrong; the message says where and how to fix it."""


@dataclass(frozen=True)
class Term:
    """One school term: the helpline is staffed on its open days between start and end."""

    name: str
    start: dt.date
    end: dt.date
    year: str
    provisional: bool


@dataclass(frozen=True)
class CalendarData:
    """Everything in calendar.toml, checked."""

    timezone: str
    opens: dt.time
    closes: dt.time
    open_weekdays: frozenset[int]
    terms: tuple[Term, ...]
    extra_closures: dict[dt.date, str] = field(default_factory=dict)
    extra_bank_holidays: dict[dt.date, str] = field(default_factory=dict)
    # Closed for the rest of a day from a time (an extra closure with `from`): day -> (from, reason).
    closed_from: dict[dt.date, tuple[dt.time, str]] = field(default_factory=dict)

    @property
    def first_known_day(self) -> dt.date:
        """The first day of the first term in the file."""
        return self.terms[0].start

    @property
    def last_known_day(self) -> dt.date:
        """The last day of the last term in the file."""
        return self.terms[-1].end


def _time(value: str, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except (TypeError, ValueError):
        raise CalendarDataError(f"{where}: {value!r} is not a time like 10:00") from None


def _date(value: object, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise CalendarDataError(f"{where}: {value!r} is not a date like 2026-09-02")


def parse_calendar(raw: dict) -> CalendarData:
    """Build CalendarData from the parsed TOML, raising CalendarDataError on any mistake."""
    hours = raw.get("hours", {})
    stray = sorted(set(hours) - HOURS_KEYS)
    if stray:
        raise CalendarDataError(f"hours: unknown {', '.join(stray)} (top-level settings go above the [hours] table)")
    opens = _time(hours.get("opens", ""), "hours.opens")
    closes = _time(hours.get("closes", ""), "hours.closes")
    if not opens < closes:
        raise CalendarDataError("hours: 'opens' must be before 'closes'")
    if not (dt.time(7) <= opens and closes <= dt.time(21)):
        raise CalendarDataError("hours: the line must open and close between 07:00 and 21:00")
    days = hours.get("days", [])
    unknown = [d for d in days if d not in WEEKDAYS]
    if not days or unknown:
        raise CalendarDataError(f"hours.days: use day names like Monday (got {unknown or days})")
    timezone = hours.get("timezone", "Europe/London")

    terms: list[Term] = []
    for year in raw.get("years", []):
        name = year.get("name", "?")
        stray = sorted(set(year) - YEAR_KEYS)
        if stray:  # e.g. extra_closures written below a [[years]] table belongs to that table
            raise CalendarDataError(f"years {name}: unknown {', '.join(stray)} (top-level settings go above the [[years]] tables)")
        for t in year.get("terms", []):
            where = f"years {name}, term {t.get('name', '?')}"
            start, end = _date(t.get("start"), where + " start"), _date(t.get("end"), where + " end")
            if start > end:
                raise CalendarDataError(f"{where}: starts after it ends")
            terms.append(Term(t.get("name", "?"), start, end, name, bool(year.get("provisional", True))))
    if not terms:
        raise CalendarDataError("years: no terms are listed")
    for before, after in zip(terms, terms[1:]):
        if after.start <= before.end:
            raise CalendarDataError(
                f"terms out of order or overlapping: {before.year} {before.name} ends {before.end}, "
                f"{after.year} {after.name} starts {after.start}"
            )

    closures, closed_from = _closures(raw.get("extra_closures", []), opens, closes)
    extra_bh = {_date(b.get("date"), "extra_bank_holidays"): str(b.get("name", "bank holiday")) for b in raw.get("extra_bank_holidays", [])}
    return CalendarData(
        timezone=timezone,
        opens=opens,
        closes=closes,
        open_weekdays=frozenset(WEEKDAYS.index(d) for d in days),
        terms=tuple(terms),
        extra_closures=closures,
        extra_bank_holidays=extra_bh,
        closed_from=closed_from,
    )


def _closures(entries: list, opens: dt.time, closes: dt.time) -> tuple[dict, dict]:
    """Whole-day closures, and closures from a time of day (`from = "12:30"`) to closing time.

    A `from` at or before opening time closes the whole day; one at or after closing time is a
    mistake (the line has closed by then anyway).
    """
    whole: dict[dt.date, str] = {}
    part: dict[dt.date, tuple[dt.time, str]] = {}
    for c in entries:
        day = _date(c.get("date"), "extra_closures")
        reason = str(c.get("reason", "closed"))
        if day in whole or day in part:
            raise CalendarDataError(f"extra_closures: {day} is listed twice")
        if c.get("from") in (None, ""):
            whole[day] = reason
            continue
        start = _time(c.get("from"), f"extra_closures {day} from")
        if start >= closes:
            raise CalendarDataError(f"extra_closures {day}: 'from' {start:%H:%M} is after the line closes")
        if start <= opens:
            whole[day] = reason
        else:
            part[day] = (start, reason)
    return whole, part


def read_raw(path: Path | None = None) -> dict:
    """The data file as parsed TOML, unchecked (staff changes are laid over it, then checked)."""
    with open(path or DEFAULT_PATH, "rb") as f:
        try:
            return tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise CalendarDataError(f"{(path or DEFAULT_PATH).name}: {exc}") from None


@lru_cache(maxsize=4)
def load_calendar(path: Path = DEFAULT_PATH) -> CalendarData:
    """Read and check calendar.toml (cached: the file changes once a year)."""
    return parse_calendar(read_raw(path))


BANK_HOLIDAYS_PATH = Path(__file__).parent / "data" / "bank_holidays.toml"
FIRST_TABLE_YEAR, LAST_TABLE_YEAR = 2000, 2060


def package_bank_holidays(years) -> dict[dt.date, str]:
    """England & Wales bank holidays from the holidays package (loaded only when asked)."""
    import holidays

    known = holidays.country_holidays("GB", subdiv="ENG", years=list(years))
    return {day: name.replace("(observed)", "(substitute day)") for day, name in known.items()}


@lru_cache(maxsize=2)
def _table(path: Path = BANK_HOLIDAYS_PATH) -> tuple[int, int, dict[dt.date, str]]:
    """(first year, last year, day -> name) from the shipped table (scripts/make_bank_holidays.py)."""
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    days = {day if isinstance(day, dt.date) else dt.date.fromisoformat(day): str(name)
            for day, name in raw["days"].items()}
    return int(raw["first_year"]), int(raw["last_year"]), days


class BankHolidays:
    """England & Wales bank holidays (substitute days included) plus the file's extra ones.

    Read from the shipped table for its years; for a year outside it (a deadline decades away),
    from the holidays package, loaded then and not before.
    """

    def __init__(self, extra: dict[dt.date, str] | None = None):
        self._extra = dict(extra or {})
        self._first, self._last, self._known = _table()
        self._other: dict[int, dict[dt.date, str]] = {}

    def _outside(self, year: int) -> dict[dt.date, str]:
        if year not in self._other:
            self._other[year] = package_bank_holidays([year])
        return self._other[year]

    def name(self, day: dt.date) -> str | None:
        """The holiday's name, or None on an ordinary day."""
        if day in self._extra:
            return self._extra[day]
        if self._first <= day.year <= self._last:
            return self._known.get(day)
        return self._outside(day.year).get(day)

    def __contains__(self, day: dt.date) -> bool:
        return self.name(day) is not None


@lru_cache(maxsize=4)
def bank_holidays(path: Path = DEFAULT_PATH) -> BankHolidays:
    """The one bank-holiday source for the helpline calendar and the deadline calculator."""
    return BankHolidays(load_calendar(path).extra_bank_holidays)
