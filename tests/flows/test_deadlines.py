"""Deadline calculators: tables of dates worked by hand from shared/reference/deadline-rules.md."""

import re
import tomllib
from datetime import date as D

import pytest

from flows.copy import MESSAGES_DIR, load_copy
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
    spoken_of,
    text_of,
)
from flows.gsm7 import gsm7_length, is_gsm7

EHC_EXCEPTIONS = (
    "Some exceptions allow more time, for example if the school is closed for 4 weeks or more. "
    "Ask us if one might apply."
)
LATE_APPEAL = "Missed it? Contact us or the charity IPSEA: a late appeal may still be possible."
LATE_APPEAL_SAID = ("If you have missed it, contact us or the charity IPSEA: a late appeal may still be possible, "
                    "as the Tribunal, a special court, can allow it.")
GUIDE = "guide, not legal advice"
TRIBUNAL = "reach the Tribunal (special court) by 5pm on"  # the court, explained where first used
MEDIATION_STEP = "First get the mediation adviser's advice and certificate."

# ---- The reference file's worked examples, exactly --------------------------------------------

WORKED_APPEALS = [
    (D(2026, 1, 12), None, D(2026, 3, 12)),  # +2 months, a working day
    (D(2025, 12, 30), None, D(2026, 3, 2)),  # no 30 Feb: Sat 28 Feb, next working day
    (D(2026, 5, 15), D(2026, 6, 22), D(2026, 7, 22)),  # certificate later
    (D(2026, 6, 17), None, D(2026, 9, 1)),  # 17 Aug in August; Mon 31 Aug bank holiday
    (D(2025, 10, 23), None, D(2025, 12, 23)),  # outside 25 Dec-1 Jan: no extension
    (D(2026, 10, 26), None, D(2027, 1, 4)),  # Sat 26 Dec in the window; Fri 1 Jan holiday
    (D(2026, 2, 6), None, D(2026, 4, 7)),  # Mon 6 Apr Easter Monday
]


@pytest.mark.parametrize("sent, certificate, expected", WORKED_APPEALS)
def test_reference_worked_examples_appeal(sent, certificate, expected):
    assert appeal_deadline(sent, certificate).date == expected


def test_reference_worked_example_mediation_adviser():
    r = mediation_adviser_deadline(D(2026, 2, 6))
    assert (r.date, r.safe_target) == (D(2026, 4, 6), D(2026, 4, 2))


def test_reference_worked_example_certificate():
    assert mediation_certificate_deadline(D(2026, 4, 1)).date == D(2026, 4, 8)


def test_reference_worked_example_ehc():
    assert [r.date for r in ehc_assessment_deadlines(D(2026, 1, 5))] == [
        D(2026, 2, 16), D(2026, 4, 27), D(2026, 5, 25)]


# ---- Appeals: R1, R2, R4, R5, R10 -------------------------------------------------------------

