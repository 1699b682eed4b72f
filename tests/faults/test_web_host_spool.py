"""A web host and a worker on different machines (different DATA_DIRs): a callback request spooled
on the web host while Redis is away reaches Redis once Redis is back, brought by the running web
itself (not restarted), and is confirmed by text once (issue 15, item 7)."""

from __future__ import annotations

import signal

from config import Settings
from store import spool
from tests.faults.stack import parent, sid, wait_for

# Each web process replays its spool every SPOOL_REPLAY_SECONDS (stack.py: 2 s; 15 s in production);
# the deadline leaves room for a loaded machine, and the wait ends as soon as all is done.
REPLAY_DEADLINE_SECONDS = 30


def test_a_request_spooled_on_the_web_host_reaches_redis_without_restarting_the_web(redis_server, make_stack,
                                                                                      tmp_path):
    stack = make_stack(redis_server.url)  # the web host: DATA_DIR tmp_path/data
    web = stack.web()
    worker_dir = tmp_path / "worker-host-data"  # the worker's machine: a DATA_DIR of its own
    worker = stack.worker(data_dir=worker_dir)
    assert wait_for(lambda: "Listening on" in worker.log(), timeout=15), worker.log()
    web_pid = web.proc.pid

    redis_server.stop(signal.SIGTERM)
    reply = stack.phone.ask_callback(call_sid=sid("CA", 401), phone=parent(401))
    assert "We have your request" in reply.spoken()
    assert stack.spooled() == [f"voice:{sid('CA', 401)}"]  # on the web host's disk, where the worker cannot see it

    redis_server.start()  # same port, same append-only file; the web is left running
    client = redis_server.client()

    def landed() -> bool:
        texted = [e for e in stack.outbox(client) if e["to"] == parent(401)]
        return (not stack.spooled() and len(stack.open_requests(client)) == 1 and len(texted) == 1
                and stack.queue_idle(redis_server.url))

    assert wait_for(landed, timeout=REPLAY_DEADLINE_SECONDS, every=0.25), (
        stack.spooled(), stack.open_requests(client), stack.outbox(client))
    assert web.alive() and web.proc.pid == web_pid  # brought back by the web that was running all along
    assert "spool replay: 1 saved to Redis" in web.log()
    assert "spool replay" not in worker.log()  # the worker's host never had it
    assert spool.pending(Settings(data_dir=worker_dir)) == []

    (request,) = stack.open_requests(client)
    assert (request["source_sid"], request["phone"], request["requests"]) == (sid("CA", 401), parent(401), 1)
    (text,) = stack.outbox(client)
    assert text["to"] == parent(401) and "we will call you on" in text["body"]
    again = stack.phone.ask_callback(call_sid=sid("CA", 401), phone=parent(401))  # Twilio retries: nothing new
    assert "We will call you on" in again.spoken()
    assert len(stack.open_requests(client)) == 1
