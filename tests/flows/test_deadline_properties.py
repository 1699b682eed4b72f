"""Properties that must hold for every date, checked with hypothesis."""

import calendar
from datetime import date as D
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.dateparse import ParsedDate, parse_date, parse_keypad_date
from flows.deadlines import (
    add_months,
    amended_plan_deadline,
    amendment_comments_deadline,
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
    post16_move_deadline,
    reassessment_plan_deadline,
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


def next_working_day_from(d):
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


@FAST
@given(sent=days, certificate=st.none() | days, school_only=st.none() | st.booleans())
def test_appeal_date_moves_by_r5_only_when_the_time_ends_in_a_break(sent, certificate, school_only):
    r = appeal_deadline(sent, certificate, school_only)
    assert is_working_day(r.date) and r.safe_target is None
    assert r.date >= plain_two_months(sent)
    if r.raw_date.month == 8 or in_christmas_window(r.raw_date):  # R5: the first working day after the break
        assert r.date.month != 8 and not in_christmas_window(r.date) and r.date > r.raw_date
        assert all(not is_working_day(d) or d.month == 8 or in_christmas_window(d)
                   for d in (r.raw_date + timedelta(days=k) for k in range((r.date - r.raw_date).days)))
    else:  # R4 alone, even when that lands in August or the Christmas break
        assert r.date == next_working_day_from(r.raw_date)


@FAST
@given(sent=days, school_only=st.none() | st.just(False), today=maybe_today)
def test_an_appeal_text_and_call_begin_with_the_date_and_the_mediation_step(sent, school_only, today):
    r = appeal_deadline(sent, None, school_only, today=today)
    written = f"{r.date:%A} {r.date.day} {r.date:%B %Y}"
    first_part = r.text_summary()[:153]  # the first part of a longer text
    assert f"by 5pm on {written}." in first_part
    assert "First get the mediation adviser's advice and certificate." in first_part
    said = r.spoken_parts()[0]
    assert said.endswith("first get the mediation adviser's advice and certificate.") and said.count(".") == 1
    assert "5pm on " + f"{r.date:%A}" in said


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
    yield amendment_comments_deadline(start, today=today)
    yield reassessment_plan_deadline(start, today=today)
    yield post16_move_deadline(start, today=today)
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
        assert "guide, not legal advice" in text
        assert all(is_gsm7(p) and p for p in r.spoken_parts())
        if r.kind == "appeal":  # every appeal, passed or not
            assert "a late appeal may still be possible" in text
        if r.has_passed or (r.days_left is not None and r.days_left <= 1):
            assert r._status_phrase().text() in text
    for group in (ehc_assessment_deadlines(start, today=today), annual_review_deadlines(start, today=today)):
        text = list_text_summary(group)
        assert is_gsm7(text) and gsm7_length(text) <= 459


@FAST
@given(move=days)
def test_a_post16_move_gives_the_corresponding_day_5_months_before(move):
    r = post16_move_deadline(move)
    assert r.date == plain_months(move, -5)  # never moves, whatever day it is
    assert add_months(r.date, 5)[0] <= move  # so it is at least 5 months before the move
    assert (r.safe_target is None) == is_working_day(r.date)


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