APPEALS = [
    # month ends and leap years (R2)
    (D(2027, 12, 31), None, False, D(2028, 2, 29)),  # leap year: 29 Feb, a Tuesday
    (D(2026, 12, 31), None, False, D(2027, 3, 1)),  # Sun 28 Feb 2027 -> Mon 1 Mar
    (D(2027, 12, 29), None, False, D(2028, 2, 29)),
    (D(2027, 12, 30), None, False, D(2028, 2, 29)),  # clamped to 29 Feb
    (D(2026, 3, 31), None, False, D(2026, 6, 1)),  # Sun 31 May -> Mon 1 Jun
    (D(2026, 7, 31), None, False, D(2026, 9, 30)),  # no 31 Sep: Wed 30 Sep
    # Christmas window (R5) and either side of it
    (D(2026, 10, 31), None, False, D(2027, 1, 4)),  # Thu 31 Dec in the window
    (D(2026, 10, 23), None, False, D(2026, 12, 23)),
    (D(2026, 10, 24), None, False, D(2026, 12, 24)),  # 24 Dec is a working day
    (D(2027, 10, 25), None, False, D(2028, 1, 4)),  # Sat 25 Dec; Mon 3 Jan 2028 substitute
    (D(2027, 11, 1), None, False, D(2028, 1, 4)),  # Sat 1 Jan 2028 is in the window
    (D(2025, 11, 2), None, False, D(2026, 1, 2)),  # Fri 2 Jan is outside the window
    (D(2026, 11, 2), None, False, D(2027, 1, 4)),  # Sat 2 Jan: R4 only
    (D(2027, 11, 3), None, False, D(2028, 1, 4)),  # Mon 3 Jan 2028, substitute New Year
    (D(2026, 10, 28), None, False, D(2027, 1, 4)),  # Mon 28 Dec substitute, in the window
    # August (R5)
    (D(2026, 6, 1), None, False, D(2026, 9, 1)),  # Sat 1 Aug
    (D(2027, 6, 30), None, False, D(2027, 9, 1)),  # Mon 30 Aug 2027, Late Summer bank holiday
    (D(2028, 6, 30), None, False, D(2028, 9, 1)),  # Wed 30 Aug 2028
    (D(2028, 7, 1), None, False, D(2028, 9, 1)),  # Fri 1 Sep: not August, no change
    # R5 looks at the day the time ENDS ON (corrected reference): R4 alone may land in a break
    (D(2027, 5, 31), None, False, D(2027, 8, 2)),  # Sat 31 Jul 2027 -> Mon 2 Aug 2027 (was 1 Sep)
    (D(2028, 10, 24), None, False, D(2028, 12, 27)),  # Sun 24 Dec 2028 -> Wed 27 Dec (was 2 Jan 2029)
    (D(2028, 10, 1), D(2028, 11, 24), False, D(2028, 12, 27)),  # cert: Sun 24 Dec; 25, 26 Dec holidays
    (D(2032, 10, 24), None, False, D(2032, 12, 24)),  # Fri 24 Dec 2032: a working day, no move
    # bank holidays (R4)
    (D(2026, 2, 3), None, False, D(2026, 4, 7)),  # Good Friday 3 Apr 2026
    (D(2027, 1, 26), None, False, D(2027, 3, 30)),  # Good Friday 26 Mar, Easter Monday 29 Mar 2027
    (D(2026, 3, 4), None, False, D(2026, 5, 5)),  # May Day
    (D(2026, 3, 25), None, False, D(2026, 5, 26)),  # Spring bank holiday
    # certificates (R1)
    (D(2026, 1, 12), D(2026, 2, 2), False, D(2026, 3, 12)),  # certificate earlier: decision wins
    (D(2026, 6, 1), D(2026, 7, 15), False, D(2026, 9, 1)),  # cert: Sat 15 Aug -> 1 Sep
    (D(2025, 12, 2), D(2026, 1, 31), False, D(2026, 3, 2)),  # cert: 28 Feb (clamped) -> Mon 2 Mar
    (D(2026, 2, 10), D(2026, 3, 10), False, D(2026, 4, 10)),  # both end Fri 10 Apr
    (D(2026, 10, 1), D(2026, 11, 30), False, D(2027, 1, 4)),  # cert: Wed 30 Dec, window
    # school-only appeals (R10): the certificate is ignored
    (D(2026, 5, 15), D(2026, 6, 22), True, D(2026, 7, 15)),
    (D(2026, 1, 12), None, True, D(2026, 3, 12)),
]


@pytest.mark.parametrize("sent, certificate, school_only, expected", APPEALS)
def test_appeal_table(sent, certificate, school_only, expected):
    result = appeal_deadline(sent, certificate, school_only)
    assert result.date == expected
    assert result.weekday == expected.strftime("%A")
    assert result.by_time == "5pm"


def test_appeal_ending_on_christmas_eve_sunday_moves_by_r4_only():
    # Sun 24 Dec 2028 is before the window: R4 gives Wed 27 Dec (25 and 26 Dec are bank holidays).
    r = appeal_deadline(D(2028, 10, 24))
    assert (r.raw_date, r.date, r.safe_target) == (D(2028, 12, 24), D(2028, 12, 27), None)
    assert r.adjustments == (
        "24 December 2028 is a Sunday, so the appeal is in time on the next working day, Wednesday 27 December 2028.",
        "The time ends before 25 December, so the Christmas extension does not apply.",
    )


def test_appeal_ending_on_saturday_31_july_moves_to_monday_2_august_not_september():
    r = appeal_deadline(D(2027, 5, 31), school_only=False, today=D(2027, 7, 26))
    assert (r.date, r.safe_target, r.days_left, r.has_passed) == (D(2027, 8, 2), None, 7, False)
    assert r.adjustments == (
        "31 July 2027 is a Saturday, so the appeal is in time on the next working day, Monday 2 August 2027.",
        "The time ends in July, so the August extension does not apply.",
    )
    assert r.text_summary().startswith(f"Your appeal must {TRIBUNAL} Monday 2 August 2027.")
    assert "That is 7 days from today." in r.text_summary()
    assert appeal_deadline(D(2027, 5, 31), today=D(2027, 8, 3)).has_passed is True


