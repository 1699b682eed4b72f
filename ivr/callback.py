"""Callback requests by phone, and the bridging call that connects an adviser to a parent.

    POST /ivr/callback?topic=appeal[&urgent=1]     callback_start: from the main menu, from 0 out of
                                                   hours, and after any guidance
    POST /ivr/callback/ask/<step>                  callback_ask: one question (say + Gather/Record)
    POST /ivr/callback/answer/<step>               callback_answer: the key pressed or words said
    POST /ivr/callback/save                        callback_save: store the request, say when we call
    POST /ivr/callback/done                        callback_done: 9 main menu, otherwise goodbye
    POST /ivr/callback/transcription               callback_transcription: Twilio's text of the voice
                                                   message (transcribeCallback), kept with the request
    POST /ivr/bridge?request=<id>                  callback_bridge: the adviser answered our call;
                                                   dial the parent showing the helpline number

Steps: number (read back digit by digit: 1 right, 2 another) or withheld (1 key a number, or text
us) -> key (a UK number, then #) -> topic (1 keeps the route they were in) -> voicemail (1 yes,
2 no) -> text (only for a UK mobile) -> message (<Record>, 120 seconds, # to finish) -> save.
Everything so far travels in the query string (topic, urgent, phone, vm, txt); nothing is
written to Redis until the save, which is exactly once per CallSid. With Redis away the save
goes to the local spool (store/spool.py) and the caller still hears "we have your request"; more
than CALLBACK_ASKS_PER_DAY requests from one caller in a day are refused. Every Gather has a no-input
path (asked again, then a sensible default or goodbye) and a not-understood path.
"""

from __future__ import annotations

import logging

from flask import abort, request, url_for
from redis import RedisError
from twilio.twiml.voice_response import VoiceResponse

import services
from clock import now
from flows import callbacks as rules
from flows import reports
from flows.guidance import load_guidance
from flows.sending_rules import is_uk_mobile, mask, normalise_uk_number
from flows.wording import spoken_date
from ivr import bp
from ivr.speech import gather, say
from store import events
from twilio_webhooks import twiml_response

log = logging.getLogger("helpline.ivr")

STATE = ("topic", "urgent", "phone", "vm", "txt")
WITHHELD = {"", "anonymous", "+266696687", "unknown", "restricted", "private"}
MAX_TRIES = 2
RECORD_SECONDS = 120
TOPIC_KEYS = {"2": "school", "3": "council", "4": "disagree", "5": rules.DEFAULT_TOPIC}
TOPIC_WORDS = {"school": "school", "college": "school", "plan": "council", "council": "council", "ehc": "council",
               "appeal": "disagree", "disagree": "disagree", "tribunal": "disagree", "mediation": "disagree",
               "something else": rules.DEFAULT_TOPIC, "other": rules.DEFAULT_TOPIC, "general": rules.DEFAULT_TOPIC}
# A missing answer to these is not worth losing the request over: move on with the default.
SKIPPABLE = {"topic": "voicemail", "voicemail": "text", "text": "message"}


def _state(**changes) -> dict:
    """The answers so far, from the query string, with changes (None removes)."""
    state = {k: request.args[k] for k in STATE if request.args.get(k)}
    for key, value in changes.items():
        if value is None:
            state.pop(key, None)
        else:
            state[key] = value
    return state


def _ask_url(step: str, **changes) -> str:
    return url_for("ivr.callback_ask", step=step, **_state(**changes))


def _redirect(url: str) -> str:
    response = VoiceResponse()
    response.redirect(url, method="POST")
    return twiml_response(response)


def _after(step: str, state_phone: str | None) -> str:
    """The step after `step`; the text question only for a UK mobile."""
    order = ["topic", "voicemail", "text", "message"]
    following = order[order.index(step) + 1] if step in order else "topic"
    if following == "text" and not is_uk_mobile(state_phone):
        following = "message"
    return following


def _choice() -> tuple[str, str]:
    return request.form.get("Digits", "").strip(), request.form.get("SpeechResult", "").strip().lower()


