"""Texts and calls that did not get through: what happened, in plain words, and whether staff may send again.

Pure: no flask, twilio, redis or rq. The staff page (staff/messages.py) shows `assess()`'s words
and its Send again button only where `can_resend` is true; workers.outbound.resend asks the same
question again, so a forged request cannot send what the page would not offer.

Never sent again: anything our sending rules refused, an opted-out parent (STOP, Twilio 21610,
or an opt-out recorded since), a number that cannot take texts or does not exist, a text the
phone company blocked, calls (a Call now rings the adviser first: start it again from the
request), and texts whose words are about a day that has passed (reminders count days "from
today", confirmations name the day we will call). A text whose fate is unknown may go again
only once staff have checked with the parent that it did not arrive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

PROBLEM_STATUSES = ("failed", "undelivered", "unknown", "refused")
LONDON = ZoneInfo("Europe/London")
# Texts whose words only hold on the day they were due (see the module docstring).
DAY_BOUND = {
    "reminder": "Its words count the days to the deadline from the day it was due, so they are wrong now. "
                "Phone the parent if the deadline matters.",
    "callback_confirmation": "It gave the day we would call, which may have changed or passed. "
                             "Check their request in the queue instead.",
    "callback_moved": "It gave the new day we would call, which may have changed or passed. "
                      "Check their request in the queue instead.",
    "callback_moved_by_adviser": "It gave the new day we would call, which may have changed or passed. "
                                 "Check their request in the queue instead.",
}
GAVE_UP = "gave up"  # how workers.jobs starts the error of a text that ran out of tries

# Twilio error codes: (what happened, what to do). Sending these again would fail the same way.
NEVER_AGAIN = {
    "21610": ("The parent has opted out of our texts (they replied STOP).",
              "Never send it again. Phone the parent if you need to reach them."),
    "21211": ("The number is not a valid phone number.",
              "Do not send it again. Phone the parent, or check their number when you speak."),
    "21614": ("The number is not a mobile, so it cannot get texts.",
              "Do not send it again. Phone the parent instead."),
    "30004": ("The parent's phone or phone company blocked it (they may have blocked our number).",
              "Do not send it again. Phone the parent if you need to reach them."),
    "30005": ("The phone company says this number does not exist or is no longer in use.",
              "Do not send it again. Check the number with the parent another way."),
    "30006": ("The number is a landline, or its phone company cannot take texts.",
              "Do not send it again. Phone the parent instead."),
    "30007": ("The phone company blocked it, probably as suspected spam.",
              "Do not send it again: it would be blocked again. Phone the parent instead."),
}
# Twilio error codes where a second try may well work.
TRY_AGAIN = {
    "30003": "The phone was switched off or out of signal.",
    "30008": "The phone company could not deliver it and did not say why.",
}
# Our own sending rules (flows.sending_rules.Refusal codes): why we did not send it.
REFUSALS = {
    "opted_out": "The parent has asked us not to text them (they sent STOP).",
    "not_mobile": "The number is not a UK mobile, so we do not text it.",
    "not_uk_number": "The number is not a UK phone number.",
    "barred_number": "We do not call premium-rate (09), personal (070) or pager (076) numbers.",
    "empty_body": "The text was empty.",
    "not_gsm7": "The text had a character that phones may not show.",
    "too_long": "The text was longer than 3 texts.",
}
CONTENT_REFUSALS = ("empty_body", "not_gsm7", "too_long")

PURPOSES = {
    "callback_confirmation": "Call back confirmation",
    "callback_closing": "Call back request closed",
    "callback_moved": "Call back moved (the line closed that day)",
    "callback_moved_by_adviser": "Call back moved by an adviser",
    "callback_bridge": "Call now (staff phone, then the parent)",
    "reminder": "Deadline reminder",
    "deadline": "Deadline result text",
}


@dataclass(frozen=True)
class Assessment:
    """What staff are told about one message, and whether Send again is offered."""

    label: str
    meaning: str
    advice: str
    can_resend: bool
    needs_check: bool = False  # unknown fate: staff must confirm with the parent first


def purpose_words(purpose: str | None) -> str:
    """'Call back confirmation', 'Guidance text', ... for a record's purpose."""
    purpose = purpose or ""
    if purpose.startswith("guidance:"):
        return "Guidance text"
    return PURPOSES.get(purpose, f"Other message ({purpose})" if purpose else "Other message")


