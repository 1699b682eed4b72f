"""Twilio's status callbacks for the texts we send: what became of each one."""

from __future__ import annotations

import logging

from flask import request

import services
from clock import now
from flows import reports
from flows.phone import mask
from sms.blueprint import bp
from store import events, optouts
from store import outbound as records
from workers.senders import OPTED_OUT

log = logging.getLogger(__name__)


@bp.post("/status")
def message_status():
    """Twilio says a text moved on (sent, delivered, undelivered, failed): record it, never backwards."""
    svc = services.current()
    redis, settings = svc.connections.redis, svc.settings
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    status = (request.form.get("MessageStatus") or request.form.get("SmsStatus") or "").lower()
    code = request.form.get("ErrorCode") or None
    record = records.record_delivery(redis, settings, sid, status, code, now=now())
    if record is not None and _now_not_through(record, status):
        events.note(svc, now(), reports.not_through(record.get("kind") or "sms", status))  # for the reports
    if record is None:
        log.info("status %r for unknown message %s ignored", status, sid)
    elif code == str(OPTED_OUT):
        optouts.set_opted_out(redis, settings, record["to"], True, source="twilio-21610", at=now())
    else:
        log.info("message %s to %s: %s%s", record["id"], mask(record["to"]), status, f" ({code})" if code else "")
    return "", 204


def _now_not_through(before: dict, status: str) -> bool:
    """True when this callback is the one that moves the record to undelivered or failed
    (record_delivery returns the record as it was; replays and late callbacks change nothing)."""
    rank = records.DELIVERY_RANK
    current = before.get("delivery", "")
    return (status in ("undelivered", "failed") and rank.get(current, 0) < 4 and rank[status] > rank.get(current, 0)
            and before.get("status") in (records.SENT, records.SENDING))  # an unknown one was counted already
