"""Callback requests by phone: the voice adapter of flows/conversations/callback.py, and the
bridging call that connects an adviser to a parent.

    POST /ivr/callback?topic=appeal[&urgent=1]     callback_start: from the main menu, from 0 out of
                                                   hours, and after any guidance; &deadline=<ISO> from
                                                   the deadline calculator (urgent when close)
    POST /ivr/callback/ask/<step>                  callback_ask: one question (say + Gather, or Record)
    POST /ivr/callback/answer/<step>               callback_answer: the key pressed or words said, or
                                                   nothing (the Gather's fallback: the No Response path)
    POST /ivr/callback/save                        callback_save: the voice message (the Record's action),
                                                   then store the request and say the number and the day
    POST /ivr/callback/done                        callback_done: 9 main menu, otherwise goodbye
    POST /ivr/callback/transcription               callback_transcription: Twilio's text of the voice
                                                   message (transcribeCallback), kept with the request
    POST /ivr/bridge?request=<id>                  callback_bridge: the adviser answered our call;
                                                   dial the parent showing the helpline number

The questions, their order, their options and what each answer means are the conversation's
(the same as by text); the voice adapter shared with the deadline calculator (ivr/conversation.py)
renders each prompt (a choice as "For X, press 1" with its words as speech hints; a number keyed
then #; a date as 8 keys then #, or words; the message as <Record>, transcribed by Twilio) and
reads Digits, SpeechResult or RecordingUrl back into an Answer; this module carries the state
from URL to URL and says what was done. A caller with a live request hears it first and can keep, move
or cancel it. Everything so far travels in the query string (the engine's state: topic, urgent,
phone, vm, txt, ...); nothing is written to Redis until the save, which is exactly once per
CallSid (effect_runner.py). With Redis away the save goes to the local spool (store/spool.py)
and the caller still hears "we have your request"; more than CALLBACK_ASKS_PER_DAY requests from
one caller in a day are refused.
"""

from __future__ import annotations

import logging

from flask import request, url_for
from redis import RedisError
from twilio.twiml.voice_response import VoiceResponse

import services
from clock import now
from flows import callbacks as rules
from flows.conversations import CONVERSATIONS, engine
from flows.conversations.callback import STEPS, save_effect
from flows.phone import mask, normalise_uk_number
from ivr.blueprint import bp
from ivr.conversation import answer, ask, context, run_effects, say_all
from ivr.speech import gather, say
from twilio_webhooks import twiml_response

log = logging.getLogger("helpline.ivr")

CONVERSATION = CONVERSATIONS["callback"]
STATE_KEYS = ("own", "topic", "phone", "cand", "nonum", "wh", "tok", "date", "dok", "deadline", "time", "how", "lang",
              "needlang", "vm", "txt", "words", "msg", "wok", "urgent", "live", "lday", "lpart", "lok", "move",
              "tries")
MAX_VALUE_CHARS = 300


def _state() -> dict:
    """The engine's state from the query string (known keys only, each cut to size)."""
    state = {k: request.args[k][:MAX_VALUE_CHARS] for k in STATE_KEYS if request.args.get(k)}
    state["channel"] = "voice"
    return state


def _query(state: dict) -> dict:
    """The state to carry in the next URL."""
    return {k: str(state[k]) for k in STATE_KEYS if state.get(k)}


def _caller() -> str:
    caller = request.form.get("From", "").strip()
    return normalise_uk_number(caller) or ""  # "anonymous", "+266696687" and other withheld forms: ""


@bp.post("/callback")
def callback_start():
    """Begin a callback request: a live one first, else check the caller's number (or ask for one)."""
    own = _caller()
    live = None
    if own:
        from store import callbacks as store

        svc = services.current()
        try:
            live = store.live_for(svc.connections.redis, svc.settings, own)
        except RedisError:
            live = None
    facts = {"channel": "voice", "own": own, "route": request.args.get("topic") or "",
             "urgent": bool(request.args.get("urgent")), "live": live,
             "deadline": request.args.get("deadline", "")[:10]}  # from the deadline calculator
    turn = engine.start(CONVERSATION, context(), facts)
    response = VoiceResponse()
    say_all(response, turn.said)
    if turn.prompt is None:
        return _ended(response, turn)
    response.redirect(url_for("ivr.callback_ask", step=turn.prompt.step, **_query(turn.state)), method="POST")
    return twiml_response(response)


def _start_again() -> str:
    """A step that does not exist (an old or damaged URL): begin the request again, never a 404."""
    args = {k: request.args[k] for k in ("topic", "urgent") if request.args.get(k)}
    response = VoiceResponse()
    response.redirect(url_for("ivr.callback_start", **args), method="POST")
    return twiml_response(response)


@bp.post("/callback/ask/<step>")
def callback_ask(step: str):
    """Ask one question (again after a risk message, or when a URL names it)."""
    if step not in STEPS:
        return _start_again()
    state = _state()
    prompt = CONVERSATION.prompt(context(), state, step)
    if prompt is None:
        return _start_again()
    response = VoiceResponse()
    _ask(response, prompt, state)
    return twiml_response(response)


