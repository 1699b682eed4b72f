"""Callback requests in Redis: saved at once and exactly once, worked by staff in order.

The rules (urgency, order, booking days, outcomes) are flows/callbacks.py; this module keeps
the records and makes each change atomic. The staff page and the CLI call exactly these:

save_request(redis, settings, calendar, *, phone, topic, channel, source_sid, now, urgent=False,
             deadline=None, voicemail_ok=None, text_ok=None, contact_by="voice",
             part_of_day="any", voice_message_url=None, requester=None, booked_from=None,
             for_other_line=False, interpreter="", problem_words="", conversation_texts=(),
             decision_date=None)
        -> SaveResult(id, created, merged, expected_on, limited, spooled)
    One Lua script: the same source_sid (CallSid / MessageSid) never makes a second request
    (SET NX); a number with a live (open or claimed) request updates that one (noted in its
    events, keeps its place; urgent only ever moves it up); otherwise a new request is booked
    on the first helpline day with room (per-day counter < settings.callbacks_per_day), counted
    from `booked_from` if later than `now` (a replayed spool); today only while the line is open
    and not within settings.callback_cutoff_minutes of closing (flows.callbacks.first_booking_day).
    With `requester` (the number asking), more than settings.callback_asks_per_day asks from it in a day change nothing and
    come back `limited` (a flood, or SMS pumping through keyed numbers).
    `phone` is any UK form (normalised to +44...); ValueError for a non-UK number.
save_or_spool(redis, settings, calendar, *, confirm=False, **save_request_args) -> SaveResult
    For the webhooks: save_request, or with Redis away, the local spool (store/spool.py):
    `spooled` is True and `id` is the spool id. save_spooled() replays one spooled request.
get(redis, settings, request_id) -> dict | None
    Every field (below) plus `events`: [{at, who, what}], oldest first.
list_open(redis, settings) -> list[dict]          live requests in staff order (urgent, then oldest)
list_due(redis, settings, day) -> list[dict]      live, expected on or before `day`, staff order
list_later(redis, settings, day) -> list[dict]    live, expected after `day`, staff order
list_done(redis, settings, limit=50) -> list[dict]   done or closed, most recently finished first
claim_next(redis, settings, staff_name, now) -> dict | None
    Atomically (Lua) the first live request in staff order that is not claimed (or whose claim
    has expired: CLAIM_MINUTES) and was not already tried today; two advisers never get the
    same parent. The claim lasts until `claimed_until` unless an outcome is recorded.
record_outcome(redis, settings, calendar, request_id, *, staff_name, outcome, note, now) -> dict
    outcome: reached | no_answer | left_voicemail | wrong_number | resolved_by_text.
    Reached / resolved by text -> "done"; wrong number -> "closed"; no answer or voicemail is an
    attempt and back to "open"; missed on three DIFFERENT helpline days -> "closed", and the
    returned record has closing_text_due = True: the caller queues the closing text
    (workers.callback_jobs.queue_closing_text; the store never enqueues). ValueError for an
    unknown outcome or a finished request;
    KeyError for an unknown id. (WATCH/MULTI: a concurrent change makes it retry.)
add_note(redis, settings, request_id, *, staff_name, note, now) -> dict   (KeyError if unknown)
add_transcription(redis, settings, call_sid, *, recording_url, status, text, transcription_sid, now)
    Twilio's transcription of the voice message, kept beside it (ivr/callback.py's webhook).
rebook(redis, settings, request_id, *, from_day, days) -> (kind, new day)
    A live request booked on a day that has since closed moves to the first of `days` with
    room (workers/calendar_jobs.py, when staff close a day on the Calendar page).
live_for(redis, settings, phone) -> dict | None
    The number's live (open or claimed) request, or None.
cancel_by_parent(redis, settings, request_id, *, now, channel) -> dict | None
    The parent asked us not to call (CALLBACK OFF, or "cancel" at the start of a call back by
    phone): closed with outcome "cancelled", its booked day freed; None if it was not live.
move_by_parent(redis, settings, calendar, request_id, *, now, channel, day=None) -> date | None
    The parent asked for another day: `day` (one of the next helpline days), or the first helpline
    day with room after the day booked (store.rebook's script); None if it was not live.
refresh_urgency(redis, settings, calendar, now) -> list[str]
    Daily: live requests whose appeal deadline is now within reach become urgent (moved up).
move_by_staff(redis, settings, request_id, *, day, staff_name, now) -> (kind, day before)
    An adviser moves a live request to a day with room (never overbooked; atomic, the same per-day
    counters), clearing any claim; refused when full, finished or claimed by another adviser.
release_claim(redis, settings, request_id, *, staff_name, now) -> kind
    The claimant gives a request back to the queue (open, claim cleared); nobody else can.
booked_counts(redis, settings, days) -> {day: count}    for the staff page's list of days
for_line(redis, settings, phone, *, leave_out=None) -> list[dict]
    Every request held from one number (any status), newest first, through its line index.
index_lines(redis, settings) -> int
    Daily (the retention purge): every request in its line index, expired ids out of them.

Record fields: id, phone (+44...), topic, topic_title, channel ("voice"|"sms"), requested_at
(latest ask), first_requested_at, expected_on (ISO date or None), urgent (bool), deadline (ISO
date or None), status ("open"|"claimed"|"done"|"closed"), attempts (int), attempt_days (ISO
dates of missed attempts), voicemail_ok / text_ok (bool or None: not asked), contact_by
("voice"|"text"|"relay"), part_of_day ("morning"|"afternoon"|"any"), voice_message_url (or
None), voice_message_text (Twilio's transcription; absent until it comes), voice_message_text_status
("completed"|"failed"), transcription_sid, interpreter (a language code from
flows/content/languages.toml, or ""), problem_words (the few words the parent typed about the
problem), conversation_texts (list: the parent's texts in the callback conversation), decision_date
(ISO: the date on the council's decision letter, or None), claimed_by, claimed_until (ISO or None), outcome (or None), requests (times asked),
source_sid, closing_text_due (bool), events.

Keys (all under settings.key): callback:{id} (hash), callback:{id}:events (list of JSON),
callbacks:open (zset, score flows.callbacks.queue_score), callbacks:done (zset, finish time),
callbacks:phone:{tag} (live request id), callbacks:of:{tag} (zset: every request id from the
line by first asked, until purged or erased), callbacks:sid:{sid} (idempotency),
callbacks:booked:{date} (per-day counter), callbacks:asks:{tag} (asks today from one calling
line, the rate limit), callbacks:asked_from:{tag} (the newest request a line asked for another
number, so that line can cancel or move it; expires after RETENTION_DAYS), callbacks:seq. {tag} is store.keys.phone_tag: no key name holds a number.
Phone numbers never go in logs.

The asks limit counts the CALLING line (`requester`: the From of the call or text, withheld and
foreign lines included), not the number keyed in: settings.callback_asks_per_day a line, and
settings.callback_asks_per_day_withheld for all withheld callers together (one bucket). A
request for a number other than the calling line is marked `for_other_line` (a spooled one keeps
the mark, not the calling line); its confirmation text counts against a daily cap for the whole
service (workers/callback_jobs.py).
Single Redis node (the scripts build record keys from a prefix).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sqlite3
from dataclasses import dataclass

from redis import RedisError

from flows import callbacks as rules
from flows.guidance import load_guidance
from flows.phone import mask, normalise_uk_number
from flows.wording import long_date
from flows.phone import WITHHELD, normalise_line
from store.keys import phone_tag

log = logging.getLogger("helpline.callbacks")

SID_TTL_SECONDS = 30 * 24 * 3600  # Twilio retries within hours; a month is plenty
ASKS_TTL_SECONDS = 24 * 3600  # the rate limit counts asks per number over a day from the first
BOOKED_TTL_SECONDS = 400 * 24 * 3600
BOOL_FIELDS = ("urgent", "closing_text_due", "for_other_line")
MAYBE_BOOL_FIELDS = ("voicemail_ok", "text_ok")
NULLABLE = ("expected_on", "deadline", "voice_message_url", "claimed_by", "claimed_until", "outcome", "decision_date")
CONVERSATION_TEXTS_MAX = 12  # texts kept from one conversation, each at most TEXT_MAX_CHARS
TEXT_MAX_CHARS = 500
CANCELLED = "cancelled"  # the outcome of a request the parent cancelled
INTERNAL = ("first_ts", "claimed_until_ts")

_SAVE = """
local existing = redis.call('GET', KEYS[1])
if existing then
  local rk = ARGV[1] .. existing
  return {'duplicate', existing, redis.call('HGET', rk, 'expected_on') or ''}
