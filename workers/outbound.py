"""The one way anything leaves the service: write the record, then enqueue deliver(id).

Every feature (callback confirmations, "text me this", reminders, closing texts, bridging
calls) calls queue_text or queue_call. The record is written first, so what we meant to
send survives any crash; the rq job carries only the message id. workers.jobs.deliver
checks the sending rules and sends at most once.

Times: `not_before` and the night rule are worked on the service clock (svc.clock, which
HELPLINE_NOW can fix). rq's scheduler runs on the real clock, so a job is scheduled the
same distance ahead as the service clock says. With the real clock that is exactly the
moment asked for; with a fixed clock a held text waits its proper time instead of firing
at once, finding it is still night, and going round again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from rq import Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job

from clock import LONDON
from flows import delivery_problems
from flows.sending_rules import next_window_start
from flows.phone import mask, normalise_uk_number
from store import optouts
from store import outbound as records
from workers.enqueue import DELIVER, enqueue

log = logging.getLogger(__name__)

# rq re-runs a job that crashed or whose worker was killed (an "abandoned" job). Safe,
# because deliver() never sends a record twice; send errors are retried by deliver itself.
CRASH_RETRY = dict(max=3, interval=[0, 60, 300])


def queue_text(svc, *, to: str, body: str, purpose: str, dedupe_key: str | None = None,
               immediate: bool = False, not_before: dt.datetime | None = None) -> str:
    """Record a text and enqueue its delivery; returns the message id.

    immediate: a direct reply to something the parent just sent (may go at night).
    Otherwise it waits for the daytime window. not_before: not sent before this moment.
    dedupe_key: the same key always gives the same message, created once.
    """
    now = svc.clock()
    send_at = _first_moment(svc, now, not_before, immediate)
    record = _new_record(now, kind="sms", to=to, purpose=purpose, body=body, immediate=int(immediate),
                         status=records.SCHEDULED if send_at else records.QUEUED,
                         not_before=send_at.isoformat() if send_at else "")
    return _store_and_enqueue(svc, record, dedupe_key, send_at, now)


def queue_call(svc, *, to: str, caller_id: str, twiml_url: str, purpose: str,
               dedupe_key: str | None = None) -> str:
    """Record a call (e.g. bridging a staff phone to a parent) and enqueue it; returns its id.

    Calls go at once: staff place them in helpline hours (see flows.sending_rules).
    """
    now = svc.clock()
    record = _new_record(now, kind="call", to=to, purpose=purpose, body="", caller_id=caller_id,
                         twiml_url=twiml_url, status=records.QUEUED)
    return _store_and_enqueue(svc, record, dedupe_key, None, now)


def enqueue_delivery(svc, message_id: str, *, at: dt.datetime | None = None, suffix: str = "") -> str:
    """Enqueue workers.jobs.deliver(message_id), now or at `at` (service clock); returns the
    job id. The job id comes from the message id, so enqueueing the same one twice is a no-op."""
    job_id = f"deliver-{message_id}" + (f"-{suffix}" if suffix else "")
    if enqueue(svc.connections.queue, DELIVER, message_id, job_id=job_id, at=None if at is None else real_time(svc, at),
               retry=Retry(**CRASH_RETRY), description=f"deliver {message_id}"):
        records.update(svc.connections.redis, svc.settings, message_id, now=svc.clock(), job_id=job_id)
    return job_id


def cancel(svc, message_id: str, *, reason: str) -> bool:
    """Stop a message that has not been sent yet: mark it cancelled (deliver() then skips
    it even if its job still runs) and delete its rq job. False if it was not pending."""
    redis, settings = svc.connections.redis, svc.settings
    record = records.get(redis, settings, message_id)
    if record is None or record.get("status") not in records.PENDING:
        return False
    records.finish(redis, settings, message_id, records.CANCELLED, now=svc.clock(), error=reason)
    delete_job(svc, record.get("job_id"))
    log.info("%s %s to %s cancelled: %s", record.get("purpose"), message_id, mask(record.get("to")), reason)
    return True


class CannotResend(ValueError):
    """Why a message may not be sent again, in plain words for staff."""


@dataclass(frozen=True)
class Resent:
    """The new message that carries a resend, and whether this call created it."""

    message_id: str
    first: bool  # False: it had been sent again already (a double click): nothing new was queued


def resend(svc, message_id: str, *, by: str, checked_with_parent: bool = False) -> Resent:
    """For staff: send again a text that did not get through, as a NEW message.

    Only what flows.delivery_problems allows (never refused, opted-out or invalid numbers; an
    unknown fate only when `checked_with_parent`). The original keeps its status and history
    and gains resent_as/resent_by/resent_at; the new one has resend_of. Its dedupe key,
    "resend-{original id}", makes a double click (or two advisers at once) one new message.
    Raises CannotResend.
    """
    redis, settings = svc.connections.redis, svc.settings
    original = records.get(redis, settings, message_id)
    if original is None:
        raise CannotResend("This message is no longer on record (it may have been erased).")
    if original.get("resent_as"):
        return Resent(original["resent_as"], first=False)
    now = svc.clock()
    verdict = delivery_problems.assess(original, today=now.astimezone(LONDON).date(),
                                       opted_out=optouts.is_opted_out(redis, settings, original["to"]))
    if not verdict.can_resend:
        raise CannotResend(verdict.advice)
    if verdict.needs_check and not checked_with_parent:
        raise CannotResend("First check with the parent that it did not arrive, and tick the box to say so.")
    send_at = _first_moment(svc, now, None, immediate=False)  # not a reply: the night rule applies
    record = _new_record(now, kind="sms", to=original["to"], purpose=original["purpose"], body=original["body"],
                         immediate=0, status=records.SCHEDULED if send_at else records.QUEUED,
                         not_before=send_at.isoformat() if send_at else "", resend_of=message_id, resent_by=by,
                         first_due=delivery_problems.due_day(original).isoformat())
    new_id = _store_and_enqueue(svc, record, f"resend-{message_id}", send_at, now)
    if new_id != record["id"]:  # another click won the dedupe key a moment ago
        return Resent(new_id, first=False)
    records.update(redis, settings, message_id, now=now, resent_as=new_id, resent_by=by, resent_at=now.isoformat())
    log.info("staff %s sent again %s %s to %s as %s", by, original["purpose"], message_id, mask(original["to"]), new_id)
    return Resent(new_id, first=True)


def requeue_orphans(svc, *, older_than: dt.timedelta = dt.timedelta(minutes=15)) -> int:
    """Enqueue again any pending message whose job is gone (a crash between writing the
    record and enqueueing, or a lost Redis write). Safe: deliver() sends a record once."""
    redis, settings = svc.connections.redis, svc.settings
    now = svc.clock()
    found = 0
    for message_id in records.ids_created_before(redis, settings, now - older_than):
        record = records.get(redis, settings, message_id)
        if record is None or record.get("status") not in records.PENDING:
            continue
        job_id = record.get("job_id")
        if job_id and Job.exists(job_id, connection=svc.connections.queue.connection):
            continue
        at = dt.datetime.fromisoformat(record["not_before"]) if record.get("not_before") else None
        found += 1
        enqueue_delivery(svc, message_id, at=at if at and at > now else None, suffix=f"orphan-{found}-{now:%Y%m%d%H%M}")
        log.warning("deliver %s to %s had no job; enqueued again", message_id, mask(record["to"]))
    return found


def delete_job(svc, job_id: str | None) -> None:
    """Delete an rq job wherever it is (queue or scheduled registry); gone already is fine."""
    if not job_id:
        return
    try:
        Job.fetch(job_id, connection=svc.connections.queue.connection).delete()
    except NoSuchJobError:
        pass


def real_time(svc, at: dt.datetime) -> dt.datetime:
    """The real (UTC) moment that is as far from now as `at` is from the service clock's now."""
    return dt.datetime.now(dt.timezone.utc) + (at - svc.clock())


