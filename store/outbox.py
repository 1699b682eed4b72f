"""The outbox: texts and calls kept in Redis instead of sent, when there are no Twilio credentials.

One list, `helpline:outbox`, newest first, trimmed to OUTBOX_MAX_ENTRIES and expiring
OUTBOX_TTL_SECONDS after the last entry. Every entry is marked OUTBOX_STATUS, "not sent
(outbox)". Written by workers.senders.OutboxSender (the worker's sender in local mode); read by
the staff page's Outbox, the simulator (`flask phone`) and `flask data` (export and erase).
"""

from __future__ import annotations

import json
from typing import Any

OUTBOX_STATUS = "not sent (outbox)"
OUTBOX_MAX_ENTRIES = 500
OUTBOX_TTL_SECONDS = 14 * 24 * 3600


def outbox_key(prefix: str) -> str:
    return f"{prefix}outbox"


def keep(redis_client: Any, prefix: str, entry: dict, *, max_entries: int = OUTBOX_MAX_ENTRIES) -> None:
    """Add an entry (newest first), trim the list and push its expiry back, in one round trip."""
    key = outbox_key(prefix)
    pipe = redis_client.pipeline()
    pipe.lpush(key, json.dumps(entry))
    pipe.ltrim(key, 0, max_entries - 1)
    pipe.expire(key, OUTBOX_TTL_SECONDS)
    pipe.execute()


def list_outbox(redis_client: Any, prefix: str = "helpline:", limit: int = 50) -> list[dict]:
    """The newest `limit` outbox entries, newest first, each marked "not sent (outbox)"."""
    if limit <= 0:
        return []
    return [json.loads(raw) for raw in redis_client.lrange(outbox_key(prefix), 0, limit - 1)]


def erase_phone(redis_client: Any, prefix: str, phone: str) -> int:
    """Remove every entry to `phone` (for `flask data erase`); returns how many went."""
    key = outbox_key(prefix)
    removed = 0
    for raw in redis_client.lrange(key, 0, -1):
        if json.loads(raw).get("to") == phone:
            removed += redis_client.lrem(key, 0, raw)
    return removed