end
local offset = tonumber(ARGV[14])
local live = redis.call('GET', KEYS[2])
local limit = tonumber(ARGV[16])
if limit > 0 then
  local asks = redis.call('INCR', KEYS[4])
  if asks == 1 then redis.call('EXPIRE', KEYS[4], ARGV[17]) end
  if asks > limit then
    local status = live and redis.call('HGET', ARGV[1] .. live, 'status')
    if status == 'open' or status == 'claimed' then
      return {'limited', live, redis.call('HGET', ARGV[1] .. live, 'expected_on') or ''}
    end
    return {'limited', '', ''}
  end
end
if live then
  local rk = ARGV[1] .. live
  local status = redis.call('HGET', rk, 'status')
  if status == 'open' or status == 'claimed' then
    local merge = cjson.decode(ARGV[4])
    for k, v in pairs(merge) do redis.call('HSET', rk, k, v) end
    if ARGV[5] == '1' then redis.call('HSET', rk, 'urgent', '1') end
    local deadline = redis.call('HGET', rk, 'deadline') or ''
    if ARGV[6] ~= '' and (deadline == '' or ARGV[6] < deadline) then
      redis.call('HSET', rk, 'deadline', ARGV[6])
    end
    redis.call('HINCRBY', rk, 'requests', 1)
    local score = tonumber(redis.call('HGET', rk, 'first_ts'))
    if redis.call('HGET', rk, 'urgent') ~= '1' then score = score + offset end
    redis.call('ZADD', KEYS[3], score, live)
    redis.call('RPUSH', rk .. ':events', ARGV[11])
    redis.call('SET', KEYS[1], live, 'EX', ARGV[12])
    return {'merged', live, redis.call('HGET', rk, 'expected_on') or ''}
  end
end
local days = cjson.decode(ARGV[9])
local chosen = ''
local per_day = tonumber(ARGV[7])
for i = 1, #days do
  local n = tonumber(redis.call('GET', ARGV[8] .. days[i]) or '0')
  if n < per_day then chosen = days[i] break end
end
if chosen == '' and #days > 0 then chosen = days[#days] end
if chosen ~= '' then
  redis.call('INCR', ARGV[8] .. chosen)
  redis.call('EXPIRE', ARGV[8] .. chosen, ARGV[13])
