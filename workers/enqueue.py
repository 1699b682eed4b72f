"""The one way a job goes on the rq queue: by the job's name, with ids only, kept for set times,
and once per job id.

    enqueue(queue, DELIVER, message_id, job_id=f"deliver-{message_id}")
    enqueue(queue, SEND_CONFIRMATION, request_id, job_id=..., pipeline=pipe)   # in the caller's round trip
    enqueue(queue, PURGE_EXPIRED, job_id=..., at=moment)                       # on rq's scheduler

Jobs are named by their dotted path (JOBS), not imported: a web process that enqueues never loads
a job's module (nor the Twilio client the senders use), and a job's module may itself enqueue
through this one without an import cycle (tests/test_architecture.py checks every name resolves to
a function of workers/). Arguments are ids and short words only (str or int): numbers and words
stay in Redis records, never in a job. Finished jobs are kept a day, failed ones a week, unless
the caller says otherwise. The job id makes a job once: a second enqueue with the same id is a
no-op (checked first, and rq's own DuplicateJobError for a race), except inside a pipeline, where
nothing can be read before the writes: there the job's own work must be safe to run twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from rq import Queue
from rq.exceptions import DuplicateJobError
from rq.job import Job

log = logging.getLogger(__name__)

RESULT_TTL_SECONDS = 24 * 3600  # finished jobs (their result is a status word) go after a day
FAILURE_TTL_SECONDS = 7 * 24 * 3600  # failed jobs stay a week for whoever investigates

DELIVER = "workers.jobs.deliver"
SEND_CONFIRMATION = "workers.callback_jobs.send_confirmation"
SEND_CLOSING_TEXT = "workers.callback_jobs.send_closing_text"
CALL_NOW = "workers.callback_jobs.call_now"
MOVE_CALLBACKS = "workers.calendar_jobs.move_callbacks"
PURGE_EXPIRED = "workers.retention.purge_expired"
JOBS = (DELIVER, SEND_CONFIRMATION, SEND_CLOSING_TEXT, CALL_NOW, MOVE_CALLBACKS, PURGE_EXPIRED)


def enqueue(queue: Queue, job: str, *args: str | int | None, job_id: str, at: dt.datetime | None = None,
            pipeline=None, result_ttl: int = RESULT_TTL_SECONDS, failure_ttl: int = FAILURE_TTL_SECONDS,
            **options) -> bool:
    """Queue job(*args) as `job_id`, now or at `at` (a real, aware moment: rq schedules on the real
    clock); True if this call queued it, False if a job with that id was already there.

    options go to rq as they are (retry, job_timeout, description).
    """
    if job not in JOBS:
        raise ValueError(f"unknown job {job!r}: add it to workers.enqueue.JOBS")
    if not all(arg is None or isinstance(arg, (str, int)) for arg in args):
        raise TypeError(f"{job}: jobs take ids only, not {[type(a).__name__ for a in args]}")
    options = dict(job_id=job_id, result_ttl=result_ttl, failure_ttl=failure_ttl, **options)
    if pipeline is not None:
        if at is None:
            queue.enqueue(job, *args, pipeline=pipeline, **options)
        else:
            queue.enqueue_at(at, job, *args, pipeline=pipeline, **options)
        return True
    if Job.exists(job_id, connection=queue.connection):
        log.info("job %s already exists; not queued again", job_id)
        return False
    try:
        if at is None:
            queue.enqueue(job, *args, unique=True, **options)
        else:
            queue.enqueue_at(at, job, *args, **options)
    except DuplicateJobError:
        log.info("job %s already exists; not queued again", job_id)
        return False
    return True
