"""Working days as the Tribunal counts them: every expected date below was worked by hand."""

from datetime import date as D

import pytest

from flows.calendar_data import BankHolidays
from flows.workingdays import (
    add_working_days,
    first_working_day_after,
    is_working_day,
    last_working_day_before,
    non_working_reason,
    on_or_next_working_day,
    on_or_previous_working_day,
)

NOT_WORKING = [
    (D(2026, 1, 1), "New Year's Day, a bank holiday"),
    (D(2026, 4, 3), "Good Friday, a bank holiday"),
    (D(2026, 4, 6), "Easter Monday, a bank holiday"),
    (D(2026, 5, 4), "May Day, a bank holiday"),
    (D(2026, 5, 25), "the Spring Bank Holiday"),
    (D(2026, 8, 31), "the Late Summer Bank Holiday"),
    (D(2026, 12, 25), "Christmas Day, a bank holiday"),
    (D(2026, 12, 26), "a Saturday and Boxing Day"),
    (D(2026, 12, 28), "a substitute bank holiday for Boxing Day"),
    (D(2027, 12, 27), "a substitute bank holiday for Christmas Day"),
    (D(2027, 12, 28), "a substitute bank holiday for Boxing Day"),
    (D(2028, 1, 3), "a substitute bank holiday for New Year's Day"),
    (D(2027, 3, 26), "Good Friday, a bank holiday"),
    (D(2026, 2, 28), "a Saturday"),
    (D(2026, 3, 1), "a Sunday"),
]


@pytest.mark.parametrize("day, reason", NOT_WORKING)
def test_non_working_days_and_why(day, reason):
    assert not is_working_day(day)
    assert non_working_reason(day) == reason


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 12, 24),  # Christmas Eve is a working day (R6)
        D(2026, 12, 31),  # so is New Year's Eve
        D(2026, 12, 29),  # between the holidays
        D(2026, 10, 26),  # half term: the Tribunal does not close
        D(2026, 2, 16),  # half term
        D(2026, 8, 18),  # the summer holiday
        D(2026, 1, 2),
    ],
)
def test_working_days_include_school_holidays_and_christmas_eve(day):
    assert is_working_day(day)
    assert non_working_reason(day) is None


def test_extra_bank_holidays_from_the_data_file_count():
    bh = BankHolidays(extra={D(2027, 6, 4): "Jubilee bank holiday", D(2026, 6, 3): "Coronation Day"})
    assert not is_working_day(D(2027, 6, 4), bh)
    assert non_working_reason(D(2027, 6, 4), bh) == "the Jubilee bank holiday"
    assert non_working_reason(D(2026, 6, 3), bh) == "Coronation Day, a bank holiday"
    assert add_working_days(D(2026, 6, 2), 1, bh) == D(2026, 6, 4)
    assert is_working_day(D(2026, 6, 3))  # the shared source is untouched


@pytest.mark.parametrize(
    "day, expected",
    [
        (D(2026, 2, 28), D(2026, 3, 2)),
        (D(2026, 3, 12), D(2026, 3, 12)),
        (D(2026, 12, 25), D(2026, 12, 29)),
        (D(2027, 12, 24), D(2027, 12, 24)),
        (D(2027, 12, 25), D(2027, 12, 29)),
        (D(2028, 1, 1), D(2028, 1, 4)),
        (D(2026, 4, 3), D(2026, 4, 7)),
    ],
)
def test_on_or_next_working_day(day, expected):
    assert on_or_next_working_day(day) == expected


@pytest.mark.parametrize(
    "day, expected",
    [
        (D(2026, 4, 6), D(2026, 4, 2)),
        (D(2026, 12, 28), D(2026, 12, 24)),
        (D(2028, 1, 3), D(2027, 12, 31)),
        (D(2026, 4, 8), D(2026, 4, 8)),
    ],
)
def test_on_or_previous_working_day(day, expected):
    assert on_or_previous_working_day(day) == expected


@pytest.mark.parametrize(
    "day, expected",
    [
        (D(2026, 8, 31), D(2026, 9, 1)),
        (D(2027, 8, 31), D(2027, 9, 1)),
        (D(2028, 8, 31), D(2028, 9, 1)),
        (D(2026, 1, 1), D(2026, 1, 2)),
        (D(2027, 1, 1), D(2027, 1, 4)),
        (D(2028, 1, 1), D(2028, 1, 4)),
        (D(2026, 3, 12), D(2026, 3, 13)),  # strictly after, even from a working day
    ],
)
def test_first_working_day_after(day, expected):
    assert first_working_day_after(day) == expected


@pytest.mark.parametrize(
    "day, expected",
    [
        (D(2026, 2, 14), D(2026, 2, 13)),
        (D(2026, 4, 7), D(2026, 4, 2)),
        (D(2026, 12, 29), D(2026, 12, 24)),
        (D(2026, 3, 12), D(2026, 3, 11)),
    ],
)
def test_last_working_day_before(day, expected):
    assert last_working_day_before(day) == expected


@pytest.mark.parametrize(
    "day, n, expected",
    [
        (D(2026, 4, 1), 3, D(2026, 4, 8)),  # Good Friday, weekend, Easter Monday skipped
        (D(2026, 3, 2), 3, D(2026, 3, 5)),
        (D(2026, 12, 24), 3, D(2026, 12, 31)),  # 29, 30, 31 Dec
        (D(2026, 12, 30), 3, D(2027, 1, 5)),  # 31 Dec, 4 Jan, 5 Jan
        (D(2026, 8, 14), 3, D(2026, 8, 19)),  # August is NOT skipped
        (D(2027, 12, 23), 3, D(2027, 12, 30)),  # 24, 29, 30 Dec (27, 28 substitute days)
        (D(2026, 5, 22), 1, D(2026, 5, 26)),  # Spring bank holiday skipped
        (D(2026, 3, 7), 0, D(2026, 3, 7)),
    ],
)
def test_add_working_days(day, n, expected):
    assert add_working_days(day, n) == expected


def test_add_working_days_refuses_negative_counts():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 3, 2), -1)
