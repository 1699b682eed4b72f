"""The one effect runner: carries out what conversations and texts ask, for the phone and for texts.

Flows decide and return effect values (flows/conversations/effects.py); the channels hand them
here with the Origin (who is asking, on which channel, when, the CallSid or MessageSid); each
handler does the work (Redis, rq jobs) and returns what to say back: engine.Say messages (each
channel renders them, spoken or written) or ready texts.

HANDLERS is the one registry, written out below: an effect type, the function that carries it
out. Nothing registers itself at import.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable

from flows import callbacks as rules
from flows.conversations import content
from flows.conversations.effects import (CancelCallback, CancelReminders, Counted, FlagSafety, MoveCallback, OptIn, OptOut,
                                         SaveCallback, ScheduleReminders, SendText)
from flows.conversations.engine import Day, Phone, Say
from flows.phone import is_uk_mobile, mask, normalise_uk_number

log = logging.getLogger("helpline.effects")


@dataclass(frozen=True)
class Origin:
    """Who asked, how and when: the calling or texting line, the channel, the Twilio sid."""

    phone: str
    now: dt.datetime
    channel: str  # "voice" or "sms"
    message_sid: str = ""  # the MessageSid, or the CallSid by phone
    remembered: bool = True


def run(svc, origin: Origin, effects) -> list:
    """Carry out each effect in order; what to say back (Say values and texts), in order."""
    said: list = []
    for effect in effects:
        said += HANDLERS[type(effect)](svc, origin, effect) or []
    return said


# --- callback requests ------------------------------------------------------------------------


def save_callback(svc, origin: Origin, effect: SaveCallback) -> list:
    """Store the request now (exactly once per call or text), then say the number and the day."""
    from store import callbacks as store

    deadline = dt.date.fromisoformat(effect.deadline) if effect.deadline else None
    by_phone = origin.channel == "voice"
    wants_text = effect.text_ok is True and (by_phone or effect.contact_by == "voice")
    result = store.save_or_spool(
        svc.connections.redis, svc.settings, svc.calendar, phone=effect.phone, topic=effect.topic,
        channel=origin.channel, source_sid=origin.message_sid or f"{origin.channel}-{origin.phone}-{origin.now.isoformat()}",
        now=origin.now, urgent=effect.urgent, deadline=deadline, voicemail_ok=effect.voicemail_ok,
        text_ok=effect.text_ok, contact_by=effect.contact_by, part_of_day=effect.part_of_day,
        voice_message_url=effect.voice_message_url, requester=origin.phone or "withheld",  # the calling line
        interpreter=effect.interpreter, problem_words=effect.problem_words,
        conversation_texts=list(effect.conversation_texts), decision_date=effect.decision_date,
        confirm=wants_text)
    log.info("callback %s by %s from %s (%s)", result.id or "-", origin.channel, mask(origin.phone), result.in_words())
    if result.created and effect.replaces and effect.replaces != result.id:
        # "Change what we know" gave another number: the new request stands for the old one, which
        # would otherwise stay in the queue as a second call to the same parent.
        old = store.cancel_by_parent(svc.connections.redis, svc.settings, effect.replaces, now=origin.now,
                                     channel=origin.channel, replaced_by=result.id)
        if old and old.get("urgent"):
            store.mark_urgent(svc.connections.redis, svc.settings, result.id, now=origin.now,
                              why=f"the request it replaces ({effect.replaces}) was urgent")
    if result.created or result.merged or result.spooled:  # for the reports; no Redis now
        from flows import reports
        from store import events

        events.note(svc, origin.now, reports.callback_asked("call" if by_phone else "text", again=result.merged))
    if by_phone and (result.created or result.merged) and wants_text and not result.spooled:
        from redis import RedisError

        from workers.callback_jobs import queue_confirmation

        try:
            queue_confirmation(svc, result.id)
        except RedisError as error:  # the request is saved and the caller hears the day; only the text is lost
            log.error("callback %s saved but its confirmation text could not be queued: %s", result.id,
                      type(error).__name__)
    said: list = []
    if result.limited:
        said.append(Say("callbacks.limited"))
    elif result.merged:
        said.append(Say("callbacks.updated"))
    if not result.limited or result.expected_on:
        said += confirmation(svc, effect, result.expected_on)
    today = svc.calendar.local(origin.now).date()
    if not result.limited and (effect.urgent or rules.deadline_is_close(deadline, today, svc.calendar.holidays)):
        said.append(Say("callbacks.urgent"))
    if not result.limited and deadline and result.expected_on and today <= deadline < result.expected_on:
        # What they could lose comes first: the call is after their last day to appeal.
        said.insert(0, Say("callbacks.after_deadline", {"deadline": Day(deadline)}))
    if not result.limited and result.expected_on:
        said.append(Say("callbacks.manage_hint"))
    if origin.channel == "sms":
        said.append(Say("callbacks.sms_footer"))
    return said


def confirmation(svc, effect: SaveCallback, expected_on: dt.date | None) -> list[Say]:
    """The number we will call and the day (and the window, and the number we call from)."""
    if expected_on is None:
        return [Say("callbacks.confirmed_unknown_day", {"number": Phone(effect.phone)})]
    start, end = rules.window_words(svc.calendar, effect.part_of_day)
    key = {"text": "callbacks.confirmed_text", "relay": "callbacks.confirmed_relay"}.get(effect.contact_by,
                                                                                        "callbacks.confirmed")
    said = [Say(key, {"number": Phone(effect.phone), "day": Day(expected_on), "start": start, "end": end})]
    language = content.language(effect.interpreter) if effect.interpreter else None
    if language is not None and language.code != "other":
        said.append(Say("callbacks.confirmed_interpreter", {"language": language.name}))
    return said


def _live(svc, origin: Origin, request_id: str) -> dict | None:
    """The request asked about: by id when the conversation knows it, else the asking line's live one."""
    from store import callbacks as store

    record = store.get(svc.connections.redis, svc.settings, request_id) if request_id else None
    if record is not None and record["status"] in rules.LIVE:
        return record
    return store.live_for(svc.connections.redis, svc.settings, origin.phone)


