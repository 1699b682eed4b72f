"""Callback requests: the rules, with no Redis, Flask, Twilio or rq.

A parent asks an adviser to call them back (by phone or by text). This module decides:
  - whether a request is urgent (a safety concern, or an appeal deadline within
    URGENT_WORKING_DAYS working days: flows.workingdays.add_working_days),
  - its place in the staff queue (queue_score: urgent first, then first asked),
  - which helpline days to offer, in order, for booking (first_booking_day, candidate_days: today
    while the line is open, but not within settings.callback_cutoff_minutes of closing; the store
    books the first with room, atomically),
  - the window of the day we promise (part_of_day -> "between 10am and 12 noon"),
  - what an outcome does to a request (apply_outcome: three missed attempts on three different
    helpline days close it and the parent gets a closing text),
  - the words for a topic: topic_title (a heading: "Health services") and topic_phrase (inside a
    sentence: "For health services, press 1").
store/callbacks.py keeps the records; the callback conversation (flows/conversations/callback.py),
rendered by ivr/callback.py and sms/conversation.py, asks for them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flows.workingdays import add_working_days
from flows.wording import clock_time

CHANNELS = ("voice", "sms")
CONTACT_BY = ("voice", "text", "relay")  # Relay UK: a text-phone user's call through a relay assistant
PARTS_OF_DAY = ("morning", "afternoon", "any")
MIDDAY = dt.time(12)

OPEN, CLAIMED, DONE, CLOSED = "open", "claimed", "done", "closed"
STATUSES = (OPEN, CLAIMED, DONE, CLOSED)
LIVE = (OPEN, CLAIMED)  # still waiting for a call

REACHED, NO_ANSWER, LEFT_VOICEMAIL = "reached", "no_answer", "left_voicemail"
WRONG_NUMBER, RESOLVED_BY_TEXT = "wrong_number", "resolved_by_text"
OUTCOMES = (REACHED, NO_ANSWER, LEFT_VOICEMAIL, WRONG_NUMBER, RESOLVED_BY_TEXT)
MISSED = (NO_ANSWER, LEFT_VOICEMAIL)  # an attempt that did not reach the parent
MAX_MISSED_DAYS = 3  # missed on three different helpline days: we close and text the parent

URGENT_WORKING_DAYS = 10
DEFAULT_TOPIC = "general"
CLAIM_MINUTES = 30
BOOKING_SEARCH_DAYS = 120  # helpline days offered to the booking script, in order
URGENT_OFFSET = 10_000_000_000  # seconds: larger than any epoch time we will see, so urgent sorts first


def deadline_is_close(deadline: dt.date | None, today: dt.date, bh=None) -> bool:
    """True if an appeal deadline falls within URGENT_WORKING_DAYS working days of today."""
    if deadline is None:
        return False
    return deadline <= add_working_days(today, URGENT_WORKING_DAYS, bh)


def is_urgent(*, safety: bool, deadline: dt.date | None, today: dt.date, bh=None) -> bool:
    """Urgent: flagged as a safety concern, or an appeal deadline is close."""
    return bool(safety) or deadline_is_close(deadline, today, bh)


def queue_score(urgent: bool, first_requested_at: dt.datetime) -> float:
    """The sorted-set score that gives staff order: urgent first, then the first to ask."""
    return first_requested_at.timestamp() + (0 if urgent else URGENT_OFFSET)


CALLBACK_CUTOFF_MINUTES = 30  # the default of settings.callback_cutoff_minutes


def closes_on(calendar, day: dt.date) -> dt.datetime:
    """When the line closes on a staffed day: closing time, or earlier if staff closed it early."""
    closes = calendar.data.closes
    early = calendar.data.closed_from.get(day)
    if early and early[0] < closes:
        closes = early[0]
    return dt.datetime.combine(day, closes, tzinfo=calendar.tz)


def first_booking_day(calendar, now: dt.datetime, cutoff_minutes: int = CALLBACK_CUTOFF_MINUTES, *,
                      part_of_day: str = "any") -> dt.date | None:
    """The first helpline day a request made at `now` can be booked on (the booking rule).

    Today, if the line is open now or opens later today, unless it is within `cutoff_minutes` of
    the end of the part of the day asked for (closing time for "any" and "afternoon", 12 noon for
    "morning"): a request at 14:50 cannot honestly be promised "today, between 10am and 3pm", nor
    one at 12:30 "today, between 10am and 12 noon", so it goes to the next helpline day.
    Otherwise the next staffed day. None past the known dates.
    """
    local = calendar.local(now)
    opening = calendar.next_opening(local)
    if opening is None:
        return None
    day = opening.date()
    if day == local.date():
        ends = min(closes_on(calendar, day), dt.datetime.combine(day, window(calendar, part_of_day)[1], tzinfo=calendar.tz))
        if local + dt.timedelta(minutes=max(cutoff_minutes, 0)) >= ends:
            return next(calendar.open_days(day + dt.timedelta(days=1)), None)
    return day


def candidate_days(calendar, now: dt.datetime, limit: int = BOOKING_SEARCH_DAYS, *,
                   cutoff_minutes: int = CALLBACK_CUTOFF_MINUTES, part_of_day: str = "any") -> list[dt.date]:
    """Helpline days a new request could be booked on, earliest first: from first_booking_day on.

    Term dates, half terms and bank holidays come from the calendar.
    """
    first = first_booking_day(calendar, now, cutoff_minutes, part_of_day=part_of_day)
    if first is None:
        return []
    days = []
    for day in calendar.open_days(first):
        days.append(day)
        if len(days) >= limit:
            break
    return days


def window(calendar, part_of_day: str) -> tuple[dt.time, dt.time]:
    """The hours we promise for a part of the day, inside helpline hours."""
    opens, closes = calendar.data.opens, calendar.data.closes
    if part_of_day == "morning" and opens < MIDDAY < closes:
        return opens, MIDDAY
    if part_of_day == "afternoon" and opens < MIDDAY < closes:
        return MIDDAY, closes
    return opens, closes


def window_words(calendar, part_of_day: str) -> tuple[str, str]:
    """('10am', '12 noon') for the words of the reply."""
    start, end = window(calendar, part_of_day)
    return clock_time(start), clock_time(end)


@dataclass(frozen=True)
class OutcomeResult:
    """What an outcome does: the new status, missed-attempt days, and whether to send the closing text."""

    status: str
    attempts: int
    attempt_days: tuple[str, ...]
    closing_text: bool


def apply_outcome(outcome: str, *, attempts: int, attempt_days: list[str] | tuple[str, ...],
                  today: dt.date) -> OutcomeResult:
    """The rules for one outcome.

    reached or resolved_by_text: done. wrong_number: closed (no text: it is not their number).
    no_answer or left_voicemail: an attempt; on the third different helpline day it closes
    and the parent gets the closing text. Two misses on the same day count as one day.
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; expected one of {', '.join(OUTCOMES)}")
    days = tuple(attempt_days)
    if outcome in (REACHED, RESOLVED_BY_TEXT):
        return OutcomeResult(DONE, attempts + 1, days, False)
    if outcome == WRONG_NUMBER:
        return OutcomeResult(CLOSED, attempts + 1, days, False)
    if today.isoformat() not in days:
        days = days + (today.isoformat(),)
    if len(days) >= MAX_MISSED_DAYS:
        return OutcomeResult(CLOSED, attempts + 1, days, True)
    return OutcomeResult(OPEN, attempts + 1, days, False)


