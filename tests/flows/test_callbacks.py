"""The callback rules: urgency, order, booking days, windows, outcomes, answers."""

import datetime as dt

import pytest

from flows import callbacks as rules
from flows.guidance import load_guidance
from flows.hours import HelplineCalendar
from clock import london

CAL = HelplineCalendar.load()


@pytest.mark.parametrize("deadline, urgent", [
    (None, False),
    (dt.date(2026, 11, 30), True),   # 6 working days after Monday 23 November
    (dt.date(2026, 12, 7), True),    # exactly the 10th working day
    (dt.date(2026, 12, 8), False),   # the 11th
    (dt.date(2026, 11, 1), True),    # already past: as urgent as it gets
])
def test_deadline_within_ten_working_days_is_urgent(deadline, urgent):
    assert rules.is_urgent(safety=False, deadline=deadline, today=dt.date(2026, 11, 23)) is urgent


def test_safety_is_always_urgent():
    assert rules.is_urgent(safety=True, deadline=None, today=dt.date(2026, 11, 23))


def test_queue_score_puts_urgent_first_then_oldest():
    early, late = london(dt.datetime(2026, 11, 1, 9)), london(dt.datetime(2026, 11, 20, 9))
    scores = {name: rules.queue_score(u, at) for name, u, at in
              [("old", False, early), ("new", False, late), ("urgent_new", True, late), ("urgent_old", True, early)]}
    assert sorted(scores, key=scores.get) == ["urgent_old", "urgent_new", "old", "new"]


@pytest.mark.parametrize("now, first", [
    (dt.datetime(2026, 11, 22, 9), dt.date(2026, 11, 23)),   # Sunday -> Monday
    (dt.datetime(2026, 11, 23, 9), dt.date(2026, 11, 23)),   # Monday before opening: today
    (dt.datetime(2026, 11, 23, 11), dt.date(2026, 11, 23)),  # open now: today
    (dt.datetime(2026, 11, 23, 15, 30), dt.date(2026, 11, 24)),  # after hours
    (dt.datetime(2026, 11, 26, 16), dt.date(2026, 11, 30)),  # Thursday evening -> Monday
    (dt.datetime(2026, 10, 23, 11), dt.date(2026, 11, 2)),   # Friday before half term
    (dt.datetime(2026, 12, 17, 16), dt.date(2027, 1, 4)),    # after the last day of term
])
def test_candidate_days_start_at_the_next_helpline_day(now, first):
    days = rules.candidate_days(CAL, london(now))
    assert days[0] == first
    assert all(CAL.day_status(d).is_open for d in days)
    assert days == sorted(days)


def test_candidate_days_skip_half_term_and_bank_holidays():
    days = rules.candidate_days(CAL, london(dt.datetime(2027, 4, 29, 11)), limit=3)
    assert days == [dt.date(2027, 4, 29), dt.date(2027, 5, 4), dt.date(2027, 5, 5)]  # Mon 3 May is a bank holiday


@pytest.mark.parametrize("part, words", [("morning", ("10am", "12 noon")), ("afternoon", ("12 noon", "3pm")),
                                         ("any", ("10am", "3pm"))])
def test_windows_stay_inside_helpline_hours(part, words):
    assert rules.window_words(CAL, part) == words


def test_outcomes_reached_and_wrong_number_finish():
    assert rules.apply_outcome("reached", attempts=0, attempt_days=[], today=dt.date(2026, 11, 23)).status == "done"
    assert rules.apply_outcome("resolved_by_text", attempts=1, attempt_days=[], today=dt.date(2026, 11, 23)).status == "done"
    r = rules.apply_outcome("wrong_number", attempts=0, attempt_days=[], today=dt.date(2026, 11, 23))
    assert (r.status, r.closing_text) == ("closed", False)


def test_three_missed_days_close_but_same_day_counts_once():
    days, attempts = [], 0
    for today, outcome, status in [(dt.date(2026, 11, 23), "no_answer", "open"),
                                   (dt.date(2026, 11, 23), "left_voicemail", "open"),
                                   (dt.date(2026, 11, 24), "no_answer", "open"),
                                   (dt.date(2026, 11, 26), "left_voicemail", "closed")]:
        r = rules.apply_outcome(outcome, attempts=attempts, attempt_days=days, today=today)
        assert r.status == status
        days, attempts = list(r.attempt_days), r.attempts
    assert r.closing_text and attempts == 4 and len(days) == 3


def test_unknown_outcome_is_refused():
    with pytest.raises(ValueError):
        rules.apply_outcome("gave_up", attempts=0, attempt_days=[], today=dt.date(2026, 11, 23))


@pytest.mark.parametrize("text, part", [("morning", "morning"), ("AM", "morning"), ("1", "morning"),
                                        ("Afternoon please", "afternoon"), ("pm", "afternoon"), ("2", "afternoon"),
                                        ("any", "any"), ("3", "any"), ("any time", "any"), ("either", "any"),
                                        ("banana", None)])
def test_part_of_day_answers(text, part):
    assert rules.parse_part_of_day(text) == part


@pytest.mark.parametrize("text, answer", [("yes", True), ("Y", True), ("1", True), ("ok.", True), ("no", False),
                                          ("N", False), ("2", False), ("maybe", None)])
def test_yes_or_no(text, answer):
    assert rules.yes_or_no(text) is answer


def test_topic_titles_come_from_the_guidance():
    tree = load_guidance()
    assert rules.topic_title(tree, "appeal") == "Appeals to the Tribunal"
    assert rules.topic_title(tree, "general") == "A general question"
    assert rules.topic_title(tree, "main") == "A general question"
