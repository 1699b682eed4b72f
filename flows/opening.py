"""Sentences that tell a parent whether the line is open, why not, and when it opens next.

They never promise an adviser who cannot be reached: see status_sentences(put_through=).
"""

from __future__ import annotations

import datetime as dt

from flows.copy import Copy
from flows.hours import HelplineCalendar
from flows.wording import clock_time, long_date, spoken_date


def _days(calendar: HelplineCalendar) -> str:
    names = [dt.date(2024, 1, 1 + d).strftime("%A") for d in sorted(calendar.data.open_weekdays)]
    if names == ["Monday", "Tuesday", "Wednesday", "Thursday"]:
        return "Monday to Thursday"
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def opening_hours(calendar: HelplineCalendar, copy: Copy, *, spoken: bool) -> str:
    """'The helpline is open 10am to 3pm, Monday to Thursday, in school term time.'"""
    values = dict(opens=clock_time(calendar.data.opens), closes=clock_time(calendar.data.closes), days=_days(calendar))
    return (copy.say if spoken else copy.text)("hours.opening_hours", **values)


def next_opening_sentence(calendar: HelplineCalendar, copy: Copy, at: dt.datetime, *, spoken: bool) -> str:
    """'We open again on Monday the 23rd of November at 10am.', 'We open today at 10am.' before
    opening on a staffed day (or a safe sentence past the known dates)."""
    render = copy.say if spoken else copy.text
    opening = calendar.next_opening(at)
    if opening is None:
        return render("hours.next_opening_unknown") + " " + opening_hours(calendar, copy, spoken=spoken)
    if opening.date() == calendar.local(at).date():
        return render("hours.opens_today", time=clock_time(opening.time()))
    day = spoken_date(opening.date()) if spoken else long_date(opening.date())
    return render("hours.next_opening", day=day, time=clock_time(opening.time()))


def status_sentences(calendar: HelplineCalendar, copy: Copy, at: dt.datetime, *, spoken: bool,
                     put_through: bool = False) -> list[str]:
    """Open now, or closed + why + when it opens next.

    "An adviser is available now" only with `put_through`: the caller can be put through to an
    adviser this moment (the phone, in hours, with a number to put them through to). Otherwise
    an open line is just "open now": a texter, or a caller when no one can take the call.
    """
    render = copy.say if spoken else copy.text
    status = calendar.status(at)
    if status.is_open:
        return [render("hours.adviser_now" if put_through else "hours.open_now")]
    return [render(f"hours.closed_{status.reason}", detail=status.detail),
            next_opening_sentence(calendar, copy, at, spoken=spoken)]
