"""Safety concerns in Redis: words that suggest someone is at risk, as items an adviser claims and closes.

A concern is raised when a text or a caller's words match flows/safety.py. The parent has already
had the emergency numbers; this is what staff act on. It is its own item at the top of the staff
queue, with the parent's words and the category, and stays there until an adviser records an
outcome (called, texted, referred to children's services or the police, no action needed with a
note). Only the adviser who claimed it sees the number. Every change is in its history (who, when).

One open concern per calling line: more risk words from the same line are added to it (the
newest MAX_WORDS kept), so a parent who texts five times makes one item, and a flood from one line
cannot push other parents' concerns down. A withheld caller's concerns are not merged (they are
different people) but are limited to PER_LINE_PER_HOUR an hour like any other line. With Redis
away, raise_or_spool() keeps the concern in the local spool (store/spool.py) until it can be saved.

Keys (no key name holds a phone number: lines are store.keys.phone_tag):
    safety:concern:<id>          hash: phone, channel, category, label, rank, words (JSON), status, ...
    safety:concern:<id>:events   list of JSON {at, who, what}, oldest first
    safety:open / safety:done    sorted sets of ids by first raised / by closed
    safety:line:<tag>            the id of the line's open concern
    safety:of:<tag>              sorted set: every concern of the line, by first raised (for_line; until purged)
    safety:recent:<tag>          words added from this line in the last hour
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3

from redis import RedisError

from flows import reports
from flows import safety as rules
from store import events
from flows.phone import mask
from flows.phone import WITHHELD, normalise_line
from store.keys import phone_tag

log = logging.getLogger("helpline.safety")

MAX_WORDS = 10
WORDS_CHARS = 500
PER_LINE_PER_HOUR = 10
OUTCOMES = {
    "called": "Called the parent",
    "texted": "Texted the parent",
    "referred_childrens_services": "Referred to children's services",
    "referred_police": "Referred to the police",
    "no_action": "No action needed (say why in the note)",
}
NO_ANSWER = "no_answer"  # tried and could not reach them: noted, the concern stays open

# KEYS: next id, open set, line key, recent key, concern prefix, line's index. ARGV: fields JSON, words entry JSON,
# merge (1/0), first raised timestamp, per-hour limit, max words, rank.
_RAISE = """
local n = redis.call('INCR', KEYS[4])
if n == 1 then redis.call('EXPIRE', KEYS[4], 3600) end
if n > tonumber(ARGV[5]) then return {'', 0} end
local id = false
if ARGV[3] == '1' then id = redis.call('GET', KEYS[3]) end
if id and redis.call('ZSCORE', KEYS[2], id) then
  local key = KEYS[5] .. id
  local words = cjson.decode(redis.call('HGET', key, 'words') or '[]')
  local entry = cjson.decode(ARGV[2])
  for _, w in ipairs(words) do
    if w.text == entry.text then return {id, 0} end
  end
  table.insert(words, entry)
  while #words > tonumber(ARGV[6]) do table.remove(words, 1) end
  redis.call('HSET', key, 'words', cjson.encode(words), 'last_at', entry.at)
  if tonumber(ARGV[7]) < tonumber(redis.call('HGET', key, 'rank') or '99') then
    local fields = cjson.decode(ARGV[1])
    redis.call('HSET', key, 'rank', ARGV[7], 'category', fields.category, 'label', fields.label)
  end
  redis.call('RPUSH', key .. ':events', cjson.encode({at = entry.at, who = 'parent',
    what = 'more words by ' .. (entry.channel == 'voice' and 'phone' or 'text')}))
  return {id, 2}
end
id = tostring(redis.call('INCR', KEYS[1]))
local key = KEYS[5] .. id
local fields = cjson.decode(ARGV[1])
redis.call('HSET', key, 'id', id, 'phone', fields.phone, 'channel', fields.channel, 'category', fields.category,
  'label', fields.label, 'rank', ARGV[7], 'words', '[' .. ARGV[2] .. ']', 'status', 'open',
  'first_at', fields.at, 'last_at', fields.at, 'claimed_by', '', 'outcome', '', 'note', '', 'done_at', '')