def cancel_callback(svc, origin: Origin, effect: CancelCallback) -> list:
    """CALLBACK OFF (or "cancel it" by phone): cancel the live request, and say so in one reply."""
    from store import callbacks as store

    record = _live(svc, origin, effect.request_id)
    if record is None:
        return [Say("callbacks.nothing_booked")]
    done = store.cancel_by_parent(svc.connections.redis, svc.settings, record["id"], now=origin.now,
                                  channel=origin.channel)
    if done is None:
        return [Say("callbacks.not_changed")]
    day = dt.date.fromisoformat(record["expected_on"]) if record["expected_on"] else None
    return [Say("callbacks.cancelled", {"day": Day(day) if day else "the day we said"})]


def move_callback(svc, origin: Origin, effect: MoveCallback) -> list:
    """CALLBACK MOVE (or "move it" by phone): the chosen day, or the next helpline day with room."""
    from store import callbacks as store

    record = _live(svc, origin, effect.request_id)
    if record is None:
        return [Say("callbacks.nothing_booked")]
    try:
        chosen = dt.date.fromisoformat(effect.day) if effect.day else None
    except ValueError:
        chosen = None
    day = store.move_by_parent(svc.connections.redis, svc.settings, svc.calendar, record["id"], now=origin.now,
                               channel=origin.channel, day=chosen)
    if day is None:
        return [Say("callbacks.not_changed")]
    start, end = rules.window_words(svc.calendar, record.get("part_of_day") or "any")
    return [Say("callbacks.moved", {"day": Day(day), "start": start, "end": end})]


# --- opt-outs and safety ------------------------------------------------------------------------


