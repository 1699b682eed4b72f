"""Retention, export and erasure for callback requests (hooks for workers.retention and commands.data)."""

from __future__ import annotations

import datetime as dt
import logging

from flows.phone import normalise_uk_number
from store import callbacks as store

log = logging.getLogger("helpline.callbacks")


def _remove(svc, request: dict) -> int:
    """Delete one request: its recording (at Twilio too), record, history and queue entries."""
    from workers.jobs import sender_for  # when a recording is deleted: the worker's sender

    settings, redis = svc.settings, svc.connections.redis
    removed = 0
    if request.get("voice_message_url"):
        sender_for(svc).delete_recording(request["voice_message_url"])
        removed += 1
    pipe = redis.pipeline()
    pipe.delete(store.record_key(settings, request["id"]), store.events_key(settings, request["id"]))
    pipe.zrem(store.open_key(settings), request["id"])
    pipe.zrem(store.done_key(settings), request["id"])
    if request.get("source_sid"):
        pipe.delete(store.sid_key(settings, request["source_sid"]))
    if redis.get(store.phone_key(settings, request["phone"])) == request["id"]:
        pipe.delete(store.phone_key(settings, request["phone"]))
    pipe.zrem(store.line_key(settings, request["phone"]), request["id"])
    pipe.execute()
    return removed + 1


def purge(svc, cutoff: dt.datetime) -> int:
    """Closed or done requests finished before the cutoff, with their voice messages; then the
    line indexes are brought up to date (store.index_lines: expired ids out, every request in)."""
    redis, settings = svc.connections.redis, svc.settings
    old = redis.zrangebyscore(store.done_key(settings), "-inf", cutoff.timestamp())
    records = [(i, store.get(redis, settings, i)) for i in old]
    removed = sum(_remove(svc, r) for _, r in records if r)
    expired = [i for i, r in records if r is None]  # the record's own TTL came first: its entry stayed
    if expired:
        redis.zrem(store.done_key(settings), *expired)
    store.index_lines(redis, settings)
    return removed


def _for_number(svc, phone: str) -> list[dict]:
    """Every request held for a number, live or finished."""
    number = normalise_uk_number(phone) or phone
    redis, settings = svc.connections.redis, svc.settings
    ids = redis.zrange(store.open_key(settings), 0, -1) + redis.zrange(store.done_key(settings), 0, -1)
    return [r for r in (store.get(redis, settings, i) for i in ids) if r and r["phone"] == number]


def export(svc, phone: str) -> dict:
    """Everything held in callback requests for a number (for a subject access request)."""
    return {"callback_requests": _for_number(svc, phone)}


def erase(svc, phone: str) -> dict:
    """Remove every callback request for a number, and its voice messages."""
    requests = _for_number(svc, phone)
    for request in requests:
        _remove(svc, request)
    svc.connections.redis.delete(store.line_key(svc.settings, normalise_uk_number(phone) or phone))
    return {"callback_requests": len(requests)}
