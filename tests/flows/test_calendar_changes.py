"""Staff changes to the calendar: an overlay on the shipped file, checked by the file's own rules."""

import datetime as dt
import re

import pytest

from flows.calendar_changes import CalendarChangeError, CalendarEditor, Overlay, merged_raw, next_year_name
from flows.calendar_data import bank_holidays, read_raw
from flows.hours import EXTRA_CLOSURE, OPEN

D = dt.date
TODAY = D(2026, 11, 23)  # a Monday in term


@pytest.fixture
def editor():
    return CalendarEditor(read_raw(), bank_holidays())


def london(editor, *args):
    return dt.datetime(*args, tzinfo=editor.calendar(Overlay()).tz)


def test_an_empty_overlay_is_the_shipped_file(editor):
    assert editor.calendar(Overlay()).data == editor.calendar(Overlay.from_json(None)).data
    assert merged_raw(editor.raw, Overlay()) == editor.raw


def test_a_closure_day_closes_the_line_and_is_reported_as_newly_closed(editor):
    change = editor.add_closure(Overlay(), D(2026, 12, 3), " staff  training. ", today=TODAY)
    calendar = editor.calendar(change.overlay)
    assert calendar.day_status(D(2026, 12, 3)).reason == EXTRA_CLOSURE
    assert calendar.day_status(D(2026, 12, 3)).detail == "staff training"
    assert change.newly_closed == (D(2026, 12, 3),)
    assert change.what == "closed Thursday 3 December 2026 all day, for staff training"
    assert D(2026, 12, 3) not in calendar.open_days(D(2026, 12, 1))


def test_the_overlay_survives_json(editor):
    change = editor.add_closure(Overlay(), D(2026, 12, 3), "staff training", today=TODAY)
    change = editor.close_rest_of_today(change.overlay, london(editor, 2026, 11, 23, 12, 5, 30), "staff illness")
    change = editor.confirm_year(change.overlay, "2026/27")
    assert Overlay.from_json(change.overlay.to_json()) == change.overlay


@pytest.mark.parametrize("day,why", [
    (D(2026, 12, 5), "is already closed: the weekend"),
    (D(2026, 12, 25), "is already closed: a bank holiday (Christmas Day)"),
    (D(2027, 2, 17), "is already closed: half term"),
    (D(2026, 12, 4), "is already closed: the line is not staffed on Fridays"),
    (D(2027, 9, 6), "is already closed: it is outside the term dates we know"),
    (D(2026, 11, 20), "has passed"),
])
def test_a_closure_on_a_day_already_closed_or_past_is_refused_with_the_reason(editor, day, why):
    with pytest.raises(CalendarChangeError, match=re.escape(why)):
        editor.add_closure(Overlay(), day, "training", today=TODAY)


@pytest.mark.parametrize("reason,why", [("", "Say why"), ("x" * 61, "at most 60"), ("training 🙂", "plain letters"),
                                        ("a {b}", "plain letters")])
def test_the_reason_parents_hear_must_be_short_plain_text(editor, reason, why):
    with pytest.raises(CalendarChangeError, match=why):
        editor.add_closure(Overlay(), D(2026, 12, 3), reason, today=TODAY)


def test_closing_the_rest_of_today_closes_from_that_minute_and_not_before(editor):
    change = editor.close_rest_of_today(Overlay(), london(editor, 2026, 11, 23, 12, 5, 30), "staff illness")
    calendar = editor.calendar(change.overlay)
    assert calendar.status(london(editor, 2026, 11, 23, 12, 4)).reason == OPEN
    assert calendar.status(london(editor, 2026, 11, 23, 12, 5)).reason == EXTRA_CLOSURE
    assert calendar.next_opening(london(editor, 2026, 11, 23, 12, 30)).date() == D(2026, 11, 24)
    assert change.what == "closed the line for the rest of today (Monday 23 November 2026) from 12:05pm, for staff illness"
    assert change.newly_closed == (D(2026, 11, 23),)


def test_closing_today_before_opening_closes_the_whole_day(editor):
    change = editor.close_rest_of_today(Overlay(), london(editor, 2026, 11, 23, 8, 30), "staff illness")
    assert editor.calendar(change.overlay).day_status(D(2026, 11, 23)).reason == EXTRA_CLOSURE
    assert "all day" in change.what


def test_closing_today_after_hours_or_on_a_closed_day_is_refused(editor):
    with pytest.raises(CalendarChangeError, match="it has closed for today"):
        editor.close_rest_of_today(Overlay(), london(editor, 2026, 11, 23, 15, 30), "illness")
    with pytest.raises(CalendarChangeError, match="the weekend"):
        editor.close_rest_of_today(Overlay(), london(editor, 2026, 11, 22, 11, 0), "illness")


