"""Every caller's words, at every prompt, checked for risk first: the emergency numbers, then carry on.

check_speech() runs before every voice view (registered in ivr/__init__.py). When a caller's
SpeechResult suggests someone is at risk (flows/safety.py), the caller hears the message for that
kind of risk (999 first, then the national service that fits, then "press 0 for an urgent call
back"), a safety concern is raised for advisers, and the call carries on where it was: the same
question is asked again (RESUME says where each answer's question lives). A callback request
being made goes on marked urgent.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for
from twilio.twiml.voice_response import VoiceResponse

import services
from clock import now
from flows import safety
from ivr.blueprint import bp
from ivr.speech import gather, say
from store import safety as concerns
from twilio_webhooks import twiml_response

# The view that takes an answer -> the view that asks its question (same query string).
RESUME = {
    "ivr.menu_choice": "ivr.menu",
    "ivr.callback_answer": "ivr.callback_ask",
    "ivr.deadline_answer": "ivr.deadline_ask",
    "ivr.no_adviser_choice": "ivr.no_adviser",
}
DROPPED = ("tries", "bad")  # a fresh question, not a retry


def check_speech():
    """Before any voice view: risk words in the caller's speech get the emergency message first."""
    speech = request.form.get("SpeechResult", "")
    if not speech or request.endpoint == "ivr.urgent_choice":
        return None
    concern = safety.assess(speech)
    if concern is None:
        return None
    svc = services.current()
    concerns.report(svc, phone=request.form.get("From", ""), channel="voice", category=concern.category,
                         label=concern.label, words=speech, at=now(),
                         source_sid=request.form.get("CallSid", "") + ":" + request.path)
    back = resume_url()
    response = VoiceResponse()
    topic = request.args.get("topic") or request.args.get("node") or "main"
    g = gather(response, url_for("ivr.urgent_choice", back=back, topic=topic), speech=False)
    say(g, safety.message_for(concern.category).say)
    say(g, svc.copy.say("ivr.urgent_carry_on"))
    response.redirect(back, method="POST")
    return twiml_response(response)


def resume_url() -> str:
    """Where the call carries on after the emergency message: the question that was being answered."""
    args = {k: v for k, v in request.args.items() if k not in DROPPED}
    target = RESUME.get(request.endpoint or "")
    if target is None:
        return url_for("ivr.menu", node="main")
    if target == "ivr.callback_ask":
        args["urgent"] = "1"
    return url_for(target, **{**args, **(request.view_args or {})})  # the path's own step wins over a query's


@bp.post("/urgent-choice")
def urgent_choice():
    """After the emergency numbers: 0 asks for an urgent call back; anything else carries on."""
    back = request.args.get("back", "")
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or not parts.path.startswith(url_for("ivr.menu").rsplit("/", 1)[0] + "/"):
        back = url_for("ivr.menu", node="main")
    response = VoiceResponse()
    if request.form.get("Digits", "")[:1] == "0":
        if "/callback/" in parts.path:  # already asking for a call back: it goes on, marked urgent
            response.redirect(back, method="POST")
        else:
            from ivr.menus import person_or_callback

            response.redirect(person_or_callback(request.args.get("topic") or "main", urgent=1), method="POST")
    else:
        response.redirect(back, method="POST")
    return twiml_response(response)
