"""Who has texted STOP: the opt-out flag every outbound text is checked against."""

from __future__ import annotations

import datetime as dt
import logging

from flows import reports
from flows.phone import mask, normalise_uk_number
from store import events
from store.keys import phone_tag

log = logging.getLogger(__name__)


def phone_key(phone: str) -> str:
    """The form numbers are stored under: UK E.164 when it is a UK number, else as given."""
    return normalise_uk_number(phone) or phone


def optout_key(settings, phone: str) -> str:
    """helpline:optout:<phone_tag>: the number itself is never in a key name (store/keys.py)."""
    return settings.key("optout", phone_tag(settings, phone))


def legacy_key(settings, phone: str) -> str:
    """Where opt-outs were kept before key names were tagged (helpline:optout:+447700900123).

    Read as well as the tagged key, so nobody who texted STOP before the change is texted; moved
    to the tagged key at the next STOP or START, deleted by erasure.
    """
    return settings.key("optout", phone_key(phone))


def is_opted_out(redis, settings, phone: str) -> bool:
    """True if the parent has opted out of texts (and not opted back in)."""
    return get_optout(redis, settings, phone).get("opted_out") == "1"


def set_opted_out(redis, settings, phone: str, opted_out: bool, *, source: str, at: dt.datetime) -> None:
    """Record STOP (opted_out=True) or START/UNSTOP (False); `source` says who told us.

    An opt-out is kept until the parent opts back in: forgetting it could mean texting
    someone who asked us not to. An opt-in is only kept for the retention period.
    """
    key = optout_key(settings, phone)
    pipe = redis.pipeline()
    pipe.delete(legacy_key(settings, phone))
    pipe.hset(key, mapping={"opted_out": "1" if opted_out else "0", "source": source, "at": at.isoformat()})
    if opted_out:
        pipe.persist(key)
    else:
        pipe.expire(key, settings.retention_days * 86400)
    counted = events.Pending()
    counted.add(events.day_of(at), [reports.opt_change(opted_out, source)])
    events.write(pipe, settings, counted)  # the report count, in the same round trip
    pipe.execute()
    log.info("%s %s texts (source: %s)", mask(phone), "opted out of" if opted_out else "opted back in to", source)


def get_optout(redis, settings, phone: str) -> dict:
    """What is held about this number's opt-out ({} if nothing)."""
    pipe = redis.pipeline(transaction=False)
    pipe.hgetall(optout_key(settings, phone))
    pipe.hgetall(legacy_key(settings, phone))
    tagged, legacy = pipe.execute()
    raw = tagged or legacy
    return {_s(k): _s(v) for k, v in raw.items()}


def forget_optout(redis, settings, phone: str) -> int:
    """Delete the opt-out record (data erasure); returns how many keys went."""
    return int(redis.delete(optout_key(settings, phone), legacy_key(settings, phone)))


def _s(value) -> str:
    return value.decode() if isinstance(value, bytes) else value
