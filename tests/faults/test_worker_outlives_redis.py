"""Redis goes away while the worker is sending a text: the worker process lives on and keeps
delivering once Redis is back, and the text it was sending reaches Twilio once.

rq's own loop quits when Redis fails mid-job ("found an unhandled exception, quitting");
workers/run.py starts it again once Redis answers. Without that the process ended, taking the
spool replay thread with it (and, under honcho, the web too).
"""

from __future__ import annotations

import datetime as dt
import signal

import pytest

import services
from clock import fixed_clock
from tests.faults.stack import NOW, parent, wait_for
from tests.twilio_standin import TwilioStandin
from workers import outbound


@pytest.fixture
def twilio():
    with TwilioStandin() as running:
        yield running


def texts_to(twilio, phone: str) -> list[str]:
    """The bodies of the texts Twilio was asked to send to `phone`."""
    return [r.form["Body"] for r in twilio.requests
            if r.method == "POST" and r.path.endswith("/Messages.json") and r.form.get("To") == phone]


def queue_text(stack, to: str) -> str:
    """A confirmation-like text, queued the way every feature queues one."""
    svc = services.build(stack.settings, clock=fixed_clock(dt.datetime.fromisoformat(NOW)))
    return outbound.queue_text(svc, to=to, body="We will call you on Tuesday.", purpose="test")


def test_the_worker_outlives_redis_going_away_mid_send(redis_server, make_stack, twilio):
    stack = make_stack(redis_server.url, twilio)
    twilio.hang_next(2)  # Twilio is slow: the worker is inside the send when Redis goes
    queue_text(stack, parent(501))
    worker = stack.worker()
    assert wait_for(lambda: texts_to(twilio, parent(501)), timeout=15), worker.log()[-3000:]

    redis_server.stop(signal.SIGKILL)
    quit_seen = wait_for(lambda: "quit without being asked" in worker.log() or not worker.alive(), timeout=15)
    assert quit_seen and worker.alive(), worker.log()[-3000:]  # rq's loop quit; the process did not

    redis_server.start()
    queue_text(stack, parent(502))
    assert wait_for(lambda: texts_to(twilio, parent(502)), timeout=15), worker.log()[-3000:]
    assert worker.alive()
    assert len(texts_to(twilio, parent(501))) == 1  # the text in flight when Redis went: sent once
    assert len(texts_to(twilio, parent(502))) == 1


def test_a_worker_started_before_redis_waits_for_it_then_works(redis_server, make_stack, twilio):
    redis_server.stop(signal.SIGKILL)  # e.g. the host rebooted and Redis is slower to come up
    stack = make_stack(redis_server.url, twilio)
    worker = stack.worker()
    assert wait_for(lambda: "waiting for it before starting" in worker.log(), timeout=15), worker.log()[-3000:]
    assert worker.alive()

    redis_server.start()
    queue_text(stack, parent(503))
    assert wait_for(lambda: texts_to(twilio, parent(503)), timeout=15), worker.log()[-3000:]
    assert worker.alive() and len(texts_to(twilio, parent(503))) == 1
