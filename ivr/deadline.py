"""The deadline calculator by phone: which deadline, keypad (or spoken) dates, read back, the result.

The kinds offered, their keys and words come from flows/content/deadline_kinds.toml, the same
list the DEADLINE text conversation numbers, and the answer from
flows.deadline_kinds.calculate(), so phone and text give the same facts from the same answers.

    /ivr/deadline                   deadline_start: the intro, then which deadline
    /ivr/deadline/kind              deadline_kind: "For an appeal ..., press 1. ..." (9 main menu)
    /ivr/deadline/kind-choice       deadline_kind_choice: a key or words; a kind with options asks which
    /ivr/deadline/which             deadline_which: which option (e.g. which move)
    /ivr/deadline/which-choice      deadline_which_choice
    /ivr/deadline/ask               deadline_ask: ask for a date (stage "sent": the date the chosen
                                    kind counts from; "cert": an appeal's mediation certificate)
    /ivr/deadline/date              deadline_date: read what was keyed or said; read it back
    /ivr/deadline/readback          deadline_readback: "You gave ... press 1 / press 2"
    /ivr/deadline/confirm           deadline_confirm: 1 right, 2 enter again
    /ivr/deadline/school            deadline_school: appeals: only about the school named? 1 yes, 2 no
    /ivr/deadline/school-choice     deadline_school_choice
    /ivr/deadline/result            deadline_result: the result, slowly, then the options
    /ivr/deadline/option            deadline_option: 1 again, 2 by text, 3 callback, 9 menu

State travels in the query string (url_for params): topic, kind and opt (names from the kinds
list), stage, sent and cert (ISO dates; cert "none" for no certificate), school ("1"/"0"), day
(the date being confirmed) and tries (how many times a question has gone unanswered: asked
again twice, then goodbye). A damaged or hand-made URL starts the calculator again.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import request, url_for
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.routing import BuildError

import services
from clock import now
from flows import deadline_kinds, deadlines, reports
from flows.dateparse import DateProblem, parse_date, parse_keypad_date, plausible
from flows.sending_rules import is_uk_mobile, mask, normalise_uk_number
from flows.wording import spoken_date
from ivr import bp
from ivr.speech import gather, say
from store import events
from twilio_webhooks import twiml_response

log = logging.getLogger("helpline.ivr")

MAX_TRIES = 2  # a question is asked again twice when nothing is heard, then goodbye
DATE_TIMEOUT_SECONDS = 10  # keying 8 digits takes longer than one
STATE_KEYS = ("topic", "kind", "opt", "sent", "cert", "school")
MAIN_MENU_KEY = "9"
NO_CERT_SPEECH = ("no", "none", "don't", "do not", "haven't", "not")


def _words(key: str, **values: object) -> str:
    return services.current().copy.say(f"deadline_chat.{key}", **values)


def _state(**changes: object) -> dict:
    """The state in this request's query string, with changes (None removes a key)."""
    kept = {k: request.args[k] for k in STATE_KEYS if request.args.get(k)}
    kept.update(changes)
    return {k: v for k, v in kept.items() if v is not None}


def _tries() -> int:
    return request.args.get("tries", 0, type=int)


def _date_arg(name: str) -> dt.date | None:
    """An ISO date from the query string; None if missing, damaged or further off than a parent could key."""
    try:
        day = dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return day if plausible(day, now().date()) else None


def spoken_digits(number: str) -> str:
    """'07530 263401' -> '0 7 5 3 0, 2 6 3 4 0 1': a phone number read one digit at a time."""
    return ", ".join(" ".join(group) for group in number.split())


def _choice(yes_words: tuple[str, ...] = (), no_words: tuple[str, ...] = ()) -> str:
    """The key pressed, or '1' / '2' for a spoken yes / no."""
    digits = request.form.get("Digits", "").strip("#")
    if digits:
        return digits[:1] if len(digits) == 1 else digits
    speech = request.form.get("SpeechResult", "").lower()
    if any(w in speech for w in no_words):
        return "2"
    if any(w in speech for w in yes_words):
        return "1"
    return ""


def _no_answer(response: VoiceResponse, endpoint: str, **state: object) -> VoiceResponse:
    """After a Gather: ask again (up to twice), then say goodbye and how else to get the answer."""
    if _tries() >= MAX_TRIES:
        textphone = spoken_digits(services.current().settings.textphone_number)
        say(response, _words("ivr_goodbye", textphone=textphone))
        response.hangup()
    else:
        response.redirect(url_for(endpoint, **state, tries=_tries() + 1), method="POST")
    return response


