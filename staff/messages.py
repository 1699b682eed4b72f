"""Texts and calls to parents that did not get through: what happened, Send again, Dismiss.

Lists outbound records (store.outbound) that failed, were undelivered, refused or whose fate is
unknown, newest first, within RETENTION_DAYS. flows.delivery_problems says what each means and
whether it may go again; workers.outbound.resend checks that again and sends a new message
(once, however often the button is pressed). Numbers are shown masked only: the page, its URLs
(message ids) and the log never carry a full number.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from flask import abort, flash, redirect, render_template, request, session, url_for

import clock
import services
from flows import delivery_problems as problems
from flows.phone import mask
from staff.blueprint import bp
from store import optouts
from store import outbound as records
from store.outbox import OUTBOX_STATUS
from workers.outbound import CannotResend, resend

log = logging.getLogger(__name__)

MESSAGE_ID = re.compile(r"m[0-9a-f]{20}")
SHOWN = 100  # per section; the count on the queue page covers them all
SCAN_FIELDS = ("status", "dismissed_at", "resent_as")
# What became of a message sent again, in words (its status; see store.outbound).
AFTER_RESEND = {
    "queued": "Waiting to be sent", "retrying": "Waiting to be sent (Twilio was busy: trying again)",
    "scheduled": "Waiting for the morning (texts are not sent at night)", "sending": "Being sent",
    "sent": "Sent: waiting for the phone company to confirm delivery", "delivered": "Delivered",
    "cancelled": "Cancelled", "failed": "Did not get through again (see above)",
    "undelivered": "Did not get through again (see above)", "unknown": "Not sure if it was sent (see above)",
    "refused": "Not sent: our rules stopped it (see above)",
}


def _store():
    svc = services.current()
    return svc.connections.redis, svc.settings


def _problems(redis, settings, now: dt.datetime) -> list[dict]:
    """Problem records within retention, newest first: only status fields (a cheap scan)."""
    since = now - dt.timedelta(days=settings.retention_days)
    ids = records.ids_created_since(redis, settings, since)
    return [r for r in records.get_many(redis, settings, ids, fields=SCAN_FIELDS)
            if r.get("status") in problems.PROBLEM_STATUSES]


def needing_action(redis, settings, now: dt.datetime) -> int:
    """How many messages did not get through and are neither sent again nor dismissed (for the queue page)."""
    return sum(1 for r in _problems(redis, settings, now) if not r.get("dismissed_at") and not r.get("resent_as"))


def _row(record: dict, today: dt.date, resends: dict) -> dict:
    """One message as the template shows it: masked number, words, what became of a resend."""
    opted_out = record.get("kind") == "sms" and optouts.is_opted_out(*_store(), record["to"])
    again = resends.get(record.get("resent_as") or "")
    return {
        "id": record["id"], "kind": record.get("kind"), "to": mask(record.get("to")), "body": record.get("body"),
        "created_at": record.get("created_at"), "what": problems.purpose_words(record.get("purpose")),
        "code": record.get("error_code") or "", "verdict": problems.assess(record, today=today, opted_out=opted_out),
        "resend_of": record.get("resend_of"), "resent_by": record.get("resent_by"),
        "resent_at": record.get("resent_at"), "resent": bool(record.get("resent_as")),
        "again": _after_resend(again), "dismissed_by": record.get("dismissed_by"),
        "dismissed_at": record.get("dismissed_at"),
    }


def _after_resend(record: dict | None) -> str:
    if record is None:
        return "No longer on record"
    if record.get("status") == records.SENT and record.get("delivery") == OUTBOX_STATUS:
        return "Kept in the outbox: NOT SENT (the service has no Twilio account)"
    return AFTER_RESEND.get(record.get("status"), record.get("status") or "")


@bp.get("/messages")
def messages():
    """Messages that did not get through: needing action, sent again, and (on request) dismissed."""
    redis, settings = _store()
    now = clock.now()
    show_dismissed = request.args.get("show") == "dismissed"
    found = _problems(redis, settings, now)
    needs = [r["id"] for r in found if not r.get("dismissed_at") and not r.get("resent_as")]
    resent = [r["id"] for r in found if not r.get("dismissed_at") and r.get("resent_as")]
    dismissed = [r["id"] for r in found if r.get("dismissed_at")] if show_dismissed else []
    full = {r["id"]: r for r in records.get_many(redis, settings, needs[:SHOWN] + resent[:SHOWN] + dismissed[:SHOWN])}
    resends = {r["id"]: r for r in records.get_many(redis, settings, [r["resent_as"] for r in full.values()
                                                                      if r.get("resent_as")])}
    today = now.astimezone(clock.LONDON).date()

    def rows(ids):
        return [_row(full[i], today, resends) for i in ids[:SHOWN] if i in full]

    return render_template("staff_messages.html", now=now, days=settings.retention_days,
                           needs=rows(needs), needs_total=len(needs),
                           resent=rows(resent), dismissed=rows(dismissed), show_dismissed=show_dismissed,
                           dismissed_total=sum(1 for r in found if r.get("dismissed_at")))


def _message_or_404(message_id: str) -> dict:
    if not MESSAGE_ID.fullmatch(message_id):
        abort(404)
    record = records.get(*_store(), message_id)
    if record is None:
        abort(404)
    return record


@bp.post("/messages/<message_id>/resend")
def resend_message(message_id: str):
    """Send a text again as a new message (workers.outbound.resend decides if it may go)."""
    record = _message_or_404(message_id)
    me = session["staff"]
    try:
        again = resend(services.current(), message_id, by=me,
                       checked_with_parent=request.form.get("checked_with_parent") == "yes")
    except CannotResend as why:
        log.info("staff %s: message %s not sent again: %s", me, message_id, why)
        flash(f"Not sent again. {why}", "error")
        return redirect(url_for("staff.messages"), code=303)
    if again.first:
        flash(f"Sent again: a new {problems.purpose_words(record.get('purpose')).lower()} to "
              f"{mask(record.get('to'))} is on its way. Its progress is shown below.", "success")
    else:
        flash("This message had already been sent again: nothing more was sent.", "info")
    return redirect(url_for("staff.messages"), code=303)


@bp.post("/messages/<message_id>/dismiss")
def dismiss_message(message_id: str):
    """Hide a message from the list (kept on record, with who dismissed it and when)."""
    record = _message_or_404(message_id)
    if record.get("status") not in problems.PROBLEM_STATUSES:
        flash("Only messages that did not get through can be dismissed.", "error")
    elif not record.get("dismissed_at"):
        redis, settings = _store()
        me = session["staff"]
        records.update(redis, settings, message_id, now=clock.now(), dismissed_by=me,
                       dismissed_at=clock.now().isoformat())
        log.info("staff %s dismissed message %s (%s to %s)", me, message_id, record.get("status"),
                 mask(record.get("to")))
        flash(f"Dismissed: the {problems.purpose_words(record.get('purpose')).lower()} to {mask(record.get('to'))} "
              "is hidden from the list.", "success")
    return redirect(url_for("staff.messages"), code=303)
