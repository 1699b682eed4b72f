"""The deadline calculator by text, driven end to end through signed webhooks (Sunday 22 Nov 2026)."""

from __future__ import annotations

import pytest

from flows.gsm7 import gsm7_length, is_gsm7
from store import outbound as records
from tests.conftest import PARENT, sms_replies

GUIDE = "guide, not legal advice"
MEDIATION_STEP = "First get the mediation adviser's advice and certificate."
LATE = "a late appeal may still be possible"
FIRST_PART = 153  # GSM-7 characters in the first part of a longer text


@pytest.fixture
def text(twilio):
    """Send a text and get the replies (the welcome for a new number is dropped)."""
    twilio.sms("hello")

    def send(body: str, from_: str = PARENT) -> list[str]:
        replies = sms_replies(twilio.sms(body, from_=from_))
        for reply in replies:
            assert is_gsm7(reply), reply
            assert gsm7_length(reply) <= 459, (gsm7_length(reply), reply)
        return replies

    return send


def one(replies: list[str]) -> str:
    assert len(replies) == 1, replies
    return replies[0]


def ask_appeal(text, sent: str) -> None:
    assert "Which deadline" in one(text("DEADLINE"))
    assert "decision letter sent" in one(text("1"))
    assert "mediation certificate" in one(text(sent))


def test_the_whole_appeal_conversation_gives_the_reference_answer(text):
    from flows.deadline_kinds import kinds

    menu = one(text("DEADLINE"))
    for kind in kinds():  # numbered from the content list, the same one the phone reads
        assert f"{kind.key} {kind.text}" in menu.splitlines()
    assert "1 Appeal to the Tribunal, and mediation first" in menu.splitlines()
    assert "for an appeal send the date of the decision letter" in menu
    assert "usually the date on the letter" in one(text("1"))
    assert "mediation certificate" in one(text("30/12/2025"))
    assert "only about the school or college named in the plan, its type, or that none is named" in one(text("NO"))
    result = one(text("NO"))
    assert result.startswith("Your appeal must reach the Tribunal (special court) by 5pm on Monday 2 March 2026. "
                             + MEDIATION_STEP)
    assert "Contact them by" not in result  # passed: the late-appeal advice is what helps now
    assert GUIDE in result and "the charity IPSEA" in result and "Tribunal" in result
    assert LATE in result and "That date has passed." in result  # 2 March 2026 has passed by November 2026
    assert "REMIND" not in result  # nothing to remind about once it has passed


def test_a_date_alone_at_the_first_question_means_an_appeal(text):
    text("DEADLINE")
    assert "mediation certificate" in one(text("12 January 2026"))
    text("no")
    assert "Thursday 12 March 2026" in one(text("no"))


def test_a_later_certificate_counts(text):
    ask_appeal(text, "15/05/2026")
    text("22/06/2026")
    result = one(text("NO"))
    assert "by 5pm on Wednesday 22 July 2026" in result
    assert GUIDE in result


def test_school_only_appeal_ignores_the_certificate(text):
    ask_appeal(text, "15/05/2026")
    text("22/06/2026")
    result = one(text("YES"))
    assert "by 5pm on Wednesday 15 July 2026" in result  # 2 months from the decision only
    assert "Only about the school named: no mediation certificate needed." in result[:FIRST_PART]


def _appeal_by_text(text, school: str) -> str:
    ask_appeal(text, "01/10/2026")
    text("no")
    return one(text(school))


def test_only_about_the_school_changes_the_answer(text):
    not_only, only = _appeal_by_text(text, "no"), _appeal_by_text(text, "yes")
    assert MEDIATION_STEP in not_only[:FIRST_PART]
    assert "Contact them by Tuesday 1 December 2026." in not_only
    assert "mediation adviser" not in only and "no mediation certificate needed" in only[:FIRST_PART]
    for result in (not_only, only):
        assert "by 5pm on Tuesday 1 December 2026." in result[:FIRST_PART]
        assert LATE in result  # not passed: still said
        assert "Send REMIND" in result


def test_a_future_deadline_offers_reminders_and_says_how_far_away(text):
    ask_appeal(text, "26/10/2026")
    text("no")
    result = one(text("no"))
    assert "by 5pm on Monday 4 January 2027" in result
    assert "Send REMIND" in result and LATE in result  # the late line on every appeal


@pytest.mark.parametrize("body", ["DEADLINE 30/12/2025", "APPEAL 30 Dec 2025", "appeal 30th December 2025",
                                  "Deadline 30.12.25", "TIME LIMIT 30/12/2025"])
def test_one_shot_forms_answer_at_once(text, body):
    result = one(text(body))
    assert "Monday 2 March 2026" in result
    assert GUIDE in result and LATE in result
    assert MEDIATION_STEP in result[:FIRST_PART]
    assert "Not needed if only about the school named, its type, or that none is named." in result


def test_the_issue_example_deadline_1_10_2026(text):
    result = one(text("DEADLINE 1/10/2026"))
    assert result.startswith(
        "Your appeal must reach the Tribunal (special court) by 5pm on Tuesday 1 December 2026. " + MEDIATION_STEP
        + " Contact them by Tuesday 1 December 2026. Not needed if only about the school named, its type, or that "
        "none is named.")
    assert LATE in result and "That is 9 days from today." not in result[:FIRST_PART]


def test_appeal_alone_still_opens_the_appeal_guidance(text):
    reply = " ".join(text("APPEAL"))
    assert "Tribunal" in reply and "mediation certificate" not in reply.split(".")[0]
    assert "Which deadline" not in reply


