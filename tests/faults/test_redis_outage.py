"""Redis stopped while texts and calls arrive, then started again: parents never notice, and every
callback request asked for reaches the staff queue exactly once, with one confirmation text each."""

from __future__ import annotations

import signal
from collections import Counter

from tests.faults.stack import parent, sid, wait_for

REPLY_SECONDS = 2.0  # Twilio waits 15s; a parent should not wait anywhere near that
# The worker and the web replay the spool every SPOOL_REPLAY_SECONDS (stack.py: 2 s; 15 s in production);
# the deadline leaves room for a loaded machine, and the wait ends as soon as all is done.
REPLAY_DEADLINE_SECONDS = 30


def ask(stack, n: int):
    """Parent n asks for a call back by phone (CallSid n), wanting a confirmation text."""
    return stack.phone.ask_callback(call_sid=sid("CA", n), phone=parent(n))


def assert_quick_twiml(reply):
    assert reply.status == 200, reply.body[:300]
    assert reply.seconds < REPLY_SECONDS, reply.seconds


def assert_calls_and_texts_answered(stack, n: int) -> None:
    """Guidance by text and spoken menus work, whatever Redis is doing."""
    health = stack.phone.text("HEALTH", from_=parent(n), message_sid=sid("SM", n))
    assert_quick_twiml(health)
    assert "NHS complaints procedure" in " ".join(health.texts())
    menu = stack.phone.text("MENU", from_=parent(n + 1), message_sid=sid("SM", n + 1))
    assert_quick_twiml(menu)
    assert "Reply with a number" in " ".join(menu.texts())
    incoming = stack.phone.call("/ivr/incoming", call_sid=sid("CA", n), from_=parent(n))
    assert_quick_twiml(incoming)
    assert "Welcome to the SEND Partnership Service" in incoming.spoken()
    main = stack.phone.call("/ivr/menu?node=main", call_sid=sid("CA", n), from_=parent(n))
    assert_quick_twiml(main)
    assert "press 1" in main.spoken()


def assert_taken(reply, *, day_known: bool) -> None:
    """The caller is told we have the request (the day when Redis could book one)."""
    assert_quick_twiml(reply)
    said = reply.spoken()
    assert "went wrong" not in said
    assert ("We will call you on" in said) if day_known else ("We have your request" in said), said


def test_callback_requests_survive_redis_stopping_and_reach_the_queue_once(redis_server, make_stack):
    stack = make_stack(redis_server.url)
    web = stack.web()
    worker = stack.worker()
    assert wait_for(lambda: "Listening on" in worker.log(), timeout=15), worker.log()
    before, during, after = [201, 202], [203, 204, 205], [206]

    assert_calls_and_texts_answered(stack, 101)
    for n in before:
        assert_taken(ask(stack, n), day_known=True)

    client = redis_server.client()
    # The worker is idle when Redis stops (test_worker_outlives_redis covers one stopped mid-job).
    assert wait_for(lambda: len(stack.outbox(client)) == len(before) and stack.queue_idle(redis_server.url), 10)

    redis_server.stop(signal.SIGTERM)
    assert_calls_and_texts_answered(stack, 111)
    for n in during:
        assert_taken(ask(stack, n), day_known=False)
    assert_taken(ask(stack, 203), day_known=False)  # Twilio retries a request spooled a moment ago
    assert_taken(ask(stack, 201), day_known=False)  # and one Redis already had before it stopped
    assert sorted(stack.spooled()) == [f"voice:{sid('CA', n)}" for n in (201, 203, 204, 205)]

    redis_server.start()  # same port, same append-only file
    assert_calls_and_texts_answered(stack, 121)
    assert_taken(ask(stack, 204), day_known=True)  # a retry reaches Redis before the spool is replayed
    for n in after:
        assert_taken(ask(stack, n), day_known=True)

    asked = before + during + after
    want_sids = sorted(sid("CA", n) for n in asked)

    def all_done() -> bool:
        sids = sorted(r["source_sid"] for r in stack.open_requests(client))
        texted = {e["to"] for e in stack.outbox(client)}
        return (not stack.spooled() and sids == want_sids and texted == {parent(n) for n in asked}
                and stack.queue_idle(redis_server.url))

    assert wait_for(all_done, timeout=REPLAY_DEADLINE_SECONDS, every=0.25), (
        stack.spooled(), [r["source_sid"] for r in stack.open_requests(client)], stack.outbox(client))
    assert worker.alive()  # the worker lived through it
    assert "spool replay: " in worker.log() + web.log()  # and the host's spool was replayed, by one or the other
    assert_taken(ask(stack, 205), day_known=True)  # Twilio retries a replayed request: nothing new
    assert wait_for(lambda: stack.queue_idle(redis_server.url), timeout=10)

    requests = stack.open_requests(client)
    assert Counter(r["phone"] for r in requests) == Counter(parent(n) for n in asked)
    assert all(r["requests"] == 1 for r in requests)  # no retry counted as a second ask
    assert all(r["expected_on"] == "2026-11-24" for r in requests)  # Tuesday, the next helpline day
    texts = stack.outbox(client)
    assert Counter(e["to"] for e in texts) == Counter(parent(n) for n in asked)  # one text each
    assert all("we will call you on" in e["body"] for e in texts)
