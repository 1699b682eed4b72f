"""Honest availability, pure (issue 13 item 5), written the way the slips were found.

Found: at 14:50 on a Thursday a caller was promised a call "on Thursday the 26th of November,
between 10am and 3pm".
"""

import dataclasses
import datetime as dt

import pytest

from clock import london
from flows import callbacks as rules
from flows.hours import HelplineCalendar

CAL = HelplineCalendar.load()
THURSDAY_1450 = london(dt.datetime(2026, 11, 26, 14, 50))


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


def test_the_cutoff_counts_from_an_early_closure_set_by_staff():
    early = dataclasses.replace(CAL.data, closed_from={dt.date(2026, 11, 26): (dt.time(13), "a staff meeting")})
    calendar = HelplineCalendar(early, CAL.holidays)
    assert rules.first_booking_day(calendar, london(dt.datetime(2026, 11, 26, 12, 40))) == dt.date(2026, 11, 30)
    assert rules.first_booking_day(calendar, london(dt.datetime(2026, 11, 26, 12, 20))) == dt.date(2026, 11, 26)


def test_past_the_known_dates_there_is_no_day_to_promise():
    last = CAL.data.last_known_day
    assert rules.first_booking_day(CAL, london(dt.datetime.combine(last, dt.time(16)))) is None