@pytest.mark.parametrize(("bad", "why"), [
    ("31/02/2026", "There is no 31 February 2026."),  # flows/dateparse.py: reads well said or written
    ("12/31/2025", "month came first"),
    ("12/3", "I need the year"),
    ("25/12/2026", "has not happened yet"),
    ("1/1/2025 and 2/2/2025", "more than one date"),
    ("last week sometime", "could not find a date"),
])
def test_every_rejected_date_says_why_and_keeps_the_question(text, bad, why):
    text("DEADLINE")
    text("1")
    reply = one(text(bad))
    assert why in reply and "like 31/12/2025" in reply
    assert "mediation certificate" in one(text("30/12/2025"))  # still on the letter date question
    reply = one(text(bad if bad != "last week sometime" else "32/12/2025"))  # certificate question
    assert "like 31/12/2025" in reply and "NO" in reply
    assert "only about the school" in one(text("no"))
    assert "YES or NO" in one(text("maybe"))
    assert "Monday 2 March 2026" in one(text("no"))


def test_a_bad_one_shot_date_asks_for_the_letter_date(text):
    reply = one(text("DEADLINE 31/02/2026"))
    assert "There is no 31 February 2026." in reply
    assert "mediation certificate" in one(text("30/12/2025"))


def test_a_wrong_number_at_the_first_question_asks_again(text):
    text("DEADLINE")
    assert "number from 1 to 8" in one(text("9"))
    assert "decision letter sent" in one(text("1"))


@pytest.mark.parametrize(("choice", "date", "expected"), [
    (["2"], "05/01/2026", ["Monday 16 February 2026", "Monday 27 April 2026", "Monday 25 May 2026"]),
    (["3"], "16/11/2026", ["Send your comments on the draft plan by Monday 30 November 2026."]),
    (["4"], "01/12/2026", ["Notice of the meeting and its papers by Tuesday 17 November 2026",
                           "Tuesday 15 December 2026", "Tuesday 29 December 2026"]),
    (["4"], "15/03/2027", ["Monday 1 March 2027", "Monday 29 March 2027", "Monday 12 April 2027"]),  # ahead
    (["5"], "16/11/2026", ["Send your comments on the proposed changes to the plan by Monday 30 November 2026.",
                           "final amended plan by Monday 11 January 2027", "Send REMIND"]),
    (["6"], "05/01/2026", ["The final plan after the re-assessment should be issued by Monday 13 April 2026."]),
    (["7", "1"], "01/09/2027", ["reviewed and amended for the move by Sunday 14 February 2027",
                                "Friday 12 February 2027"]),
    (["7", "2"], "01/09/2027", ["reviewed and amended for the move by Tuesday 30 March 2027"]),
    (["7", "3"], "31/07/2027", ["to name the new college by Sunday 28 February 2027"]),
    (["8"], "10/10/2026", ["Friday 9 April 2027"]),
])
def test_the_other_deadlines(text, choice, date, expected):
    text("DEADLINE")
    for key in choice:
        reply = one(text(key))
    assert "31/12/2025" in reply or "1/9/2027" in reply  # the date question
    result = one(text(date))
    for words in expected:
        assert words in result
    assert GUIDE in result


def test_menu_leaves_the_conversation(text):
    text("DEADLINE")
    text("1")
    reply = " ".join(text("MENU"))
    assert "Which deadline" not in reply and "decision letter" not in reply
    assert "Reply with a number" in reply


def test_remind_without_a_result_explains(text):
    assert "first work out a deadline" in one(text("REMIND"))


def test_remind_schedules_reminders_and_remind_off_cancels_them(app, text, redis_client):
    one(text("DEADLINE 20/11/2026"))  # appeal by Wednesday 20 January 2027
    reply = one(text("REMIND"))
    assert reply == ("We will text you a reminder on Wednesday 6 January, Wednesday 13 January and "
                     "Monday 18 January. Send REMIND OFF to stop them.")
    svc = app.extensions["helpline"]
    ids = records.ids_for_phone(svc.connections.redis, svc.settings, PARENT)
    reminders = [records.get(svc.connections.redis, svc.settings, i) for i in ids]
    reminders = [r for r in reminders if r and r.get("purpose") == "reminder"]
    assert len(reminders) == 3
    assert all("Wednesday 20 January 2027" in r["body"] for r in reminders)
    assert one(text("REMIND")).startswith("We will text you a reminder on")  # asking twice: no new texts
    assert len([i for i in records.ids_for_phone(svc.connections.redis, svc.settings, PARENT)]) == len(ids)
    assert "Reminders stopped" in one(text("REMIND OFF"))
    assert "no deadline reminders" in one(text("remind off"))


def test_remind_works_in_the_middle_of_another_question(text):
    text("DEADLINE 20/11/2026")
    text("DEADLINE")
    assert "We will text you a reminder" in one(text("REMIND"))
    assert "decision letter sent" in one(text("1"))  # the conversation is where it was


def test_remind_too_close(text):
    text("DEADLINE 23/09/2026")  # appeal by Monday 23 November 2026: tomorrow
    assert "too close for reminders" in one(text("REMIND"))


def test_the_move_question_lists_its_options_and_asks_again_on_a_wrong_one(text):
    text("DEADLINE")
    which = one(text("7"))
    assert which.startswith("Which move is it? Reply with a number:\n1 A new school phase")
    assert "3 One post-16 school or college to another" in which
    again = one(text("4"))
    assert again.startswith("Sorry, please reply with a number from 1 to 3.") and "1 A new school phase" in again
    assert "start at the new school or college" in one(text("2"))
    result = one(text("1/9/2027"))  # before 31 March: the last day is 30 March
    assert "by Tuesday 30 March 2027" in result and "by 31 March" not in result


def test_deadline_with_a_number_goes_straight_to_that_kind(text):
    assert "annual review meeting" in one(text("DEADLINE 4"))
