"""Safety flags in Redis: texts or calls whose words suggest someone may be at risk, newest first.

Every risk-word text or call still gets the emergency numbers; what is limited here is only the
list staff read: at most FLAGS_PER_NUMBER_PER_HOUR flags from one number an hour, so a flood
from one number cannot push other parents' flags off the staff page (FLAGS_KEPT in all).
Flags hold a phone number, so they are exported, erased and purged with everything else.
"""

from __future__ import annotations

import datetime as dt
import json

FLAGS_KEPT = 500
FLAGS_PER_NUMBER_PER_HOUR = 3

_FLAG = """
local n = redis.call('INCR', KEYS[2])
if n == 1 then redis.call('EXPIRE', KEYS[2], 3600) end
if n > tonumber(ARGV[2]) then return 0 end
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[3]) - 1)
return 1
"""


def flags_key(settings) -> str:
    """The list the staff page reads, newest first."""
    return settings.key("safety", "flags")


def recent_key(settings, phone: str) -> str:
    """How many flags this number made in the last hour."""
    return settings.key("safety", "recent", phone)


def flag(redis, settings, *, phone: str, at: dt.datetime, excerpt: str, channel: str) -> bool:
    """Record one concern for staff (one round trip); False if this number was flagged enough this hour."""
    entry = {"phone": phone, "at": at.isoformat(), "excerpt": excerpt[:160], "channel": channel}
    return bool(redis.eval(_FLAG, 2, flags_key(settings), recent_key(settings, phone), json.dumps(entry),
                           FLAGS_PER_NUMBER_PER_HOUR, FLAGS_KEPT))


def _entries(redis, settings) -> list[tuple[str, dict]]:
    """Every flag, raw and decoded."""
    out = []
    for raw in redis.lrange(flags_key(settings), 0, -1):
        try:
            out.append((raw, json.loads(raw)))
        except ValueError:
            out.append((raw, {}))
    return out


def for_phone(redis, settings, phone: str) -> list[dict]:
    """The flags recorded for one number (for a subject access request)."""
    return [entry for _, entry in _entries(redis, settings) if entry.get("phone") == phone]


def erase_phone(redis, settings, phone: str) -> int:
    """Delete one number's flags; how many went."""
    removed = sum(int(redis.lrem(flags_key(settings), 0, raw))
                  for raw, entry in _entries(redis, settings) if entry.get("phone") == phone)
    redis.delete(recent_key(settings, phone))
    return removed


def purge_before(redis, settings, cutoff: dt.datetime) -> int:
    """Delete flags recorded before the cutoff (retention); how many went."""
    def old(entry: dict) -> bool:
        try:
            return dt.datetime.fromisoformat(entry["at"]).timestamp() < cutoff.timestamp()
        except (KeyError, TypeError, ValueError):
            return False

    return sum(int(redis.lrem(flags_key(settings), 0, raw)) for raw, entry in _entries(redis, settings) if old(entry))