def _redirect(endpoint: str, **params: object):
    response = VoiceResponse()
    response.redirect(url_for(endpoint, **params), method="POST")
    return twiml_response(response)


# ---------------------------------------------------------------------------------------------
# Dates: ask, read, read back, confirm


# ---------------------------------------------------------------------------------------------
# Which deadline (and which option), from the kinds list


def _kind() -> deadline_kinds.Kind | None:
    return deadline_kinds.by_name(request.args.get("kind"))


def _spoken_choice(items) -> str:
    """The key pressed, or the key of the first item whose hints or words were said."""
    digits = request.form.get("Digits", "").strip("#")
    if digits:
        return digits
    speech = request.form.get("SpeechResult", "").lower()
    if "menu" in speech:
        return MAIN_MENU_KEY
    for item in items:
        if any(h.lower() in speech for h in item.hints) or (speech and item.text.lower() in speech):
            return item.key
    return ""


def _menu_of(items, endpoint: str, again: str, prefix: str | None = None, intro: str = "choose_intro",
             **state: object) -> VoiceResponse:
    """A keypad-and-speech menu of kinds or options, then 9 for the main menu."""
    response = VoiceResponse()
    if prefix:
        say(response, prefix)
    hints = [h for item in items for h in item.hints] + ["main menu"]
    g = gather(response, url_for(endpoint, **state), hints=hints)
    say(g, _words(intro))
    for item in items:
        say(g, _words("ivr_kind_item", what=item.say, number=item.key))
    say(g, _words("ivr_main_menu_key"))
    return _no_answer(response, again, **state)


@bp.post("/deadline")
def deadline_start():
    """The menu chose the deadline calculator: explain, then ask which deadline."""
    response = VoiceResponse()
    say(response, _words("ivr_intro"))
    response.redirect(url_for("ivr.deadline_kind", **_state(kind=None, opt=None, sent=None, cert=None,
                                                              school=None)), method="POST")
    return twiml_response(response)


@bp.post("/deadline/kind")
def deadline_kind():
    """Which deadline? The kinds from content data, each with its key."""
    return twiml_response(_kinds_menu())


def _kinds_menu(prefix: str | None = None) -> VoiceResponse:
    return _menu_of(deadline_kinds.kinds(), "ivr.deadline_kind_choice", "ivr.deadline_kind", prefix, **_state())


@bp.post("/deadline/kind-choice")
def deadline_kind_choice():
    """A kind was chosen: ask which option, or the date it counts from; 9 main menu."""
    choice = _spoken_choice(deadline_kinds.kinds())
    if choice == MAIN_MENU_KEY:
        return _redirect("ivr.menu", node="main")
    kind = deadline_kinds.by_key(choice)
    if kind is None:
        return twiml_response(_kinds_menu(prefix=_words("ivr_invalid")))
    if kind.options:
        return _redirect("ivr.deadline_which", **_state(kind=kind.name, opt=None))
    return _redirect("ivr.deadline_ask", **_state(kind=kind.name, opt=None), stage="sent")


@bp.post("/deadline/which")
def deadline_which():
    """Which option of the chosen kind (which move)?"""
    return twiml_response(_which_menu())


def _which_menu(prefix: str | None = None) -> VoiceResponse:
    kind = _kind()
    if kind is None or not kind.options:  # a damaged URL: back to the kinds
        return _kinds_menu(prefix)
    return _menu_of(kind.options, "ivr.deadline_which_choice", "ivr.deadline_which", prefix,
                    intro="which_intro", **_state())


@bp.post("/deadline/which-choice")
def deadline_which_choice():
    """An option was chosen: ask the date; 9 main menu; anything else: sorry, and ask again."""
    kind = _kind()
    if kind is None or not kind.options:
        return twiml_response(_kinds_menu())
    choice = _spoken_choice(kind.options)
    if choice == MAIN_MENU_KEY:
        return _redirect("ivr.menu", node="main")
    option = kind.option(choice)
    if option is None:
        return twiml_response(_which_menu(prefix=_words("ivr_invalid")))
    return _redirect("ivr.deadline_ask", **_state(opt=option.name), stage="sent")


# ---------------------------------------------------------------------------------------------
# The date it counts from