def test_appeal_adjustments_explain_each_move():
    r = appeal_deadline(D(2025, 12, 30))
    assert r.raw_date == D(2026, 2, 28)
    assert r.adjustments == (
        "February 2026 has no 30th day, so the time ends on its last day, Saturday 28 February 2026.",
        "28 February 2026 is a Saturday, so the appeal is in time on the next working day, Monday 2 March 2026.",
    )
    assert r.safe_target is None


def test_appeal_august_and_christmas_explanations():
    assert appeal_deadline(D(2026, 6, 17)).adjustments == (
        "Monday 17 August 2026 is in August, so the appeal is in time on the first working day after 31 August.",
    )
    assert "between 25 December and 1 January" in appeal_deadline(D(2026, 10, 26)).adjustments[0]
    assert appeal_deadline(D(2025, 10, 23)).adjustments == ()


def test_certificate_later_or_earlier_is_explained():
    later = appeal_deadline(D(2026, 5, 15), D(2026, 6, 22))
    assert later.raw_date == D(2026, 7, 22)
    assert later.adjustments == (
        "The certificate date counts: 1 month from it is Wednesday 22 July 2026, later than 2 months "
        "from the decision, Wednesday 15 July 2026.",
    )
    earlier = appeal_deadline(D(2026, 1, 12), D(2026, 2, 2))
    assert earlier.adjustments[0].startswith("The decision date counts: 2 months from it is Thursday 12 March 2026")


def test_school_only_appeal_says_the_certificate_was_not_used():
    r = appeal_deadline(D(2026, 5, 15), D(2026, 6, 22), school_only=True)
    assert r.adjustments == (
        "An appeal only about the school named does not need a mediation certificate, "
        "so the certificate date was not used.",
    )
    assert "needs no mediation certificate" in r.rule
    assert "its type, or that none is named" in r.rule


# ---- The appeal's key facts: the last day AND the mediation step, first ----------------------

FIRST_PART = 153  # GSM-7 characters in the first part of a longer text


@pytest.mark.parametrize("sent", [D(2026, 10, 1), D(2026, 7, 30), D(2025, 12, 30), D(2027, 5, 31)])
def test_the_first_part_of_the_text_and_the_first_sentence_say_the_date_and_the_mediation_step(sent):
    r = appeal_deadline(sent, school_only=False, today=D(2026, 11, 22))
    first_part = r.text_summary()[:FIRST_PART]
    assert f"by 5pm on {r.date:%A} {r.date.day} {r.date:%B %Y}." in first_part
    assert MEDIATION_STEP in first_part
    said = r.spoken_parts()[0]
    assert said.count(".") == 1 and "5pm on" in said and "first get the mediation adviser's advice and certificate" in said


def test_a_one_shot_appeal_says_when_mediation_is_not_needed():
    # DEADLINE 1/10/2026: nothing known about a certificate or what the appeal is about.
    r = appeal_deadline(D(2026, 10, 1), today=D(2026, 11, 22))
    text = r.text_summary()
    assert text.startswith(
        f"Your appeal must {TRIBUNAL} Tuesday 1 December 2026. {MEDIATION_STEP} Contact them by Tuesday 1 December "
        "2026. Not needed if only about the school named, its type, or that none is named.")
    assert LATE_APPEAL in text  # not passed, still said


def test_the_mediation_step_follows_what_the_parent_said():
    needed = appeal_deadline(D(2026, 2, 6), school_only=False)
    assert needed.spoken_parts()[:3] == [
        "Your appeal must reach the Tribunal, a special court, by 5pm on Tuesday the 7th of April 2026; first get "
        "the mediation adviser's advice and certificate.",
        "Contact them by Monday the 6th of April 2026.",  # R7: never moves
        "To be safe, contact them by Thursday the 2nd of April 2026.",
    ]
    assert "Mediation is a free meeting with a mediator." in " ".join(needed.spoken_parts())
    only = appeal_deadline(D(2026, 2, 6), school_only=True)
    said = only.spoken_parts()[0]
    assert said.startswith("Your appeal must reach the Tribunal, a special court, by 5pm on Tuesday the 7th of April 2026.")
    assert "only about the school named" in said and "no mediation certificate or advice" in said
    assert only.text_summary().startswith(
        f"Your appeal must {TRIBUNAL} Tuesday 7 April 2026. Only about the school named: no mediation certificate "
        "needed.")
    assert "mediation adviser" not in only.text_summary() + " ".join(only.spoken_parts())
    has = appeal_deadline(D(2026, 2, 6), D(2026, 3, 20), school_only=False)
    assert has.text_summary().startswith(
        f"Your appeal must {TRIBUNAL} Monday 20 April 2026. You have the mediation certificate you need.")


