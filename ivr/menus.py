"""Voice menus (placeholder main menu until the guidance tree is wired in)."""

from __future__ import annotations

from flask import request, url_for
from twilio.twiml.voice_response import VoiceResponse

import services
from flows.opening import opening_hours
from ivr import bp
from ivr.speech import gather, say
from twilio_webhooks import twiml_response

MAX_TRIES = 2


def _menu(node: str, tries: int, prefix: str | None = None) -> VoiceResponse:
    svc = services.current()
    response = VoiceResponse()
    if prefix:
        say(response, prefix)
    g = gather(response, url_for("ivr.menu_choice", node=node, tries=tries), hints=["opening hours", "adviser"])
    say(g, "Press 1 to hear our opening hours. Press 0 to speak to someone. Press star to hear this again.")
    if tries >= MAX_TRIES:
        say(response, svc.copy.say("greeting.goodbye"))
        response.hangup()
    else:
        response.redirect(url_for("ivr.menu", node=node, tries=tries + 1), method="POST")
    return response


@bp.post("/menu")
def menu():
    """Read a menu; with no answer, ask again (twice), then say goodbye."""
    tries = request.args.get("tries", 0, type=int)
    return twiml_response(_menu(request.args.get("node", "main"), tries))


@bp.post("/menu-choice")
def menu_choice():
    """The caller pressed a key or spoke in a menu."""
    svc = services.current()
    node = request.args.get("node", "main")
    digits = request.form.get("Digits", "")[:1]
    speech = request.form.get("SpeechResult", "").lower()
    response = VoiceResponse()
    if digits == "1" or "hours" in speech:
        say(response, opening_hours(svc.calendar, svc.copy, spoken=True))
        response.redirect(url_for("ivr.menu", node=node), method="POST")
    elif digits == "0" or "adviser" in speech:
        response.redirect(url_for("ivr.connect"), method="POST")
    elif digits == "*":
        response.redirect(url_for("ivr.menu", node=node), method="POST")
    else:
        return twiml_response(_menu(node, 0, prefix="Sorry, that is not one of the options."))
    return twiml_response(response)
