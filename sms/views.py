"""SMS webhooks: one view per thing Twilio tells us."""

from __future__ import annotations

import logging

from flask import request
from twilio.twiml.messaging_response import MessagingResponse

import services
from clock import now
from flows.guidance import load_guidance
from flows.sending_rules import mask
from sms import bp
from sms.dialogue import Ctx, Inbound, clean_body, handle
from sms.effects import HANDLERS
from store import conversations
from twilio_webhooks import twiml_response

log = logging.getLogger("helpline.sms")


def dialogue_context(svc) -> Ctx:
    """The guidance, words and calendar the dialogue reads."""
    return Ctx(tree=load_guidance(), copy=svc.copy, calendar=svc.calendar)


@bp.post("/incoming")
def incoming_sms():
    """A text arrives: decide the reply, carry out what it asks, keep the conversation's place."""
    svc = services.current()
    phone = request.form.get("From", "")
    sid = request.form.get("MessageSid", "")
    redis = svc.connections.redis
    cached, state, seen = conversations.load(redis, svc.settings, phone, sid)
    if cached is not None:
        log.info("replayed text %s from %s: same reply, nothing done again", sid[-6:], mask(phone))
        return twiml_response(cached)
    text, truncated = clean_body(request.form.get("Body", ""))
    inbound = Inbound(text=text, phone=phone, now=now(), message_sid=sid, first_time=not seen, truncated=truncated)
    turn = handle(dialogue_context(svc), inbound, state)
    replies = list(turn.replies)
    for effect in turn.effects:
        replies += HANDLERS[type(effect)](svc, inbound, effect) or []
    response = MessagingResponse()
    for reply in replies:
        response.message(reply)
    xml = str(response)
    conversations.save(redis, svc.settings, phone, sid, turn.state, xml)
    return twiml_response(xml)
