"""Honest availability, pure (issue 13 item 5), written the way the slips were found.

Found: "An adviser is available now" said when no put-through number was set; at 14:50 on a
Thursday a caller was promised a call "on Thursday the 26th of November, between 10am and 3pm";
at 09:30 "has not opened yet today. We open again on Monday" instead of "today at 10am".
"""

import dataclasses
import datetime as dt

import pytest

from clock import london
from flows import callbacks as rules
from flows.copy import load_copy
from flows.hours import HelplineCalendar
from flows.opening import next_opening_sentence, status_sentences

CAL = HelplineCalendar.load()
COPY = load_copy()
THURSDAY_1450 = london(dt.datetime(2026, 11, 26, 14, 50))
MONDAY_0930 = london(dt.datetime(2026, 11, 23, 9, 30))
MONDAY_11 = london(dt.datetime(2026, 11, 23, 11))


@pytest.mark.parametrize("spoken", [True, False])
def test_an_adviser_is_available_only_when_one_can_be_put_through(spoken):
    assert status_sentences(CAL, COPY, MONDAY_11, spoken=spoken, put_through=True) == ["An adviser is available now."]
    assert status_sentences(CAL, COPY, MONDAY_11, spoken=spoken) == ["The helpline is open now."]
    closed = " ".join(status_sentences(CAL, COPY, london(dt.datetime(2026, 11, 22, 9)), spoken=spoken,
                                       put_through=True))
    assert "adviser" not in closed and "closed at the weekend" in closed


@pytest.mark.parametrize("spoken", [True, False])
def test_at_0930_the_line_opens_today_at_10am(spoken):
    words = " ".join(status_sentences(CAL, COPY, MONDAY_0930, spoken=spoken))
    assert words == "The helpline is not open yet. We open today at 10am."
    assert "Monday" not in words


def test_after_hours_and_at_the_weekend_the_day_is_still_named():
    assert next_opening_sentence(CAL, COPY, london(dt.datetime(2026, 11, 23, 15, 30)), spoken=True) == \
        "We open again on Tuesday the 24th of November at 10am."
    assert next_opening_sentence(CAL, COPY, london(dt.datetime(2026, 11, 22, 9)), spoken=False) == \
        "We open again on Monday 23 November 2026 at 10am."


def test_at_1450_on_a_thursday_the_call_is_booked_on_the_next_helpline_day():
    assert rules.first_booking_day(CAL, THURSDAY_1450) == dt.date(2026, 11, 30)  # Monday, not "Thursday the 26th"
    assert rules.candidate_days(CAL, THURSDAY_1450)[0] == dt.date(2026, 11, 30)


@pytest.mark.parametrize("now, cutoff, first", [
    (dt.datetime(2026, 11, 26, 14, 29), 30, dt.date(2026, 11, 26)),  # 31 minutes left: today
    (dt.datetime(2026, 11, 26, 14, 30), 30, dt.date(2026, 11, 30)),  # 30 minutes left: next helpline day
    (dt.datetime(2026, 11, 26, 14, 50), 0, dt.date(2026, 11, 26)),   # no cutoff: today while open
    (dt.datetime(2026, 11, 26, 14, 0), 60, dt.date(2026, 11, 30)),   # a longer cutoff
    (dt.datetime(2026, 11, 23, 9, 30), 30, dt.date(2026, 11, 23)),   # before opening: today
    (dt.datetime(2026, 11, 23, 14, 45), 30, dt.date(2026, 11, 24)),  # Monday near closing: Tuesday
    (dt.datetime(2026, 10, 22, 14, 45), 30, dt.date(2026, 11, 2)),   # last day before half term
])
def test_the_cutoff_is_a_setting_and_counts_from_closing_time(now, cutoff, first):
    assert rules.first_booking_day(CAL, london(now), cutoff) == first
    assert rules.candidate_days(CAL, london(now), cutoff_minutes=cutoff)[0] == first


# Wednesday 2 December 2026, term time; the next helpline day is Thursday 3 December.
@pytest.mark.parametrize("now, part, first", [
    (dt.datetime(2026, 12, 2, 9, 30), "morning", dt.date(2026, 12, 2)),     # before opening: this morning
    (dt.datetime(2026, 12, 2, 11, 20), "morning", dt.date(2026, 12, 2)),    # 11:50 is before 12 noon
    (dt.datetime(2026, 12, 2, 11, 30), "morning", dt.date(2026, 12, 3)),    # 12:00 is the end: tomorrow
    (dt.datetime(2026, 12, 2, 12, 30), "morning", dt.date(2026, 12, 3)),    # the morning has gone
    (dt.datetime(2026, 12, 2, 12, 30), "afternoon", dt.date(2026, 12, 2)),
    (dt.datetime(2026, 12, 2, 12, 30), "any", dt.date(2026, 12, 2)),
    (dt.datetime(2026, 12, 2, 14, 40), "afternoon", dt.date(2026, 12, 3)),
])
def test_a_part_of_the_day_already_gone_is_booked_on_the_next_day(now, part, first):
    assert rules.first_booking_day(CAL, london(now), part_of_day=part) == first
    assert rules.candidate_days(CAL, london(now), part_of_day=part)[0] == first


def test_the_cutoff_counts_from_an_early_closure_set_by_staff():
    early = dataclasses.replace(CAL.data, closed_from={dt.date(2026, 11, 26): (dt.time(13), "a staff meeting")})
    calendar = HelplineCalendar(early, CAL.holidays)
    assert rules.first_booking_day(calendar, london(dt.datetime(2026, 11, 26, 12, 40))) == dt.date(2026, 11, 30)
    assert rules.first_booking_day(calendar, london(dt.datetime(2026, 11, 26, 12, 20))) == dt.date(2026, 11, 26)


def test_past_the_known_dates_there_is_no_day_to_promise():
    last = CAL.data.last_known_day
    assert rules.first_booking_day(CAL, london(dt.datetime.combine(last, dt.time(16)))) is None