def _ask(stage: str, prefix: str | None = None) -> VoiceResponse:
    kind = _kind()
    if kind is None:  # a damaged or hand-made URL: ask which deadline first
        return _kinds_menu(prefix)
    response = VoiceResponse()
    if prefix:
        say(response, prefix)
    g = gather(response, url_for("ivr.deadline_date", **_state(), stage=stage), num_digits=None,
               finish_on_key="#", timeout=DATE_TIMEOUT_SECONDS, hints=["today", "yesterday", "none"])
    say(g, _words("ivr_ask_certificate" if stage == "cert" else kind.question))
    return _no_answer(response, "ivr.deadline_ask", **_state(), stage=stage)


@bp.post("/deadline/ask")
def deadline_ask():
    """Ask for a date: the decision letter's, or the mediation certificate's."""
    return twiml_response(_ask(request.args.get("stage", "sent")))


@bp.post("/deadline/date")
def deadline_date():
    """The caller keyed or said a date: say what was wrong, or read it back to confirm."""
    stage = request.args.get("stage", "sent")
    kind = _kind()
    if kind is None:
        return twiml_response(_kinds_menu())
    digits = request.form.get("Digits", "").strip()
    speech = request.form.get("SpeechResult", "").strip()
    today = now().date()
    if stage == "cert" and (digits.strip("#") == "0" or (not digits and _says_none(speech))):
        return _redirect("ivr.deadline_school", **_state(cert="none"))
    past_only = stage == "cert" or kind.past_only
    found = parse_keypad_date(digits, today, past_only=past_only) if digits or not speech else \
        parse_date(speech, today, past_only=past_only)
    if isinstance(found, DateProblem):
        return twiml_response(_ask(stage, prefix=found.say()))
    return _redirect("ivr.deadline_readback", **_state(), stage=stage, day=found.date.isoformat())


def _says_none(speech: str) -> bool:
    speech = speech.lower()
    return any(w in speech.split() or w in speech for w in NO_CERT_SPEECH) and not any(c.isdigit() for c in speech)


@bp.post("/deadline/readback")
def deadline_readback():
    """Read the date back with its weekday: 1 if right, 2 to enter it again."""
    return twiml_response(_readback())


def _readback(prefix: str | None = None) -> VoiceResponse:
    stage, day = request.args.get("stage", "sent"), _date_arg("day")
    if day is None:  # a hand-made or damaged URL: ask for the date again
        return _ask(stage)
    response = VoiceResponse()
    if prefix:
        say(response, prefix)
    g = gather(response, url_for("ivr.deadline_confirm", **_state(), stage=stage, day=day.isoformat()),
               hints=["yes", "no", "right", "again"])
    say(g, _words("ivr_readback", date=spoken_date(day, year=True)))
    return _no_answer(response, "ivr.deadline_readback", **_state(), stage=stage, day=day.isoformat())


@bp.post("/deadline/confirm")
def deadline_confirm():
    """1: the date is right, go on; 2: enter it again; anything else: sorry, and ask again."""
    stage, day = request.args.get("stage", "sent"), request.args.get("day", "")
    if _date_arg("day") is None:  # a hand-made or damaged URL: ask for the date again
        return twiml_response(_ask(stage))
    choice = _choice(("yes", "right", "correct"), ("no", "again", "wrong"))
    if choice == "1" and stage == "cert":
        return _redirect("ivr.deadline_school", **_state(cert=day))
    if choice == "1" and request.args.get("kind") == "appeal":
        return _redirect("ivr.deadline_ask", **_state(sent=day), stage="cert")
    if choice == "1":
        return _redirect("ivr.deadline_result", **_state(sent=day))
    if choice == "2":
        return _redirect("ivr.deadline_ask", **_state(), stage=stage)
    return twiml_response(_readback(prefix=_words("ivr_invalid")))


# ---------------------------------------------------------------------------------------------
# Only about the school named?


@bp.post("/deadline/school")
def deadline_school():
    """Is the appeal only about the school named in the plan? 1 yes, 2 no."""
    return twiml_response(_school())


def _school(prefix: str | None = None) -> VoiceResponse:
    response = VoiceResponse()
    if prefix:
        say(response, prefix)
    g = gather(response, url_for("ivr.deadline_school_choice", **_state()), hints=["yes", "no"])
    say(g, _words("ivr_ask_school"))
    return _no_answer(response, "ivr.deadline_school", **_state())


