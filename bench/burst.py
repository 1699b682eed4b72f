"""The callback burst: 1,000 requests stored, then their confirmations sent by the real worker."""

from __future__ import annotations

import time
from dataclasses import dataclass

from rq import Queue
from rq.job import Job

OUTBOUND_PURPOSE = "callback_confirmation"


@dataclass(frozen=True)
class Stored:
    """What Redis holds after the burst."""

    ids: list
    requests: int
    distinct_phones: int
    distinct_sids: int
    queued_jobs: int

    @property
    def duplicates(self) -> int:
        """Requests beyond one per number (each of the 1,000 came from its own number)."""
        return self.requests - self.distinct_phones


@dataclass(frozen=True)
class Sent:
    """The confirmations the worker sent to the outbox."""

    texts: int
    distinct_phones: int
    outbox_entries: int
    jobs: int
    first_start_to_last_end: float
    wall_seconds: float

    @property
    def duplicates(self) -> int:
        """Confirmation texts beyond one per number."""
        return self.texts - self.distinct_phones


def stored_requests(redis, prefix: str, queue_name: str) -> Stored:
    """Count callback records (helpline:callback:<digits>), their numbers and CallSids, and queued jobs."""
    ids = [k.rsplit(":", 1)[1] for k in redis.scan_iter(f"{prefix}callback:*", count=1000)
           if k.rsplit(":", 1)[1].isdigit() and k.count(":") == prefix.count(":") + 1]
    pipe = redis.pipeline(transaction=False)
    for i in ids:
        pipe.hmget(f"{prefix}callback:{i}", "phone", "source_sid")
    rows = pipe.execute()
    return Stored(ids, len(ids), len({r[0] for r in rows}), len({r[1] for r in rows}),
                  redis.llen(f"rq:queue:{queue_name}"))


def confirmation_records(redis, prefix: str) -> list[dict]:
    """Outbound records for callback confirmations: status, number, job id."""
    ids = redis.zrange(f"{prefix}outbound:all", 0, -1)
    pipe = redis.pipeline(transaction=False)
    for i in ids:
        pipe.hmget(f"{prefix}outbound:{i}", "purpose", "status", "to", "job_id")
    return [dict(zip(("purpose", "status", "to", "job_id"), row)) for row in pipe.execute()
            if row[0] == OUTBOUND_PURPOSE]


def wait_for_confirmations(redis, prefix: str, expected: int, timeout: float) -> tuple[list[dict], float]:
    """Poll until `expected` confirmations are sent (or the time-out); returns them and the wait."""
    start = time.monotonic()
    while True:
        records = confirmation_records(redis, prefix)
        sent = [r for r in records if r["status"] == "sent"]
        waited = time.monotonic() - start
        if len(sent) >= expected or waited > timeout:
            return sent, waited
        time.sleep(0.25)


def job_span(raw_redis, job_ids: list[str]) -> float:
    """Seconds from the first job's start to the last job's end, from rq's own timestamps."""
    jobs = [j for j in Job.fetch_many(job_ids, connection=raw_redis) if j and j.started_at and j.ended_at]
    if not jobs:
        return float("nan")
    return (max(j.ended_at for j in jobs) - min(j.started_at for j in jobs)).total_seconds()


def sent_summary(redis, raw_redis, prefix: str, request_ids: list[str], sent: list[dict], wall: float) -> Sent:
    """Confirmations sent, duplicates, outbox size, and the worker's time for both kinds of job."""
    job_ids = [f"callback-confirm-{i}" for i in request_ids] + [r["job_id"] for r in sent if r["job_id"]]
    return Sent(texts=len(sent), distinct_phones=len({r["to"] for r in sent}),
                outbox_entries=redis.llen(f"{prefix}outbox"), jobs=len(job_ids),
                first_start_to_last_end=job_span(raw_redis, job_ids), wall_seconds=wall)


def empty_jobs(raw_redis, queue_name: str, n: int, timeout: float = 120) -> tuple[float, float]:
    """Enqueue n no-op jobs for the running worker; (rq first start to last end, wall seconds)."""
    queue = Queue(queue_name, connection=raw_redis)
    start = time.monotonic()
    jobs = queue.enqueue_many([Queue.prepare_data("bench.jobs.noop", result_ttl=600) for _ in range(n)])
    last = jobs[-1]
    while last.get_status(refresh=True) not in ("finished", "failed") and time.monotonic() - start < timeout:
        time.sleep(0.02)
    wall = time.monotonic() - start
    return job_span(raw_redis, [j.id for j in jobs]), wall