def _first_moment(svc, now: dt.datetime, not_before: dt.datetime | None, immediate: bool) -> dt.datetime | None:
    """When the text may first go (None: now). Replies ignore the night rule."""
    start = not_before if not_before is not None and not_before > now else None
    if immediate:
        return start
    s = svc.settings
    opening = next_window_start(start or now, window=(s.send_window_start, s.send_window_end))
    return opening or start


def _new_record(now: dt.datetime, **fields: object) -> dict:
    fields["to"] = normalise_uk_number(fields["to"]) or fields["to"]  # the rules refuse non-UK ones
    return {"id": records.new_id(), "created_at": now.isoformat(), "updated_at": now.isoformat(),
            "attempts": 0, "sid": "", "error": "", **fields}


def _store_and_enqueue(svc, record: dict, dedupe_key: str | None, send_at: dt.datetime | None,
                       now: dt.datetime) -> str:
    redis, settings = svc.connections.redis, svc.settings
    records.create(redis, settings, record | {"dedupe_key": dedupe_key or ""})
    if dedupe_key:
        keep = (max(send_at or now, now) - now) + dt.timedelta(days=settings.retention_days + 1)
        key = records.dedupe_key(settings, dedupe_key)
        if not redis.set(key, record["id"], nx=True, ex=int(keep.total_seconds())):
            records.delete(redis, settings, record["id"], phone=record["to"])  # ours lost the race
            existing = redis.get(key)
            log.info("%s to %s already queued as %s", record["purpose"], mask(record["to"]), existing)
            return existing.decode() if isinstance(existing, bytes) else existing
    enqueue_delivery(svc, record["id"], at=send_at)
    log.info("%s %s %s to %s queued%s", record["kind"], record["purpose"], record["id"], mask(record["to"]),
             f" for {send_at:%Y-%m-%d %H:%M}" if send_at else "")
    return record["id"]