redis.call('RPUSH', key .. ':events', cjson.encode({at = fields.at, who = 'parent',
  what = 'safety concern raised by ' .. (fields.channel == 'voice' and 'phone' or 'text')}))
redis.call('ZADD', KEYS[2], ARGV[4], id)
if ARGV[3] == '1' then
  redis.call('SET', KEYS[3], id)
  redis.call('ZADD', KEYS[6], ARGV[4], id)
end
return {id, 1}
"""

# KEYS: concern, events, open set, done set, line key.
# ARGV: staff, now ISO, action, outcome, note, now timestamp, outcome in words.
_CHANGE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
local status = redis.call('HGET', KEYS[1], 'status')
local by = redis.call('HGET', KEYS[1], 'claimed_by')
local action = ARGV[3]
local function event(what) redis.call('RPUSH', KEYS[2], cjson.encode({at = ARGV[2], who = ARGV[1], what = what})) end
if status == 'done' then return 'done' end
if action == 'claim' then
  if status == 'claimed' and by ~= ARGV[1] then return 'taken' end
  redis.call('HSET', KEYS[1], 'status', 'claimed', 'claimed_by', ARGV[1], 'claimed_at', ARGV[2])
  event('claimed')
  return 'ok'
end
if action == 'take_over' then
  redis.call('HSET', KEYS[1], 'status', 'claimed', 'claimed_by', ARGV[1], 'claimed_at', ARGV[2])
  event('took over from ' .. by)
  return 'ok'
end
if status ~= 'claimed' or by ~= ARGV[1] then return 'not_yours' end
if action == 'release' then
  redis.call('HSET', KEYS[1], 'status', 'open', 'claimed_by', '')
  event('released it for another adviser')
  return 'ok'
end
if action == 'no_answer' then
  redis.call('HSET', KEYS[1], 'status', 'open', 'claimed_by', '')
  event('tried, could not reach them; still open' .. (ARGV[5] ~= '' and (': ' .. ARGV[5]) or ''))
  return 'ok'
end
redis.call('HSET', KEYS[1], 'status', 'done', 'outcome', ARGV[4], 'note', ARGV[5], 'done_at', ARGV[2],
  'done_by', ARGV[1])
redis.call('ZREM', KEYS[3], redis.call('HGET', KEYS[1], 'id'))
redis.call('ZADD', KEYS[4], ARGV[6], redis.call('HGET', KEYS[1], 'id'))
if redis.call('GET', KEYS[5]) == redis.call('HGET', KEYS[1], 'id') then redis.call('DEL', KEYS[5]) end
event('outcome: ' .. ARGV[7] .. (ARGV[5] ~= '' and (': ' .. ARGV[5]) or ''))
return 'ok'
"""


class ConcernError(ValueError):
    """A change the concern's state does not allow (message for the adviser)."""


# --- keys -------------------------------------------------------------------------------------


def concern_key(settings, concern_id: str) -> str:
    return settings.key("safety", "concern", concern_id)


def events_key(settings, concern_id: str) -> str:
    return settings.key("safety", "concern", concern_id, "events")


def open_key(settings) -> str:
    return settings.key("safety", "open")


def done_key(settings) -> str:
    return settings.key("safety", "done")


def line_key(settings, phone: str) -> str:
    """The open concern of one calling line (a keyed hash of the number, never the number)."""
    return settings.key("safety", "line", phone_tag(settings, phone))


def of_line_key(settings, phone: str) -> str:
    """Every concern of one calling line, open or closed (sorted by first raised), until purged."""
    return settings.key("safety", "of", phone_tag(settings, phone))


def recent_key(settings, phone: str) -> str:
    return settings.key("safety", "recent", phone_tag(settings, phone))