@bp.post("/deadline/school-choice")
def deadline_school_choice():
    """The answer about the school: on to the result, or sorry and ask again."""
    choice = _choice(("yes",), ("no",))
    if choice in ("1", "2"):
        return _redirect("ivr.deadline_result", **_state(school="1" if choice == "1" else "0"))
    return twiml_response(_school(prefix=_words("ivr_invalid")))


# ---------------------------------------------------------------------------------------------
# The result and what next


def _result() -> deadlines.Result | None:
    """The answer for the state in the query string, or None if it is damaged or incomplete."""
    kind, sent = _kind(), _date_arg("sent")
    if kind is None or sent is None:
        return None
    today = now().date()
    if kind.name != "appeal":
        option = kind.option_named(request.args.get("opt"))
        if kind.options and option is None:
            return None
        return deadline_kinds.calculate(kind.name, sent, option=option and option.name, today=today)
    no_cert = request.args.get("cert", "none") == "none"
    cert = None if no_cert else _date_arg("cert")
    if (cert is None and not no_cert) or request.args.get("school") not in ("0", "1"):
        return None
    return deadline_kinds.calculate("appeal", sent, certificate=cert, school_only=request.args.get("school") == "1",
                                    today=today)


@bp.post("/deadline/result")
def deadline_result():
    """Speak the result slowly, key fact first (a pause between sentences); then 1 again, 2 text,
    3 callback, 9 menu."""
    result = _result()
    if result is None:  # a hand-made or damaged URL: start again
        return _redirect("ivr.deadline_start", **_state(kind=None, opt=None, sent=None, cert=None, school=None))
    response = VoiceResponse()
    if _tries() == 0 and not request.args.get("options_only"):
        events.note(services.current(), now(), reports.deadline(_kind().name))  # for the reports; no Redis now
        for i, part in enumerate(deadlines.spoken_of(result)):
            if i:
                response.pause(length=1)
            say(response, part)
        response.pause(length=1)
    return twiml_response(_options(response))


def _options(response: VoiceResponse, prefix: str | None = None) -> VoiceResponse:
    if prefix:
        say(response, prefix)
    g = gather(response, url_for("ivr.deadline_option", **_state()), hints=["again", "text", "call back", "menu"])
    say(g, _words("ivr_options"))
    return _no_answer(response, "ivr.deadline_result", **_state(), options_only=1)


@bp.post("/deadline/option")
def deadline_option():
    """After the result: 1 hear it again, 2 send it by text, 3 ask for a callback, 9 main menu."""
    choice = _choice()
    speech = request.form.get("SpeechResult", "").lower()
    if choice == "1" or "again" in speech:
        return _redirect("ivr.deadline_result", **_state())
    if choice == "2" or "text" in speech:
        response = VoiceResponse()
        say(response, _send_by_text())
        return twiml_response(_options(response))
    if choice == "3" or "call" in speech:
        return twiml_response(_to_callback())
    if choice == "9" or "menu" in speech:
        return _redirect("ivr.menu", node="main")
    return twiml_response(_options(VoiceResponse(), prefix=_words("ivr_invalid")))


def _send_by_text() -> str:
    """Queue the result as one text to the caller's UK mobile (once per call and deadline)."""
    from workers.outbound import queue_text

    svc = services.current()
    result = _result()
    number = normalise_uk_number(request.form.get("From", ""))
    if result is None or not (number and is_uk_mobile(number)):
        return _words("ivr_not_mobile", textphone=spoken_digits(svc.settings.textphone_number))
    call_sid = request.form.get("CallSid", "")
    first = result[0] if isinstance(result, tuple) else result
    key = f"deadline-text:{call_sid}:{first.kind}:{first.date.isoformat()}"
    message_id = queue_text(svc, to=number, body=deadlines.text_of(result), purpose="deadline",
                            dedupe_key=key, immediate=True)
    log.info("deadline result %s queued by text to %s", message_id, mask(number))
    return _words("ivr_text_sent")


def _to_callback() -> VoiceResponse:
    """Hand over to the callback request (topic appeal for Tribunal deadlines, council for the
    plan's); the main menu if that is not built yet."""
    response = VoiceResponse()
    topic = "appeal" if request.args.get("kind") in ("appeal", "discrimination_claim", None) else "council"
    try:
        target = url_for("ivr.callback_start", topic=topic)
    except BuildError:
        target = url_for("ivr.menu", node="main")
    response.redirect(target, method="POST")
    return response
