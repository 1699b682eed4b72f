"""Voice webhooks: one view per thing Twilio tells us."""

from __future__ import annotations

import logging

from flask import current_app, request, url_for
from twilio.twiml.voice_response import VoiceResponse

import services
from clock import now
from flows.opening import status_sentences
from ivr.blueprint import bp
from ivr.speech import gather, say
from store import events
from twilio_webhooks import twiml_response

log = logging.getLogger("helpline.ivr")


@bp.post("/incoming")
def incoming_call():
    """A call arrives: welcome, say whether we are open, then offer an adviser (when one can be
    reached now) or the menu."""
    from ivr.menus import can_put_through

    svc = services.current()
    at = now()
    events.contact(svc, at, "call", request.form.get("From", ""))  # for the reports; no Redis now
    put_through = can_put_through(svc, at)
    sentences = tuple(status_sentences(svc.calendar, svc.copy, at, spoken=True, put_through=put_through))
    # The document depends only on these, so it is rendered once per process for each (as the
    # menus are); the sentences follow the clock and the calendar, so a change is a new key.
    cache = current_app.extensions.setdefault("ivr.greetings", {})
    key = (sentences, put_through, request.script_root)
    if key not in cache:
        if len(cache) >= MAX_GREETINGS:
            cache.clear()
        cache[key] = str(_greeting(svc, sentences, put_through))
    return twiml_response(cache[key])


MAX_GREETINGS = 64  # opening states a process has seen (a few a day); cleared when full


def _greeting(svc, sentences: tuple[str, ...], put_through: bool) -> VoiceResponse:
    response = VoiceResponse()
    say(response, svc.copy.say("greeting.welcome"))
    say(response, svc.copy.say("greeting.danger"))
    for sentence in sentences:
        say(response, sentence)
    if put_through:
        offer = gather(response, url_for("ivr.greeting_choice"), hints=["adviser", "menu"])
        say(offer, svc.copy.say("greeting.adviser_offer"))
    response.redirect(url_for("ivr.menu", node="main"), method="POST")
    return response


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


def _carried() -> dict:
    """What a put-through carries for the call back if no one answers: the topic, and urgency."""
    return {k: request.args[k] for k in ("topic", "urgent") if request.args.get(k)}


@bp.post("/connect")
def connect():
    """Put the caller through to the adviser's phone, showing the helpline number; if no one can
    be put through now, offer a call back instead."""
    from ivr.menus import can_put_through

    svc = services.current()
    response = VoiceResponse()
    if not can_put_through(svc, now()):
        say(response, svc.copy.say("greeting.adviser_unavailable"))
        _callback_offer(response, tries=0)
        return twiml_response(response)
    say(response, svc.copy.say("greeting.connecting"))
    dial = response.dial(caller_id=svc.settings.helpline_e164, timeout=svc.settings.dial_timeout_seconds,
                         action=url_for("ivr.dial_result", **_carried()), method="POST")
    dial.number(svc.settings.staff_forward_number)
    return twiml_response(response)


@bp.post("/dial-result")
def dial_result():
    """After the put-through: done if answered; otherwise sorry, and a call back in the same breath."""
    svc = services.current()
    response = VoiceResponse()
    if request.form.get("DialCallStatus") == "completed":
        response.hangup()
        return twiml_response(response)
    say(response, svc.copy.say("greeting.no_adviser_free"))
    _callback_offer(response, tries=0)
    return twiml_response(response)


MAX_OFFERS = 2
CALL_BACK_WORDS = ("call", "ring", "phone", "back", "yes", "adviser", "someone")


def _callback_offer(response: VoiceResponse, *, tries: int) -> None:
    """0 (or 'call me back') asks for a call back on the same topic; 9 is the main menu. Silence:
    ask again, then the main menu."""
    svc = services.current()
    g = gather(response, url_for("ivr.no_adviser_choice", **_carried()),
               hints=["call me back", "call back", "main menu"])
    say(g, svc.copy.say("greeting.callback_offer"))
    if tries + 1 >= MAX_OFFERS:
        say(response, svc.copy.say("menus.no_input"))
        response.redirect(url_for("ivr.menu", node="main"), method="POST")
    else:
        say(response, svc.copy.say("menus.no_input"))
        response.redirect(url_for("ivr.no_adviser", tries=tries + 1, **_carried()), method="POST")


@bp.post("/no-adviser")
def no_adviser():
    """The call back offer again, after silence."""
    response = VoiceResponse()
    _callback_offer(response, tries=max(0, min(request.args.get("tries", 0, type=int), MAX_OFFERS)))
    return twiml_response(response)


@bp.post("/no-adviser-choice")
def no_adviser_choice():
    """No adviser could take the call: 0 or 'call me back' asks for a call back, 9 the main menu."""
    from ivr.menus import callback_topic

    svc = services.current()
    digits = request.form.get("Digits", "").strip()[:1]
    speech = " ".join(request.form.get("SpeechResult", "").lower().split())
    response = VoiceResponse()
    if digits == "9" or (not digits and "menu" in speech):
        response.redirect(url_for("ivr.menu", node="main"), method="POST")
    elif digits in ("0", "1") or (not digits and any(word in speech for word in CALL_BACK_WORDS)):
        params = {**callback_topic(request.args.get("topic")), **({"urgent": 1} if request.args.get("urgent") else {})}
        response.redirect(url_for("ivr.callback_start", **params), method="POST")
    else:
        say(response, svc.copy.say("menus.invalid"))
        _callback_offer(response, tries=0)
    return twiml_response(response)


@bp.post("/status")
def call_status():
    """Twilio reports how a call ended; we note it (no phone numbers in the log)."""
    log.info("call %s ended: %s, %ss", request.form.get("CallSid", "?")[-6:],
             request.form.get("CallStatus", "?"), request.form.get("CallDuration", "?"))
    return "", 204

