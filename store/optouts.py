"""Who has texted STOP: the opt-out flag every outbound text is checked against."""

from __future__ import annotations

import datetime as dt
import logging

from flows.sending_rules import mask, normalise_uk_number

log = logging.getLogger(__name__)


def phone_key(phone: str) -> str:
    """The form numbers are stored under: UK E.164 when it is a UK number, else as given."""
    return normalise_uk_number(phone) or phone


def optout_key(settings, phone: str) -> str:
    """helpline:optout:+447700900123"""
    return settings.key("optout", phone_key(phone))


def is_opted_out(redis, settings, phone: str) -> bool:
    """True if the parent has opted out of texts (and not opted back in)."""
    return redis.hget(optout_key(settings, phone), "opted_out") in ("1", b"1")


def set_opted_out(redis, settings, phone: str, opted_out: bool, *, source: str, at: dt.datetime) -> None:
    """Record STOP (opted_out=True) or START/UNSTOP (False); `source` says who told us.

    An opt-out is kept until the parent opts back in: forgetting it could mean texting
    someone who asked us not to. An opt-in is only kept for the retention period.
    """
    key = optout_key(settings, phone)
    pipe = redis.pipeline()
    pipe.hset(key, mapping={"opted_out": "1" if opted_out else "0", "source": source, "at": at.isoformat()})
    if opted_out:
        pipe.persist(key)
    else:
        pipe.expire(key, settings.retention_days * 86400)
    pipe.execute()
    log.info("%s %s texts (source: %s)", mask(phone), "opted out of" if opted_out else "opted back in to", source)


def get_optout(redis, settings, phone: str) -> dict:
    """What is held about this number's opt-out ({} if nothing)."""
    raw = redis.hgetall(optout_key(settings, phone))
    return {_s(k): _s(v) for k, v in raw.items()}


def forget_optout(redis, settings, phone: str) -> int:
    """Delete the opt-out record (data erasure); returns how many keys went."""
    return int(redis.delete(optout_key(settings, phone)))


def _s(value) -> str:
    return value.decode() if isinstance(value, bytes) else value
