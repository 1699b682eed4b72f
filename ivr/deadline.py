"""The deadline calculator by phone: the voice adapter of flows/conversations/deadline.py.

    POST /ivr/deadline                  deadline_start: the intro, then which deadline
    POST /ivr/deadline/ask/<step>       deadline_ask: one question (again after a risk message, or
                                        when a URL names it)
    POST /ivr/deadline/answer/<step>    deadline_answer: the key pressed or words said, or nothing
                                        (the Gather's fallback: the No Response path)

The questions, their order, their options (the kinds list the texts number too) and what each
answer means are the conversation's, the same as by text; this module only renders a prompt
(ivr/conversation.py: a choice as "For X, press 1" with its words as speech hints, and 9 for the
main menu; a date as 8 keys then #, or words; yes or no as 1 or 2) and reads Digits or
SpeechResult back. Every date is read back with its weekday and year and confirmed.
Answers it still cannot read after asking again lead to an adviser's call back (0) or the main
menu (9); silence all along ends the call politely. The result
is spoken slowly, key fact first, a pause between its sentences; then: 1 hear it again, 2 get it
by text (one text per call and result, to a UK mobile only), 3 ask an adviser to call back (the
callback conversation, on the topic, with the deadline, which makes it urgent when close),
4 reminder texts (a date still ahead for the parent), 9 the main menu. Texts and reminders are
effects carried out by the one runner (effect_runner.py).

The conversation's state travels in the query string (kind, opt, sent, sok, cert, cok, school,
quick, told, tries); the calling line is read from each request, never put in a URL. A value
that cannot be read (a damaged or hand-made URL) counts as not answered, so that question is
asked. Too many answers not understood or not heard: how else to work it out, then goodbye.
"""

from __future__ import annotations

from flask import request, url_for
from twilio.twiml.voice_response import VoiceResponse

from flows.conversations import CONVERSATIONS, engine
from flows.conversations.deadline import STATE_KEYS, STEPS
from flows.phone import normalise_uk_number
from ivr.blueprint import bp
from ivr.conversation import answer, ask, context, run_effects, say_all
from twilio_webhooks import twiml_response

CONVERSATION = CONVERSATIONS["deadline"]
QUERY_KEYS = (*STATE_KEYS, "tries")
MAX_VALUE_CHARS = 40


def _state() -> dict:
    """The engine's state from the query string (known keys only, each cut to size), and the caller."""
    state = {k: request.args[k][:MAX_VALUE_CHARS] for k in QUERY_KEYS if request.args.get(k)}
    return {**state, "channel": "voice", "own": normalise_uk_number(request.form.get("From", "")) or ""}


def _query(state: dict) -> dict:
    """The state to carry in the next URL."""
    return {k: str(state[k]) for k in QUERY_KEYS if state.get(k)}


@bp.post("/deadline")
def deadline_start():
    """The menu chose the deadline calculator: explain, then ask which deadline."""
    turn = engine.start(CONVERSATION, context(), {"channel": "voice", "own": request.form.get("From", "")})
    return _render(turn)


@bp.post("/deadline/ask/<step>")
def deadline_ask(step: str):
    """Ask one question (or, if the URL's state does not fit it, the first question not answered)."""
    if step not in STEPS:
        return _start_again()
    ctx, state = context(), _state()
    prompt = CONVERSATION.prompt(ctx, state, step)
    if prompt is None or CONVERSATION.next_step(ctx, state) != step:
        return _render(engine.advance(CONVERSATION, ctx, state, [], []))
    return _render(engine.Turn([], prompt, {**state, "step": step}))


@bp.post("/deadline/answer/<step>")
def deadline_answer(step: str):
    """The caller pressed a key, spoke, or said nothing: the next question, or the end."""
    if step not in STEPS:
        return _start_again()
    given = answer()
    return _render(engine.resume(CONVERSATION, context(), _state(), given, step=step), heard=not given.silent)


# The calculator's URLs before it moved onto the conversation engine: a call that was part-way
# through during a deploy starts the calculator again rather than hearing an application error.
LEGACY_STEPS = ("date", "readback", "confirm", "school", "school-choice", "result", "option")


@bp.post("/deadline/<legacy>")
def deadline_legacy(legacy: str):
    """An old or unknown step: start the calculator again (never a 404 to a caller)."""
    return _start_again()


def _start_again() -> str:
    response = VoiceResponse()
    response.redirect(url_for("ivr.deadline_start"), method="POST")
    return twiml_response(response)


def _render(turn: engine.Turn, *, heard: bool = False) -> str:
    """What was said, what the effects say, then the next question or the end."""
    response = VoiceResponse()
    if turn.gave_up and heard:
        # The caller is there, but we could not read their answers: not goodbye, an adviser instead
        # (0 asks for a call back on the topic, 9 the main menu; silence, the menu).
        say_all(response, [engine.Say("deadline_chat.not_worked_out")])
        topic = CONVERSATION.callback_facts(context(), turn.state)["topic"]
        response.redirect(url_for("ivr.no_adviser", topic=topic), method="POST")
        return twiml_response(response)
    say_all(response, turn.said)
    if turn.effects:
        say_all(response, run_effects(turn.effects))
    if turn.prompt is not None:
        ask(response, turn.prompt, url_for("ivr.deadline_answer", step=turn.prompt.step, **_query(turn.state)))
        return twiml_response(response)
    end = turn.state.get("end")
    if turn.gave_up:
        response.hangup()
    elif end == "callback":
        facts = CONVERSATION.callback_facts(context(), turn.state)
        response.redirect(url_for("ivr.callback_start", **{k: v for k, v in facts.items() if v}), method="POST")
    else:  # "menu" (or a conversation that ended another way): the main menu
        response.redirect(url_for("ivr.menu", node="main"), method="POST")
    return twiml_response(response)
