"""SMS conversations in Redis: each number's place in the conversation, replies already sent, recent texts."""

from __future__ import annotations

import datetime as dt
import json
from typing import NamedTuple

REPLY_TTL_SECONDS = 24 * 3600  # Twilio retries within minutes; a day is plenty and still short-lived


def conversation_key(settings, phone: str) -> str:
    """Where a number's conversation state lives."""
    return settings.key("sms", "conv", phone)


def seen_key(settings, phone: str) -> str:
    """Marks a number that has texted before (so the welcome is sent once)."""
    return settings.key("sms", "seen", phone)


def reply_key(settings, message_sid: str) -> str:
    """The reply already given to one MessageSid (Twilio may deliver the same text twice)."""
    return settings.key("sms", "reply", message_sid)


def rate_key(settings, phone: str, at: dt.datetime) -> str:
    """The MessageSids one number sent in the fixed rate-limit window that `at` falls in."""
    window = int(at.timestamp()) // settings.sms_limit_window_seconds
    return settings.key("sms", "rate", phone, window)


class Loaded(NamedTuple):
    """What load() found: the reply already sent for this MessageSid, the state, and the count."""

    cached: str | None
    state: dict
    seen: bool
    texts_in_window: int  # this one included; 0 when the limit is off


def load(redis, settings, phone: str, message_sid: str, at: dt.datetime) -> Loaded:
    """One round trip: the replay cache, the conversation, seen before?, and this text counted.

    The count is a set of MessageSids, so a text Twilio delivers twice is counted once. MULTI/EXEC
    keeps SADD and SCARD together: of two texts arriving at once, exactly one sees limit + 1.
    """
    limit_on = settings.sms_limit_per_window > 0
    pipe = redis.pipeline(transaction=True)
    pipe.get(reply_key(settings, message_sid))
    pipe.get(conversation_key(settings, phone))
    pipe.exists(seen_key(settings, phone))
    if limit_on:
        key = rate_key(settings, phone, at)
        pipe.sadd(key, message_sid)
        pipe.expire(key, settings.sms_limit_window_seconds)  # the key names its window; this just tidies up
        pipe.scard(key)
    cached, raw_state, seen, *counted = pipe.execute()
    try:
        state = json.loads(raw_state) if raw_state else {}
    except ValueError:
        state = {}
    return Loaded(cached, state if isinstance(state, dict) else {}, bool(seen), int(counted[-1]) if limit_on else 0)


def save(redis, settings, phone: str, message_sid: str, state: dict, reply_xml: str) -> None:
    """One round trip: keep the new state (expiring), remember the reply, mark the number seen."""
    pipe = redis.pipeline(transaction=False)
    key = conversation_key(settings, phone)
    if state:
        pipe.set(key, json.dumps(state), ex=settings.sms_session_ttl_seconds)
    else:
        pipe.delete(key)
    pipe.set(reply_key(settings, message_sid), reply_xml, ex=REPLY_TTL_SECONDS)
    pipe.set(seen_key(settings, phone), "1", ex=settings.retention_days * 24 * 3600)
    pipe.execute()