@pytest.mark.parametrize("today", [None, D(2026, 1, 1), D(2026, 3, 12), D(2026, 11, 22)])
@pytest.mark.parametrize("school_only", [None, False, True])
def test_every_appeal_result_says_a_late_appeal_may_be_possible(today, school_only):
    r = appeal_deadline(D(2026, 1, 12), school_only=school_only, today=today)
    assert LATE_APPEAL in r.text_summary()
    assert LATE_APPEAL_SAID in r.spoken_parts()
    assert r.late_advice == LATE_APPEAL


# ---- R7 mediation adviser: no August, no Christmas, no rolling --------------------------------

MEDIATION_ADVISER = [
    (D(2026, 2, 6), D(2026, 4, 6), D(2026, 4, 2)),  # Easter Monday
    (D(2026, 6, 17), D(2026, 8, 17), None),  # August: NOT moved to September
    (D(2026, 10, 26), D(2026, 12, 26), D(2026, 12, 24)),  # NOT moved to January
    (D(2025, 12, 30), D(2026, 2, 28), D(2026, 2, 27)),
    (D(2026, 12, 31), D(2027, 2, 28), D(2027, 2, 26)),
    (D(2027, 12, 31), D(2028, 2, 29), None),  # leap year
    (D(2026, 1, 12), D(2026, 3, 12), None),
    (D(2026, 10, 28), D(2026, 12, 28), D(2026, 12, 24)),  # substitute Boxing Day
    (D(2027, 10, 27), D(2027, 12, 27), D(2027, 12, 24)),  # substitute Christmas Day
    (D(2027, 11, 3), D(2028, 1, 3), D(2027, 12, 31)),  # substitute New Year's Day
    (D(2026, 11, 1), D(2027, 1, 1), D(2026, 12, 31)),  # New Year's Day
    (D(2026, 6, 30), D(2026, 8, 30), D(2026, 8, 28)),  # Sunday before the August bank holiday
    (D(2027, 6, 30), D(2027, 8, 30), D(2027, 8, 27)),  # Late Summer bank holiday
]


@pytest.mark.parametrize("sent, expected, safe", MEDIATION_ADVISER)
def test_mediation_adviser_table(sent, expected, safe):
    r = mediation_adviser_deadline(sent)
    assert (r.date, r.safe_target) == (expected, safe)
    assert r.by_time is None


def test_mediation_adviser_says_it_does_not_move():
    r = mediation_adviser_deadline(D(2026, 2, 6))
    assert r.adjustments == (
        "6 April 2026 is Easter Monday, a bank holiday. The rules do not move this date to the next working day.",
    )
    assert "To be safe, do it by Thursday 2 April 2026." in r.text_summary()


# ---- R8 mediation certificate: 3 working days -------------------------------------------------

CERTIFICATES = [
    (D(2026, 4, 1), D(2026, 4, 8)),
    (D(2026, 12, 24), D(2026, 12, 31)),
    (D(2026, 12, 30), D(2027, 1, 5)),
    (D(2026, 8, 14), D(2026, 8, 19)),  # August counts
    (D(2027, 12, 23), D(2027, 12, 30)),
    (D(2026, 5, 22), D(2026, 5, 28)),
    (D(2026, 2, 28), D(2026, 3, 4)),  # told on a Saturday
    (D(2026, 8, 27), D(2026, 9, 2)),  # Mon 31 Aug skipped
]


@pytest.mark.parametrize("event, expected", CERTIFICATES)
def test_mediation_certificate_table(event, expected):
    r = mediation_certificate_deadline(event)
    assert r.date == expected
    assert r.safe_target is None


def test_mediation_certificate_names_the_skipped_bank_holidays():
    assert mediation_certificate_deadline(D(2026, 4, 1)).adjustments == (
        "3 April 2026 is Good Friday, a bank holiday, so it is not counted as a working day.",
        "6 April 2026 is Easter Monday, a bank holiday, so it is not counted as a working day.",
    )


# ---- R9 mediation meeting: 30 calendar days ---------------------------------------------------

