"""A Redis that accepts connections but never answers: parents still get a useful answer in about a
second (the web's Redis client gives up after 0.5s), and a callback request is kept on disk."""

from __future__ import annotations

import pytest

from store import spool
from tests.faults.stack import SilentRedis, parent, sid

REPLY_SECONDS = 1.5  # at most two 0.5s Redis time-outs per webhook, and the work itself


@pytest.fixture
def silent_redis():
    server = SilentRedis()
    try:
        yield server
    finally:
        server.close()


def assert_quick(reply) -> None:
    assert reply.status == 200, reply.body[:300]
    assert reply.seconds < REPLY_SECONDS, reply.seconds


def test_a_silent_redis_costs_a_parent_about_a_second_and_loses_no_request(silent_redis, make_stack):
    stack = make_stack(silent_redis.url)
    stack.web()
    phone = stack.phone

    text = phone.text("HEALTH", from_=parent(401), message_sid=sid("SM", 401))
    assert_quick(text)
    assert "NHS complaints procedure" in " ".join(text.texts())
    call = phone.call("/ivr/incoming", call_sid=sid("CA", 402), from_=parent(402))
    assert_quick(call)
    assert "Welcome to the SEND Partnership Service" in call.spoken()
    menu = phone.call("/ivr/menu?node=main", call_sid=sid("CA", 402), from_=parent(402))
    assert_quick(menu)
    assert "press 1" in menu.spoken()

    for _ in range(2):  # the request, then Twilio's retry of the same webhook
        saved = phone.ask_callback(call_sid=sid("CA", 402), phone=parent(402))
        assert_quick(saved)
        assert "We have your request" in saved.spoken() and "went wrong" not in saved.spoken()
    (row,) = spool.pending(stack.settings)
    assert row["id"] == "voice:" + sid("CA", 402)
    assert row["request"]["phone"] == parent(402) and row["request"]["confirm"] is True
    assert silent_redis.accepted and silent_redis.bytes_read  # the web really did ask the silent server