def record_opt_out(svc, origin: Origin, effect: OptOut) -> list:
    """STOP: no more texts to this number (Twilio has already confirmed it to the parent)."""
    from store import optouts

    optouts.set_opted_out(svc.connections.redis, svc.settings, origin.phone, True, source="sms STOP", at=origin.now)
    log.info("opt-out recorded for %s", mask(origin.phone))
    return []


def record_opt_in(svc, origin: Origin, effect: OptIn) -> list:
    """START or YES: texts may go to this number again."""
    from store import optouts

    optouts.set_opted_out(svc.connections.redis, svc.settings, origin.phone, False, source="sms START", at=origin.now)
    return []


def flag_safety(svc, origin: Origin, effect: FlagSafety) -> list:
    """A possible risk: a safety concern at the top of the staff queue (spooled if Redis is away)."""
    from store import safety

    safety.report(svc, phone=origin.phone, channel=origin.channel, category=effect.category, label=effect.label,
                  words=effect.excerpt, at=origin.now, source_sid=origin.message_sid)
    return []


def count_for_reports(svc, origin: Origin, effect: Counted) -> list:
    """A report count: kept in memory, written with this text's own save (store/events.py)."""
    from store import events

    events.note(svc, origin.now, effect.field)
    return []


# --- texts and deadline reminders -----------------------------------------------------------------


def send_text(svc, origin: Origin, effect: SendText) -> list:
    """Text the asking line (a UK mobile) at once, once for this call or text and the effect's key."""
    from workers.outbound import queue_text

    number = normalise_uk_number(origin.phone)
    if not (number and is_uk_mobile(number)):  # the conversation checks first; this is the edge's own guard
        log.warning("%s text not sent: %s is not a UK mobile", effect.purpose, mask(origin.phone))
        return []
    message_id = queue_text(svc, to=number, body=effect.body, purpose=effect.purpose, immediate=True,
                            dedupe_key=f"{effect.purpose}-text:{origin.message_sid}:{effect.key}")
    log.info("%s text %s queued to %s", effect.purpose, message_id, mask(number))
    return []


def schedule_reminders(svc, origin: Origin, effect: ScheduleReminders) -> list:
    """REMIND (or the phone's reminder option): queue the reminders and say which days they will
    come (or that it is too close)."""
    from store import outbound as records
    from workers.reminders import schedule_reminders as schedule

    deadline_date = dt.date.fromisoformat(effect.date)
    what = effect.what or svc.copy.text("deadline_chat.remind_offer")
    ids = schedule(svc, phone=origin.phone, deadline_date=deadline_date, kind=effect.kind, what_to_do=what,
                   now=origin.now)
    days = []
    for message_id in ids:
        record = records.get(svc.connections.redis, svc.settings, message_id) or {}
        try:
            days.append(dt.datetime.fromisoformat(record.get("not_before") or "").date())
        except ValueError:
            continue
    if not days:
        return [Say("deadline_chat.remind_too_close")]
    named = [f"{d:%A} {d.day} {d:%B}" for d in sorted(set(days))]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return [Say("deadline_chat.remind_set", {"days": listed})]


def cancel_reminders(svc, origin: Origin, effect: CancelReminders) -> list:
    """REMIND OFF: cancel the reminders not yet sent and confirm."""
    from workers.reminders import cancel_reminders as cancel

    count = cancel(svc, origin.phone)
    return [Say("deadline_chat.remind_off" if count else "deadline_chat.remind_off_none")]


HANDLERS: dict[type, Callable] = {
    SaveCallback: save_callback,
    CancelCallback: cancel_callback,
    MoveCallback: move_callback,
    OptOut: record_opt_out,
    OptIn: record_opt_in,
    FlagSafety: flag_safety,
    SendText: send_text,
    ScheduleReminders: schedule_reminders,
    CancelReminders: cancel_reminders,
    Counted: count_for_reports,
}