def parse_part_of_day(text: str) -> str | None:
    """'morning', 'am', '1' -> morning; 'afternoon', 'pm', '2' -> afternoon; 'any', '3' -> any."""
    word = " ".join(text.strip().lower().split())
    if word in ("1", "morning", "am", "a.m.", "mornings", "morn") or "morning" in word:
        return "morning"
    if word in ("2", "afternoon", "pm", "p.m.", "afternoons") or "afternoon" in word:
        return "afternoon"
    if word in ("3", "any", "anytime", "any time", "either", "whenever", "dont mind", "don't mind",
                "no preference", "all day", "both") or "any" in word.split():
        return "any"
    return None


def yes_or_no(text: str) -> bool | None:
    """True for yes-like answers, False for no-like ones, None otherwise (the engine's one list)."""
    from flows.conversations.engine import yes_or_no as answer

    return answer(text)


def topic_title(tree, topic: str) -> str:
    """The guidance route's title for a topic id, or a plain default."""
    node = getattr(tree, "nodes", {}).get(topic)
    return node.title if node is not None and topic != getattr(tree, "root", None) else "A general question"


# First words of titles that stay capitalised inside a sentence (names, not ordinary words).
PROPER_FIRST_WORDS = frozenset({"Ofsted", "Education", "English", "NHS", "SEND", "SENCO", "EHC", "IPSEA"})


def topic_phrase(tree, topic: str) -> str:
    """The topic as words inside a sentence: 'health services', 'the Local Offer', 'a general question'.

    A title ("Health services") is written to stand alone, as a heading or a list line; said in
    the middle of a sentence ("For health services, press 1") its first word loses its capital,
    unless it is a name ("Ofsted: whole-school problems") or an abbreviation ("EHC ...").
    """
    title = topic_title(tree, topic)
    first = title.split(" ", 1)[0].rstrip(",:;")
    if first in PROPER_FIRST_WORDS or not first[:1].isupper() or (first[1:] and not first[1:].islower()):
        return title
    return title[:1].lower() + title[1:]


def day_words(day: dt.date, today: dt.date) -> str:
    """'Monday 23 November' this year, 'Monday 4 January 2027' for a later year."""
    from flows.wording import long_date

    return long_date(day, year=day.year != today.year)
