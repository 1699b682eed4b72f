"""The edge's side of the SMS effects: opt-outs and safety flags, stored in Redis."""

from __future__ import annotations

import logging

from redis import RedisError

from flows.sending_rules import mask
from sms.effects import FlagSafety, OptIn, OptOut, handles
from store import safety

log = logging.getLogger("helpline.sms")


@handles(OptOut)
def record_opt_out(svc, inbound, effect) -> list[str]:
    """STOP: no more texts to this number (Twilio has already confirmed it to the parent)."""
    from store import optouts

    optouts.set_opted_out(svc.connections.redis, svc.settings, inbound.phone, True, source="sms STOP", at=inbound.now)
    log.info("opt-out recorded for %s", mask(inbound.phone))
    return []


@handles(OptIn)
def record_opt_in(svc, inbound, effect) -> list[str]:
    """START or YES: texts may go to this number again."""
    from store import optouts

    optouts.set_opted_out(svc.connections.redis, svc.settings, inbound.phone, False, source="sms START", at=inbound.now)
    return []


@handles(FlagSafety)
def flag_safety(svc, inbound, effect) -> list[str]:
    """A possible risk: a safety concern at the top of the staff queue (spooled if Redis is away)."""
    raise_safety_concern(svc, phone=inbound.phone, channel="sms", category=effect.category, label=effect.label,
                         words=effect.excerpt, at=inbound.now, source_sid=inbound.message_sid)
    return []


def raise_safety_concern(svc, *, phone: str, channel: str, category: str, label: str, words: str, at,
                         source_sid: str) -> None:
    """Record a concern for advisers; never raises (the parent already has the emergency numbers).

    The log names the line (masked) and the category, never the parent's words.
    """
    from flows import safety as rules

    ranks = list(rules.categories())
    rank = ranks.index(category) if category in ranks else len(ranks)
    try:
        concern_id, how = safety.raise_or_spool(
            svc.connections.redis, svc.settings, phone=phone, channel=channel, category=category or "general",
            label=label or "Someone may be at risk", rank=rank, words=words, at=at, source_sid=source_sid)
        log.warning("safety concern (%s) from %s: %s %s", category or "general", mask(phone), how, concern_id)
    except RedisError:  # neither Redis nor the spool: the log line is all staff will have
        log.error("safety concern (%s) from %s could NOT be recorded: Redis and the spool unavailable",
                  category or "general", mask(phone))
