"""The helpline calendar: open or closed, why, and the next opening, worked by hand from calendar.toml."""

import datetime as dt
import tomllib
from zoneinfo import ZoneInfo

import pytest

from flows.calendar_data import BankHolidays, CalendarDataError, DEFAULT_PATH, parse_calendar
from flows.hours import HelplineCalendar

LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def cal():
    return HelplineCalendar.load()


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


# (moment, open?, reason, next opening)
TABLE = [
    ("2026-11-26T14:59", True, "open", "2026-11-26T14:59"),  # Thursday, last minute
    ("2026-11-26T15:00", False, "after_hours", "2026-11-30T10:00"),  # Thursday 3pm: closed
    ("2026-11-23T09:59", False, "before_hours", "2026-11-23T10:00"),
    ("2026-11-23T10:00", True, "open", "2026-11-23T10:00"),
    ("2026-11-27T11:00", False, "not_staffed_day", "2026-11-30T10:00"),  # Friday
    ("2026-11-28T11:00", False, "weekend", "2026-11-30T10:00"),  # Saturday
    ("2026-11-22T09:00", False, "weekend", "2026-11-23T10:00"),  # Sunday
    # last staffed day of a term -> first day of the next term
    ("2026-10-22T15:00", False, "after_hours", "2026-11-02T10:00"),
    ("2026-05-21T15:00", False, "after_hours", "2026-06-01T10:00"),
    ("2026-07-22T15:00", False, "after_hours", "2026-09-02T10:00"),  # summer: Wed 22 Jul -> Wed 2 Sep
    # each half term
    ("2025-10-28T11:00", False, "half_term", "2025-11-03T10:00"),
    ("2026-02-17T11:00", False, "half_term", "2026-02-23T10:00"),
    ("2026-05-27T11:00", False, "half_term", "2026-06-01T10:00"),
    ("2026-10-27T11:00", False, "half_term", "2026-11-02T10:00"),
    ("2027-02-16T11:00", False, "half_term", "2027-02-22T10:00"),
    ("2027-06-02T11:00", False, "half_term", "2027-06-07T10:00"),
    # Christmas across the year end
    ("2025-12-18T15:00", False, "after_hours", "2026-01-05T10:00"),
    ("2025-12-22T11:00", False, "school_holidays", "2026-01-05T10:00"),
    ("2025-12-25T11:00", False, "bank_holiday", "2026-01-05T10:00"),
    ("2025-12-31T11:00", False, "school_holidays", "2026-01-05T10:00"),
    ("2026-12-28T11:00", False, "bank_holiday", "2027-01-04T10:00"),  # Boxing Day substitute
    # Easter
    ("2026-04-02T15:00", False, "after_hours", "2026-04-20T10:00"),  # last day of Spring 2 (Thursday)
    ("2026-04-03T11:00", False, "bank_holiday", "2026-04-20T10:00"),  # Good Friday
    ("2026-04-07T11:00", False, "school_holidays", "2026-04-20T10:00"),
    ("2027-03-29T11:00", False, "bank_holiday", "2027-04-12T10:00"),  # Easter Monday 2027
    # a bank holiday Monday in term -> Tuesday
    ("2026-05-04T11:00", False, "bank_holiday", "2026-05-05T10:00"),  # May Day
    ("2026-05-25T09:00", False, "bank_holiday", "2026-06-01T10:00"),  # in half term: the holiday is named
    ("2027-05-03T08:00", False, "bank_holiday", "2027-05-04T10:00"),
]


@pytest.mark.parametrize("moment,is_open,reason,opening", TABLE)
def test_calendar_table(cal, moment, is_open, reason, opening):
    status = cal.status(at(moment))
    assert status.is_open is is_open
    assert status.reason == reason
    assert cal.is_open(at(moment)) is is_open
    assert cal.next_opening(at(moment)) == at(opening)


def test_spring_clock_change_opens_at_ten_bst(cal):
    # BST starts Sunday 29 March 2026: 10am on Monday 30 March is 09:00 UTC.
    thursday = dt.datetime(2026, 3, 26, 15, 30, tzinfo=UTC)  # 15:30 GMT, closed
    opening = cal.next_opening(thursday)
    assert opening.astimezone(UTC) == dt.datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    assert cal.is_open(dt.datetime(2026, 3, 30, 9, 30, tzinfo=UTC))
    assert not cal.is_open(dt.datetime(2026, 3, 30, 8, 59, tzinfo=UTC))
    assert not cal.is_open(dt.datetime(2026, 3, 30, 14, 0, tzinfo=UTC))  # 3pm BST