# --- raising ------------------------------------------------------------------------------------


def raise_concern(redis, settings, *, phone: str, channel: str, category: str, label: str, rank: int,
                  words: str, at: dt.datetime) -> tuple[str, str]:
    """Record a concern, or add the words to this line's open one: (id, 'new' | 'added' | 'same' | 'limited')."""
    line = normalise_line(phone)
    entry = {"at": at.isoformat(), "text": (words or "").strip()[:WORDS_CHARS], "channel": channel}
    fields = {"phone": "" if line == WITHHELD else line, "channel": channel, "category": category, "label": label,
              "at": at.isoformat()}
    concern_id, how = redis.eval(
        _RAISE, 6, settings.key("safety", "next_id"), open_key(settings), line_key(settings, phone),
        recent_key(settings, phone), settings.key("safety", "concern", ""), of_line_key(settings, phone),
        json.dumps(fields), json.dumps(entry), "0" if line == WITHHELD else "1", at.timestamp(),
        PER_LINE_PER_HOUR, MAX_WORDS, rank)
    concern_id = concern_id.decode() if isinstance(concern_id, bytes) else str(concern_id)
    return concern_id, {1: "new", 2: "added"}.get(int(how), "same" if concern_id else "limited")


def raise_or_spool(redis, settings, *, source_sid: str, **concern) -> tuple[str, str]:
    """raise_concern, or with Redis away, keep it in the local spool; (id or spool id, what happened).

    Raises the RedisError only when the spool cannot be written either (the caller logs it: the
    parent has the emergency numbers whatever happens here).
    """
    try:
        return raise_concern(redis, settings, **concern)
    except RedisError as error:
        from store import spool

        row = {**concern, "at": concern["at"].isoformat(), "kind": "safety", "source_sid": source_sid}
        try:
            row_id, added = spool.add(settings, requester="safety:" + normalise_line(concern["phone"]),
                                      now=concern["at"], request=row, kind="safety")
        except (OSError, sqlite3.Error):
            log.exception("safety concern could not be spooled either")
            raise error from None
        return row_id, "spooled" if added else "same"


def save_spooled(redis, settings, row: dict) -> bool:
    """Save one spooled concern (the spool's replay); True if it made or changed one."""
    args = {k: v for k, v in row.items() if k not in ("kind", "source_sid", "confirm")}
    args["at"] = dt.datetime.fromisoformat(args["at"])
    _, how = raise_concern(redis, settings, **args)
    return how in ("new", "added")


def report(svc, *, phone: str, channel: str, category: str, label: str, words: str, at, source_sid: str) -> None:
    """Record a concern for advisers; never raises (the parent already has the emergency numbers).

    The log names the line (masked) and the category, never the parent's words.
    """
    ranks = list(rules.categories())
    rank = ranks.index(category) if category in ranks else len(ranks)
    try:
        concern_id, how = raise_or_spool(
            svc.connections.redis, svc.settings, phone=phone, channel=channel, category=category or "general",
            label=label or "Someone may be at risk", rank=rank, words=words, at=at, source_sid=source_sid)
        log.warning("safety concern (%s) from %s: %s %s", category or "general", mask(phone), how, concern_id)
        if how in ("new", "spooled"):
            events.note(svc, at, reports.safety_raised(category or "general"))  # for the reports; no Redis now
    except RedisError:  # neither Redis nor the spool: the log line is all staff will have
        log.error("safety concern (%s) from %s could NOT be recorded: Redis and the spool unavailable",
                  category or "general", mask(phone))


# --- reading ------------------------------------------------------------------------------------


def _decode(raw: dict, events: list) -> dict:
    record = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
              for k, v in raw.items()}
    try:
        record["words"] = json.loads(record.get("words") or "[]")
    except ValueError:
        record["words"] = []
    record["events"] = []
    for item in events:
        try:
            record["events"].append(json.loads(item))
        except ValueError:
            continue
    return record


