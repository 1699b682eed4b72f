"""Voice menus rendered from the guidance tree: keypad and speech, repeat, main menu, fallbacks.

State travels in the query string (node, tries, bad, brief), so a step needs no Redis. In every
menu: star repeats, 9 is the main menu, 0 is a person (in hours, when there is a number to put
the caller through to) or a callback request (otherwise). No answer: ask again twice, then a
kind goodbye.

After guidance, 8 ("text me this") starts the text conversation the SMS channel would have for
that page: the caller's mobile gets the page's first text, exactly as texting its keyword
would send it (with "Send MORE for part 2 of 3"), and their text conversation is left on that
page (store.conversations.open_at), so MORE and numbered replies carry on from it, with no
first-time welcome. The call goes on with a short "sent" and the page's options (brief=1), not
the whole guidance again.
"""

from __future__ import annotations

import logging

from flask import current_app, request, url_for
from twilio.twiml.voice_response import VoiceResponse

import services
from clock import now
from flows import reports
from flows.gsm7 import to_gsm7
from flows import matching
from flows.guidance import Node, load_guidance
from flows.opening import opening_hours, status_sentences
from flows.phone import is_uk_mobile, mask, normalise_uk_number
from ivr.blueprint import bp
from ivr.speech import gather, say
from store import events
from twilio_webhooks import twiml_response

log = logging.getLogger("helpline.ivr")
MAX_SILENCES = 2
MAX_WRONG = 3
TEXT_ME_KEY = "8"
SPOKEN_ACTIONS = ("action:hours", "action:person", "action:deadline", "action:callback")
SHORT_SPEECH_WORDS = 3  # "the council", "repeat that": menu words; longer is a sentence to read
SPOKEN_KEYS = {"repeat": "*", "again": "*", "main menu": "9", "start again": "9", "adviser": "0",
               "person": "0", "someone": "0", "call back": "0", "callback": "0", "call me": "0", "ring me": "0",
               "phone me": "0", "text me": TEXT_ME_KEY, "send it": TEXT_ME_KEY}


def menu_url(node: str, **params) -> str:
    """The URL that plays a node (menu or guidance)."""
    return url_for("ivr.menu", node=node, **params)


def _hours_sentence() -> str:
    svc = services.current()
    return opening_hours(svc.calendar, svc.copy, spoken=True)


def _node(node_id: str) -> Node:
    tree = load_guidance()
    return tree.node(node_id) if node_id in tree.nodes else tree.node(tree.root)


def render(node: Node, *, tries: int = 0, bad: int = 0, prefix: list[str] | None = None,
           brief: bool = False) -> VoiceResponse:
    """Play a node inside a Gather (so a key press interrupts), then the no-input path.

    brief: only what the caller can do next (after "we have texted you this"), not the guidance.
    """
    svc, tree = services.current(), load_guidance()
    response = VoiceResponse()
    for line in prefix or []:
        say(response, line)
    hints = tree.speech_hints(node.id) + list(SPOKEN_KEYS)
    g = gather(response, url_for("ivr.menu_choice", node=node.id, bad=bad), hints=hints)
    if not brief:
        parts = [p.format(hours=_hours_sentence()) for p in node.say_parts]
        for i, part in enumerate(parts):
            if i:
                g.pause(length=1)
            say(g, part)
    choices = tree.spoken_choices(node.id)
    if node.kind == "guidance" and (choices or not brief):
        say(g, svc.copy.say("menus.after_guidance"))
    if choices:
        say(g, choices)
    if node.kind == "guidance" and not brief:
        say(g, svc.copy.say("ivr.text_me_offer"))
    say(g, svc.copy.say("menus.reserved"))
    if tries >= MAX_SILENCES:
        say(response, svc.copy.say("menus.goodbye_no_input"))
        response.hangup()
    else:
        say(response, svc.copy.say(node.no_input))
        response.redirect(menu_url(node.id, tries=tries + 1, **({"brief": 1} if brief else {})),
                          method="POST")
    return response


@bp.post("/menu")
def menu():
    """Play a menu or a piece of guidance; with no answer, ask again (twice), then say goodbye."""
    node = _node(request.args.get("node", "main"))
    tries = max(0, min(request.args.get("tries", 0, type=int), MAX_SILENCES))
    brief = request.args.get("brief") == "1" and node.kind == "guidance"
    # The document depends only on these (the words and calendar are loaded at start-up), so each
    # is rendered once per process: the busiest voice step costs little more than a constant.
    cache = current_app.extensions.setdefault("ivr.menu_documents", {})
    key = (node.id, tries, brief, request.script_root)
    if key not in cache:
        cache[key] = str(render(node, tries=tries, brief=brief))
    return twiml_response(cache[key])


def _chosen_key(node: Node) -> str | None:
    """The key pressed, or the key the caller's words stand for."""
    digits = request.form.get("Digits", "").strip()
    if digits:
        return digits[:1]
    speech = " ".join(request.form.get("SpeechResult", "").lower().split())
    if not speech:
        return None
    tree = load_guidance()
    for option in tree.choices(node.id, "voice"):
        if any(phrase.lower() in speech for phrase in [option.say, *option.hints] if phrase):
            return option.key
    return next((key for phrase, key in SPOKEN_KEYS.items() if phrase in speech), "?")