@pytest.mark.parametrize(
    "told, expected, safe",
    [
        (D(2026, 4, 1), D(2026, 5, 1), None),
        (D(2026, 11, 26), D(2026, 12, 26), D(2026, 12, 24)),
        (D(2026, 8, 1), D(2026, 8, 31), D(2026, 8, 28)),
        (D(2026, 1, 30), D(2026, 3, 1), D(2026, 2, 27)),
        (D(2028, 1, 30), D(2028, 2, 29), None),
    ],
)
def test_mediation_meeting_table(told, expected, safe):
    r = mediation_meeting_deadline(told)
    assert (r.date, r.safe_target) == (expected, safe)


# ---- R12 EHC needs assessment and draft plans -------------------------------------------------

@pytest.mark.parametrize(
    "received, assess, no_plan, final, final_safe",
    [
        (D(2026, 1, 5), D(2026, 2, 16), D(2026, 4, 27), D(2026, 5, 25), D(2026, 5, 22)),
        (D(2025, 11, 20), D(2026, 1, 1), D(2026, 3, 12), D(2026, 4, 9), None),
        (D(2026, 1, 19), D(2026, 3, 2), D(2026, 5, 11), D(2026, 6, 8), None),
    ],
)
def test_ehc_assessment_table(received, assess, no_plan, final, final_safe):
    results = ehc_assessment_deadlines(received)
    assert [r.date for r in results] == [assess, no_plan, final]
    assert results[2].safe_target == final_safe
    assert all([n.text() for n in r.notes] == [EHC_EXCEPTIONS] for r in results)
    assert all(EHC_EXCEPTIONS in r.spoken_parts() for r in results)


def test_ehc_new_years_day_gets_a_safe_target():
    assert ehc_assessment_deadlines(D(2025, 11, 20))[0].safe_target == D(2025, 12, 31)


@pytest.mark.parametrize(
    "served, expected, safe",
    [
        (D(2026, 3, 2), D(2026, 3, 16), None),
        (D(2026, 3, 20), D(2026, 4, 3), D(2026, 4, 2)),  # Good Friday
        (D(2026, 12, 14), D(2026, 12, 28), D(2026, 12, 24)),  # substitute Boxing Day
        (D(2026, 8, 20), D(2026, 9, 3), None),
        (D(2028, 2, 15), D(2028, 2, 29), None),
    ],
)
def test_draft_plan_comments_table(served, expected, safe):
    r = draft_plan_comments_deadline(served)
    assert (r.date, r.safe_target) == (expected, safe)


# ---- R13 annual reviews and amended plans -----------------------------------------------------

@pytest.mark.parametrize(
    "meeting, notice, notice_safe, report, report_safe, decision",
    [
        (D(2026, 3, 11), D(2026, 2, 25), None, D(2026, 3, 25), None, D(2026, 4, 8)),
        (D(2026, 3, 23), D(2026, 3, 9), None, D(2026, 4, 6), D(2026, 4, 2), D(2026, 4, 20)),
        (D(2026, 12, 8), D(2026, 11, 24), None, D(2026, 12, 22), None, D(2027, 1, 5)),
        (D(2027, 12, 14), D(2027, 11, 30), None, D(2027, 12, 28), D(2027, 12, 24), D(2028, 1, 11)),
        # notice and papers: 14 days before, never moved; a bank holiday gets a safe target
        (D(2026, 4, 20), D(2026, 4, 6), D(2026, 4, 2), D(2026, 5, 4), D(2026, 5, 1), D(2026, 5, 18)),
        (D(2027, 1, 8), D(2026, 12, 25), D(2026, 12, 24), D(2027, 1, 22), None, D(2027, 2, 5)),
        (D(2026, 9, 14), D(2026, 8, 31), D(2026, 8, 28), D(2026, 9, 28), None, D(2026, 10, 12)),  # August counts
    ],
)
def test_annual_review_table(meeting, notice, notice_safe, report, report_safe, decision):
    note, rep, dec = annual_review_deadlines(meeting)
    assert (note.date, note.safe_target) == (notice, notice_safe)
    assert (rep.date, rep.safe_target, dec.date) == (report, report_safe, decision)
    assert [r.kind for r in (note, rep, dec)] == ["review_notice", "review_report", "review_decision"]


def test_annual_review_notice_words():
    note = annual_review_deadlines(D(2026, 3, 11))[0]
    assert note.text_summary().startswith(
        "You should get notice of the review meeting, and its papers, by Wednesday 25 February 2026.")
    assert "at least 2 weeks' notice" in note.rule and "papers, the advice and reports" in note.rule
    text = list_text_summary(annual_review_deadlines(D(2026, 3, 11)))
    assert text.startswith("Annual review dates, for a meeting on Wednesday 11 March 2026:\n"
                           "- Notice of the meeting and its papers by Wednesday 25 February 2026\n")