def get(redis, settings, concern_id: str) -> dict | None:
    """One concern with its words and history, or None."""
    if not str(concern_id).isdigit():
        return None
    pipe = redis.pipeline()
    pipe.hgetall(concern_key(settings, concern_id))
    pipe.lrange(events_key(settings, concern_id), 0, -1)
    raw, events = pipe.execute()
    return _decode(raw, events) if raw else None


def _many(redis, settings, ids) -> list[dict]:
    pipe = redis.pipeline()
    for concern_id in ids:
        pipe.hgetall(concern_key(settings, concern_id))
        pipe.lrange(events_key(settings, concern_id), 0, -1)
    replies = pipe.execute()
    return [_decode(raw, events) for raw, events in zip(replies[::2], replies[1::2]) if raw]


def _ids(values) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def list_open(redis, settings) -> list[dict]:
    """Concerns no one has closed yet, the longest-waiting first."""
    return _many(redis, settings, _ids(redis.zrange(open_key(settings), 0, -1)))


def list_done(redis, settings, limit: int = 20) -> list[dict]:
    """The most recently closed concerns."""
    return _many(redis, settings, _ids(redis.zrevrange(done_key(settings), 0, limit - 1)))


def for_line(redis, settings, phone: str, limit: int = 50) -> list[dict]:
    """The concerns of one line, open or closed, newest first, through the line's index (a keyed
    hash: no scan, no number in a key name). None for a withheld line (its concerns are not linked)."""
    if not phone or normalise_line(phone) == WITHHELD:
        return []
    return _many(redis, settings, _ids(redis.zrevrange(of_line_key(settings, phone), 0, max(limit, 1) - 1)))


def index_lines(redis, settings) -> int:
    """Every concern held is in its line's index (those raised before it existed too); returns how
    many were added. Run by the daily purge."""
    ids = _all_ids(redis, settings)
    pipe = redis.pipeline(transaction=False)
    for concern_id in ids:
        pipe.hmget(concern_key(settings, concern_id), "phone", "first_at")
    added = 0
    rows = [(i, p, at) for i, (p, at) in zip(ids, pipe.execute()) if p]
    pipe = redis.pipeline(transaction=False)
    for concern_id, phone, first_at in rows:
        phone = phone.decode() if isinstance(phone, bytes) else phone
        first_at = first_at.decode() if isinstance(first_at, bytes) else (first_at or "")
        score = dt.datetime.fromisoformat(first_at).timestamp() if first_at else 0
        pipe.zadd(of_line_key(settings, phone), {concern_id: score}, nx=True)
    if rows:
        added = sum(pipe.execute())
    return added


def open_for_line(redis, settings, phone: str) -> str | None:
    """The id of this line's open concern, if there is one."""
    if not phone or normalise_line(phone) == WITHHELD:
        return None
    value = redis.get(line_key(settings, phone))
    return (value.decode() if isinstance(value, bytes) else value) or None


# --- advisers' changes ---------------------------------------------------------------------------


def _change(redis, settings, concern_id: str, *, staff_name: str, now: dt.datetime, action: str,
            outcome: str = "", note: str = "") -> dict:
    record = get(redis, settings, concern_id)
    if record is None:
        raise ConcernError("There is no such safety concern.")
    result = redis.eval(_CHANGE, 5, concern_key(settings, concern_id), events_key(settings, concern_id),
                        open_key(settings), done_key(settings),
                        line_key(settings, record.get("phone") or WITHHELD),
                        staff_name, now.isoformat(), action, outcome, note, now.timestamp(),
                        OUTCOMES.get(outcome, outcome))
    result = result.decode() if isinstance(result, bytes) else result
    if result != "ok":
        raise ConcernError({
            "done": "An outcome has already been recorded for this concern.",
            "taken": f"{record.get('claimed_by')} has already claimed this concern.",
            "not_yours": "Claim this concern first: only the adviser who claimed it can do that.",
        }.get(result, "That could not be done."))
    return get(redis, settings, concern_id)