def test_removing_a_closure_opens_the_day_again_whether_staff_or_the_file_added_it(editor):
    added = editor.add_closure(Overlay(), D(2026, 12, 3), "training", today=TODAY)
    removed = editor.remove_closure(added.overlay, D(2026, 12, 3), today=TODAY)
    assert editor.calendar(removed.overlay).day_status(D(2026, 12, 3)).reason == OPEN
    assert removed.newly_closed == ()
    editor.raw["extra_closures"] = [{"date": D(2026, 12, 10), "reason": "training"}]
    assert editor.calendar(Overlay()).day_status(D(2026, 12, 10)).reason == EXTRA_CLOSURE
    taken = editor.remove_closure(Overlay(), D(2026, 12, 10), today=TODAY)
    assert editor.calendar(taken.overlay).day_status(D(2026, 12, 10)).reason == OPEN
    with pytest.raises(CalendarChangeError, match="is not a closure day"):
        editor.remove_closure(taken.overlay, D(2026, 12, 10), today=TODAY)


def test_confirming_a_provisional_year_stops_the_warning(editor):
    assert editor.calendar(Overlay()).warnings(TODAY)
    change = editor.confirm_year(Overlay(), "2026/27")
    assert editor.calendar(change.overlay).warnings(TODAY) == []
    with pytest.raises(CalendarChangeError, match="already confirmed"):
        editor.confirm_year(change.overlay, "2026/27")
    with pytest.raises(CalendarChangeError, match="no school year"):
        editor.confirm_year(Overlay(), "2031/32")


NEXT_YEAR = [("Autumn 1", D(2027, 9, 2), D(2027, 10, 22)), ("Autumn 2", D(2027, 11, 1), D(2027, 12, 17)),
             ("Spring 1", None, None)]


def test_next_years_terms_extend_the_known_dates(editor):
    change = editor.add_year(Overlay(), "2027/28", NEXT_YEAR, provisional=False, source="council page")
    calendar = editor.calendar(change.overlay)
    assert calendar.data.last_known_day == D(2027, 12, 17)
    assert calendar.day_status(D(2027, 9, 6)).reason == OPEN
    assert change.what == ("entered the 2027/28 terms (2 terms, Thursday 2 September 2027 to "
                           "Friday 17 December 2027, confirmed)")
    assert next_year_name("2027/28") == "2028/29"


@pytest.mark.parametrize("name,terms,why", [
    ("2027/29", NEXT_YEAR, "like 2027/28"),
    ("2026/27", NEXT_YEAR, "already in the calendar"),
    ("2027/28", [("Autumn 1", D(2027, 10, 22), D(2027, 9, 2))], "is after the last"),
    ("2027/28", [("Autumn 1", D(2027, 9, 4), D(2027, 10, 22))], "weekend day"),
    ("2027/28", [("Autumn 1", D(2027, 9, 2), None)], "both the first and the last day"),
    ("2027/28", [("", D(2027, 9, 2), D(2027, 10, 22))], "Give each term a name"),
    ("2027/28", [("A", None, None)], "at least one term"),
    ("2027/28", [("A", D(2027, 9, 2), D(2027, 10, 22)), ("B", D(2027, 10, 20), D(2027, 12, 17))],
     "out of order or overlapping"),
    ("2025/26", [], "already in the calendar"),
    ("2024/25", [("A", D(2024, 9, 3), D(2024, 10, 25))], "out of order or overlapping"),
])
def test_bad_terms_are_refused_by_the_files_rules_with_a_clear_message(editor, name, terms, why):
    with pytest.raises(CalendarChangeError, match=why):
        editor.add_year(Overlay(), name, terms, provisional=True)


def test_a_year_the_file_now_ships_too_is_left_to_the_file(editor):
    change = editor.add_year(Overlay(), "2027/28", NEXT_YEAR, provisional=True)
    editor.raw["years"].append({"name": "2027/28", "provisional": False,
                                "terms": [{"name": "Autumn 1", "start": D(2027, 9, 1), "end": D(2027, 10, 21)}]})
    assert editor.calendar(change.overlay).data.last_known_day == D(2027, 10, 21)


def test_the_file_format_takes_a_closure_from_a_time(editor):
    editor.raw["extra_closures"] = [{"date": D(2026, 12, 3), "reason": "training", "from": "13:00"},
                                    {"date": D(2026, 12, 7), "reason": "training", "from": "09:00"}]
    calendar = editor.calendar(Overlay())
    assert calendar.status(london(editor, 2026, 12, 3, 12, 59)).reason == OPEN
    assert calendar.status(london(editor, 2026, 12, 3, 13, 0)).reason == EXTRA_CLOSURE
    assert calendar.day_status(D(2026, 12, 7)).reason == EXTRA_CLOSURE


def test_settings_written_below_a_table_are_refused_not_silently_ignored(editor):
    from flows.calendar_data import CalendarDataError, parse_calendar

    raw = merged_raw(editor.raw, Overlay())
    raw["years"][-1]["extra_closures"] = [{"date": D(2026, 12, 3), "reason": "training"}]
    with pytest.raises(CalendarDataError, match="unknown extra_closures"):
        parse_calendar(raw)
    raw = merged_raw(editor.raw, Overlay())
    raw["hours"]["extra_closures"] = []
    with pytest.raises(CalendarDataError, match=r"hours: unknown extra_closures"):
        parse_calendar(raw)
