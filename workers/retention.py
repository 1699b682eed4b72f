"""Keep personal data no longer than needed: the daily purge job and its schedule.

purge_expired() deletes finished outbound records older than RETENTION_DAYS, then runs
each hook in PURGE_HOOKS (closed callback requests and their voice recordings,
workers.callback_data.purge; closed safety concerns; each also brings its per-line index up to
date): functions, listed here, called as hook(svc, cutoff) and returning how many things went.
A purge that deleted anything then starts a rewrite of Redis's append-only file
(connections.rewrite_append_only_file): until then the file still holds what was deleted.
Recordings held at Twilio are deleted with delete_recording(svc, sid_or_url).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Callable

import services
from clock import LONDON
from connections import rewrite_append_only_file
from store import outbound as records
from workers import callback_data
from workers.enqueue import PURGE_EXPIRED, enqueue

log = logging.getLogger(__name__)

PURGE_AT = dt.time(3, 15)  # a quiet hour for Redis and Twilio, and no clock-change gap (01:00-02:00)
PURGE_TIMEOUT_SECONDS = 15 * 60


def purge_expired() -> dict[str, int]:
    """The rq job: purge, re-enqueue any message that lost its job, move up requests whose deadline
    is now close, then book tomorrow's run."""
    from workers.outbound import requeue_orphans

    from store.callbacks import refresh_urgency

    svc = services.for_worker()
    counts = purge_with(svc)
    counts["outbound_requeued"] = requeue_orphans(svc)
    counts["callbacks_now_urgent"] = len(refresh_urgency(svc.connections.redis, svc.settings, svc.calendar,
                                                         svc.clock()))
    schedule_housekeeping(svc.connections.queue)  # rq schedules on the real clock
    return counts


def purge_with(svc, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what is past its retention period; returns counts by kind (no personal data)."""
    now = now or svc.clock()
    cutoff = now - dt.timedelta(days=svc.settings.retention_days)
    counts = {"outbound": purge_outbound(svc, cutoff)}
    for hook in PURGE_HOOKS:
        counts[hook.__qualname__] = int(hook(svc, cutoff) or 0)
    if any(counts.values()):
        counts["disk_rewrite_started"] = int(rewrite_append_only_file(svc.connections.redis))
    log.info("retention purge (older than %s): %s", f"{cutoff:%Y-%m-%d %H:%M}", counts)
    return counts


def purge_safety_concerns(svc, cutoff: dt.datetime) -> int:
    """Closed safety concerns older than the retention period (open ones stay until an adviser acts);
    then every concern left is put in its line's index (safety.index_lines: those from before it)."""
    from store import safety

    removed = safety.purge_before(svc.connections.redis, svc.settings, cutoff)
    safety.index_lines(svc.connections.redis, svc.settings)
    return removed


PURGE_HOOKS: list[Callable] = [callback_data.purge, purge_safety_concerns]


def purge_outbound(svc, cutoff: dt.datetime) -> int:
    """Finished outbound records last changed before cutoff; pending ones are kept (not sent yet)."""
    redis, settings = svc.connections.redis, svc.settings
    removed = 0
    for message_id in records.ids_created_before(redis, settings, cutoff):
        record = records.get(redis, settings, message_id)
        if record is not None and (record.get("status") not in records.FINAL
                                   or dt.datetime.fromisoformat(record["updated_at"]) >= cutoff):
            continue
        records.delete(redis, settings, message_id)
        removed += record is not None
    _tidy_phone_indexes(svc)
    return removed


def delete_recording(svc, sid_or_url: str) -> None:
    """Delete a call recording at Twilio (or note it in the outbox when local)."""
    from workers.jobs import sender_for

    sender_for(svc).delete_recording(sid_or_url)


def schedule_housekeeping(queue, *, after: dt.datetime | None = None) -> str:
    """Book the next daily purge (03:15 London time) on the rq scheduler; call at worker start.

    One job id per day, so every worker calling this at start-up books it once. If no
    worker was running at 03:15, the scheduler runs it as soon as one starts.
    """
    moment = (after or dt.datetime.now(LONDON)).astimezone(LONDON)
    day = moment.date() + dt.timedelta(days=1 if moment.time() >= PURGE_AT else 0)
    job_id = f"housekeeping-purge-{day.isoformat()}"
    enqueue(queue, PURGE_EXPIRED, job_id=job_id, at=dt.datetime.combine(day, PURGE_AT, tzinfo=LONDON),
            result_ttl=7 * 86400, failure_ttl=30 * 86400, job_timeout=PURGE_TIMEOUT_SECONDS,
            description="daily retention purge")
    return job_id


def _tidy_phone_indexes(svc) -> None:
    """Drop index entries whose record expired on its own (records carry a TTL as a safety net),
    and move a phone index still named by the number (from before key names were tagged) under its tag."""
    redis, settings = svc.connections.redis, svc.settings
    prefix = records.phone_indexes_pattern(settings)[:-1]
    for key in list(redis.scan_iter(match=records.phone_indexes_pattern(settings), count=500)):
        key = records.as_str(key)
        if records.is_legacy_phone_index(settings, key):
            tagged = records.phone_index(settings, key[len(prefix):])
            pipe = redis.pipeline()
            pipe.sunionstore(tagged, [tagged, key])
            pipe.delete(key)
            pipe.execute()
            key = tagged
        ids = list(redis.smembers(key))
        gone = [i for i in ids if not redis.exists(records.record_key(settings, records.as_str(i)))]
        if gone:
            redis.srem(key, *gone)
    stale = [i for i in redis.zrange(records.all_index(settings), 0, -1)
             if not redis.exists(records.record_key(settings, records.as_str(i)))]
    if stale:
        redis.zrem(records.all_index(settings), *stale)
