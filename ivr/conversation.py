"""The voice adapter for flows/conversations, shared by the deadline calculator (ivr/deadline.py)
and the callback request (ivr/callback.py): a prompt as <Gather> or <Record>, what is said as
<Say>, what came back (Digits, SpeechResult, RecordingUrl) as an engine.Answer, and effects
carried out by the one runner.

    context()                       the engine's Context for this request (guidance, calendar, now)
    ask(response, prompt, action)   the question in a Gather posting to `action` (a choice or yes/no:
                                    one key or words, with the options' words as speech hints; a date:
                                    8 keys then #, or words; a number to ring: keys then #), then a
                                    Redirect to the same `action` with nothing, which is the prompt's
                                    No Response path. A recording (`transcribe_callback` given): the
                                    question, then <Record> posting to `action`, 120 seconds, # to
                                    finish, transcribed by Twilio
    say_all(response, said)         messages (engine.Say), ready words, and messages a conversation
                                    made (engine.Made: a worked-out deadline, its sentences with a
                                    pause between them and after)
    answer()                        this request's Answer
    run_effects(effects)            the effects carried out for this call (effect_runner.py); what to
                                    say about them (with Redis away: "try again", never a 500)
    common()                        values any message may use: the helpline and textphone numbers,
                                    read digit by digit
"""

from __future__ import annotations

import logging

from flask import request
from redis import RedisError
from twilio.twiml.voice_response import VoiceResponse

import services
from clock import now
from effect_runner import Origin, run
from flows.conversations import engine, render
from flows.guidance import load_guidance
from flows.phone import spoken_digits
from ivr.speech import gather, say

log = logging.getLogger("helpline.ivr")

DATE_TIMEOUT_SECONDS = 10  # keying 8 digits takes longer than one
DATE_HINTS = ["today", "yesterday", "none", "no"]
RECORD_SECONDS = 120
MAX_SPEECH_CHARS = 500
MAX_DIGITS = 40


def context() -> engine.Context:
    return engine.Context(load_guidance(), services.current().calendar, now())


def common() -> dict:
    settings = services.current().settings
    return {"helpline": spoken_digits(settings.helpline_number), "textphone": spoken_digits(settings.textphone_number)}


def answer() -> engine.Answer:
    form = request.form
    return engine.Answer(text=form.get("SpeechResult", "")[:MAX_SPEECH_CHARS], digits=form.get("Digits", "")[:MAX_DIGITS],
                         recording=form.get("RecordingUrl", "").strip())


def say_all(response: VoiceResponse, said) -> None:
    copy = services.current().copy
    values = common()
    for item in said:
        parts = render.parts(copy, item, spoken=True, common=values)
        made = not isinstance(item, (str, engine.Say))
        for i, part in enumerate(parts):
            if made and i:
                response.pause(length=1)
            say(response, part)
        if made:
            response.pause(length=1)


def ask(response: VoiceResponse, prompt: engine.Prompt, action: str, *, transcribe_callback: str | None = None) -> None:
    """One question, then the No Response path (the same action, with nothing)."""
    copy = services.current().copy
    if prompt.kind == engine.RECORDING:
        say(response, render.speech(copy, prompt, common()))
        response.record(action=action, method="POST", max_length=RECORD_SECONDS, finish_on_key="#", timeout=5,
                        play_beep=True, trim="trim-silence", transcribe=bool(transcribe_callback),
                        transcribe_callback=transcribe_callback)
        response.redirect(action, method="POST")  # silence: Twilio skips the action and goes on here
        return
    if prompt.kind == engine.DATE:
        g = gather(response, action, num_digits=None, finish_on_key="#", timeout=DATE_TIMEOUT_SECONDS,
                   hints=DATE_HINTS)
    elif prompt.kind == engine.PHONE and not prompt.default:  # a number keyed in full
        g = gather(response, action, num_digits=None, speech=False, timeout=DATE_TIMEOUT_SECONDS, finish_on_key="#")
    else:
        g = gather(response, action, hints=render.hints(prompt))
    say(g, render.speech(copy, prompt, common()))
    response.redirect(action, method="POST")  # nothing pressed or said


def run_effects(effects) -> list:
    """Carry out a conversation's effects for this call; what to say about them."""
    svc = services.current()
    form = request.form
    origin = Origin(phone=form.get("From", "").strip() or "withheld", now=now(), channel="voice",
                    message_sid=form.get("CallSid", ""))
    try:
        return run(svc, origin, effects)
    except RedisError as error:
        log.error("conversation by phone: Redis unavailable for %s", type(error).__name__)
        return [svc.copy.say("greeting.trouble")]
