"""rq jobs (module-level functions taking ids only): deliver one outbound text or call.

deliver(message_id) is safe to run any number of times; a message reaches the sender at
most once. The record goes queued/scheduled/retrying -> sending -> sent (then Twilio's
callbacks move it to delivered or undelivered), or ends refused, failed, cancelled or
unknown. "sending" is written before the sender is called, so a run that finds a record
already "sending" knows an earlier run died part-way and may or may not have sent it.

Decision on that case (and on AmbiguousSendError, where Twilio may have sent it): never
resend blindly. A parent getting a text twice is a nuisance; getting an appointment
confirmation twice, or a reminder at the wrong moment, erodes trust in the service. With
a sid we ask Twilio (fetch_message). Without one there is nothing to ask (Twilio cannot be
searched by our id), so the record is marked "unknown" with the reason, logged as a warning
for staff, who can check and resend it (workers.outbound.resend).
"""

from __future__ import annotations

import datetime as dt
import logging

import services
from flows import reports
from flows.sending_rules import Action, Decision, check_call, check_sms
from flows.phone import mask
from store import events, optouts
from store import outbound as records
from workers.outbound import enqueue_delivery
from workers.senders import (
    AmbiguousSendError,
    OutboxSender,
    PermanentSendError,
    SendResult,
    TemporarySendError,
    TwilioSender,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # sender calls per message before we give up on temporary errors
RETRY_BASE_SECONDS = 60  # 60, 120, 240, 480 s between attempts (or Twilio's Retry-After if longer)
RETRY_MAX_SECONDS = 30 * 60


def deliver(message_id: str) -> str:
    """The rq job: deliver one message with this worker's services. Returns the new status."""
    return deliver_with(services.for_worker(), message_id)


def sender_for(svc):
    """Twilio when real credentials are set, otherwise the Redis outbox (nothing is sent)."""
    s = svc.settings
    if s.has_twilio_credentials:
        return TwilioSender(s.twilio_account_sid, s.twilio_auth_token, s.twilio_number,
                            timeout_seconds=s.twilio_timeout_seconds, api_base_url=s.twilio_api_base_url)
    return OutboxSender(svc.connections.redis, s.key_prefix, clock=svc.clock)


def deliver_with(svc, message_id: str) -> str:
    """Check the rules, then send once; the job's logic with the services given."""
    redis, settings = svc.connections.redis, svc.settings
    record = records.get(redis, settings, message_id)
    if record is None:
        log.info("deliver %s: no such message (erased or purged); nothing to do", message_id)
        return "missing"
    if record["status"] == records.SENDING:
        return _reconcile(svc, record)
    if record["status"] not in records.PENDING:
        return record["status"]  # already sent, cancelled, refused...: a re-run does nothing
    now = svc.clock()
    decision = _check_rules(svc, record, now)
    if decision.action is Action.HOLD:
        return _hold(svc, record, decision.hold_until)
    if decision.action is Action.REFUSE:
        records.finish(redis, settings, message_id, records.REFUSED, now=now, error=decision.code)
        _count_not_through(svc, record, records.REFUSED, now)
        log.info("deliver %s to %s refused: %s", message_id, mask(record["to"]), decision.code)
        return records.REFUSED
    if not records.claim(redis, settings, message_id, now=now):
        return (records.get(redis, settings, message_id) or {}).get("status", "missing")
    try:
        result = _send(svc, record)
    except TemporarySendError as error:
        return _retry_later(svc, record, error)
    except PermanentSendError as error:
        return _refused_by_twilio(svc, record, error)
    except AmbiguousSendError as error:
        return _unknown(svc, record, f"ambiguous: {error}")
    records.finish(redis, settings, message_id, records.SENT, now=svc.clock(), sid=result.sid,
                   delivery=result.status)
    records.remember_sid(redis, settings, message_id, result.sid)
    log.info("deliver %s (%s) to %s: %s %s", message_id, record["purpose"], mask(record["to"]),
             result.sid, result.status)
    return records.SENT


def _check_rules(svc, record: dict, now: dt.datetime):
    """The one place the sending rules are applied (flows.sending_rules), plus not_before."""
    if record["kind"] == "call":
        return check_call(record["to"])
    s = svc.settings
    decision = check_sms(record["to"], record["body"],
                         opted_out=optouts.is_opted_out(svc.connections.redis, s, record["to"]),
                         now=now, immediate_reply=record.get("immediate") == "1",
                         window=(s.send_window_start, s.send_window_end))
    not_before = dt.datetime.fromisoformat(record["not_before"]) if record.get("not_before") else None
    if decision.send_now and not_before is not None and now < not_before:
        return Decision.hold(not_before)
    return decision


def _send(svc, record: dict) -> SendResult:
    sender = sender_for(svc)
    if record["kind"] == "call":
        return sender.place_call(record["to"], caller_id=record["caller_id"], twiml_url=record["twiml_url"])
    return sender.send_sms(record["to"], record["body"],
                           status_callback=svc.settings.public_base_url + "/sms/status")


def _hold(svc, record: dict, until: dt.datetime) -> str:
    redis, settings = svc.connections.redis, svc.settings
    holds = redis.hincrby(records.record_key(settings, record["id"]), "holds", 1)
    records.update(redis, settings, record["id"], now=svc.clock(), status=records.SCHEDULED,
                   not_before=until.isoformat())
    enqueue_delivery(svc, record["id"], at=until, suffix=f"h{holds}")
    log.info("deliver %s to %s held until %s", record["id"], mask(record["to"]), f"{until:%Y-%m-%d %H:%M}")
    return records.SCHEDULED


def _retry_later(svc, record: dict, error: TemporarySendError) -> str:
    redis, settings = svc.connections.redis, svc.settings
    now = svc.clock()
    attempts = int((records.get(redis, settings, record["id"]) or {}).get("attempts") or 1)
    if attempts >= MAX_ATTEMPTS:
        records.finish(redis, settings, record["id"], records.FAILED, now=now, error=f"gave up: {error}",
                       error_code=error.code or error.status or "")
        _count_not_through(svc, record, records.FAILED, now)
        log.warning("deliver %s to %s failed after %d attempts", record["id"], mask(record["to"]), attempts)
        return records.FAILED
    delay = min(RETRY_MAX_SECONDS, max(error.retry_after or 0, RETRY_BASE_SECONDS * 2 ** (attempts - 1)))
    records.update(redis, settings, record["id"], now=now, status=records.RETRYING, error=str(error),
                   error_code=error.code or error.status or "")
    enqueue_delivery(svc, record["id"], at=now + dt.timedelta(seconds=delay), suffix=f"a{attempts}")
    log.info("deliver %s: temporary error, attempt %d; retry in %ds", record["id"], attempts, delay)
    return records.RETRYING


def _refused_by_twilio(svc, record: dict, error: PermanentSendError) -> str:
    redis, settings = svc.connections.redis, svc.settings
    now = svc.clock()
    records.finish(redis, settings, record["id"], records.FAILED, now=now, error=str(error),
                   error_code=error.code or "")
    _count_not_through(svc, record, records.FAILED, now)
    if error.opted_out:  # 21610: the parent texted STOP to Twilio; honour it everywhere
        optouts.set_opted_out(redis, settings, record["to"], True, source="twilio-21610", at=now)
    return records.FAILED


def _reconcile(svc, record: dict) -> str:
    """An earlier run marked this "sending" and never finished: find out, never resend."""
    redis, settings = svc.connections.redis, svc.settings
    if record.get("sid") and record["kind"] == "sms":
        try:
            found = sender_for(svc).fetch_message(record["sid"])
        except (TemporarySendError, PermanentSendError) as error:
            return _unknown(svc, record, f"could not check with Twilio: {error}")
        if found is not None:
            records.finish(redis, settings, record["id"], records.SENT, now=svc.clock(), delivery=found.status)
            return records.SENT
    return _unknown(svc, record, "interrupted while sending: it may or may not have gone; check before resending")


def _unknown(svc, record: dict, reason: str) -> str:
    records.finish(svc.connections.redis, svc.settings, record["id"], records.UNKNOWN, now=svc.clock(),
                   error=reason)
    _count_not_through(svc, record, records.UNKNOWN, svc.clock())
    log.warning("deliver %s to %s: fate unknown, not resent (%s)", record["id"], mask(record["to"]), reason)
    return records.UNKNOWN


def _count_not_through(svc, record: dict, status: str, now: dt.datetime) -> None:
    """Count a message that did not get through, for the managers' reports (store/events.py)."""
    events.write_now(svc.connections.redis, svc.settings, now, reports.not_through(record.get("kind") or "sms", status))