@bp.post("/callback/answer/<step>")
def callback_answer(step: str):
    """The caller pressed a key, spoke, or said nothing: the next question, or the end."""
    if step not in STEPS:
        return _start_again()
    turn = engine.resume(CONVERSATION, context(), _state(), answer(), step=step)
    response = VoiceResponse()
    say_all(response, turn.said)
    if turn.prompt is None:
        return _ended(response, turn)
    _ask(response, turn.prompt, turn.state)
    return twiml_response(response)


@bp.post("/callback/save")
def callback_save():
    """The voice message (or none): store the request (once per call), then say the number and the day."""
    state = _state()
    if not normalise_uk_number(state.get("phone") or ""):
        response = VoiceResponse()
        response.redirect(url_for("ivr.callback_ask", step="key", **_query(state)), method="POST")
        return twiml_response(response)
    ctx = context()
    message = answer()
    state, said, _ = CONVERSATION.take(ctx, state, "message", message.recording or engine.SKIPPED, message)
    return _ended(VoiceResponse(), engine.Turn(said, None, state, [save_effect(ctx, state)]))


def _ask(response: VoiceResponse, prompt: engine.Prompt, state: dict) -> None:
    """One question, its answer URL carrying the state; the voice message's goes to the save."""
    query = _query(state)
    if prompt.kind == engine.RECORDING:
        save = url_for("ivr.callback_save", **{k: v for k, v in query.items() if k != "tries"})
        ask(response, prompt, save, transcribe_callback=url_for("ivr.callback_transcription"))
    else:
        ask(response, prompt, url_for("ivr.callback_answer", step=prompt.step, **query))


def _ended(response: VoiceResponse, turn: engine.Turn) -> str:
    """The end: carry out the effects (save, cancel, move) and say what was done; or give up kindly."""
    svc = services.current()
    if turn.gave_up:
        response.redirect(url_for("ivr.menu", node="main"), method="POST")
        return twiml_response(response)
    if turn.effects:
        say_all(response, run_effects(turn.effects))
    if turn.state.get("end") == "text_instead":
        response.redirect(url_for("ivr.callback_done"), method="POST")
        return twiml_response(response)
    g = gather(response, url_for("ivr.callback_done"), hints=["menu", "goodbye"])
    say(g, svc.copy.say("callbacks.after_request"))
    response.redirect(url_for("ivr.callback_done"), method="POST")
    return twiml_response(response)


@bp.post("/callback/done")
def callback_done():
    """9 (or 'menu') goes back to the main menu; anything else, or nothing, says goodbye."""
    svc = services.current()
    digits = request.form.get("Digits", "").strip()
    speech = request.form.get("SpeechResult", "").strip().lower()
    response = VoiceResponse()
    if digits == "9" or "menu" in speech:
        response.redirect(url_for("ivr.menu", node="main"), method="POST")
    else:
        say(response, svc.copy.say("greeting.goodbye"))
        response.hangup()
    return twiml_response(response)


@bp.post("/callback/transcription")
def callback_transcription():
    """Twilio's transcription of a voice message: kept with the request, shown beside the audio."""
    svc = services.current()
    from store import callbacks as store

    form = request.form
    try:
        found = store.add_transcription(
            svc.connections.redis, svc.settings, form.get("CallSid", ""), recording_url=form.get("RecordingUrl", ""),
            status=form.get("TranscriptionStatus", ""), text=form.get("TranscriptionText", ""),
            transcription_sid=form.get("TranscriptionSid", ""), now=now())
    except RedisError:
        log.warning("transcription for call %s not kept: Redis unavailable", form.get("CallSid", "?")[-6:])
        return "", 503
    if found is None:
        log.info("transcription for call %s: no request holds that recording", form.get("CallSid", "?")[-6:])
    elif form.get("TranscriptionStatus") == "completed":
        _check_message_for_risk(svc, found, form.get("TranscriptionText", ""))
    return "", 204


def _check_message_for_risk(svc, request_id: str, text: str) -> None:
    """Risk words in a voice message: the request becomes urgent and advisers get a safety concern."""
    from flows import safety as rules
    from store import callbacks as store
    from store import safety as concerns

    concern = rules.assess(text)
    if concern is None:
        return
    record = store.get(svc.connections.redis, svc.settings, request_id) or {}
    if record.get("status") in ("open", "claimed") and not record.get("urgent"):
        store.mark_urgent(svc.connections.redis, svc.settings, request_id, now=now(),
                          why="the voice message suggests someone may be at risk")
    concerns.report(svc, phone=record.get("phone", ""), channel="voice", category=concern.category,
                    label=concern.label, words=text, at=now(), source_sid="transcription:" + request_id)


@bp.post("/bridge")
def callback_bridge():
    """The adviser answered our call: say who it is for, then dial the parent from the helpline number."""
    svc = services.current()
    from store import callbacks as store

    record = store.get(svc.connections.redis, svc.settings, request.args.get("request", ""))
    response = VoiceResponse()
    if record is None or record["status"] not in rules.LIVE:
        say(response, svc.copy.say("callbacks.bridge_missing"))
        response.hangup()
        return twiml_response(response)
    say(response, svc.copy.say("callbacks.bridge_intro", title=record["topic_title"]))
    dial = response.dial(caller_id=svc.settings.helpline_e164, timeout=svc.settings.dial_timeout_seconds)
    dial.number(record["phone"])
    log.info("bridging callback %s to %s", record["id"], mask(record["phone"]))
    return twiml_response(response)