# ---- Comments on proposed amendments after a review (reg 22(2)(c), [U]) ----------------------

@pytest.mark.parametrize(
    "sent, expected, safe, final",
    [
        (D(2026, 11, 2), D(2026, 11, 16), None, D(2026, 12, 28)),  # day 1 is the day sent
        (D(2026, 3, 20), D(2026, 4, 3), D(2026, 4, 2), D(2026, 5, 15)),  # Good Friday
        (D(2026, 12, 11), D(2026, 12, 25), D(2026, 12, 24), D(2027, 2, 5)),  # Christmas: not moved
        (D(2028, 2, 15), D(2028, 2, 29), None, D(2028, 4, 11)),  # leap year
        (D(2026, 8, 1), D(2026, 8, 15), D(2026, 8, 14), D(2026, 9, 26)),  # August counts
    ],
)
def test_amendment_comments_table(sent, expected, safe, final):
    r = amendment_comments_deadline(sent)
    assert (r.date, r.safe_target, r.actor) == (expected, safe, "you")
    assert f"final amended plan by {final:%A} {final.day} {final:%B %Y}" in r.text_summary(limit=10_000)
    assert final == amended_plan_deadline(sent).date


# ---- Final plan after a re-assessment (reg 27(2), [U]) ---------------------------------------

@pytest.mark.parametrize(
    "notified, expected, safe",
    [
        (D(2026, 1, 5), D(2026, 4, 13), None),  # +14 weeks
        (D(2026, 1, 19), D(2026, 4, 27), None),
        (D(2025, 12, 29), D(2026, 4, 6), D(2026, 4, 2)),  # Easter Monday: safe target Thu 2 Apr
        (D(2026, 9, 18), D(2026, 12, 25), D(2026, 12, 24)),  # Christmas Day: not moved
        (D(2026, 5, 4), D(2026, 8, 10), None),  # August counts
    ],
)
def test_reassessment_plan_table(notified, expected, safe):
    r = reassessment_plan_deadline(notified)
    assert (r.date, r.safe_target, r.actor) == (expected, safe, "council")
    assert [n.text() for n in r.notes] == [EHC_EXCEPTIONS]
    assert "the council told you it would re-assess" in r.text_summary(limit=10_000)


@pytest.mark.parametrize(
    "proposed, expected, safe",
    [
        (D(2026, 1, 12), D(2026, 3, 9), None),
        (D(2026, 11, 2), D(2026, 12, 28), D(2026, 12, 24)),
        (D(2026, 3, 6), D(2026, 5, 1), None),
        (D(2026, 3, 9), D(2026, 5, 4), D(2026, 5, 1)),  # May Day
    ],
)
def test_amended_plan_table(proposed, expected, safe):
    r = amended_plan_deadline(proposed)
    assert (r.date, r.safe_target) == (expected, safe)


# ---- R14 phase transfer -----------------------------------------------------------------------

@pytest.mark.parametrize(
    "year, post16, expected, safe",
    [
        (2026, False, D(2026, 2, 14), D(2026, 2, 13)),  # "before 15 February": 14 Feb, a Saturday
        (2027, False, D(2027, 2, 14), D(2027, 2, 12)),
        (2028, False, D(2028, 2, 14), None),
        # "before 31 March" (reg 18(1)(a)): the last day is 30 March, not 31 March
        (2026, True, D(2026, 3, 30), None),
        (2027, True, D(2027, 3, 30), None),  # Tue, the day after Easter Monday 29 Mar 2027
        (2028, True, D(2028, 3, 30), None),
        (2029, True, D(2029, 3, 30), D(2029, 3, 29)),  # Good Friday 30 Mar 2029
        (2030, True, D(2030, 3, 30), D(2030, 3, 29)),  # Saturday
    ],
)
def test_phase_transfer_table(year, post16, expected, safe):
    r = phase_transfer_deadline(year, post16)
    assert (r.date, r.safe_target) == (expected, safe)
    assert r.start is None
    assert "31 March" not in r.text_summary(limit=10_000).replace("before 31 March", "")
    assert f"a move in {year}" in r.text_summary(limit=10_000)


def test_post16_transfer_words_say_before_31_march_so_30_march():
    r = phase_transfer_deadline(2027, post16=True)
    assert "before 31 March that year. So 30 March is the last day." in r.rule
    assert "by 31 March" not in r.text_summary(limit=10_000)


# ---- Post-16 to post-16 at another time: at least 5 months before (reg 18(2), [U]) -----------

