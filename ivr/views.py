"""Voice webhooks: one view per thing Twilio tells us."""

from __future__ import annotations

import logging

from flask import request, url_for
from twilio.twiml.voice_response import VoiceResponse

import services
from clock import now
from flows.opening import status_sentences
from ivr import bp
from ivr.speech import gather, say
from store import events
from twilio_webhooks import twiml_response

log = logging.getLogger("helpline.ivr")


@bp.post("/incoming")
def incoming_call():
    """A call arrives: welcome, say whether we are open, then offer an adviser or the menu."""
    svc = services.current()
    at = now()
    events.contact(svc, at, "call", request.form.get("From", ""))  # for the reports; no Redis now
    response = VoiceResponse()
    say(response, svc.copy.say("greeting.welcome"))
    say(response, svc.copy.say("greeting.danger"))
    for sentence in status_sentences(svc.calendar, svc.copy, at, spoken=True):
        say(response, sentence)
    if svc.calendar.is_open(at) and svc.settings.staff_forward_number:
        offer = gather(response, url_for("ivr.greeting_choice"), hints=["adviser", "menu"])
        say(offer, svc.copy.say("greeting.adviser_offer"))
    response.redirect(url_for("ivr.menu", node="main"), method="POST")
    return twiml_response(response)


@bp.post("/greeting-choice")
def greeting_choice():
    """In hours: 0 (or 'adviser') puts the caller through; anything else goes to the menu."""
    choice = request.form.get("Digits", "") or request.form.get("SpeechResult", "").lower()
    response = VoiceResponse()
    if choice.startswith("0") or "adviser" in choice or "person" in choice:
        response.redirect(url_for("ivr.connect"), method="POST")
    else:
        response.redirect(url_for("ivr.menu", node="main"), method="POST")
    return twiml_response(response)


@bp.post("/connect")
def connect():
    """Put the caller through to the adviser's phone, showing the helpline number."""
    svc = services.current()
    response = VoiceResponse()
    forward = svc.settings.staff_forward_number
    if not (forward and svc.calendar.is_open(now())):
        say(response, svc.copy.say("greeting.adviser_unavailable"))
        response.redirect(url_for("ivr.menu", node="main"), method="POST")
        return twiml_response(response)
    say(response, svc.copy.say("greeting.connecting"))
    dial = response.dial(caller_id=svc.settings.helpline_e164, timeout=svc.settings.dial_timeout_seconds,
                         action=url_for("ivr.dial_result"), method="POST")
    dial.number(forward)
    return twiml_response(response)


@bp.post("/dial-result")
def dial_result():
    """After the put-through: done if answered, otherwise apologise and offer the menu."""
    svc = services.current()
    response = VoiceResponse()
    if request.form.get("DialCallStatus") == "completed":
        response.hangup()
        return twiml_response(response)
    say(response, svc.copy.say("greeting.no_adviser_free"))
    response.redirect(url_for("ivr.menu", node="main"), method="POST")
    return twiml_response(response)


@bp.post("/status")
def call_status():
    """Twilio reports how a call ended; we note it (no phone numbers in the log)."""
    log.info("call %s ended: %s, %ss", request.form.get("CallSid", "?")[-6:],
             request.form.get("CallStatus", "?"), request.form.get("CallDuration", "?"))
    return "", 204


from ivr import menus  # noqa: E402,F401  (menu views live in their own module)
