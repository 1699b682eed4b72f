"""Safety flags in Redis: texts or calls whose words suggest someone may be at risk, newest first."""

from __future__ import annotations

import datetime as dt
import json

FLAGS_KEPT = 500


def flags_key(settings) -> str:
    """The list the staff page reads, newest first."""
    return settings.key("safety", "flags")


def flag(redis, settings, *, phone: str, at: dt.datetime, excerpt: str, channel: str) -> None:
    """Record one concern for staff (one round trip; the list is kept to FLAGS_KEPT entries)."""
    entry = {"phone": phone, "at": at.isoformat(), "excerpt": excerpt[:160], "channel": channel}
    pipe = redis.pipeline(transaction=False)
    pipe.lpush(flags_key(settings), json.dumps(entry))
    pipe.ltrim(flags_key(settings), 0, FLAGS_KEPT - 1)
    pipe.execute()
