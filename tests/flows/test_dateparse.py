"""Reading dates the way UK parents write, say and key them (today is Sunday 22 November 2026)."""

from datetime import date as D

import pytest

from flows.dateparse import DateProblem, ParsedDate, parse_date, parse_keypad_date, plausible
from flows.gsm7 import is_gsm7

TODAY = D(2026, 11, 22)
HINT = "Please write the day first, like 31/12/2025 or 31 December 2025."

ACCEPTED = [
    ("31/12/2025", D(2025, 12, 31), False),
    ("31/12/25", D(2025, 12, 31), False),
    ("31.12.2025", D(2025, 12, 31), False),
    ("31-12-2025", D(2025, 12, 31), False),
    ("31 12 2025", D(2025, 12, 31), False),
    ("31 / 12 / 2025", D(2025, 12, 31), False),
    ("3/3/2026", D(2026, 3, 3), False),
    ("03/03/2026", D(2026, 3, 3), False),
    ("31 December 2025", D(2025, 12, 31), False),
    ("31st December 2025", D(2025, 12, 31), False),
    ("31st of December 2025", D(2025, 12, 31), False),
    ("31 dec 2025", D(2025, 12, 31), False),
    ("31 Dec. 2025", D(2025, 12, 31), False),
    ("31st Dec", D(2025, 12, 31), True),  # no year: the most recent one not in the future
    ("31st December", D(2025, 12, 31), True),
    ("22 November", D(2026, 11, 22), True),  # today counts as "not in the future"
    ("23 November", D(2025, 11, 23), True),  # tomorrow would be future: last year
    ("1 Jan", D(2026, 1, 1), True),
    ("29 Feb", D(2024, 2, 29), True),  # the most recent 29 February
    ("Sept 3rd", D(2026, 9, 3), True),
    ("Dec 31 2025", D(2025, 12, 31), False),
    ("December 31st, 2025", D(2025, 12, 31), False),
    ("Wednesday 31 December 2025", D(2025, 12, 31), False),
    ("wed, 31/12/2025", D(2025, 12, 31), False),
    ("today", D(2026, 11, 22), False),
    ("Yesterday", D(2026, 11, 21), False),
    ("It was sent on 3rd March 2026.", D(2026, 3, 3), False),
    ("IT WAS SENT ON 3RD MARCH, 2026!!", D(2026, 3, 3), False),
    ("the letter is dated 5th of jan", D(2026, 1, 5), True),
    ("sent at 10.30 on 3 March 2026", D(2026, 3, 3), False),  # a time is not a date
    ("31122025", D(2025, 12, 31), False),
    ("2025-12-31", D(2025, 12, 31), False),  # year first is unambiguous: accepted
    ("31/12/2025 (31 December 2025)", D(2025, 12, 31), False),  # the same date twice is fine
    ("29/02/2028", D(2028, 2, 29), False),
    ("Letter dated 31 December \u201925", D(2025, 12, 31), False),
]


@pytest.mark.parametrize("text, expected, assumed", ACCEPTED)
def test_accepted_forms(text, expected, assumed):
    # With no year, read as for a letter (past only): the most recent such date not after today.
    assert parse_date(text, TODAY, past_only=assumed) == ParsedDate(expected, year_assumed=assumed)


# A date that may be ahead (a review meeting, a move to a new school), with no year: the nearest
# such date, before or after today (22 November 2026).
NEAREST = [
    ("7th jan", D(2027, 1, 7)),          # 46 days ahead, not 320 days back
    ("31st Dec", D(2026, 12, 31)),
    ("23 November", D(2026, 11, 23)),    # tomorrow
    ("3rd Nov", D(2026, 11, 3)),         # 19 days back
    ("1 June", D(2026, 6, 1)),           # 174 days back, 191 ahead
    ("29 Feb", D(2028, 2, 29)),          # 2028 is nearer than 2024
    ("the meeting is on the 12th of March", D(2027, 3, 12)),
]


@pytest.mark.parametrize("text, expected", NEAREST)
def test_with_no_year_a_date_that_may_be_ahead_is_the_nearest(text, expected):
    assert parse_date(text, TODAY) == ParsedDate(expected, year_assumed=True)


