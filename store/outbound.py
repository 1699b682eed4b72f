"""Outbound message records: what we mean to send, and what became of it.

One hash per text or call, `helpline:outbound:{id}`, written before any job runs, so a
crashed worker or a lost job never loses what was meant to be sent. Indexes: by phone
(`outbound:phone:{tag}`, store.keys.phone_tag: no key name holds a number; for export, erase,
REMIND OFF), by Twilio sid (status callbacks), all ids by creation time (retention purge).
Job arguments are ids only; numbers and words stay here.

Before key names were tagged the phone index was `outbound:phone:+447700900123`: such a legacy
index is still read and erased, and the retention purge moves it under the tag.
"""

from __future__ import annotations

import datetime as dt
import secrets

from redis.exceptions import WatchError

from flows.phone import normalise_uk_number
from store.keys import TAG_HEX_CHARS, phone_tag

QUEUED, SCHEDULED, RETRYING = "queued", "scheduled", "retrying"
SENDING, SENT = "sending", "sent"
DELIVERED, UNDELIVERED = "delivered", "undelivered"
FAILED, REFUSED, CANCELLED, UNKNOWN = "failed", "refused", "cancelled", "unknown"

PENDING = (QUEUED, SCHEDULED, RETRYING)  # may still be sent: deliver() may claim these
FINAL = (SENT, DELIVERED, UNDELIVERED, FAILED, REFUSED, CANCELLED, UNKNOWN)
# The fields every record has (calls add caller_id and twiml_url; the worker adds job_id,
# not_before, delivery, error_code, updated_at).
FIELDS = ("id", "kind", "to", "body", "purpose", "created_at", "attempts", "status", "sid", "error")

# Move a PENDING record to SENDING (and count the attempt) only if it is still pending,
# so two runs of the same job can never both reach the sender.
_CLAIM = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
for i = 2, #ARGV do
  if ARGV[i] == status then
    redis.call('HSET', KEYS[1], 'status', 'sending', 'updated_at', ARGV[1])
    redis.call('HINCRBY', KEYS[1], 'attempts', 1)
    return 1
  end
end
return 0
"""


def new_id() -> str:
    """A message id: random, no personal data, safe in rq job ids and logs."""
    return "m" + secrets.token_hex(10)


def record_key(settings, message_id: str) -> str:
    return settings.key("outbound", message_id)


def sid_key(settings, sid: str) -> str:
    return settings.key("outbound", "sid", sid)


def dedupe_key(settings, key: str) -> str:
    return settings.key("outbound", "dedupe", key)


def phone_index(settings, phone: str) -> str:
    """helpline:outbound:phone:{tag}: the ids of the messages to one number (the number is only in values)."""
    return settings.key("outbound", "phone", phone_tag(settings, phone))


def legacy_phone_index(settings, phone: str) -> str:
    """Where the index was before key names were tagged (the number as records hold it): read and erased."""
    return settings.key("outbound", "phone", normalise_uk_number(phone) or phone)


def phone_indexes_pattern(settings) -> str:
    """A SCAN pattern for every phone index, tagged or legacy."""
    return settings.key("outbound", "phone", "*")


def is_legacy_phone_index(settings, key: str) -> bool:
    """True for an index named by the number itself rather than its tag."""
    suffix = key[len(settings.key("outbound", "phone", "")):]
    return not (len(suffix) == TAG_HEX_CHARS and all(c in "0123456789abcdef" for c in suffix))


def all_index(settings) -> str:
    return settings.key("outbound", "all")


def create(redis, settings, record: dict) -> None:
    """Store a new record and index it (one MULTI, so indexes never lag the record)."""
    created = dt.datetime.fromisoformat(record["created_at"])
    pipe = redis.pipeline()
    pipe.hset(record_key(settings, record["id"]), mapping={k: "" if v is None else str(v) for k, v in record.items()})
    pipe.zadd(all_index(settings), {record["id"]: created.timestamp()})
    pipe.sadd(phone_index(settings, record["to"]), record["id"])
    pipe.execute()


def get(redis, settings, message_id: str) -> dict | None:
    """The record as a dict of strings, or None."""
    raw = redis.hgetall(record_key(settings, message_id))
    return {as_str(k): as_str(v) for k, v in raw.items()} or None


def update(redis, settings, message_id: str, *, now: dt.datetime, **fields: object) -> None:
    """Change some fields (only of a record that still exists)."""
    key = record_key(settings, message_id)
    values = {k: "" if v is None else str(v) for k, v in fields.items()}
    values["updated_at"] = now.isoformat()
    pipe = redis.pipeline()
    pipe.exists(key)
    pipe.hset(key, mapping=values)
    exists, _ = pipe.execute()
    if not exists:  # deleted meanwhile (erased or purged): do not resurrect a stub
        redis.delete(key)


def claim(redis, settings, message_id: str, *, now: dt.datetime) -> bool:
    """Atomically mark a pending record "sending"; False if it is not pending any more."""
    return bool(redis.eval(_CLAIM, 1, record_key(settings, message_id), now.isoformat(), *PENDING))


def finish(redis, settings, message_id: str, status: str, *, now: dt.datetime, **fields: object) -> None:
    """Record a final status; the record then expires on its own after the retention
    period, even if the purge job never runs (the purge also tidies the indexes)."""
    update(redis, settings, message_id, now=now, status=status, **fields)
    redis.expire(record_key(settings, message_id), (settings.retention_days + 1) * 86400)


def remember_sid(redis, settings, message_id: str, sid: str) -> None:
    """Let status callbacks find the record by Twilio's sid."""
    redis.set(sid_key(settings, sid), message_id, ex=(settings.retention_days + 1) * 86400)