end
local id = tostring(redis.call('INCR', ARGV[2]))
local rk = ARGV[1] .. id
local flat = {'id', id, 'expected_on', chosen}
for k, v in pairs(cjson.decode(ARGV[3])) do flat[#flat + 1] = k; flat[#flat + 1] = v end
redis.call('HSET', rk, unpack(flat))
local score = tonumber(ARGV[15])
if ARGV[5] ~= '1' then score = score + offset end
redis.call('ZADD', KEYS[3], score, id)
redis.call('SET', KEYS[2], id)
redis.call('SET', KEYS[1], id, 'EX', ARGV[12])
redis.call('ZADD', KEYS[5], ARGV[15], id)
redis.call('RPUSH', rk .. ':events', ARGV[10])
return {'created', id, chosen}
"""

_CLAIM = """
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local now = tonumber(ARGV[3])
for _, id in ipairs(ids) do
  local rk = ARGV[1] .. id
  local v = redis.call('HMGET', rk, 'status', 'claimed_until_ts', 'attempt_days')
  local free = v[1] == 'open' or (v[1] == 'claimed' and (tonumber(v[2] or '0') or 0) <= now)
  if free and not string.find(v[3] or '', '"' .. ARGV[6] .. '"', 1, true) then
    redis.call('HSET', rk, 'status', 'claimed', 'claimed_by', ARGV[2], 'claimed_until', ARGV[5],
               'claimed_until_ts', ARGV[4])
    redis.call('RPUSH', rk .. ':events', ARGV[7])
    return id
  end
end
return false
"""


@dataclass(frozen=True)
class SaveResult:
    """What save_request did: the request id, whether it is new, merged into a live one
    (False and False: a repeat of the same webhook), and the day we expect to call."""

    id: str
    created: bool
    merged: bool
    expected_on: dt.date | None
    limited: bool = False  # the number asked too often today: nothing changed (id: its live request, if any)
    spooled: bool = False  # Redis was away: kept in the local spool (id: the spool id), replayed later

    def in_words(self) -> str:
        """What saving did, for a log line (no personal data)."""
        if self.limited:
            return "refused: too many requests from this number today"
        if self.spooled:
            return "kept in the local spool: Redis unavailable"
        return "new" if self.created else "updated" if self.merged else "repeat"


# --- keys -------------------------------------------------------------------------------


def record_key(settings, request_id: str) -> str:
    return settings.key("callback", request_id)


def events_key(settings, request_id: str) -> str:
    return settings.key("callback", request_id, "events")


def open_key(settings) -> str:
    return settings.key("callbacks", "open")


def done_key(settings) -> str:
    return settings.key("callbacks", "done")


def phone_key(settings, phone: str) -> str:
    return settings.key("callbacks", "phone", phone_tag(settings, phone))


def asked_from_key(settings, phone: str) -> str:
    """The newest request a line asked for another number (so that line can cancel or move it)."""
    return settings.key("callbacks", "asked_from", phone_tag(settings, phone))


def line_key(settings, phone: str) -> str:
    """Every request from one number (any status, until it is purged): a sorted set of ids by first asked."""
    return settings.key("callbacks", "of", phone_tag(settings, phone))


def sid_key(settings, sid: str) -> str:
    return settings.key("callbacks", "sid", sid)


def asks_key(settings, requester: str) -> str:
    """Asks today from one calling line (withheld callers share one key)."""
    return settings.key("callbacks", "asks", phone_tag(settings, requester))


def asks_limit(settings, requester: str | None) -> int:
    """How many asks a day this calling line may make (0: no limit, for staff and the CLI)."""
    if not requester:
        return 0
    return settings.callback_asks_per_day_withheld if normalise_line(requester) == WITHHELD \
        else settings.callback_asks_per_day


def booked_key(settings, day: dt.date | str) -> str:
    return settings.key("callbacks", "booked", str(day))


def booked_count(redis, settings, day: dt.date) -> int:
    """How many requests are booked for a day."""
    return int(redis.get(booked_key(settings, day)) or 0)


def booked_counts(redis, settings, days) -> dict[dt.date, int]:
    """How many requests are booked for each of `days` (one round trip)."""
    days = list(days)
    values = redis.mget([booked_key(settings, d) for d in days]) if days else []
    return {d: int(v or 0) for d, v in zip(days, values)}


def _event(now: dt.datetime, who: str, what: str) -> str:
    return json.dumps({"at": now.isoformat(), "who": who, "what": what})


def _flag(value: bool | None) -> str:
    return "" if value is None else ("1" if value else "0")


# --- saving -----------------------------------------------------------------------------


def save_request(redis, settings, calendar, *, phone: str, topic: str, channel: str, source_sid: str,
                 now: dt.datetime, urgent: bool = False, deadline: dt.date | None = None,
                 voicemail_ok: bool | None = None, text_ok: bool | None = None, contact_by: str = "voice",
                 part_of_day: str = "any", voice_message_url: str | None = None, requester: str | None = None,
                 booked_from: dt.datetime | None = None, for_other_line: bool = False, interpreter: str = "",
                 problem_words: str = "", conversation_texts=(), decision_date: dt.date | str | None = None,
                 ) -> SaveResult:
    """Store a request at once (or merge it into the number's live one); see the module docstring.

    `for_other_line`: asked from another line than `phone` (a replayed spool, whose calling line
    is not kept; with `requester` this is worked out).
    """
    number = normalise_uk_number(phone)
    if number is None:
        raise ValueError("a callback needs a UK phone number")
    if channel not in rules.CHANNELS:
        raise ValueError(f"channel must be one of {rules.CHANNELS}")
    if contact_by not in rules.CONTACT_BY:
        raise ValueError(f"contact_by must be one of {rules.CONTACT_BY}")
    if part_of_day not in rules.PARTS_OF_DAY:
        raise ValueError(f"part_of_day must be one of {rules.PARTS_OF_DAY}")
    if not source_sid:
        raise ValueError("source_sid (the CallSid or MessageSid) is needed to save exactly once")
    now = calendar.local(now)
    topic = topic or rules.DEFAULT_TOPIC
    title = rules.topic_title(load_guidance(), topic)
    safety = bool(urgent)
    urgent = rules.is_urgent(safety=safety, deadline=deadline, today=now.date(), bh=calendar.holidays)
    for_other_line = for_other_line or bool(requester and normalise_line(requester) != number)
    fields = {  # the script adds id (from callbacks:seq) and expected_on
        "phone": number, "topic": topic, "topic_title": title, "channel": channel,
        "requested_at": now.isoformat(), "first_requested_at": now.isoformat(), "first_ts": str(now.timestamp()),
        "urgent": "1" if urgent else "0", "deadline": deadline.isoformat() if deadline else "",
        "status": rules.OPEN, "attempts": "0", "attempt_days": "[]", "voicemail_ok": _flag(voicemail_ok),
        "text_ok": _flag(text_ok), "contact_by": contact_by, "part_of_day": part_of_day,
        "voice_message_url": voice_message_url or "", "claimed_by": "", "claimed_until": "",
        "claimed_until_ts": "0", "outcome": "", "requests": "1", "source_sid": source_sid,
        "closing_text_due": "0", "for_other_line": "1" if for_other_line else "0",
    }
    words = _parents_words(interpreter, problem_words, conversation_texts, decision_date)
    fields.update(words)
    merge = {"requested_at": now.isoformat(), "topic": topic, "topic_title": title, "channel": channel,
             "contact_by": contact_by, "part_of_day": part_of_day}
    if for_other_line:
        merge["for_other_line"] = "1"  # a stranger updating it: its confirmation counts against the cap
    if voicemail_ok is not None:
        merge["voicemail_ok"] = _flag(voicemail_ok)
    if text_ok is not None:
        merge["text_ok"] = _flag(text_ok)
    merge.update({k: v for k, v in words.items() if v})  # new words replace old; none keeps them
    if voice_message_url:
        merge["voice_message_url"] = voice_message_url
        merge.update(voice_message_text="", voice_message_text_status="", transcription_sid="")  # a new message
    why = " (safety concern)" if safety else (" (appeal deadline soon)" if urgent else "")
    created_event = _event(now, "parent", f"asked for a call back by {_channel_words(channel)}{why}")
    merged_event = _event(now, "parent", f"asked again by {_channel_words(channel)}, about {title}{why}"
                          + ("; left a new voice message" if voice_message_url else ""))
    days = [d.isoformat() for d in rules.candidate_days(calendar, max(now, calendar.local(booked_from or now)),
                                                           cutoff_minutes=settings.callback_cutoff_minutes,
                                                           part_of_day=part_of_day)]
    limit = asks_limit(settings, requester)
    kind, found_id, expected = redis.eval(
        _SAVE, 5, sid_key(settings, source_sid), phone_key(settings, number), open_key(settings),
        asks_key(settings, requester or number), line_key(settings, number),
        settings.key("callback", ""), settings.key("callbacks", "seq"), json.dumps(fields), json.dumps(merge),
        "1" if urgent else "0", deadline.isoformat() if deadline else "", settings.callbacks_per_day,
        settings.key("callbacks", "booked", ""), json.dumps(days), created_event, merged_event,
        SID_TTL_SECONDS, BOOKED_TTL_SECONDS, rules.URGENT_OFFSET, str(now.timestamp()), limit, ASKS_TTL_SECONDS)
    kind, found_id, expected = _s(kind), _s(found_id), _s(expected)
    asker = normalise_uk_number(requester or "")
    if kind in ("created", "merged") and asker and asker != number:
        # Asked from one line for another number: the asking line can find it too (live_for).
        redis.set(asked_from_key(settings, asker), found_id, ex=settings.retention_days * 86400)
    log.info("callback %s %s for %s (%s)", found_id or "-", kind, mask(number), channel)
    return SaveResult(found_id, kind == "created", kind == "merged",
                      dt.date.fromisoformat(expected) if expected else None, limited=kind == "limited")


def _parents_words(interpreter: str, problem_words: str, conversation_texts, decision_date) -> dict:
    """The parent's own words and contact needs, as record fields (cut to size, printable only)."""
    def clean(text: str) -> str:
        return " ".join("".join(ch if ch.isprintable() else " " for ch in str(text or "")).split())[:TEXT_MAX_CHARS]

    texts = [clean(t) for t in list(conversation_texts or ())[-CONVERSATION_TEXTS_MAX:] if clean(t)]
    if isinstance(decision_date, dt.date):
        decision_date = decision_date.isoformat()
    return {"interpreter": clean(interpreter)[:16], "problem_words": clean(problem_words),
            "conversation_texts": json.dumps(texts) if texts else "", "decision_date": decision_date or ""}


def save_or_spool(redis, settings, calendar, *, confirm: bool = False, **request) -> SaveResult:
    """save_request, or, if Redis is away, keep the request in the local spool (store/spool.py).

    `request` is save_request's keyword arguments, with `requester` (the number asking, for the
    rate limit). `confirm`: queue a confirmation text when the spool is replayed. If the spool
    cannot be written either, the RedisError is raised for the view's apology.
    """
    try:
        return save_request(redis, settings, calendar, **request)
    except RedisError as error:
        return _spool(settings, calendar, request, confirm, error)


def _spool(settings, calendar, request: dict, confirm: bool, error: RedisError) -> SaveResult:
    from store import spool

    now = calendar.local(request["now"])
    line = phone_tag(settings, request.get("requester") or request["phone"])  # no number in the spool's index
    try:
        if spool.asks_since(settings, line, now - dt.timedelta(seconds=ASKS_TTL_SECONDS)) \
                >= (asks_limit(settings, request.get("requester")) or settings.callback_asks_per_day):
            return SaveResult("", False, False, None, limited=True, spooled=True)
        row = {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v)
               for k, v in request.items() if k not in ("requester", "booked_from")}
        requester = request.get("requester")
        if requester and normalise_line(requester) != normalise_uk_number(request["phone"]):
            row["for_other_line"] = True  # the calling line is not kept, but its confirmation is still capped
        row_id, added = spool.add(settings, requester=line, now=now, request={**row, "confirm": confirm})
    except (OSError, sqlite3.Error):
        log.exception("callback request could not be spooled either")
        raise error from None
    return SaveResult(row_id, added, False, None, spooled=True)


def save_spooled(redis, settings, calendar, request: dict, *, now: dt.datetime) -> SaveResult:
    """Save one spooled request (as it was asked, booked from `now`); exactly once per sid."""
    args = {k: v for k, v in request.items() if k != "confirm"}
    args["now"] = dt.datetime.fromisoformat(args["now"])
    if args.get("deadline"):
        args["deadline"] = dt.date.fromisoformat(args["deadline"])
    return save_request(redis, settings, calendar, booked_from=now, **args)


def _channel_words(channel: str) -> str:
    return "phone" if channel == "voice" else "text"


# --- reading ----------------------------------------------------------------------------


def _s(value) -> str:
    return value.decode() if isinstance(value, bytes) else ("" if value is None else str(value))


def _record(raw: dict, events: list) -> dict:
    record = {_s(k): _s(v) for k, v in raw.items()}
    for name in BOOL_FIELDS:
        record[name] = record.get(name) == "1"
    for name in MAYBE_BOOL_FIELDS:
        value = record.get(name, "")
        record[name] = None if value == "" else value == "1"
    for name in NULLABLE:
        record[name] = record.get(name) or None
    record["attempts"] = int(record.get("attempts") or 0)
    record["requests"] = int(record.get("requests") or 1)
    record["attempt_days"] = json.loads(record.get("attempt_days") or "[]")
    record["conversation_texts"] = json.loads(record.get("conversation_texts") or "[]")
    record.setdefault("interpreter", "")
    record.setdefault("problem_words", "")
    for name in INTERNAL:
        record.pop(name, None)
    record["events"] = [json.loads(_s(e)) for e in events]
    return record


def get(redis, settings, request_id: str) -> dict | None:
    """The request with its events, or None."""
    pipe = redis.pipeline(transaction=False)
    pipe.hgetall(record_key(settings, request_id))
    pipe.lrange(events_key(settings, request_id), 0, -1)
    raw, events = pipe.execute()
    return _record(raw, events) if raw else None


def _many(redis, settings, ids) -> list[dict]:
    pipe = redis.pipeline(transaction=False)
    for request_id in ids:
        pipe.hgetall(record_key(settings, _s(request_id)))
        pipe.lrange(events_key(settings, _s(request_id)), 0, -1)
    results = pipe.execute()
    return [_record(raw, events) for raw, events in zip(results[::2], results[1::2]) if raw]


def list_open(redis, settings) -> list[dict]:
    """Every live request (open or claimed), urgent first, then the first to ask."""
    return _many(redis, settings, redis.zrange(open_key(settings), 0, -1))


def refresh_urgency(redis, settings, calendar, now: dt.datetime) -> list[str]:
    """Move up the live requests whose appeal deadline has come within reach since they were made.

    Run daily (the worker's housekeeping): urgency from a deadline counts working days from
    today, so a request that was not urgent on Monday may be by Friday. Returns the ids moved.
    """
    today = calendar.local(now).date()
    moved = []
    for record in list_open(redis, settings):
        if record["urgent"] or not record["deadline"]:
            continue
        if not rules.deadline_is_close(dt.date.fromisoformat(record["deadline"]), today, calendar.holidays):
            continue
        mark_urgent(redis, settings, record["id"], now=now,
                    why="the appeal deadline is less than 10 working days away")
        moved.append(record["id"])
    return moved


def mark_urgent(redis, settings, request_id: str, *, now: dt.datetime, why: str) -> None:
    """Move a live request up to the urgent ones (its place among them: when it was first asked)."""
    first_ts = float(redis.hget(record_key(settings, request_id), "first_ts") or 0)
    pipe = redis.pipeline()
    pipe.hset(record_key(settings, request_id), "urgent", "1")
    pipe.zadd(open_key(settings), {request_id: first_ts}, xx=True)  # XX: not if finished meanwhile
    pipe.rpush(events_key(settings, request_id), _event(now, "system", f"now urgent: {why}"))
    pipe.execute()


def live_for(redis, settings, phone: str) -> dict | None:
    """The number's live (open or claimed) request, or else the live one this line asked for
    another number ("call my husband on ..."), or None."""
    number = normalise_uk_number(phone or "")
    if number is None:
        return None
    for key in (phone_key(settings, number), asked_from_key(settings, number)):
        request_id = _s(redis.get(key))
        record = get(redis, settings, request_id) if request_id else None
        if record and record["status"] in rules.LIVE:
            return record
    return None


def cancel_by_parent(redis, settings, request_id: str, *, now: dt.datetime, channel: str,
                     replaced_by: str = "") -> dict | None:
    """The parent cancelled: closed (outcome "cancelled"), off the queue, its booked day freed.
    `replaced_by`: the parent changed their details to another number, and that request stands
    for this one (its history says so).

    None when the request is not live (already finished, or unknown). WATCH/MULTI: an adviser
    claiming it meanwhile makes it retry.
    """
    what = f"cancelled by {_channel_words(channel)}" + (
        f": replaced by request {replaced_by}, which has the number they gave instead" if replaced_by else "")
    key = record_key(settings, request_id)

    def change(pipe):
        raw = {_s(k): _s(v) for k, v in pipe.hgetall(key).items()}
        if raw.get("status") not in rules.LIVE:
            return None
        pkey = phone_key(settings, raw["phone"])
        live_id = _s(pipe.get(pkey))
        booked = raw.get("expected_on") or ""
        pipe.multi()
        pipe.hset(key, mapping={"status": rules.CLOSED, "outcome": CANCELLED, "claimed_by": "", "claimed_until": "",
                                "claimed_until_ts": "0"})
        pipe.rpush(events_key(settings, request_id), _event(now, "parent", what))
        pipe.zrem(open_key(settings), request_id)
        pipe.zadd(done_key(settings), {request_id: now.timestamp()})
        if live_id == request_id:
            pipe.delete(pkey)
        if booked:
            pipe.decr(booked_key(settings, booked))
        keep = settings.retention_days * 86400
        pipe.expire(key, keep)
        pipe.expire(events_key(settings, request_id), keep)
        return booked or "-"

    done = redis.transaction(change, key, value_from_callable=True)
    if done is None:
        return None
    log.info("callback %s: cancelled by the parent (%s)", request_id, channel)
    return get(redis, settings, request_id)


def move_by_parent(redis, settings, calendar, request_id: str, *, now: dt.datetime, channel: str,
                   day: dt.date | None = None) -> dt.date | None:
    """Move a live request to `day`, or to the first helpline day with room after the day booked.

    The same booking script as a closed day's move (rebook). None when it is not live.
    """
    record = get(redis, settings, request_id)
    if record is None or record["status"] not in rules.LIVE:
        return None
    booked = dt.date.fromisoformat(record["expected_on"]) if record["expected_on"] else None
    offered = rules.candidate_days(calendar, now)
    days = [day] if day is not None and day in offered else [d for d in offered if booked is None or d > booked]
    if not days:
        return booked
    kind, new_day = rebook(redis, settings, request_id, from_day=booked or dt.date.min, days=days) if booked \
        else ("missing", None)
    if kind != "moved" or new_day is None:
        return booked if kind == "elsewhere" else None
    add_event(redis, settings, request_id, who="parent",
              what=f"moved by {_channel_words(channel)} to {new_day.isoformat()}", now=now)
    log.info("callback %s: moved by the parent (%s)", request_id, channel)
    return new_day


def list_due(redis, settings, day: dt.date) -> list[dict]:
    """Live requests expected on or before `day` (what staff should call today), staff order."""
    return [r for r in list_open(redis, settings) if (r["expected_on"] or "") <= day.isoformat()]


def list_later(redis, settings, day: dt.date) -> list[dict]:
    """Live requests booked for after `day`, staff order."""
    return [r for r in list_open(redis, settings) if (r["expected_on"] or "") > day.isoformat()]


def list_done(redis, settings, limit: int = 50) -> list[dict]:
    """Finished requests (done or closed), the most recently finished first."""
    return _many(redis, settings, redis.zrevrange(done_key(settings), 0, max(limit, 1) - 1))


# --- staff actions ----------------------------------------------------------------------


def claim_next(redis, settings, staff_name: str, now: dt.datetime) -> dict | None:
    """Give this adviser the next parent to call (atomic: never the same parent to two advisers)."""
    until = now + dt.timedelta(minutes=rules.CLAIM_MINUTES)
    found = redis.eval(_CLAIM, 1, open_key(settings), settings.key("callback", ""), staff_name,
                       str(now.timestamp()), str(until.timestamp()), until.isoformat(), now.date().isoformat(),
                       _event(now, staff_name, "claimed to call"))
    return get(redis, settings, _s(found)) if found else None


def record_outcome(redis, settings, calendar, request_id: str, *, staff_name: str, outcome: str, note: str,
                   now: dt.datetime) -> dict:
    """Record how a call went (see the module docstring); returns the updated request."""
    if outcome not in rules.OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    key = record_key(settings, request_id)
    phone = _s(redis.hget(key, "phone"))
    if not phone:
        raise KeyError(request_id)
    today = calendar.local(now).date()
    pkey = phone_key(settings, phone)

    def change(pipe):
        raw = {_s(k): _s(v) for k, v in pipe.hgetall(key).items()}
        if raw.get("status") not in rules.LIVE:
            raise ValueError(f"request {request_id} is already {raw.get('status')}")
        result = rules.apply_outcome(outcome, attempts=int(raw.get("attempts") or 0),
                                     attempt_days=json.loads(raw.get("attempt_days") or "[]"), today=today)
        live_id = _s(pipe.get(pkey))
        pipe.multi()
        pipe.hset(key, mapping={"status": result.status, "attempts": result.attempts,
                                "attempt_days": json.dumps(list(result.attempt_days)), "outcome": outcome,
                                "claimed_by": "", "claimed_until": "", "claimed_until_ts": "0",
                                "closing_text_due": "1" if result.closing_text else "0"})
        what = f"outcome: {outcome.replace('_', ' ')}" + (f" ({note})" if note else "")
        pipe.rpush(events_key(settings, request_id), _event(now, staff_name, what))
        _count_outcome(pipe, settings, calendar, raw, outcome, result, now)
        if result.status not in rules.LIVE:
            if result.closing_text:
                pipe.rpush(events_key(settings, request_id), _event(
                    now, "system", f"closed after missed calls on {rules.MAX_MISSED_DAYS} different days"))
            pipe.zrem(open_key(settings), request_id)
            pipe.zadd(done_key(settings), {request_id: now.timestamp()})
            if live_id == request_id:
                pipe.delete(pkey)
            keep = settings.retention_days * 86400
            pipe.expire(key, keep)
            pipe.expire(events_key(settings, request_id), keep)
        return result

    result = redis.transaction(change, key, pkey, value_from_callable=True)
    log.info("callback %s: %s by staff -> %s", request_id, outcome, result.status)
    return get(redis, settings, request_id)


def _count_outcome(pipe, settings, calendar, raw: dict, outcome: str, result, now: dt.datetime) -> None:
    """The report counts for an outcome, in the outcome's own transaction (store/events.py): the
    call, the helpline days waited if it was the first, how the request ended if it did."""
    from flows import report_periods, reports
    from store import events

    waited = None
    if not raw.get("outcome") and raw.get("first_requested_at"):
        waited = report_periods.helpline_days_waited(calendar, dt.datetime.fromisoformat(raw["first_requested_at"]),
                                                     now)
    fields = reports.callback_outcome(outcome, finished=result.status not in rules.LIVE,
                                      closing_text=result.closing_text, attempts=result.attempts, waited=waited)
    pending = events.Pending()
    pending.add(events.day_of(calendar.local(now)), fields)
    events.write(pipe, settings, pending)


def add_note(redis, settings, request_id: str, *, staff_name: str, note: str, now: dt.datetime) -> dict:
    """Add a staff note to the request's events."""
    if not redis.exists(record_key(settings, request_id)):
        raise KeyError(request_id)
    redis.rpush(events_key(settings, request_id), _event(now, staff_name, f"note: {note}"))
    return get(redis, settings, request_id)


def add_event(redis, settings, request_id: str, *, who: str, what: str, now: dt.datetime) -> None:
    """Append an event (used by the jobs: "confirmation text queued", "call placed")."""
    if redis.exists(record_key(settings, request_id)):
        redis.rpush(events_key(settings, request_id), _event(now, who, what))


_REBOOK = """
local v = redis.call('HMGET', KEYS[1], 'status', 'expected_on')
if not v[1] then return {'missing', ''} end
if v[1] ~= 'open' and v[1] ~= 'claimed' then return {'finished', v[2] or ''} end
if (v[2] or '') ~= ARGV[1] then return {'elsewhere', v[2] or ''} end
local days = cjson.decode(ARGV[3])
local per_day = tonumber(ARGV[4])
local chosen = ''
for i = 1, #days do
  local n = tonumber(redis.call('GET', ARGV[2] .. days[i]) or '0')
  if n < per_day then chosen = days[i] break end
end
if chosen == '' and #days > 0 then chosen = days[#days] end
if chosen ~= '' then
  redis.call('INCR', ARGV[2] .. chosen)
  redis.call('EXPIRE', ARGV[2] .. chosen, ARGV[5])
end
if tonumber(redis.call('GET', ARGV[2] .. ARGV[1]) or '0') > 0 then redis.call('DECR', ARGV[2] .. ARGV[1]) end
redis.call('HSET', KEYS[1], 'expected_on', chosen)
return {'moved', chosen}
"""


def rebook(redis, settings, request_id: str, *, from_day: dt.date, days: list[dt.date]) -> tuple[str, dt.date | None]:
    """Move a live request booked on `from_day` to the first of `days` with room (the same
    per-day counters and fallback as saving: the last day offered when all are full).

    Atomic (Lua). Returns ("moved", new day or None when no day is offered), or why it did
    not move: "missing", "finished", or "elsewhere" (booked on another day: already moved).
    """
    kind, day = redis.eval(_REBOOK, 1, record_key(settings, request_id), from_day.isoformat(),
                           settings.key("callbacks", "booked", ""), json.dumps([d.isoformat() for d in days]),
                           settings.callbacks_per_day, BOOKED_TTL_SECONDS)
    kind, day = _s(kind), _s(day)
    return kind, (dt.date.fromisoformat(day) if day else None)


# --- an adviser moves a request or gives it back; every contact from one line ----------------

MOVED, FULL, SAME, TAKEN, FINISHED, MISSING = "moved", "full", "same", "taken", "finished", "missing"
CHANGED = "changed"  # changed by someone else while this move was being made, every try
RELEASED, NOT_YOURS, NOT_CLAIMED = "released", "not_yours", "not_claimed"
MOVE_TRIES = 3

# KEYS: record, events. ARGV: booked prefix, new day, per day, booked TTL, staff, now ts, day read before, event.
_STAFF_MOVE = """
local v = redis.call('HMGET', KEYS[1], 'status', 'expected_on', 'claimed_by', 'claimed_until_ts')
if not v[1] then return 'missing' end
if v[1] ~= 'open' and v[1] ~= 'claimed' then return 'finished' end
if v[1] == 'claimed' and v[3] ~= ARGV[5] and (tonumber(v[4] or '0') or 0) > tonumber(ARGV[6]) then return 'taken' end
local booked = v[2] or ''
if booked ~= ARGV[7] then return 'changed' end
if booked == ARGV[2] then return 'same' end
if tonumber(redis.call('GET', ARGV[1] .. ARGV[2]) or '0') >= tonumber(ARGV[3]) then return 'full' end
redis.call('INCR', ARGV[1] .. ARGV[2])
redis.call('EXPIRE', ARGV[1] .. ARGV[2], ARGV[4])
if booked ~= '' and tonumber(redis.call('GET', ARGV[1] .. booked) or '0') > 0 then
  redis.call('DECR', ARGV[1] .. booked)
end
redis.call('HSET', KEYS[1], 'expected_on', ARGV[2], 'status', 'open', 'claimed_by', '', 'claimed_until', '',
           'claimed_until_ts', '0')
redis.call('RPUSH', KEYS[2], ARGV[8])
return 'moved'
"""

# KEYS: record, events. ARGV: staff, event.
_RELEASE = """
local v = redis.call('HMGET', KEYS[1], 'status', 'claimed_by')
if not v[1] then return 'missing' end
if v[1] == 'open' then return 'not_claimed' end
if v[1] ~= 'claimed' then return 'finished' end
if v[2] ~= ARGV[1] then return 'not_yours' end
redis.call('HSET', KEYS[1], 'status', 'open', 'claimed_by', '', 'claimed_until', '', 'claimed_until_ts', '0')
redis.call('RPUSH', KEYS[2], ARGV[2])
return 'released'
"""


def move_by_staff(redis, settings, request_id: str, *, day: dt.date, staff_name: str,
                  now: dt.datetime) -> tuple[str, dt.date | None]:
    """An adviser moves a live request to `day`: (what happened, the day it was booked on before).

    `day` must already be a helpline day the caller offered (the staff page offers the next ones);
    this checks, atomically with the change, that it has room (fewer than settings.callbacks_per_day:
    a move never overbooks, unlike rebook's fallback) and that the request is still live and not
    claimed by another adviser (an expired claim counts as free). The per-day counters move with it
    (the old day freed), any claim is cleared (back in the queue for the new day) and the history
    says who moved it, from and to. Kinds: MOVED, FULL, SAME (already booked that day), TAKEN,
    FINISHED, MISSING, CHANGED (another change kept getting in first).
    """
    for _ in range(MOVE_TRIES):
        before = _s(redis.hget(record_key(settings, request_id), "expected_on"))
        was = dt.date.fromisoformat(before) if before else None
        what = f"moved from {long_date(was) if was else 'no day'} to {long_date(day)}"
        kind = _s(redis.eval(_STAFF_MOVE, 2, record_key(settings, request_id), events_key(settings, request_id),
                             settings.key("callbacks", "booked", ""), day.isoformat(), settings.callbacks_per_day,
                             BOOKED_TTL_SECONDS, staff_name, str(now.timestamp()), before,
                             _event(now, staff_name, what)))
        if kind != CHANGED:  # CHANGED: moved by someone else between the read and the script
            if kind == MOVED:
                log.info("callback %s: moved by staff", request_id)
            return kind, was
    return CHANGED, None


def release_claim(redis, settings, request_id: str, *, staff_name: str, now: dt.datetime) -> str:
    """The adviser who claimed a request gives it back to the queue (open, claim cleared, in its
    history). Only the claimant can: RELEASED, NOT_YOURS, NOT_CLAIMED, FINISHED or MISSING."""
    kind = _s(redis.eval(_RELEASE, 2, record_key(settings, request_id), events_key(settings, request_id),
                         staff_name, _event(now, staff_name, "released the claim: back in the queue")))
    if kind == RELEASED:
        log.info("callback %s: claim released", request_id)
    return kind


LINKED_MAX = 50  # the newest requests shown from one line


def for_line(redis, settings, phone: str, *, leave_out: str | None = None) -> list[dict]:
    """The requests from one number (any status, until purged), newest first, through the line's
    index (line_key: a keyed hash, never the number); ids whose record has expired are dropped from it."""
    if normalise_uk_number(phone or "") is None:
        return []
    key = line_key(settings, phone)
    ids = [_s(i) for i in redis.zrevrange(key, 0, LINKED_MAX)]
    pipe = redis.pipeline(transaction=False)
    for request_id in ids:
        pipe.hgetall(record_key(settings, request_id))
    found = dict(zip(ids, pipe.execute()))
    gone = [i for i, raw in found.items() if not raw]
    if gone:
        redis.zrem(key, *gone)
    return [_record(raw, []) for i, raw in found.items() if raw and i != leave_out][:LINKED_MAX]


def index_lines(redis, settings) -> int:
    """Daily (the retention purge): every request held is in its line's index (requests saved
    before the index existed too), and ids whose record has gone leave it. Returns ids removed."""
    ids = [_s(i) for i in redis.zrange(open_key(settings), 0, -1) + redis.zrange(done_key(settings), 0, -1)]
    pipe = redis.pipeline(transaction=False)
    for request_id in ids:
        pipe.hmget(record_key(settings, request_id), "phone", "first_ts")
    held = [(i, _s(p), _s(ts)) for i, (p, ts) in zip(ids, pipe.execute()) if p]
    pipe = redis.pipeline(transaction=False)
    for request_id, phone, first_ts in held:
        pipe.zadd(line_key(settings, phone), {request_id: float(first_ts or 0)}, nx=True)
    pipe.execute()
    removed = 0
    for key in list(redis.scan_iter(match=settings.key("callbacks", "of", "*"), count=500)):
        members = [_s(i) for i in redis.zrange(key, 0, -1)]
        pipe = redis.pipeline(transaction=False)
        for request_id in members:
            pipe.exists(record_key(settings, request_id))
        gone = [i for i, there in zip(members, pipe.execute()) if not there]
        if gone:
            removed += redis.zrem(key, *gone)
    return removed


_RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")
TRANSCRIPT_MAX_CHARS = 4000  # Twilio transcribes at most 2 minutes: about 400 words


def add_transcription(redis, settings, call_sid: str, *, recording_url: str, status: str, text: str,
                      transcription_sid: str, now: dt.datetime) -> str | None:
    """Keep Twilio's transcription of a voice message with the request it belongs to.

    Found by the call's sid (the request saved on that call, or the live one it updated) and
    kept only if the request still holds that recording (a newer message replaces an older
    one). `status` "completed" keeps the text; anything else notes that it could not be
    transcribed. Returns the request id, or None when there is nothing to attach it to.
    """
    request_id = _s(redis.get(sid_key(settings, call_sid))) if call_sid else ""
    if not request_id:
        return None
    key = record_key(settings, request_id)
    held = _s(redis.hget(key, "voice_message_url"))
    if not held or _recording_of(held) != _recording_of(recording_url):
        return None
    done = status == "completed" and bool(text.strip())
    clean = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())[:TRANSCRIPT_MAX_CHARS]
    pipe = redis.pipeline()
    pipe.hset(key, mapping={"voice_message_text": clean if done else "",
                            "voice_message_text_status": "completed" if done else "failed",
                            "transcription_sid": transcription_sid[:64]})
    pipe.rpush(events_key(settings, request_id), _event(
        now, "system", "voice message transcribed" if done else "the voice message could not be transcribed"))
    pipe.execute()
    log.info("callback %s: transcription %s", request_id, "kept" if done else "failed")
    return request_id


def _recording_of(url: str) -> str:
    """The recording's sid in a Twilio recording URL (or the URL itself when it has none)."""
    match = _RECORDING_SID.search(url or "")
    return match.group(0) if match else (url or "")