def test_autumn_clock_change_opens_at_ten_gmt(cal):
    # GMT returns Sunday 26 October 2025 (half term): 10am on Monday 3 November is 10:00 UTC.
    thursday = dt.datetime(2025, 10, 23, 14, 0, tzinfo=UTC)  # 3pm BST, closed
    assert cal.status(thursday).reason == "after_hours"
    opening = cal.next_opening(thursday)
    assert opening.astimezone(UTC) == dt.datetime(2025, 11, 3, 10, 0, tzinfo=UTC)
    assert cal.is_open(dt.datetime(2025, 11, 3, 14, 59, tzinfo=UTC))
    assert not cal.is_open(dt.datetime(2025, 11, 3, 15, 0, tzinfo=UTC))


def test_naive_times_are_london_time(cal):
    assert cal.is_open(dt.datetime(2026, 6, 1, 10, 0))
    assert not cal.is_open(dt.datetime(2026, 6, 1, 9, 59))


def test_bank_holiday_names_are_given(cal):
    assert cal.status(at("2026-04-03T11:00")).detail == "Good Friday"
    assert cal.status(at("2026-12-28T11:00")).detail == "Boxing Day (substitute day)"


def test_beyond_the_known_dates_there_is_no_next_opening_and_a_warning(cal):
    moment = at("2027-08-02T11:00")
    assert cal.status(moment).reason == "unknown_dates"
    assert cal.next_opening(moment) is None
    assert "outside the term dates" in cal.warnings(moment.date())[0]


def test_provisional_years_warn_staff_and_confirmed_years_do_not(cal):
    assert "provisional" in cal.warnings(dt.date(2026, 11, 23))[0]
    assert "provisional" in cal.warnings(dt.date(2026, 8, 10))[0]  # summer before a provisional year
    assert cal.warnings(dt.date(2026, 2, 16)) == []


def raw_calendar(**overrides) -> dict:
    raw = tomllib.loads(DEFAULT_PATH.read_text())
    raw.update(overrides)
    return raw


def test_extra_closures_and_extra_bank_holidays_close_the_line():
    raw = raw_calendar(extra_closures=[{"date": dt.date(2026, 12, 3), "reason": "staff training"}],
                       extra_bank_holidays=[{"date": dt.date(2026, 12, 2), "name": "a royal occasion"}])
    data = parse_calendar(raw)
    cal = HelplineCalendar(data, BankHolidays(data.extra_bank_holidays))
    assert cal.status(at("2026-12-03T11:00")).reason == "extra_closure"
    assert cal.status(at("2026-12-03T11:00")).detail == "staff training"
    assert cal.status(at("2026-12-02T11:00")).reason == "bank_holiday"
    assert cal.next_opening(at("2026-12-01T15:00")) == at("2026-12-07T10:00")


@pytest.mark.parametrize("change,message", [
    ({"hours": {"opens": "15:00", "closes": "10:00", "days": ["Monday"]}}, "before 'closes'"),
    ({"hours": {"opens": "10:00", "closes": "23:30", "days": ["Monday"]}}, "between 07:00 and 21:00"),
    ({"hours": {"opens": "10:00", "closes": "15:00", "days": ["Mon"]}}, "day names"),
    ({"hours": {"opens": "ten", "closes": "15:00", "days": ["Monday"]}}, "not a time"),
    ({"years": [{"name": "x", "terms": [{"name": "A", "start": dt.date(2026, 9, 2), "end": dt.date(2026, 9, 1)}]}]},
     "starts after it ends"),
    ({"years": [{"name": "x", "terms": [{"name": "A", "start": dt.date(2026, 9, 2), "end": dt.date(2026, 10, 1)},
                                        {"name": "B", "start": dt.date(2026, 9, 30), "end": dt.date(2026, 11, 1)}]}]},
     "overlapping"),
    ({"years": [{"name": "x", "terms": [{"name": "A", "start": "2 Sep", "end": dt.date(2026, 9, 1)}]}]}, "not a date"),
    ({"years": []}, "no terms"),
])
def test_bad_calendar_data_is_refused_with_a_clear_message(change, message):
    with pytest.raises(CalendarDataError, match=message):
        parse_calendar(raw_calendar(**change))


def test_shipped_data_marks_2026_27_provisional_and_2025_26_confirmed(cal):
    years = {t.year: t.provisional for t in cal.data.terms}
    assert years == {"2025/26": False, "2026/27": True}
