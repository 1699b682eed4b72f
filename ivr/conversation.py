"""The voice adapter's pieces for flows/conversations: a prompt as <Gather>, what is said as <Say>,
and what came back (Digits, SpeechResult) as an engine.Answer.

    ask(response, prompt, action)   the question in a Gather posting to `action` (a choice or yes/no:
                                    one key or words, with the options' words as speech hints; a date:
                                    8 keys then #, or words), then a Redirect to the same `action`
                                    with nothing, which is the prompt's No Response path
    say_all(response, said)         messages (engine.Say), ready words, and messages a conversation
                                    made (engine.Made: a worked-out deadline, its sentences with a
                                    pause between them and after)
    answer()                        this request's Answer
    common()                        values any message may use: the helpline and textphone numbers,
                                    read digit by digit

Used by ivr/deadline.py (the deadline calculator). ivr/callback.py renders the callback
conversation with its own versions of these (and <Record> for the voice message).
"""

from __future__ import annotations

from flask import request
from twilio.twiml.voice_response import VoiceResponse

import services
from flows.conversations import engine, render
from flows.phone import spoken_digits
from ivr.speech import gather, say

DATE_TIMEOUT_SECONDS = 10  # keying 8 digits takes longer than one
DATE_HINTS = ["today", "yesterday", "none", "no"]
MAX_SPEECH_CHARS = 500
MAX_DIGITS = 40


def common() -> dict:
    settings = services.current().settings
    return {"helpline": spoken_digits(settings.helpline_number), "textphone": spoken_digits(settings.textphone_number)}


def answer() -> engine.Answer:
    form = request.form
    return engine.Answer(text=form.get("SpeechResult", "")[:MAX_SPEECH_CHARS], digits=form.get("Digits", "")[:MAX_DIGITS])


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


def ask(response: VoiceResponse, prompt: engine.Prompt, action: str) -> None:
    """One question: a Gather, then the No Response path (the same action, with nothing)."""
    copy = services.current().copy
    if prompt.kind == engine.DATE:
        g = gather(response, action, num_digits=None, finish_on_key="#", timeout=DATE_TIMEOUT_SECONDS,
                   hints=DATE_HINTS)
    else:
        g = gather(response, action, hints=render.hints(prompt))
    say(g, render.speech(copy, prompt, common()))
    response.redirect(action, method="POST")  # nothing pressed or said