def _spoken_route(tree) -> str | None:
    """Words that are no option here but point firmly at a route, read as a text would be
    ("my son has been excluded, what can I do"): the same free-text reading for both channels."""
    found = matching.match(request.form.get("SpeechResult", ""), tree)
    if found.kind not in ("keyword", "topic") or not found.target:
        return None
    return found.target if found.target in tree.nodes or found.target in SPOKEN_ACTIONS else None


@bp.post("/menu-choice")
def menu_choice():
    """The caller pressed a key or spoke in a menu or after guidance."""
    svc, tree = services.current(), load_guidance()
    node = _node(request.args.get("node", "main"))
    bad = request.args.get("bad", 0, type=int)
    said = request.form.get("SpeechResult", "").split()
    if not request.form.get("Digits") and len(said) > SHORT_SPEECH_WORDS:
        target = _spoken_route(tree)  # a sentence about a route beats a menu word inside it
        if target and target != node.id:
            return _go(target, node)
    key = _chosen_key(node)
    response = VoiceResponse()
    if key == "*":
        say(response, svc.copy.say("menus.repeat"))
        response.redirect(menu_url(node.id), method="POST")
    elif key == "9":
        response.redirect(menu_url(tree.root), method="POST")
    elif key == "0":
        response.redirect(person_or_callback(node.id), method="POST")
    elif key == TEXT_ME_KEY and node.kind == "guidance":
        return _text_me(node)
    elif key and tree.choice(node.id, key, "voice"):
        return _go(tree.choice(node.id, key, "voice").target, node)
    elif key == "?" and (target := _spoken_route(tree)) and target != node.id:
        return _go(target, node)
    else:
        if bad + 1 >= MAX_WRONG:
            return twiml_response(render(node, bad=0, prefix=[svc.copy.say("menus.too_many_tries")]))
        return twiml_response(render(node, bad=bad + 1, prefix=[svc.copy.say(node.fallback)]))
    return twiml_response(response)


def can_put_through(svc, at) -> bool:
    """A caller can be put through to an adviser now: the line is open AND there is a number to ring."""
    return bool(svc.settings.staff_forward_number) and svc.calendar.is_open(at)


def callback_topic(node_id: str | None) -> dict:
    """The topic a callback request should carry from where the caller was (none for the main menu)."""
    return {"topic": node_id} if node_id and node_id != load_guidance().root and node_id in load_guidance().nodes \
        else {}


def person_or_callback(topic: str, **params) -> str:
    """In hours (with someone to take it): put through, keeping the topic for a call back if no
    one answers. Otherwise: a callback request."""
    svc = services.current()
    if can_put_through(svc, now()):
        return url_for("ivr.connect", **callback_topic(topic), **params)
    return url_for("ivr.callback_start", topic=topic, **params)


def _go(target: str, came_from: Node):
    """Follow an option: another node, or one of the actions."""
    svc = services.current()
    response = VoiceResponse()
    if target == "action:hours":
        at = now()
        status = status_sentences(svc.calendar, svc.copy, at, spoken=True, put_through=can_put_through(svc, at))
        for sentence in [_hours_sentence(), *status]:
            say(response, sentence)
        response.redirect(menu_url(came_from.id), method="POST")
    elif target == "action:person":
        response.redirect(person_or_callback(came_from.id), method="POST")
    elif target in ("action:deadline", "action:callback"):
        endpoint = "ivr.deadline_start" if target == "action:deadline" else "ivr.callback_start"
        url = url_for(endpoint, topic=came_from.id)
        response.redirect(url, method="POST")
    else:
        tree = load_guidance()
        if target in tree.nodes and tree.node(target).kind == "guidance":
            events.note(svc, now(), reports.route(target))  # for the reports; no Redis now
        response.redirect(menu_url(target), method="POST")
    return twiml_response(response)


def _text_me(node: Node):
    """Start the caller's text conversation on this page: its first text, as the SMS channel
    sends it (a worker sends it), and their conversation left there for MORE and numbered replies."""
    from store import conversations
    from workers.outbound import queue_text

    svc, tree = services.current(), load_guidance()
    caller = normalise_uk_number(request.form.get("From", ""))
    response = VoiceResponse()
    if not caller or not is_uk_mobile(caller):
        say(response, svc.copy.say("ivr.text_me_not_mobile"))
        response.redirect(menu_url(node.id, brief=1), method="POST")
        return twiml_response(response)
    first = tree.sms_parts(node.id, hours=opening_hours(svc.calendar, svc.copy, spoken=False))[0]
    queue_text(svc, to=caller, body=to_gsm7(first), purpose=f"guidance:{node.id}", immediate=True,
               dedupe_key=f"text-me:{request.form.get('CallSid', '')}:{node.id}")
    conversations.open_at(svc.connections.redis, svc.settings, caller, node.id)
    log.info("guidance %s texted to %s; their text conversation is on it", node.id, mask(caller))
    say(response, svc.copy.say("ivr.text_me_sent"))
    response.redirect(menu_url(node.id, brief=1), method="POST")
    return twiml_response(response)