@pytest.mark.parametrize(
    "move, expected, safe",
    [
        (D(2027, 1, 4), D(2026, 8, 4), None),  # August counts, nothing moves
        (D(2027, 4, 12), D(2026, 11, 12), None),
        (D(2027, 7, 31), D(2027, 2, 28), D(2027, 2, 26)),  # no 31 Feb: its last day, a Sunday
        (D(2028, 7, 31), D(2028, 2, 29), None),  # leap year
        (D(2027, 5, 25), D(2026, 12, 25), D(2026, 12, 24)),  # Christmas Day: not moved
        (D(2026, 10, 31), D(2026, 5, 31), D(2026, 5, 29)),  # Sun 31 May; no 31 in the move month needed
        (D(2027, 3, 1), D(2026, 10, 1), None),
    ],
)
def test_post16_move_table(move, expected, safe):
    r = post16_move_deadline(move)
    assert (r.date, r.safe_target, r.actor, r.start) == (expected, safe, "council", move)
    assert add_months(r.date, 5)[0] <= move  # at least 5 months before


def test_post16_move_explains_a_short_month():
    r = post16_move_deadline(D(2027, 7, 31))
    assert r.adjustments[0] == "February 2027 has no 31st day, so we take its last day, Sunday 28 February 2027."
    assert r.text_summary().startswith(
        "The plan should be reviewed and amended to name the new college by Sunday 28 February 2027.")


# ---- R11 discrimination claims ----------------------------------------------------------------

@pytest.mark.parametrize(
    "conduct, expected, safe",
    [
        (D(2026, 3, 15), D(2026, 9, 14), None),
        (D(2026, 8, 31), D(2027, 2, 27), D(2027, 2, 26)),  # 28 Feb (clamped) minus a day
        (D(2026, 3, 1), D(2026, 8, 31), D(2026, 8, 28)),  # no August extension, no rolling
        (D(2026, 9, 1), D(2027, 2, 28), D(2027, 2, 26)),
        (D(2027, 8, 31), D(2028, 2, 28), None),  # leap year: 29 Feb minus a day
        (D(2026, 1, 2), D(2026, 7, 1), None),
        (D(2026, 6, 26), D(2026, 12, 25), D(2026, 12, 24)),  # Christmas: not moved to January
        (D(2026, 6, 29), D(2026, 12, 28), D(2026, 12, 24)),
    ],
)
def test_discrimination_claim_table(conduct, expected, safe):
    r = discrimination_claim_deadline(conduct)
    assert (r.date, r.safe_target) == (expected, safe)


def test_discrimination_claim_on_a_weekend_advises_sending_earlier():
    text = discrimination_claim_deadline(D(2026, 8, 31)).text_summary()
    assert "To be safe, send your claim by Friday 26 February 2027. Sending it earlier is better." in text


# ---- add_months (R2) --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "day, months, expected, clamped",
    [
        (D(2025, 12, 31), 2, D(2026, 2, 28), True),
        (D(2027, 12, 31), 2, D(2028, 2, 29), True),
        (D(2026, 1, 29), 1, D(2026, 2, 28), True),
        (D(2026, 1, 30), 1, D(2026, 2, 28), True),
        (D(2026, 1, 31), 1, D(2026, 2, 28), True),
        (D(2028, 1, 29), 1, D(2028, 2, 29), False),
        (D(2026, 8, 31), 1, D(2026, 9, 30), True),
        (D(2026, 11, 15), 2, D(2027, 1, 15), False),
    ],
)
def test_add_months(day, months, expected, clamped):
    assert add_months(day, months) == (expected, clamped)


# ---- today, has_passed, late advice -----------------------------------------------------------

def test_has_passed_is_none_without_today():
    r = appeal_deadline(D(2026, 1, 12))
    assert r.has_passed is None and r.days_left is None
    assert r.late_advice == LATE_APPEAL  # appeals: always
    assert "days from today" not in r.text_summary()
    claim = discrimination_claim_deadline(D(2026, 1, 12))
    assert claim.has_passed is None and claim.late_advice is None


def test_passed_appeal_gives_late_appeal_advice():
    r = appeal_deadline(D(2026, 1, 12), today=D(2026, 11, 22))
    assert r.has_passed is True
    assert r.late_advice == LATE_APPEAL
    assert LATE_APPEAL in r.text_summary()
    assert "That date has passed." in r.text_summary()
    assert any(part == LATE_APPEAL_SAID for part in r.spoken_parts())


