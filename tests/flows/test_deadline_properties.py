"""Properties that must hold for every date, checked with hypothesis."""

import calendar
from datetime import date as D
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.dateparse import ParsedDate, parse_date, parse_keypad_date
from flows.deadlines import (
    amended_plan_deadline,
    annual_review_deadlines,
    appeal_deadline,
    discrimination_claim_deadline,
    draft_plan_comments_deadline,
    ehc_assessment_deadlines,
    list_text_summary,
    mediation_adviser_deadline,
    mediation_certificate_deadline,
    mediation_meeting_deadline,
    phase_transfer_deadline,
)
from flows.gsm7 import gsm7_length, is_gsm7
from flows.workingdays import is_working_day

FAST = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
days = st.dates(min_value=D(2024, 1, 1), max_value=D(2031, 12, 31))
maybe_today = st.none() | st.dates(min_value=D(2024, 1, 1), max_value=D(2032, 12, 31))


def plain_months(start, n):
    """R2 worked independently: same day n months on, or that month's last day."""
    month = start.month + n
    year = start.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return D(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def plain_two_months(sent):
    return plain_months(sent, 2)


def in_christmas_window(d):
    return (d.month == 12 and d.day >= 25) or (d.month == 1 and d.day == 1)


@FAST
@given(sent=days, certificate=st.none() | days, school_only=st.booleans())
def test_appeal_date_is_a_working_day_outside_august_and_christmas(sent, certificate, school_only):
    r = appeal_deadline(sent, certificate, school_only)
    assert is_working_day(r.date)
    assert r.date.month != 8
    assert not in_christmas_window(r.date)
    assert r.date >= plain_two_months(sent)
    assert r.date >= r.raw_date
    if r.safe_target is not None:
        assert r.safe_target < r.date and is_working_day(r.safe_target)


@FAST
@given(first=days, gap=st.integers(min_value=0, max_value=120))
def test_a_later_decision_never_gives_an_earlier_appeal_date(first, gap):
    later = first + timedelta(days=gap)
    assert appeal_deadline(first).date <= appeal_deadline(later).date


@FAST
@given(sent=days, first=days, gap=st.integers(min_value=0, max_value=60))
def test_a_later_certificate_never_gives_an_earlier_appeal_date(sent, first, gap):
    assert appeal_deadline(sent, first).date <= appeal_deadline(sent, first + timedelta(days=gap)).date
    assert appeal_deadline(sent, first).date >= appeal_deadline(sent).date


@FAST
@given(sent=days)
def test_mediation_adviser_date_never_moves(sent):
    r = mediation_adviser_deadline(sent)
    assert r.date == plain_two_months(sent)
    if is_working_day(r.date):
        assert r.safe_target is None
    else:
        assert r.safe_target < r.date and is_working_day(r.safe_target)
        assert all(not is_working_day(r.safe_target + timedelta(days=k))
                   for k in range(1, (r.date - r.safe_target).days + 1))


@FAST
@given(event=days)
def test_mediation_certificate_is_exactly_three_working_days_on(event):
    r = mediation_certificate_deadline(event)
    between = [event + timedelta(days=k) for k in range(1, (r.date - event).days + 1)]
    assert sum(is_working_day(d) for d in between) == 3
    assert is_working_day(r.date)


@FAST
@given(conduct=days)
def test_discrimination_claim_never_rolls_forward(conduct):
    r = discrimination_claim_deadline(conduct)
    assert r.date == r.raw_date == plain_months(conduct, 6) - timedelta(days=1)
    assert conduct + timedelta(days=178) <= r.date <= conduct + timedelta(days=183)
    assert (r.safe_target is None) == is_working_day(r.date)


def all_results(start, today, year, post16):
    yield appeal_deadline(start, today=today)
    yield appeal_deadline(start, start + timedelta(days=40), today=today)
    yield appeal_deadline(start, start, school_only=True, today=today)
    yield mediation_adviser_deadline(start, today=today)
    yield mediation_certificate_deadline(start, today=today)
    yield mediation_meeting_deadline(start, today=today)
    yield from ehc_assessment_deadlines(start, today=today)
    yield draft_plan_comments_deadline(start, today=today)
    yield from annual_review_deadlines(start, today=today)
    yield amended_plan_deadline(start, today=today)
    yield phase_transfer_deadline(year, post16, today=today)
    yield discrimination_claim_deadline(start, today=today)


@settings(max_examples=150, deadline=None, database=None)
@given(start=days, today=maybe_today, year=st.integers(2024, 2031), post16=st.booleans())
def test_every_text_summary_is_gsm7_and_fits_three_texts(start, today, year, post16):
    for r in all_results(start, today, year, post16):
        text = r.text_summary()
        assert is_gsm7(text), text
        assert gsm7_length(text) <= 459, text
        assert text.startswith(r.headline_phrase.text())
        assert "This is a guide, not legal advice." in text
        assert all(is_gsm7(p) and p for p in r.spoken_parts())
        if r.has_passed and r.kind == "appeal":
            assert "a late appeal may still be possible" in text
    for group in (ehc_assessment_deadlines(start, today=today), annual_review_deadlines(start, today=today)):
        text = list_text_summary(group)
        assert is_gsm7(text) and gsm7_length(text) <= 459


@FAST
@given(day=st.dates(min_value=D(2017, 1, 1), max_value=D(2026, 11, 22)))
def test_dates_written_any_usual_way_read_back(day):
    today = D(2026, 11, 22)
    for text in (
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day:02d}.{day.month:02d}.{day.year % 100:02d}",
        f"sent on {day:%A} {day.day} {day:%B} {day.year}.",
        f"{day:%b} {day.day}, {day.year}",
        day.isoformat(),
    ):
        assert parse_date(text, today, past_only=True) == ParsedDate(day), text
    assert parse_keypad_date(f"{day:%d%m%Y}", today) == ParsedDate(day)