def due_day(record: dict) -> dt.date:
    """The London day a message was first meant to go (a resend keeps its original's day)."""
    if record.get("first_due"):
        return dt.date.fromisoformat(record["first_due"])
    moment = dt.datetime.fromisoformat(record.get("not_before") or record["created_at"])
    return (moment if moment.tzinfo is None else moment.astimezone(LONDON)).date()


def assess(record: dict, *, today: dt.date, opted_out: bool) -> Assessment:
    """What happened to this message, what to do, and whether it may be sent again.

    `today` is the London date; `opted_out` whether the number is opted out of texts now.
    """
    verdict = _by_status(record)
    if not verdict.can_resend:
        return verdict
    if record.get("kind") == "call":
        return _no(verdict, "To try again, use Call now on the parent's request: it rings the staff phone first.")
    if opted_out:
        return _no(verdict, "The parent has opted out of texts since (STOP). Do not send it again.")
    stale = DAY_BOUND.get(record.get("purpose") or "")
    if stale and due_day(record) < today:
        return _no(verdict, f"Do not send it again. {stale}")
    return verdict


def _by_status(record: dict) -> Assessment:
    status = record.get("status")
    code = (record.get("error_code") or "").strip()
    if status == "unknown":
        return Assessment("Not sure if it was sent", "We could not tell whether it was sent: it may have arrived.",
                          "Check with the parent before sending again.", can_resend=True, needs_check=True)
    if status == "refused":
        return _refused(record.get("error") or "")
    if status == "undelivered":
        return _undelivered(code)
    if status == "failed":
        return _failed(code, record.get("error") or "")
    return Assessment("Not a problem", "This message did not fail.", "Nothing to do.", can_resend=False)


def _refused(reason: str) -> Assessment:
    meaning = REFUSALS.get(reason, "Our sending rules stopped it.")
    advice = ("Never send it again. Tell whoever looks after the service: the words need fixing."
              if reason in CONTENT_REFUSALS else "Never send it again. Phone the parent if you need to reach them.")
    return Assessment("Not sent: our rules stopped it", meaning, advice, can_resend=False)


def _undelivered(code: str) -> Assessment:
    label = "Not delivered"
    if code in NEVER_AGAIN:
        return Assessment(label, *NEVER_AGAIN[code], can_resend=False)
    meaning = TRY_AGAIN.get(code, "The parent's phone company could not deliver it.")
    return Assessment(label, meaning, "You can send it again. If it fails again, phone the parent.", can_resend=True)


def _failed(code: str, error: str) -> Assessment:
    label = "Failed: Twilio could not send it"
    if code in NEVER_AGAIN:
        return Assessment(label, *NEVER_AGAIN[code], can_resend=False)
    if code in TRY_AGAIN:
        return Assessment(label, TRY_AGAIN[code], "You can send it again. If it fails again, phone the parent.",
                          can_resend=True)
    if error.startswith(GAVE_UP):
        return Assessment(label, "Twilio was busy or could not be reached, even after 5 tries.",
                          "You can send it again.", can_resend=True)
    which = f" (error {code})" if code else ""
    return Assessment(label, f"Twilio refused it{which}. Sending it again would most likely fail the same way.",
                      "Phone the parent if it matters, and tell whoever looks after the service" + which + ".",
                      can_resend=False)


def _no(verdict: Assessment, advice: str) -> Assessment:
    return Assessment(verdict.label, verdict.meaning, advice, can_resend=False)
