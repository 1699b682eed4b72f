"""Building blocks for TwiML: Say in the configured voice, Gather with fallbacks."""

from __future__ import annotations

from twilio.twiml.voice_response import Gather, VoiceResponse

import services


def say(target, text: str) -> None:
    """Speak text in the configured British English voice."""
    settings = services.current().settings
    target.say(text, voice=settings.voice, language=settings.voice_language)


def gather(response: VoiceResponse, action: str, *, num_digits: int | None = 1, hints: list[str] | None = None,
           timeout: int = 6, speech: bool = True, finish_on_key: str | None = None) -> Gather:
    """A keypad (and speech) Gather posting to `action`; the caller adds what it says."""
    settings = services.current().settings
    kwargs = dict(action=action, method="POST", timeout=timeout, action_on_empty_result=False)
    if num_digits:
        kwargs["num_digits"] = num_digits
    if finish_on_key is not None:
        kwargs["finish_on_key"] = finish_on_key
    if speech:
        kwargs.update(input="dtmf speech", language=settings.voice_language, speech_timeout="auto")
        if hints:
            kwargs["hints"] = ", ".join(hints)
    else:
        kwargs["input"] = "dtmf"
    return response.gather(**kwargs)
