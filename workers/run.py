"""Start the rq worker (with its scheduler) on the service's queue and Redis: `python -m workers.run`."""

from __future__ import annotations

import argparse
import logging

import redis
from rq import Queue, Worker

import services
from connections import redis_url
from workers.retention import schedule_housekeeping
from workers.spool_replay import replay_in_background, replay_once

WORKER_TTL_SECONDS = 60


def worker_connection(settings) -> redis.Redis:
    """rq blocks on Redis while waiting for jobs, so its socket time-out must outlast that wait."""
    return redis.Redis.from_url(redis_url(settings), socket_timeout=WORKER_TTL_SECONDS + 30,
                                socket_connect_timeout=5, health_check_interval=30)


def main(argv: list[str] | None = None) -> None:
    """Run jobs until stopped (or until the queue is empty with --burst)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    svc = services.for_worker()
    conn = worker_connection(svc.settings)
    queue = Queue(svc.settings.queue_name, connection=conn)
    if args.burst:
        replay_once(svc)
    else:
        replay_in_background(svc)  # callback requests kept on disk while Redis was away
        schedule_housekeeping(queue)  # the daily retention purge; one job id a day, so booked once
    worker = Worker([queue], connection=conn, worker_ttl=WORKER_TTL_SECONDS)
    worker.work(with_scheduler=True, burst=args.burst)


if __name__ == "__main__":
    main()
