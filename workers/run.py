"""Start the rq worker (with its scheduler) on the service's queue and Redis: `python -m workers.run`.

The process outlives a Redis outage. rq waits for Redis itself while it is idle, but if Redis
goes away while a job runs, rq's worker logs "found an unhandled exception, quitting" and
returns. Left alone that would end the process, and with it the spool replay thread that
brings back callback requests taken during the outage (and, under honcho, the web too). So
a worker that stops without being asked to is started again once Redis answers.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import threading
import time

import redis
from rq import Queue, Worker

import logsafe
import services
from connections import redis_url
from workers.retention import schedule_housekeeping
from workers.spool_replay import REPLAY_SECONDS, replay_in_background, replay_once

log = logging.getLogger("helpline.worker")

WORKER_TTL_SECONDS = 60
# rq's scheduler thread dies when Redis blips and rq only restarts it at maintenance, every 10
# minutes by default: held texts, reminders and retries would be that late after an outage.
MAINTENANCE_SECONDS = 60
RESTART_PAUSE_SECONDS = 1.0
RESTART_PAUSE_MAX_SECONDS = 60.0  # a worker that keeps quitting at once is started again ever more slowly


class HelplineWorker(Worker):
    """rq's Worker, remembering whether it was asked to stop (SIGTERM / Ctrl-C) or quit on its own."""

    stop_asked = False

    def request_stop(self, signum, frame):
        self.stop_asked = True
        super().request_stop(signum, frame)


# rq forks a work horse per job: what the parent has imported, each job has for free (the
# benchmark: 16 jobs a second without this, about 60 with it).
PRELOAD = ("workers.jobs", "workers.callback_jobs", "workers.calendar_jobs", "workers.reminders", "workers.retention",
           "twilio.rest")


def preload() -> None:
    """Import the jobs' modules once, in the parent, before any work horse is forked."""
    for name in PRELOAD:
        importlib.import_module(name)


def worker_connection(settings) -> redis.Redis:
    """rq blocks on Redis while waiting for jobs, so its socket time-out must outlast that wait."""
    return redis.Redis.from_url(redis_url(settings), socket_timeout=WORKER_TTL_SECONDS + 30,
                                socket_connect_timeout=5, health_check_interval=30)


def work_through_outages(queue: Queue, conn: redis.Redis, probe: redis.Redis) -> None:
    """Run rq's worker until asked to stop, starting it again whenever it quits on its own.

    `probe` is a client with short time-outs, to see whether Redis answers again.
    """
    pause = RESTART_PAUSE_SECONDS
    while True:
        worker = HelplineWorker([queue], connection=conn, worker_ttl=WORKER_TTL_SECONDS,
                                maintenance_interval=MAINTENANCE_SECONDS)
        started = time.monotonic()
        try:
            worker.work(with_scheduler=True)
        except redis.RedisError as error:  # rq's own tidy-up (registering its death) needs Redis too
            log.warning("rq worker stopped: Redis unavailable (%s)", type(error).__name__)
            _let_go(worker)
        if worker.stop_asked:
            return
        log.error("rq worker quit without being asked to (Redis lost mid-job?); starting again once Redis answers")
        if time.monotonic() - started > RESTART_PAUSE_MAX_SECONDS:
            pause = RESTART_PAUSE_SECONDS  # it had been working a good while: not a crash loop
        if not wait_for_redis(probe, pause):
            return
        pause = min(pause * 2, RESTART_PAUSE_MAX_SECONDS)


def _let_go(worker: Worker) -> None:
    """Stop the pub/sub thread that rq's tidy-up never reached (one more would be left per restart)."""
    if getattr(worker, "pubsub_thread", None):
        worker.pubsub_thread.stop()
        worker.pubsub_thread.join(timeout=1)


def wait_for_redis(probe: redis.Redis, pause: float) -> bool:
    """Wait `pause` seconds and until Redis answers; False if SIGTERM or Ctrl-C came first."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):  # rq's handlers would need Redis to stop
        signal.signal(signum, lambda *_: stop.set())
    if stop.wait(pause):
        return False
    while not _answers(probe):
        if stop.wait(1):
            return False
    return True


def _answers(probe: redis.Redis) -> bool:
    try:
        return bool(probe.ping())
    except (redis.RedisError, OSError):
        return False


def main(argv: list[str] | None = None) -> None:
    """Run jobs until stopped (or until the queue is empty with --burst)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    args = parser.parse_args(argv)
    logsafe.install()  # no log line can be forged (logsafe.py)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    svc = services.for_worker()
    preload()
    conn = worker_connection(svc.settings)
    queue = Queue(svc.settings.queue_name, connection=conn)
    if args.burst:
        replay_once(svc)
        Worker([queue], connection=conn, worker_ttl=WORKER_TTL_SECONDS).work(with_scheduler=True, burst=True)
        return
    replay_in_background(svc, svc.settings.spool_replay_seconds or REPLAY_SECONDS)  # kept on disk while Redis was away
    probe = redis.Redis.from_url(redis_url(svc.settings), socket_timeout=2, socket_connect_timeout=2)
    if not _answers(probe):
        log.warning("Redis is not answering; waiting for it before starting the worker")
        if not wait_for_redis(probe, 0):
            return
    schedule_housekeeping(queue)  # the daily retention purge; one job id a day, so booked once
    work_through_outages(queue, conn, probe)


if __name__ == "__main__":
    main()
