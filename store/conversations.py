"""SMS conversations in Redis: each number's place in the conversation, and replies already sent."""

from __future__ import annotations

import json

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


def load(redis, settings, phone: str, message_sid: str) -> tuple[str | None, dict, bool]:
    """One round trip: (reply already sent for this MessageSid, conversation state, seen before?)."""
    pipe = redis.pipeline(transaction=False)
    pipe.get(reply_key(settings, message_sid))
    pipe.get(conversation_key(settings, phone))
    pipe.exists(seen_key(settings, phone))
    cached, raw_state, seen = pipe.execute()
    try:
        state = json.loads(raw_state) if raw_state else {}
    except ValueError:
        state = {}
    return cached, state if isinstance(state, dict) else {}, bool(seen)


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
