"""SMS webhooks: one view per thing Twilio tells us."""

from __future__ import annotations

import logging

from flask import request
from redis import RedisError
from twilio.twiml.messaging_response import MessagingResponse

import services
from clock import now
from flows import reports
from flows.guidance import load_guidance
from flows.gsm7 import to_gsm7
from flows.phone import mask
from sms.blueprint import bp
from effect_runner import Origin, run
from sms.chats import CHATS
from sms.conversation import words
from sms.dialogue import Ctx, Inbound, Turn, clean_body, handle
from sms.rate_limit import over_limit
from store import conversations, events
from twilio_webhooks import twiml_response

log = logging.getLogger("helpline.sms")


def dialogue_context(svc) -> Ctx:
    """The guidance, words, calendar and conversations the dialogue reads."""
    return Ctx(tree=load_guidance(), copy=svc.copy, calendar=svc.calendar, chats=CHATS,
               live_callback=lambda phone: _live_callback(svc, phone), helpline=svc.settings.helpline_number,
               textphone=svc.settings.textphone_number)


def _live_callback(svc, phone: str) -> dict | None:
    """The number's live callback request (asked only when a callback conversation starts)."""
    from store import callbacks

    try:
        return callbacks.live_for(svc.connections.redis, svc.settings, phone)
    except RedisError:
        return None


@bp.post("/incoming")
def incoming_sms():
    """A text arrives: decide the reply, carry out what it asks, keep the conversation's place."""
    svc = services.current()
    phone = request.form.get("From", "")
    sid = request.form.get("MessageSid", "")
    at = now()
    redis = svc.connections.redis
    remembered = True
    try:
        cached, state, seen, texts = conversations.load(redis, svc.settings, phone, sid, at)
    except RedisError as error:  # answer anyway: the guidance is in memory; only the place is lost
        log.error("Redis unavailable loading a conversation: %s", type(error).__name__)
        cached, state, seen, texts, remembered = None, {}, True, 0, False  # no count: the limit fails open
    if cached is not None:
        log.info("replayed text %s from %s: same reply, nothing done again", sid[-6:], mask(phone))
        return twiml_response(cached)
    text, truncated = clean_body(request.form.get("Body", ""))
    inbound = Inbound(text=text, phone=phone, now=at, message_sid=sid, first_time=not seen, truncated=truncated,
                      remembered=remembered)
    turn = decide(svc, inbound, state, texts)
    if turn is None:  # over the limit and already told: no reply, and nothing stored for a flood
        return twiml_response(MessagingResponse())
    replies = list(turn.replies)
    origin = Origin(phone=phone, now=at, channel="sms", message_sid=sid, remembered=remembered)
    ctx = dialogue_context(svc)
    for effect in turn.effects:
        try:
            said = run(svc, origin, [effect])
        except RedisError as error:
            log.error("Redis unavailable for %s: %s", type(effect).__name__, type(error).__name__)
            said = [svc.copy.text("greeting.trouble")]
        texts = [item for item in said if isinstance(item, str)]
        messages = [item for item in said if not isinstance(item, str)]
        replies += texts + ([to_gsm7(words(ctx, messages))] if messages else [])
    response = MessagingResponse()
    for reply in replies:
        response.message(reply)
    xml = str(response)
    counted = _count_text(svc, inbound, new_conversation=not state)
    try:
        conversations.save(redis, svc.settings, phone, sid, turn.state, xml,
                           also=counted and (lambda pipe: events.write(pipe, svc.settings, counted)))
    except RedisError as error:
        if counted:
            svc.events.give_back(counted)  # the next text, or the writer thread, tries again
        log.error("Redis unavailable saving a conversation: %s", type(error).__name__)
    return twiml_response(xml)


def _count_text(svc, inbound: Inbound, *, new_conversation: bool) -> events.Pending | None:
    """Count this text for the reports (a new conversation is a contact). With no writer thread
    (EVENTS_FLUSH_SECONDS 0), take every count this process holds, to go in the conversation's own
    round trip; with one, leave them to it (a few commands a text fewer)."""
    events.note(svc, inbound.now, reports.text_received(svc.calendar.is_open(inbound.now)))
    if new_conversation:
        events.contact(svc, inbound.now, "text", inbound.phone)
    if svc.settings.events_flush_seconds:
        return None
    return svc.events.take() or None


def decide(svc, inbound: Inbound, state: dict, texts_in_window: int) -> Turn | None:
    """The dialogue's turn, or the rate limit's when this number has sent too many texts."""
    limit = svc.settings.sms_limit_per_window
    if not limit or texts_in_window <= limit:
        return handle(dialogue_context(svc), inbound, state)
    first_over = texts_in_window == limit + 1
    if first_over:
        log.warning("%s sent over %d texts in %d seconds: one polite reply, then only safety and STOP/START",
                    mask(inbound.phone), limit, svc.settings.sms_limit_window_seconds)
    return over_limit(dialogue_context(svc), inbound, state, first_over=first_over)
