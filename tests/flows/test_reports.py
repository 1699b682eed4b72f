"""Managers' reports, the pure parts: periods, helpline days, aggregation, CSV escaping, charts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest

from flows import charts, reports
from flows import report_periods as periods
from flows.hours import HelplineCalendar

D = dt.date
CAL = HelplineCalendar.load()
TERMS = CAL.data.terms
SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("which,start,end,label", [
    ("2026/27", D(2026, 9, 1), D(2027, 8, 31), "Academic year 2026/27"),
    ("2026/27-autumn", D(2026, 9, 1), D(2027, 1, 3), "Autumn term 2026/27"),  # spring 1 starts Mon 4 Jan 2027
    ("2026/27-spring", D(2027, 1, 4), D(2027, 4, 11), "Spring term 2026/27"),  # summer 1 starts Mon 12 Apr 2027
    ("2026/27-summer", D(2027, 4, 12), D(2027, 8, 31), "Summer term 2026/27"),
    ("2026/27-q1", D(2026, 9, 1), D(2026, 11, 30), "Quarter 1 of 2026/27: September to November 2026"),
    ("2026/27-q2", D(2026, 12, 1), D(2027, 2, 28), "Quarter 2 of 2026/27: December 2026 to February 2027"),
    ("2027/28-q2", D(2027, 12, 1), D(2028, 2, 29), "Quarter 2 of 2027/28: December 2027 to February 2028"),
    ("2026/27-q4", D(2027, 6, 1), D(2027, 8, 31), "Quarter 4 of 2026/27: June to August 2027"),
    ("2026-11", D(2026, 11, 1), D(2026, 11, 30), "November 2026"),
    ("2026-W48", D(2026, 11, 23), D(2026, 11, 29), "Week beginning Monday 23 November 2026"),
    ("2026-W53", D(2026, 12, 28), D(2027, 1, 3), "Week beginning Monday 28 December 2026"),
])
def test_periods_are_read_as_written(which, start, end, label):
    period = periods.parse(which, TERMS)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert periods.parse(period.which, TERMS) == period  # the name round-trips


def test_a_year_the_calendar_does_not_know_uses_months_and_says_so():
    spring = periods.parse("2030/31-spring", TERMS)
    assert (spring.start, spring.end) == (D(2031, 1, 1), D(2031, 3, 31))
    assert "term dates not known" in spring.label


@pytest.mark.parametrize("which", ["", "2026", "2026/28", "2026/27-winter", "2026-13", "2026-W60", "2025-W53",
                                   "1899/00", "=cmd|' /C calc'!A0", "2026-02-30", "x" * 500])
def test_a_period_that_cannot_be_read_is_a_plain_period_error(which):
    with pytest.raises(periods.PeriodError) as raised:
        periods.parse(which, TERMS)
    assert str(raised.value) and "Traceback" not in str(raised.value)


@pytest.mark.parametrize("kind,day,expected", [
    ("year", D(2026, 8, 31), "2025/26"), ("year", D(2026, 9, 1), "2026/27"),
    ("term", D(2026, 12, 25), "2026/27-autumn"), ("term", D(2027, 1, 4), "2026/27-spring"),
    ("quarter", D(2027, 1, 15), "2026/27-q2"), ("month", D(2027, 1, 15), "2027-01"),
    ("week", D(2027, 1, 1), "2026-W53"),
])
def test_the_period_containing_a_day(kind, day, expected):
    assert periods.containing(kind, day, TERMS).which == expected


def test_terms_cover_the_year_without_gaps():
    terms = [periods.term(2026, s, TERMS) for s in periods.TERMS]
    assert terms[0].start == D(2026, 9, 1) and terms[-1].end == D(2027, 8, 31)
    for before, after in zip(terms, terms[1:]):
        assert after.start == before.end + dt.timedelta(days=1)


def test_columns_split_a_year_by_month_a_month_by_week_and_a_week_by_day():
    assert [c.which for c in periods.columns(periods.parse("2026/27"))][:2] == ["2026-09", "2026-10"]
    assert len(periods.columns(periods.parse("2026/27"))) == 12
    weeks = periods.columns(periods.parse("2026-11"))
    assert [(c.start, c.end) for c in weeks][:2] == [(D(2026, 11, 1), D(2026, 11, 1)), (D(2026, 11, 2), D(2026, 11, 8))]
    assert weeks[-1].end == D(2026, 11, 30) and weeks[0].label == "Sunday 1 November 2026"
    days = periods.columns(periods.parse("2026-W48"))
    assert [d.short for d in days][:2] == ["Mon 23 Nov", "Tue 24 Nov"]


def test_a_week_across_31_august_is_cut_into_its_academic_years():
    week = periods.containing("week", D(2026, 8, 31))
    assert periods.academic_parts(week) == [("2025/26", D(2026, 8, 31), D(2026, 8, 31)),
                                            ("2026/27", D(2026, 9, 1), D(2026, 9, 6))]


def test_choices_run_from_the_oldest_kept_year_to_now_newest_first():
    years = periods.choices("year", D(2026, 11, 23), 2023)
    assert [p.which for p in years] == ["2026/27", "2025/26", "2024/25", "2023/24"]
    months = periods.choices("month", D(2026, 11, 23), 2026)
    assert [p.which for p in months] == ["2026-11", "2026-10", "2026-09"]


@pytest.mark.parametrize("asked,tried,days", [
    (dt.datetime(2026, 11, 23, 11, 0), dt.datetime(2026, 11, 23, 14, 0), 0),  # same helpline day
    (dt.datetime(2026, 11, 22, 17, 0), dt.datetime(2026, 11, 23, 10, 30), 1),  # Sunday -> Monday
    (dt.datetime(2026, 11, 23, 16, 0), dt.datetime(2026, 11, 24, 10, 30), 1),  # after hours -> next day
    (dt.datetime(2026, 11, 26, 16, 0), dt.datetime(2026, 11, 30, 10, 30), 1),  # Thu -> Mon: Fri not staffed
    (dt.datetime(2026, 12, 17, 12, 0), dt.datetime(2027, 1, 5, 11, 0), 2),  # Christmas holidays: Mon 4, Tue 5 Jan
])
def test_helpline_days_waited(asked, tried, days):
    assert periods.helpline_days_waited(CAL, asked, tried) == days


def _report(counts, new_lines=None):
    period = periods.parse("2026-11")
    return reports.build(period, periods.columns(period), counts, new_lines or {}, reports.Names(
        routes={"exclusion": "Exclusions and suspensions"}, safety_categories={"suicide_self_harm": "Self-harm"},
        safety_outcomes={"called": "Called the parent"}))


def test_counts_are_added_up_per_period_and_column():
    report = _report({
        D(2026, 11, 23): {"contact:call:in": 2, "contact:text:out": 1, "contact:known_line": 3, "texts:out": 4,
                          "route:exclusion": 2, "callback:wait:0": 1, "callback:wait:2": 1,
                          "callback:ended:reached": 1, "callback:attempts:1": 1, "safety:raised:suicide_self_harm": 1},
        D(2026, 11, 2): {"contact:call:out": 1, "contact:known_line": 1, "callback:wait:7": 1,
                         "callback:ended:not_reached": 1, "callback:attempts:3": 1},
        D(2026, 12, 1): {"contact:call:in": 50},  # another month: left out
    }, {"2026-11": 2, "2026-11-23..2026-11-29": 1})
    assert report.total("contacts", "All contacts (calls and text conversations)") == 4
    assert report.total("contacts", "Calls out of hours") == 1
    assert report.total("contacts", "Contacts out of hours (share)") == 0.5
    assert report.total("contacts", "Texts received (every message)") == 4
    assert report.total("repeats", "Contacts from a line already in touch this academic year") == 2
    assert report.total("repeats", "Lines in touch for the first time this academic year") == 2
    assert report.total("looked_for", "Guidance: Exclusions and suspensions") == 2
    assert report.total("callbacks", "First call on the day they asked") == 1
    assert report.total("callbacks", "First call after more than 5 helpline days") == 1
    assert report.total("callbacks", "Median wait for the first call (helpline days)") == 2.0
    assert report.total("callbacks", "Average wait for the first call (helpline days)") == 3.0
    assert report.total("callbacks", "Average calls per finished request") == 2.0
    assert report.total("callbacks", "Finished: Not reached: no answer on three different helpline days") == 1
    assert report.total("safety", "Raised: Self-harm") == 1
    week = [c.which for c in report.columns].index("2026-11-23..2026-11-29") + 1
    row = report.section("contacts").row("Calls in helpline hours")
    assert row.values[week] == 2 and sum(row.values[1:]) == row.total
    assert report.section("repeats").row("Contacts from a line already in touch this academic year").values[week] == 2


def test_nothing_to_measure_is_no_data_not_zero():
    report = _report({})
    assert report.total("callbacks", "Average wait for the first call (helpline days)") is None
    assert reports.shown(None, "days") == "no data"
    assert reports.shown(0.375, "share") == "38%" and reports.shown(1234) == "1,234"


@pytest.mark.parametrize("text,cell", [
    ("=1+1", "'=1+1"), ("+44 7700 900123", "'+44 7700 900123"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Exclusions", "Exclusions"), (3, 3), (2.5, 2.5), (None, ""),
])
def test_csv_cells_that_could_be_formulas_are_made_text(text, cell):
    assert reports.safe_cell(text) == cell


def test_the_csv_opens_as_one_clean_table():
    counts = {D(2026, 11, 23): {"route:evil": 3, "contact:call:in": 1}}
    period = periods.parse("2026-11")
    report = reports.build(period, periods.columns(period), counts, {}, reports.Names(
        routes={"evil": '=HYPERLINK("http://x","click"), "quoted"\nline'}))
    text = reports.to_csv(report)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0][:3] == ["Section", "Measure", "November 2026: Sunday 1 November 2026 to Monday 30 November 2026"]
    assert {len(r) for r in rows} == {len(rows[0])}
    evil = next(r for r in rows if "HYPERLINK" in r[1])
    assert evil[1] == 'Guidance: =HYPERLINK("http://x","click"), "quoted"\nline' and evil[2] == "3"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_a_chart_is_an_image_a_screen_reader_can_read():
    svg = charts.bar_chart("chart-x", "Contacts <by> month", [charts.Bar("Nov 2026", (3, 5)), charts.Bar("Dec", (0, 1))],
                           series=("in hours", "out of hours"))
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "Contacts <by> month"
    assert root.find(f"{SVG}title").text == "Contacts <by> month"
    desc = root.find(f"{SVG}desc")
    assert root.get("aria-describedby") == desc.get("id")
    assert desc.text == "Nov 2026: 8 (3 in hours, 5 out of hours); Dec: 1 (0 in hours, 1 out of hours)."
    assert "<script" not in svg and "on" + "load" not in svg
    empty = ET.fromstring(charts.bar_chart("c", "Nothing", []))
    assert empty.find(f"{SVG}desc").text == "No figures for this period."