REJECTED = [
    ("31/02/2026", "impossible", "There is no 31 February 2026."),
    ("29/02/2027", "impossible", "There is no 29 February 2027."),
    ("31 April 2026", "impossible", "There is no 31 April 2026."),
    ("31st June", "impossible", "There is no 31 June."),
    ("0 Jan", "impossible", "There is no 0 January."),  # once a crash: day 0 with the year assumed
    ("31/13/2026", "bad_month", "There is no month 13."),
    ("2025-31-12", "bad_month", "There is no month 31."),
    ("12/31/2025", "month_first", "It looks like the month came first."),
    ("1/13/2026", "month_first", "It looks like the month came first."),
    ("12/3", "missing_year", "I need the year too, so I can be sure of the date."),
    ("13-3", "missing_year", "I need the year too, so I can be sure of the date."),
    ("3 March 2026 and 4 March 2026", "several", "I found more than one date in that. Please send just one."),
    ("sent 3 March 2026, got it today", "several", "I found more than one date in that. Please send just one."),
    ("hello", "unreadable", "Sorry, I could not find a date in that."),
    ("", "unreadable", "Sorry, I could not find a date in that."),
    ("December 2025", "unreadable", "Sorry, I could not find a date in that."),
    ("31/12/1999", "year_range", "The year 1999 looks wrong."),
    ("1 May 2062", "year_range", "The year 2062 looks wrong."),
    ("Tuesday 31 December 2025", "weekday_mismatch", "Wednesday 31 December 2025 is a Wednesday, not a Tuesday."),
]


@pytest.mark.parametrize("text, reason, message", REJECTED)
def test_rejected_forms_say_why_and_how_to_write_it(text, reason, message):
    result = parse_date(text, TODAY)
    assert isinstance(result, DateProblem) and not result.ok
    assert result.reason == reason
    assert result.text() == f"{message} {HINT}"
    assert result.message == result.text()
    assert is_gsm7(result.text()) and is_gsm7(result.say())


@pytest.mark.parametrize(
    "text, past_only, expected",
    [
        ("25/12/2026", True, "future"),
        ("25/12/2026", False, D(2026, 12, 25)),  # a meeting date may be in the future
        ("22/11/2026", True, D(2026, 11, 22)),  # today is not the future
        ("23/11/2026", True, "future"),
    ],
)
def test_past_only(text, past_only, expected):
    result = parse_date(text, TODAY, past_only=past_only)
    if isinstance(expected, str):
        assert result.reason == expected
        assert result.text().startswith("Friday 25 December 2026 has not happened yet") or "23 November" in result.text()
    else:
        assert result == ParsedDate(expected)


def test_future_problem_is_spoken_with_a_spoken_date():
    result = parse_date("25/12/2026", TODAY, past_only=True)
    assert result.say().startswith("Friday the 25th of December 2026 has not happened yet")


@pytest.mark.parametrize(
    "digits, expected",
    [
        ("31122025", ParsedDate(D(2025, 12, 31))),
        ("31122025#", ParsedDate(D(2025, 12, 31))),
        ("01012026", ParsedDate(D(2026, 1, 1))),
        ("31022026", "impossible"),
        ("12312025", "month_first"),
        ("311225", "keypad_length"),
        ("", "keypad_length"),
        ("3112202a", "keypad_length"),
        ("\u00b3\u00b9\u00b9\u00b2\u00b2\u2070\u00b2\u2075", "keypad_length"),  # superscripts: isdigit() but not int()
        ("\uff13\uff11\uff11\uff12\uff12\uff10\uff12\uff15", "keypad_length"),  # keypads send ASCII only
        ("31121989", "year_range"),
    ],
)
def test_keypad_dates(digits, expected):
    result = parse_keypad_date(digits, TODAY)
    if isinstance(expected, str):
        assert result.reason == expected
        assert result.keypad
        assert "key in the day, the month and the year as 8 digits" in result.say()
    else:
        assert result == expected


def test_plausible_dates_are_those_parse_date_could_read():
    assert plausible(D(2016, 1, 1), TODAY) and plausible(D(2036, 12, 31), TODAY)
    assert not plausible(D(2015, 12, 31), TODAY) and not plausible(D(9999, 12, 31), TODAY)


def test_keypad_future_with_past_only():
    assert parse_keypad_date("01012027", TODAY, past_only=True).reason == "future"


# "last <weekday>": the one before today (Sunday 22 November 2026), never today itself.
@pytest.mark.parametrize("text, expected", [
    ("last Tuesday", D(2026, 11, 17)),
    ("it came last sunday", D(2026, 11, 15)),
    ("last Sat, I think", D(2026, 11, 21)),
    ("last Tuesday 17 November", D(2026, 11, 17)),  # the full date, its weekday checked
])
def test_last_weekday_is_the_one_before_today(text, expected):
    found = parse_date(text, TODAY, past_only=True)
    assert isinstance(found, ParsedDate) and found.date == expected