@bp.post("/callback")
def callback_start():
    """Begin a callback request: check the caller's number, or ask for one if it is hidden."""
    svc = services.current()
    caller = request.form.get("From", "").strip()
    number = None if caller.lower() in WITHHELD else normalise_uk_number(caller)
    topic = request.args.get("topic") or rules.DEFAULT_TOPIC
    response = VoiceResponse()
    say(response, svc.copy.say("callbacks.intro"))
    state = {"topic": topic, **({"urgent": "1"} if request.args.get("urgent") else {})}
    if number:
        response.redirect(url_for("ivr.callback_ask", step="number", phone=number, **state), method="POST")
    else:
        response.redirect(url_for("ivr.callback_ask", step="withheld", **state), method="POST")
    return twiml_response(response)


@bp.post("/callback/ask/<step>")
def callback_ask(step: str):
    """Ask one question; with no answer, ask again, then move on (or say goodbye)."""
    svc = services.current()
    tries = request.args.get("tries", 0, type=int)
    response = VoiceResponse()
    if request.args.get("bad"):
        say(response, svc.copy.say("callbacks.not_understood"))
    elif tries:
        say(response, svc.copy.say("callbacks.no_answer"))
    phone = request.args.get("phone")
    if step == "message":
        say(response, svc.copy.say("callbacks.ask_message"))
        save = url_for("ivr.callback_save", **_state())
        response.record(action=save, method="POST", max_length=RECORD_SECONDS, finish_on_key="#", timeout=5,
                        play_beep=True, trim="trim-silence", transcribe=True,
                        transcribe_callback=url_for("ivr.callback_transcription"))
        response.redirect(save, method="POST")  # silence: Twilio skips the action and goes on here
        return twiml_response(response)
    prompts = {
        "number": lambda: svc.copy.say("callbacks.confirm_number", digits=rules.spoken_digits(phone or "")),
        "withheld": lambda: svc.copy.say("callbacks.withheld", textphone=_digits(svc.settings.textphone_number)),
        "key": lambda: svc.copy.say("callbacks.key_number"),
        "topic": lambda: svc.copy.say("callbacks.ask_topic", topic=rules.topic_phrase(
            load_guidance(), request.args.get("topic") or rules.DEFAULT_TOPIC)),
        "voicemail": lambda: svc.copy.say("callbacks.ask_voicemail"),
        "text": lambda: svc.copy.say("callbacks.ask_text"),
    }
    if step not in prompts or (step == "number" and not phone):
        abort(404)
    keyed = step == "key"
    g = gather(response, url_for("ivr.callback_answer", step=step, **_state()), num_digits=None if keyed else 1,
               speech=not keyed, timeout=10 if keyed else 6, finish_on_key="#" if keyed else None,
               hints=None if keyed else ["yes", "no", "school", "plan", "appeal", "something else"])
    say(g, prompts[step]())
    if tries < MAX_TRIES:
        response.redirect(url_for("ivr.callback_ask", step=step, tries=tries + 1, **_state()), method="POST")
    elif step in SKIPPABLE:
        response.redirect(_ask_url(_after(step, phone)), method="POST")
    else:
        say(response, svc.copy.say("callbacks.too_many_tries", textphone=_digits(svc.settings.textphone_number)))
        response.redirect(url_for("ivr.menu", node="main"), method="POST")
    return twiml_response(response)


@bp.post("/callback/answer/<step>")
def callback_answer(step: str):
    """The caller pressed a key or spoke: go on, or ask again saying we did not understand."""
    svc = services.current()
    digits, speech = _choice()
    yes = digits == "1" or rules.yes_or_no(speech) is True
    no = digits == "2" or rules.yes_or_no(speech) is False
    phone = request.args.get("phone")
    if step == "number":
        if yes:
            return _redirect(_ask_url("topic"))
        if no:
            return _redirect(_ask_url("key", phone=None))
    elif step == "withheld":
        if yes or "number" in speech:
            return _redirect(_ask_url("key"))
        if no or "text" in speech:
            response = VoiceResponse()
            say(response, svc.copy.say("callbacks.text_instead", textphone=_digits(svc.settings.textphone_number),
                                       digits=_digits(svc.settings.textphone_number)))
            response.redirect(url_for("ivr.callback_done"), method="POST")
            return twiml_response(response)
    elif step == "key":
        number = normalise_uk_number(digits.rstrip("#"))
        if number:
            return _redirect(_ask_url("topic", phone=number))
        response = VoiceResponse()
        say(response, svc.copy.say("callbacks.bad_number"))
        response.redirect(url_for("ivr.callback_ask", step="key", **_state()), method="POST")
        return twiml_response(response)
    elif step == "topic":
        topic = _topic_from(digits, speech)
        if topic:
            next_step = _after("topic", phone)
            return _redirect(_ask_url(next_step, topic=topic))
    elif step in ("voicemail", "text"):
        if yes or no:
            field = "vm" if step == "voicemail" else "txt"
            return _redirect(_ask_url(_after(step, phone), **{field: "1" if yes else "0"}))
    else:
        abort(404)
    return _redirect(url_for("ivr.callback_ask", step=step, bad=1, **_state()))


