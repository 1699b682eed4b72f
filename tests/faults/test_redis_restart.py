"""Redis crashes and restarts (append-only file, fsynced on every write) while texts wait in the
queue: nothing is lost, Twilio's retries add nothing, and each text is sent once."""

from __future__ import annotations

import signal
from collections import Counter

import redis
from rq import Queue

from tests.faults.stack import parent, run_burst_worker, sid


def queued_jobs(stack, url: str) -> int:
    """Jobs waiting in the service's rq queue."""
    return Queue(stack.settings.queue_name, connection=redis.Redis.from_url(url)).count


def ask_and_text_me(stack) -> tuple[str, str]:
    """A call back asked for (with a confirmation text), and a piece of guidance a caller asked us to text."""
    asked = stack.phone.ask_callback(call_sid=sid("CA", 301), phone=parent(301))
    text_me = stack.phone.call("/ivr/menu-choice?node=health", call_sid=sid("CA", 302), from_=parent(302), Digits="8")
    return asked.spoken(), text_me.spoken()


def test_texts_queued_before_a_redis_crash_are_sent_once_after_it(redis_server, make_stack):
    stack = make_stack(redis_server.url)
    stack.web()
    asked, text_me = ask_and_text_me(stack)
    assert "We will call you" in asked and "Tuesday the 24th of November" in asked
    assert "We will text this" in text_me
    jobs = queued_jobs(stack, redis_server.url)
    assert jobs >= 2  # the confirmation job, and a delivery for each part of the guidance

    redis_server.stop(signal.SIGKILL)  # a crash: only what reached the append-only file survives
    redis_server.start()

    asked, text_me = ask_and_text_me(stack)  # Twilio retries both webhooks
    assert "We will call you" in asked and "Tuesday the 24th of November" in asked
    assert "We will text this" in text_me
    assert queued_jobs(stack, redis_server.url) == jobs  # nothing lost, nothing added
    run_burst_worker(stack.env, stack.logs)

    client = redis_server.client()
    (request,) = stack.open_requests(client)
    assert (request["source_sid"], request["phone"], request["requests"]) == (sid("CA", 301), parent(301), 1)
    texts = stack.outbox(client)
    assert Counter(e["to"] for e in texts)[parent(301)] == 1
    assert "we will call you on" in next(e["body"] for e in texts if e["to"] == parent(301))
    guidance = [e["body"] for e in texts if e["to"] == parent(302)]
    assert len(guidance) == len(set(guidance)) == jobs - 1  # every part of the guidance, each once
    assert {e["to"] for e in texts} == {parent(301), parent(302)}
    assert queued_jobs(stack, redis_server.url) == 0
