"""The edge's side of the SMS effects: opt-outs and safety flags, stored in Redis; report counts."""

from __future__ import annotations

import logging

from flows.sending_rules import mask
from sms.effects import Counted, FlagSafety, OptIn, OptOut, handles
from store import events, safety

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
    safety.report(svc, phone=inbound.phone, channel="sms", category=effect.category, label=effect.label,
                  words=effect.excerpt, at=inbound.now, source_sid=inbound.message_sid)
    return []


@handles(Counted)
def count_for_reports(svc, inbound, effect) -> list[str]:
    """A report count: kept in memory, written with this text's own save (store/events.py)."""
    events.note(svc, inbound.now, effect.field)
    return []