def claim(redis, settings, concern_id: str, *, staff_name: str, now: dt.datetime) -> dict:
    """Take a concern (the number is then shown to this adviser only)."""
    return _change(redis, settings, concern_id, staff_name=staff_name, now=now, action="claim")


def take_over(redis, settings, concern_id: str, *, staff_name: str, now: dt.datetime) -> dict:
    """Take a concern another adviser claimed (they may have gone home): recorded in the history."""
    return _change(redis, settings, concern_id, staff_name=staff_name, now=now, action="take_over")


def release(redis, settings, concern_id: str, *, staff_name: str, now: dt.datetime) -> dict:
    """Give a claimed concern back to the queue."""
    return _change(redis, settings, concern_id, staff_name=staff_name, now=now, action="release")


def record_outcome(redis, settings, concern_id: str, *, staff_name: str, outcome: str, note: str,
                   now: dt.datetime) -> dict:
    """Close a concern with what was done, or note a try that did not reach them (it stays open)."""
    note = " ".join((note or "").split())[:2000]
    if outcome == NO_ANSWER:
        record = _change(redis, settings, concern_id, staff_name=staff_name, now=now, action="no_answer", note=note)
        events.write_now(redis, settings, now, reports.safety_outcome(NO_ANSWER))  # for the reports
        return record
    if outcome not in OUTCOMES:
        raise ConcernError("Choose what was done before saving.")
    if outcome == "no_action" and not note:
        raise ConcernError("Say in the note why no action is needed.")
    record = _change(redis, settings, concern_id, staff_name=staff_name, now=now, action="close",
                     outcome=outcome, note=note)
    events.write_now(redis, settings, now, reports.safety_outcome(outcome))  # for the reports
    return record


def add_note(redis, settings, concern_id: str, *, staff_name: str, note: str, now: dt.datetime) -> None:
    """Add a note to a concern's history."""
    if redis.exists(concern_key(settings, concern_id)):
        redis.rpush(events_key(settings, concern_id),
                    json.dumps({"at": now.isoformat(), "who": staff_name, "what": "note: " + note[:2000]}))


# --- data protection ------------------------------------------------------------------------------


def _all_ids(redis, settings) -> list[str]:
    return _ids(redis.zrange(open_key(settings), 0, -1)) + _ids(redis.zrange(done_key(settings), 0, -1))


def _delete(redis, settings, record: dict) -> None:
    concern_id = record["id"]
    pipe = redis.pipeline()
    pipe.delete(concern_key(settings, concern_id), events_key(settings, concern_id))
    pipe.zrem(open_key(settings), concern_id)
    pipe.zrem(done_key(settings), concern_id)
    if record.get("phone"):
        pipe.zrem(of_line_key(settings, record["phone"]), concern_id)
    pipe.execute()


def for_phone(redis, settings, phone: str) -> list[dict]:
    """Every concern from one number (for a subject access request)."""
    line = normalise_line(phone)
    return [r for r in _many(redis, settings, _all_ids(redis, settings)) if r.get("phone") == line]


def erase_phone(redis, settings, phone: str) -> int:
    """Delete one number's concerns and every key about it; how many concerns went."""
    mine = for_phone(redis, settings, phone)
    for record in mine:
        _delete(redis, settings, record)
    redis.delete(line_key(settings, phone), recent_key(settings, phone), of_line_key(settings, phone))
    return len(mine)


def purge_before(redis, settings, cutoff: dt.datetime) -> int:
    """Delete concerns closed before the cutoff (retention); open ones stay until an adviser acts."""
    old = _ids(redis.zrangebyscore(done_key(settings), "-inf", cutoff.timestamp()))
    records = _many(redis, settings, old)
    for record in records:
        _delete(redis, settings, record)
    return len(records)
