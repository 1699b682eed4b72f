"""Working days as the Tribunal and the SEND Regulations count them.

A working day is any day except Saturday, Sunday and a bank holiday in England & Wales
(Christmas Day, Good Friday, substitute days and the calendar file's one-off extra days are all
in `bank_holidays()`). School holidays are NOT counted out: the Tribunal and the regulations do
not stop for half term, and 24 and 31 December are ordinary working days (rule R6).

Every function takes an optional `bh` (a BankHolidays); by default the one shared source,
`flows.calendar_data.bank_holidays()`, is used. Tests pass their own.
"""

from __future__ import annotations

import datetime as dt
import re

from flows.calendar_data import BankHolidays, bank_holidays
from flows.copy import load_copy

ONE_DAY = dt.timedelta(days=1)
# The holidays package says "(observed)"; calendar_data rewrites it as "(substitute day)".
_SUBSTITUTE = re.compile(r"\s*\((?:observed|substitute(?: day)?)\)\s*$", re.IGNORECASE)
# Far more than the longest run of non-working days (a long weekend plus Christmas), so a
# broken holiday source fails loudly instead of looping forever.
_MAX_SEARCH_DAYS = 60


def _holidays(bh: BankHolidays | None) -> BankHolidays:
    return bank_holidays() if bh is None else bh


def is_working_day(day: dt.date, bh: BankHolidays | None = None) -> bool:
    """True on a day the Tribunal counts as a working day."""
    return day.weekday() < 5 and day not in _holidays(bh)


def non_working_reason(day: dt.date, bh: BankHolidays | None = None) -> str | None:
    """Why `day` is not a working day, in words that fit "<day> is ...", or None if it is one.

    e.g. "a Saturday", "Easter Monday, a bank holiday", "the Spring Bank Holiday",
    "a substitute bank holiday for Boxing Day", "a Saturday and Boxing Day".
    """
    copy = load_copy()
    name = _holidays(bh).name(day)
    weekday = f"{day:%A}"
    if name is None:
        return copy.text("deadlines.day_weekend", weekday=weekday) if day.weekday() >= 5 else None
    name = name.strip()
    if day.weekday() >= 5:
        return copy.text("deadlines.day_weekend_and_holiday", weekday=weekday, name=name)
    substitute = _SUBSTITUTE.search(name)
    if substitute:
        return copy.text("deadlines.day_substitute", name=name[: substitute.start()].strip())
    if "bank holiday" in name.lower():
        return copy.text("deadlines.day_named_bank_holiday", name=name)
    return copy.text("deadlines.day_bank_holiday", name=name)


def _step(day: dt.date, step: dt.timedelta, bh: BankHolidays | None) -> dt.date:
    holidays = _holidays(bh)
    for _ in range(_MAX_SEARCH_DAYS):
        if is_working_day(day, holidays):
            return day
        day += step
    raise RuntimeError(f"no working day within {_MAX_SEARCH_DAYS} days of {day}: check the bank holiday data")


def on_or_next_working_day(day: dt.date, bh: BankHolidays | None = None) -> dt.date:
    """`day` itself if it is a working day, otherwise the first working day after it (rule R4)."""
    return _step(day, ONE_DAY, bh)


def on_or_previous_working_day(day: dt.date, bh: BankHolidays | None = None) -> dt.date:
    """`day` itself if it is a working day, otherwise the last working day before it."""
    return _step(day, -ONE_DAY, bh)


def first_working_day_after(day: dt.date, bh: BankHolidays | None = None) -> dt.date:
    """The first working day strictly after `day` (e.g. "after 31 August", rule R5)."""
    return _step(day + ONE_DAY, ONE_DAY, bh)


def last_working_day_before(day: dt.date, bh: BankHolidays | None = None) -> dt.date:
    """The last working day strictly before `day` (the "safe target" for a non-working day)."""
    return _step(day - ONE_DAY, -ONE_DAY, bh)


def add_working_days(day: dt.date, n: int, bh: BankHolidays | None = None) -> dt.date:
    """The n-th working day after `day`; `day` itself is not counted (rule R8: "within 3 working days").

    add_working_days(Wed 1 Apr 2026, 3) is Wed 8 Apr 2026 (Good Friday, the weekend and
    Easter Monday are skipped). n must be 0 or more; with 0 the day itself is returned.
    """
    if n < 0:
        raise ValueError("n must be 0 or more")
    holidays = _holidays(bh)
    for _ in range(n):
        day = first_working_day_after(day, holidays)
    return day
