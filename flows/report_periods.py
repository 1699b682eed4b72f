"""Reporting periods: academic years, terms, quarters, months, ISO weeks and days (pure).

A period is named by a short string, its `which`, that also says its kind:

    year      2026/27            1 September 2026 to 31 August 2027
    term      2026/27-autumn     autumn, spring or summer of that academic year (below)
    quarter   2026/27-q1         q1 September-November, q2 December-February, q3 March-May, q4 June-August
    month     2026-11            a calendar month
    week      2026-W48           an ISO week, Monday to Sunday
    day       2026-11-23         one day (the columns of a week's report)

Terms cover the whole academic year with no gaps, so every contact falls in one: the autumn
term runs from 1 September to the day before the first spring term starts, the spring term to
the day before the first summer term starts, and the summer term to 31 August (each holiday
belongs to the term before it). The start dates come from the helpline calendar's terms
(flows/calendar_data.py, names beginning "Spring", "Summer"); a year the calendar does not know
uses months (spring from 1 January, summer from 1 April) and says so in its label.

Quarters are quarters of the academic year, named by their months in every label, so nobody
mistakes them for the council's financial quarters.

A report is split into columns: a year, term or quarter by month; a month by week (the weeks
cut at the month's ends); a week by day.

`helpline_days_waited` counts helpline days (days the line is staffed, by the calendar) from a
request to the first call: the days after the day of the request up to and including the day of
the call, so a call on the day of asking is 0 and one on the next helpline day is 1.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable

KINDS = ("year", "term", "quarter", "month", "week")
KIND_WORDS = {"year": "Academic year", "term": "Term", "quarter": "Quarter", "month": "Month", "week": "Week"}
TERMS = ("autumn", "spring", "summer")
QUARTER_MONTHS = {1: (9, 10, 11), 2: (12, 1, 2), 3: (3, 4, 5), 4: (6, 7, 8)}
FIRST_YEAR, LAST_YEAR = 2000, 2099
MAX_WAIT_DAYS = 800  # anything else is a typing mistake, not a report

_YEAR = re.compile(r"(\d{4})/(\d{2})")
_PATTERNS = {
    "year": re.compile(r"^(\d{4})/(\d{2})$"),
    "term": re.compile(r"^(\d{4})/(\d{2})-(autumn|spring|summer)$"),
    "quarter": re.compile(r"^(\d{4})/(\d{2})-q([1-4])$"),
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "week": re.compile(r"^(\d{4})-w(\d{2})$"),
    "day": re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
}


class PeriodError(ValueError):
    """A period that cannot be read; the message says how to write one."""


@dataclass(frozen=True)
class Period:
    """A run of days, both ends included, with its name and labels."""

    kind: str
    which: str
    start: dt.date
    end: dt.date
    label: str  # "Autumn term 2026/27"
    short: str  # for a column heading: "Nov 2026", "w/c 23 Nov", "Mon 23 Nov"

    def days(self) -> list[dt.date]:
        """Every day of the period, in order."""
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def long_date(day: dt.date) -> str:
    """'Monday 2 March 2026' (as flows.wording writes dates)."""
    return f"{day:%A} {day.day} {day:%B} {day.year}"


def academic_year_start(day: dt.date) -> int:
    """The calendar year in which the academic year containing `day` began (1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def year_name(start_year: int) -> str:
    """2026 -> '2026/27'."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def year_of(day: dt.date) -> str:
    """The academic year's name for a day: 23 November 2026 -> '2026/27'."""
    return year_name(academic_year_start(day))


def year_bounds(start_year: int) -> tuple[dt.date, dt.date]:
    """1 September to 31 August."""
    return dt.date(start_year, 9, 1), dt.date(start_year + 1, 8, 31)


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _check_year(start_year: int, two: str | None = None) -> None:
    if not FIRST_YEAR <= start_year <= LAST_YEAR:
        raise PeriodError(f"{start_year} is outside the years reports cover ({FIRST_YEAR} to {LAST_YEAR}).")
    if two is not None and int(two) != (start_year + 1) % 100:
        raise PeriodError(f"{start_year}/{two} is not an academic year: write it as {year_name(start_year)}.")


# --- building periods ------------------------------------------------------------------------


def year(start_year: int) -> Period:
    """An academic year."""
    start, end = year_bounds(start_year)
    name = year_name(start_year)
    return Period("year", name, start, end, f"Academic year {name}", name)


def term_starts(start_year: int, terms: Iterable = ()) -> tuple[dt.date, dt.date, bool]:
    """(first day of spring, first day of summer, known from the calendar?) for an academic year.

    `terms` are flows.calendar_data.Term values (name, start); the first term of each season
    that starts inside the academic year gives its date.
    """
    first, last = year_bounds(start_year)
    found: dict[str, dt.date] = {}
    for term in terms:
        season = str(term.name).split()[0].lower() if str(term.name).split() else ""
        if season in ("spring", "summer") and first <= term.start <= last:
            found[season] = min(found.get(season, term.start), term.start)
    if "spring" in found and "summer" in found and found["spring"] < found["summer"]:
        return found["spring"], found["summer"], True
    return dt.date(start_year + 1, 1, 1), dt.date(start_year + 1, 4, 1), False


def term(start_year: int, season: str, terms: Iterable = ()) -> Period:
    """One of the three terms of an academic year (see the module docstring)."""
    spring, summer, known = term_starts(start_year, terms)
    first, last = year_bounds(start_year)
    start, end = {"autumn": (first, spring - dt.timedelta(days=1)),
                  "spring": (spring, summer - dt.timedelta(days=1)),
                  "summer": (summer, last)}[season]
    name = year_name(start_year)
    label = f"{season.capitalize()} term {name}"
    if not known:
        label += " (term dates not known: months used)"
    return Period("term", f"{name}-{season}", start, end, label, f"{season.capitalize()} {name}")


def quarter(start_year: int, number: int) -> Period:
    """A quarter of the academic year (1: September to November ... 4: June to August)."""
    months = QUARTER_MONTHS[number]
    first_year = start_year if months[0] >= 9 else start_year + 1
    start = dt.date(first_year, months[0], 1)
    last_year = start_year if months[-1] >= 9 else start_year + 1
    end = _month_end(last_year, months[-1])
    name = year_name(start_year)
    span = f"{start:%B} to {end:%B %Y}" if start.year == end.year else f"{start:%B %Y} to {end:%B %Y}"
    return Period("quarter", f"{name}-q{number}", start, end, f"Quarter {number} of {name}: {span}",
                  f"Q{number} {name}")


def month(year_: int, month_: int) -> Period:
    """A calendar month."""
    start = dt.date(year_, month_, 1)
    return Period("month", f"{year_}-{month_:02d}", start, _month_end(year_, month_), f"{start:%B %Y}",
                  f"{start:%b %Y}")


def week(iso_year: int, iso_week: int) -> Period:
    """An ISO week, Monday to Sunday."""
    try:
        start = dt.date.fromisocalendar(iso_year, iso_week, 1)
    except ValueError:
        raise PeriodError(f"{iso_year} has no week {iso_week}.") from None
    return Period("week", f"{iso_year}-W{iso_week:02d}", start, start + dt.timedelta(days=6),
                  f"Week beginning {long_date(start)}", f"w/c {start.day} {start:%b}")


def day(when: dt.date) -> Period:
    """One day."""
    return Period("day", when.isoformat(), when, when, long_date(when), f"{when:%a} {when.day} {when:%b}")


# --- reading and choosing --------------------------------------------------------------------


def kind_of(which: str) -> str | None:
    """The kind a `which` is written as, or None."""
    text = (which or "").strip().lower()
    return next((kind for kind, pattern in _PATTERNS.items() if pattern.match(text)), None)


def parse(which: str, terms: Iterable = ()) -> Period:
    """The period a `which` names (see the module docstring); PeriodError in plain words otherwise."""
    text = (which or "").strip().lower()[:40]
    kind = kind_of(text)
    if kind is None:
        raise PeriodError("Write the period as 2026/27 (a year), 2026/27-autumn (a term), 2026/27-q1 (a quarter), "
                          "2026-11 (a month) or 2026-W48 (a week).")
    parts = _PATTERNS[kind].match(text).groups()
    if kind in ("year", "term", "quarter"):
        start_year = int(parts[0])
        _check_year(start_year, parts[1])
        if kind == "year":
            return year(start_year)
        if kind == "term":
            return term(start_year, parts[2], terms)
        return quarter(start_year, int(parts[2]))
    _check_year(int(parts[0]))
    if kind == "month":
        if not 1 <= int(parts[1]) <= 12:
            raise PeriodError(f"{text}: there is no month {int(parts[1])}.")
        return month(int(parts[0]), int(parts[1]))
    if kind == "week":
        return week(int(parts[0]), int(parts[1]))
    try:
        return day(dt.date(int(parts[0]), int(parts[1]), int(parts[2])))
    except ValueError:
        raise PeriodError(f"{text} is not a date.") from None


def containing(kind: str, when: dt.date, terms: Iterable = ()) -> Period:
    """The period of this kind that `when` falls in."""
    start_year = academic_year_start(when)
    if kind == "year":
        return year(start_year)
    if kind == "term":
        return next(t for t in (term(start_year, s, terms) for s in TERMS) if when in t)
    if kind == "quarter":
        return next(q for q in (quarter(start_year, n) for n in QUARTER_MONTHS) if when in q)
    if kind == "month":
        return month(when.year, when.month)
    if kind == "week":
        iso = when.isocalendar()
        return week(iso[0], iso[1])
    if kind == "day":
        return day(when)
    raise PeriodError(f"Choose a period: {', '.join(KINDS)}.")


def step(period: Period, by: int, terms: Iterable = ()) -> Period:
    """The period of the same kind `by` before (-1) or after (+1)."""
    anchor = period.start - dt.timedelta(days=1) if by < 0 else period.end + dt.timedelta(days=1)
    return containing(period.kind, anchor, terms)


def columns(period: Period, terms: Iterable = ()) -> list[Period]:
    """How a report on `period` is split: by month, by week (cut at the month's ends), or by day."""
    if period.kind == "week":
        return [day(d) for d in period.days()]
    if period.kind == "month":
        cols, start = [], period.start
        while start <= period.end:
            whole = containing("week", start)
            end = min(whole.end, period.end)
            label = f"{start.day} to {end.day} {end:%b}" if end != start else f"{start.day} {start:%b}"
            words = f"{long_date(start)} to {long_date(end)}" if end != start else long_date(start)
            cols.append(Period("days", f"{start.isoformat()}..{end.isoformat()}", start, end, words, label))
            start = end + dt.timedelta(days=1)
        return cols
    cols, start = [], period.start
    while start <= period.end:
        whole = month(start.year, start.month)
        end = min(whole.end, period.end)
        cols.append(whole if (start, end) == (whole.start, whole.end) else
                    Period("days", f"{start.isoformat()}..{end.isoformat()}", start, end,
                           f"{long_date(start)} to {long_date(end)}", f"{start:%b %Y} (part)"))
        start = end + dt.timedelta(days=1)
    return cols


def choices(kind: str, today: dt.date, first_year: int, terms: Iterable = ()) -> list[Period]:
    """The periods of a kind a report can be asked for, newest first: from the start of the
    academic year `first_year` (the oldest kept) up to the one containing today."""
    found, current = [], containing(kind, today, terms)
    oldest = dt.date(first_year, 9, 1)
    while current.end >= oldest and len(found) < 260:
        found.append(current)
        current = step(current, -1, terms)
    return found


def academic_parts(period: Period) -> list[tuple[str, dt.date, dt.date]]:
    """The period cut at 31 August: (academic year name, first day, last day) for each part."""
    parts, start = [], period.start
    while start <= period.end:
        end = min(period.end, year_bounds(academic_year_start(start))[1])
        parts.append((year_of(start), start, end))
        start = end + dt.timedelta(days=1)
    return parts


def helpline_days_waited(calendar, asked: dt.datetime, tried: dt.datetime) -> int:
    """Helpline days from a request to a call: staffed days after the day of asking, up to and
    including the day of the call (0: called the day they asked). `calendar` is a HelplineCalendar."""
    first, last = calendar.local(asked).date(), calendar.local(tried).date()
    count, current = 0, first + dt.timedelta(days=1)
    last = min(last, first + dt.timedelta(days=MAX_WAIT_DAYS))  # a damaged date cannot loop for years
    while current <= last:
        count += calendar.day_status(current).is_open
        current += dt.timedelta(days=1)
    return count
