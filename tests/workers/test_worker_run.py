"""The worker process waits for Redis to come back after rq's loop quits, and still stops when asked."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import redis

from tests.workers.support import ROOT
from workers.run import wait_for_redis

WAITER = """
import sys, redis
from workers.run import wait_for_redis
sys.exit(0 if wait_for_redis(redis.Redis.from_url(sys.argv[1], socket_timeout=0.2), 0) is False else 3)
"""


def test_the_wait_ends_as_soon_as_redis_answers(redis_url):
    started = time.monotonic()
    assert wait_for_redis(redis.Redis.from_url(redis_url), 0) is True
    assert time.monotonic() - started < 1


def test_sigterm_ends_the_wait_for_a_redis_that_stays_away():
    with socket.socket() as broken:  # a "Redis" that hangs up on every connection
        broken.bind(("127.0.0.1", 0))
        broken.listen()
        broken.settimeout(10)
        url = f"redis://127.0.0.1:{broken.getsockname()[1]}/0"
        waiter = subprocess.Popen([sys.executable, "-c", WAITER, url], cwd=ROOT)
        try:
            broken.accept()[0].close()  # its first ping: the wait (and its signal handlers) has begun
            waiter.send_signal(signal.SIGTERM)
            assert waiter.wait(timeout=5) == 0  # wait_for_redis returned False: the worker can exit
        finally:
            waiter.kill()
            waiter.wait()


def test_the_worker_preloads_every_module_its_jobs_live_in():
    import importlib

    from workers.run import PRELOAD

    with_jobs = {f"workers.{p.stem}" for p in (ROOT / "workers").glob("*.py") if '"""The rq job' in p.read_text()}
    assert with_jobs and with_jobs <= set(PRELOAD)
    for name in PRELOAD:
        importlib.import_module(name)
