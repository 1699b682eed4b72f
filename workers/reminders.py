"""Deadline reminders by text: 14, 7 and 2 days before, each sent once; REMIND OFF stops them.

Each reminder is an ordinary outbound text (workers.outbound.queue_text) with not_before
and a dedupe key, so asking twice never sends twice, and the scheduled jobs live in rq's
scheduled registry in Redis, so they survive a worker restart. An opt-out (STOP) stops
them too: deliver() checks the opt-out before every send.

Sent at 09:30 London time: after the school run, when parents of children with SEND are
often busiest, and half an hour before the helpline opens, so a parent who wants advice
can ring the same morning. Never before the daytime sending window opens.
"""

from __future__ import annotations

import datetime as dt
import logging

from clock import LONDON
from flows import gsm7
from flows.sending_rules import MAX_SEGMENTS
from flows.phone import mask, normalise_uk_number
from flows.wording import long_date
from store import outbound as records
from store.keys import phone_tag
from workers import outbound

log = logging.getLogger(__name__)

PURPOSE = "reminder"
DAYS_BEFORE = (14, 7, 2)
SEND_AT = dt.time(9, 30)


def schedule_reminders(svc, *, phone: str, deadline_date: dt.date, kind: str, what_to_do: str,
                       now: dt.datetime) -> list[str]:
    """Queue the reminders still in the future; returns their message ids (old ones on a repeat)."""
    number = normalise_uk_number(phone) or phone
    at_time = max(SEND_AT, svc.settings.send_window_start)
    ids = []
    for days in DAYS_BEFORE:
        day = deadline_date - dt.timedelta(days=days)
        when = dt.datetime.combine(day, at_time, tzinfo=LONDON)
        if when <= now:
            continue
        body = reminder_text(svc, deadline_date=deadline_date, days=days, what_to_do=what_to_do)
        which = f"{kind}:{deadline_date.isoformat()}:{days}"
        legacy = svc.connections.redis.get(records.dedupe_key(svc.settings, f"reminder:{number}:{which}"))
        if legacy:  # set before dedupe keys were tagged: the same reminder, already queued
            ids.append(records.as_str(legacy))
            continue
        ids.append(outbound.queue_text(  # the dedupe key is a key name: the number's tag, never the number
            svc, to=number, body=body, purpose=PURPOSE, not_before=when,
            dedupe_key=f"reminder:{phone_tag(svc.settings, number)}:{which}"))
    log.info("%d %s reminders for %s, deadline %s", len(ids), kind, mask(number), deadline_date)
    return ids


def reminder_text(svc, *, deadline_date: dt.date, days: int, what_to_do: str) -> str:
    """The reminder's words; ValueError if what_to_do makes it too long for 3 texts."""
    what = gsm7.to_gsm7(what_to_do.strip())
    if what and what[-1] not in ".!?":
        what += "."
    body = svc.copy.text("reminders.deadline", deadline=long_date(deadline_date), days=days,
                         what_to_do=what, helpline=svc.settings.helpline_number)
    if gsm7.segment_count(body) > MAX_SEGMENTS:
        raise ValueError(f"reminder text is {gsm7.gsm7_length(body)} characters; shorten what_to_do")
    return body


def cancel_reminders(svc, phone: str) -> int:
    """REMIND OFF: cancel every reminder not yet sent to this number; returns how many.

    Their dedupe keys go too, so a later REMIND can set reminders up again.
    """
    redis, settings = svc.connections.redis, svc.settings
    number = normalise_uk_number(phone) or phone
    cancelled = 0
    for message_id in records.ids_for_phone(redis, settings, number):
        record = records.get(redis, settings, message_id)
        if record is None or record.get("purpose") != PURPOSE:
            continue
        if outbound.cancel(svc, message_id, reason="REMIND OFF"):
            cancelled += 1
            if record.get("dedupe_key"):
                redis.delete(records.dedupe_key(settings, record["dedupe_key"]))
    log.info("REMIND OFF for %s: %d reminders cancelled", mask(number), cancelled)
    return cancelled