def _topic_from(digits: str, speech: str) -> str | None:
    if digits == "1" or "keep" in speech or rules.yes_or_no(speech) is True:
        return request.args.get("topic") or rules.DEFAULT_TOPIC
    if digits in TOPIC_KEYS:
        return TOPIC_KEYS[digits]
    return next((topic for word, topic in TOPIC_WORDS.items() if word in speech), None) if speech else None


@bp.post("/callback/save")
def callback_save():
    """Store the request (once per call), then say the day we will call and the number we call from."""
    svc = services.current()
    from store import callbacks as store

    phone = request.args.get("phone")
    if not normalise_uk_number(phone or ""):
        return _redirect(url_for("ivr.callback_ask", step="key", **_state()))
    flag = {"1": True, "0": False}
    caller = request.form.get("From", "").strip()
    wants_text = request.args.get("txt") == "1"
    result = store.save_or_spool(
        svc.connections.redis, svc.settings, svc.calendar, phone=phone,
        topic=request.args.get("topic") or rules.DEFAULT_TOPIC, channel="voice",
        source_sid=request.form.get("CallSid", ""), now=now(), urgent=bool(request.args.get("urgent")),
        voicemail_ok=flag.get(request.args.get("vm", "")), text_ok=flag.get(request.args.get("txt", "")),
        voice_message_url=request.form.get("RecordingUrl") or None,
        requester=caller or "withheld", confirm=wants_text)  # the calling line, never the number keyed in
    log.info("callback %s by phone from %s (%s)", result.id or "-", mask(phone), result.in_words())
    if result.created or result.merged or result.spooled:  # for the reports; no Redis now
        events.note(svc, now(), reports.callback_asked("call", again=result.merged))
    if (result.created or result.merged) and wants_text and not result.spooled:
        _queue_confirmation(svc, result.id)
    response = VoiceResponse()
    if result.limited:
        say(response, svc.copy.say("callbacks.limited"))
    elif result.merged:
        say(response, svc.copy.say("callbacks.updated"))
    if result.expected_on is None:
        if not result.limited:
            say(response, svc.copy.say("callbacks.confirmed_unknown_day"))
    else:
        start, end = rules.window_words(svc.calendar, "any")
        say(response, svc.copy.say("callbacks.confirmed", day=spoken_date(result.expected_on), start=start, end=end,
                                   helpline=_digits(svc.settings.helpline_number)))
    if request.args.get("urgent") and (result.created or result.merged or result.spooled):
        say(response, svc.copy.say("ivr.urgent_flagged"))  # as the text channel says it
    g = gather(response, url_for("ivr.callback_done"), hints=["menu", "goodbye"])
    say(g, svc.copy.say("callbacks.after_request"))
    response.redirect(url_for("ivr.callback_done"), method="POST")
    return twiml_response(response)


@bp.post("/callback/done")
def callback_done():
    """9 (or 'menu') goes back to the main menu; anything else, or nothing, says goodbye."""
    svc = services.current()
    digits, speech = _choice()
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


def _queue_confirmation(svc, request_id: str) -> None:
    """The confirmation text goes through an rq job (sent once, in the daytime window)."""
    from workers.callback_jobs import queue_confirmation

    try:
        queue_confirmation(svc, request_id)
    except RedisError as error:  # the request is saved and the caller hears the day; only the text is lost
        log.error("callback %s saved but its confirmation text could not be queued: %s", request_id,
                  type(error).__name__)


def _digits(number: str) -> str:
    """A number as written ("01225 394382") read out digit by digit."""
    e164 = normalise_uk_number(number)
    return rules.spoken_digits(e164) if e164 else number
