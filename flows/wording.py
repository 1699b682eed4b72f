"""Dates and times written the way parents read them and hear them."""

from __future__ import annotations

import datetime as dt


def ordinal(n: int) -> str:
    """1 -> '1st', 22 -> '22nd', 13 -> '13th'."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def long_date(day: dt.date, *, year: bool = True) -> str:
    """'Monday 2 March 2026': the one way dates are written in texts and on the staff page."""
    text = f"{day:%A} {day.day} {day:%B}"
    return f"{text} {day.year}" if year else text


def spoken_date(day: dt.date, *, year: bool = False) -> str:
    """'Monday the 2nd of March': how a date is read out on a call."""
    text = f"{day:%A} the {ordinal(day.day)} of {day:%B}"
    return f"{text} {day.year}" if year else text


def clock_time(t: dt.time) -> str:
    """'10am', '2:30pm', '12 noon': times as parents say them."""
    if t.hour == 12 and t.minute == 0:
        return "12 noon"
    hour = t.hour % 12 or 12
    half = "am" if t.hour < 12 else "pm"
    return f"{hour}{half}" if t.minute == 0 else f"{hour}:{t.minute:02d}{half}"