def id_for_sid(redis, settings, sid: str) -> str | None:
    value = redis.get(sid_key(settings, sid))
    return as_str(value) if value else None


def ids_for_phone(redis, settings, phone: str) -> list[str]:
    """The ids of every message to this number (however written), the legacy index's too."""
    found = redis.sunion([phone_index(settings, phone), legacy_phone_index(settings, phone)])
    return sorted(as_str(v) for v in found)


def ids_created_before(redis, settings, cutoff: dt.datetime) -> list[str]:
    return [as_str(v) for v in redis.zrangebyscore(all_index(settings), "-inf", cutoff.timestamp())]


def ids_created_since(redis, settings, since: dt.datetime) -> list[str]:
    """Ids of records created at or after `since`, newest first."""
    return [as_str(v) for v in redis.zrevrangebyscore(all_index(settings), "+inf", since.timestamp())]


def get_many(redis, settings, message_ids: list[str], *, fields: tuple[str, ...] = ()) -> list[dict]:
    """The records with these ids, in the same order, in one round trip (gone ones left out).

    With `fields`, only those fields (and "id"): a cheap scan of many records.
    """
    pipe = redis.pipeline(transaction=False)
    for message_id in message_ids:
        key = record_key(settings, message_id)
        if fields:
            pipe.hmget(key, ["id", *fields])
        else:
            pipe.hgetall(key)
    found = []
    for raw in pipe.execute():
        record = dict(zip(("id", *fields), raw)) if fields else raw
        record = {as_str(k): as_str(v) for k, v in record.items() if v is not None}
        if record.get("id"):
            found.append(record)
    return found


def delete(redis, settings, message_id: str, *, phone: str | None = None) -> bool:
    """Remove a record and every index entry that points at it; True if it existed."""
    record = get(redis, settings, message_id) or {}
    pipe = redis.pipeline()
    pipe.delete(record_key(settings, message_id))
    if record.get("sid"):
        pipe.delete(sid_key(settings, record["sid"]))
    dkey = dedupe_key(settings, record["dedupe_key"]) if record.get("dedupe_key") else None
    if dkey and as_str(redis.get(dkey) or b"") == message_id:  # never another message's key
        pipe.delete(dkey)
    pipe.zrem(all_index(settings), message_id)
    for number in {phone, record.get("to")} - {None, ""}:
        pipe.srem(phone_index(settings, number), message_id)
        pipe.srem(legacy_phone_index(settings, number), message_id)
    pipe.execute()
    return bool(record)


def as_str(value) -> str:
    """A Redis reply as text (clients may or may not decode)."""
    return value.decode() if isinstance(value, bytes) else value


# Twilio's message statuses in the order they happen; a callback never moves a record back.
DELIVERY_RANK = {"accepted": 1, "scheduled": 1, "queued": 1, "sending": 2, "sent": 3,
                 "delivered": 4, "undelivered": 4, "failed": 4, "read": 5, "canceled": 4}
TWILIO_FINAL = {"delivered": DELIVERED, "undelivered": UNDELIVERED, "failed": FAILED, "read": DELIVERED}


def record_delivery(redis, settings, sid: str, status: str, error_code: str | None, *,
                    now: dt.datetime) -> dict | None:
    """Apply a Twilio status callback to the record with this sid, only if it moves forward.

    Returns the record as it was (None for an unknown sid). Replays and late, out-of-order
    callbacks change nothing; a final status (delivered, undelivered, failed) is never
    replaced by another.
    """
    message_id = id_for_sid(redis, settings, sid)
    if message_id is None or status not in DELIVERY_RANK:
        return None
    key = record_key(settings, message_id)
    with redis.pipeline() as pipe:
        while True:
            try:
                pipe.watch(key)
                record = {as_str(k): as_str(v) for k, v in pipe.hgetall(key).items()}
                if not record:
                    return None
                current = record.get("delivery", "")
                done = DELIVERY_RANK.get(current, 0) >= 4
                if done or DELIVERY_RANK[status] <= DELIVERY_RANK.get(current, 0):
                    pipe.unwatch()
                    return record
                pipe.multi()
                fields = {"delivery": status, "updated_at": now.isoformat()}
                if status in TWILIO_FINAL and record.get("status") in (SENT, SENDING, UNKNOWN):
                    fields["status"] = TWILIO_FINAL[status]
                if error_code:
                    fields["error_code"] = error_code
                pipe.hset(key, mapping=fields)
                pipe.execute()
                return record
            except WatchError:  # changed meanwhile (another callback): read again
                continue
