"""SMS conversations in Redis: each number's place in the conversation, replies already sent, recent texts.

No key name holds a number: keys about a number use store.keys.phone_tag, which also makes
"07700 900123", "447700900123" and "+44 7700 900123" one number (one rate limit, one conversation).
The replies cache is keyed by MessageSid; each number's cached replies are listed under
sms:replies:<tag>, so erasing a number finds them (commands/data.py).

open_at() is the voice channel's way in: a caller who asks for a page by text ("text me this")
has their text conversation left on that page, as if they had texted its keyword.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import NamedTuple

from store.keys import phone_tag

REPLY_TTL_SECONDS = 24 * 3600  # Twilio retries within minutes; a day is plenty and still short-lived


def conversation_key(settings, phone: str) -> str:
    """Where a number's conversation state lives."""
    return settings.key("sms", "conv", phone_tag(settings, phone))


def seen_key(settings, phone: str) -> str:
    """Marks a number that has texted before (so the welcome is sent once)."""
    return settings.key("sms", "seen", phone_tag(settings, phone))


def reply_key(settings, message_sid: str) -> str:
    """The reply already given to one MessageSid (Twilio may deliver the same text twice)."""
    return settings.key("sms", "reply", message_sid)


def rate_key(settings, phone: str, at: dt.datetime) -> str:
    """The MessageSids one number sent in the fixed rate-limit window that `at` falls in."""
    window = int(at.timestamp()) // settings.sms_limit_window_seconds
    return settings.key("sms", "rate", phone_tag(settings, phone), window)


def replies_key(settings, phone: str) -> str:
    """The MessageSids whose replies are cached for this number (so erasure can find them)."""
    return settings.key("sms", "replies", phone_tag(settings, phone))


class Loaded(NamedTuple):
    """What load() found: the reply already sent for this MessageSid, the state, and the count."""

    cached: str | None
    state: dict
    seen: bool
    texts_in_window: int  # this one included; 0 when the limit is off


# load() as one command: the replay cache, the conversation, seen before?, and (when the limit is
# on) this text counted. KEYS: reply, conversation, seen[, rate]. ARGV: MessageSid, window seconds.
# Redis returns a Lua false as nil, so an empty GET stays None.
_LOAD = """
local counted = 0
if KEYS[4] then
  redis.call('SADD', KEYS[4], ARGV[1])
  redis.call('EXPIRE', KEYS[4], ARGV[2])
  counted = redis.call('SCARD', KEYS[4])
end
return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]), redis.call('EXISTS', KEYS[3]), counted}
"""


def load(redis, settings, phone: str, message_sid: str, at: dt.datetime) -> Loaded:
    """One command: the replay cache, the conversation, seen before?, and this text counted.

    The count is a set of MessageSids, so a text Twilio delivers twice is counted once. A Lua
    script runs whole, so SADD and SCARD stay together: of two texts arriving at once, exactly
    one sees limit + 1. (One EVAL instead of a MULTI of eight: a third of a text's Redis cost.)
    """
    keys = [reply_key(settings, message_sid), conversation_key(settings, phone), seen_key(settings, phone)]
    if settings.sms_limit_per_window > 0:
        keys.append(rate_key(settings, phone, at))  # the key names its window; EXPIRE just tidies up
    cached, raw_state, seen, counted = redis.eval(_LOAD, len(keys), *keys, message_sid,
                                                  settings.sms_limit_window_seconds)
    try:
        state = json.loads(raw_state) if raw_state else {}
    except ValueError:
        state = {}
    return Loaded(cached, state if isinstance(state, dict) else {}, bool(seen), int(counted))


# save() as one command. KEYS: conversation, reply, replies, seen. ARGV: the state's JSON ('' deletes
# the conversation), its TTL, the reply's XML, the reply TTL, the MessageSid, the seen flag's TTL.
_SAVE = """
if ARGV[1] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
redis.call('SADD', KEYS[3], ARGV[5])
redis.call('EXPIRE', KEYS[3], ARGV[4])
redis.call('SET', KEYS[4], '1', 'EX', ARGV[6])
return 1
"""


def save(redis, settings, phone: str, message_sid: str, state: dict, reply_xml: str, *, also=None) -> None:
    """One round trip: keep the new state (expiring), remember the reply, mark the number seen.

    `also(pipe)` adds other commands to the same round trip (the report counts, store/events.py,
    when no writer thread sends them).
    """
    keys = (conversation_key(settings, phone), reply_key(settings, message_sid), replies_key(settings, phone),
            seen_key(settings, phone))
    args = (json.dumps(state) if state else "", settings.sms_session_ttl_seconds, reply_xml, REPLY_TTL_SECONDS,
            message_sid, settings.retention_days * 24 * 3600)
    if also is None:
        redis.eval(_SAVE, len(keys), *keys, *args)
        return
    pipe = redis.pipeline(transaction=False)
    pipe.eval(_SAVE, len(keys), *keys, *args)
    also(pipe)
    pipe.execute()


# A parent's text conversation moved onto a guidance page, in one round trip, as the SMS
# dialogue's open_target leaves it: any conversation in progress (flow, data) is left, other
# marks (urgent) are kept, the page is the menu numbered replies pick from and the node MORE
# continues, at its first part. The number is marked seen: no first-time welcome follows.
_OPEN_AT = """
local state = {}
local raw = redis.call('GET', KEYS[1])
if raw then
  local ok, decoded = pcall(cjson.decode, raw)
  if ok and type(decoded) == 'table' and decoded[1] == nil then state = decoded end
end
state['flow'] = nil
state['data'] = nil
state['menu'] = ARGV[1]
state['node'] = ARGV[1]
state['part'] = 0
redis.call('SET', KEYS[1], cjson.encode(state), 'EX', ARGV[2])
redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
return 1
"""


def open_at(redis, settings, phone: str, node_id: str) -> None:
    """Leave a number's text conversation on a guidance page (its first part sent), marked seen."""
    redis.eval(_OPEN_AT, 2, conversation_key(settings, phone), seen_key(settings, phone), node_id,
               settings.sms_session_ttl_seconds, settings.retention_days * 24 * 3600)


def erase(redis, settings, phone: str) -> int:
    """Delete a number's conversation, seen flag, cached replies and rate-limit counts; how many keys went."""
    sids = [s.decode() if isinstance(s, bytes) else s for s in redis.smembers(replies_key(settings, phone))]
    keys = [conversation_key(settings, phone), seen_key(settings, phone), replies_key(settings, phone),
            *(reply_key(settings, sid) for sid in sids)]
    keys += list(redis.scan_iter(match=settings.key("sms", "rate", phone_tag(settings, phone), "*")))
    return int(redis.delete(*keys))