def test_deadline_day_itself_has_not_passed_and_says_5pm():
    r = appeal_deadline(D(2026, 1, 12), today=D(2026, 3, 12))
    assert r.has_passed is False and r.days_left == 0
    assert "That is today: it must arrive by 5pm." in r.text_summary()
    assert "That date has passed." not in r.text_summary()


def test_days_left_before_the_deadline():
    r = appeal_deadline(D(2026, 10, 26), school_only=True, today=D(2026, 11, 22))
    assert (r.has_passed, r.days_left) == (False, 43)
    assert "That is 43 days from today." in r.text_summary()


def test_council_deadline_passed_gets_council_advice():
    r = annual_review_deadlines(D(2026, 3, 11), today=D(2026, 11, 22))[0]
    assert r.late_advice == "If the council has missed this date, contact us: we can explain what you can do."


# ---- rendering --------------------------------------------------------------------------------

def test_text_summary_writes_dates_in_full_and_says_it_is_a_guide():
    text = appeal_deadline(D(2025, 12, 30)).text_summary()
    assert text.startswith(f"Your appeal must {TRIBUNAL} Monday 2 March 2026.")
    assert "A guide, not legal advice: check with us on 01225 394382, the charity IPSEA or the Tribunal" in text


def test_spoken_parts_speak_the_dates():
    parts = appeal_deadline(D(2025, 12, 30)).spoken_parts()
    assert parts[0] == ("Your appeal must reach the Tribunal, a special court, by 5pm on Monday the 2nd of March 2026; "
                        "first get the mediation adviser's advice and certificate.")
    assert parts[-1].startswith("This is a guide, not legal advice.")
    assert "check it with us, with the charity IPSEA, or with the Tribunal" in parts[-1]
    assert not any(re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}", p) for p in parts)  # no written dates


def test_list_summary_for_ehc_dates():
    text = list_text_summary(ehc_assessment_deadlines(D(2026, 1, 5), today=D(2026, 11, 22)))
    assert "- Decision to assess by Monday 16 February 2026" in text
    assert "- Final plan by Monday 25 May 2026" in text
    assert "Some of these dates have passed." in text
    assert is_gsm7(text) and gsm7_length(text) <= 459


def test_text_summary_drops_least_important_sentences_to_fit():
    r = appeal_deadline(D(2025, 12, 30), school_only=None, today=D(2026, 2, 20))
    full = r.text_summary(limit=10_000)
    short = r.text_summary()
    assert len(full) > 459 >= len(short)
    assert short.startswith(f"Your appeal must {TRIBUNAL} Monday 2 March 2026. {MEDIATION_STEP}")
    for must in (LATE_APPEAL, "Contact them by Saturday 28 February 2026.", "Not needed if only about", GUIDE):
        assert must in short
    assert "Counted from" not in short  # the least important went first
    assert r.text_summary(extras=((80, "Send REMIND."),)).count("Send REMIND.") <= 1


def test_results_are_frozen():
    r = appeal_deadline(D(2026, 1, 12))
    with pytest.raises(AttributeError):
        r.date = D(2026, 1, 1)


# ---- the words themselves ---------------------------------------------------------------------

DATE_NAMES = {"date", "day", "start", "next", "cert_end", "decision_end", "when", "safe"}


def _messages():
    with open(MESSAGES_DIR / "deadlines.toml", "rb") as f:
        raw = tomllib.load(f)
    for key, value in raw.items():
        versions = {"both": value} if isinstance(value, str) else value
        for version, words in versions.items():
            yield f"{key}.{version}", words


@pytest.mark.parametrize("key, words", list(_messages()))
def test_every_message_is_gsm7_with_short_sentences(key, words):
    assert is_gsm7(words), key
    assert "\u2013" not in words and "\u2019" not in words
    filled = re.sub(r"\{(\w+)\}", lambda m: "Monday 2 March 2026" if m[1] in DATE_NAMES else "word", words)
    for sentence in re.split(r"(?<=[.?!:])\s+", filled):
        assert len(sentence.split()) <= 25, (key, sentence)


def test_copy_loads_the_deadline_messages():
    assert load_copy().text("deadlines.late_appeal") == LATE_APPEAL


def test_a_shortened_text_keeps_the_step_that_explains_the_final_date():
    # No today, so no "That is 43 days from today." (kept before the steps) competes for the room.
    text = appeal_deadline(D(2026, 10, 26), D(2026, 11, 2)).text_summary()
    assert "Saturday 26 December 2026 is between 25 December and 1 January, so the appeal is in time" in text
    assert "The decision date counts" not in text  # dropped to fit three texts
