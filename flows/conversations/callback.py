"""The callback conversation: one set of questions, in one order, by phone and by text.

    live       a live request already booked for this number: keep, move, cancel, or change it
    move_day   move it to the next helpline day with room, or one of the next few helpline days
    number     "Shall we call you on 07700 900123?" yes, no (then key), or another number
    withheld   (by phone, number hidden) key a number, or text us instead
    key        the UK number to call
    confirm    a number keyed or typed is ALWAYS read back (written back) and confirmed
    language   which language, when they asked for an interpreter ("CALLBACK polish" skips it)
    topic      what it is about: the route they were in first, then callback.toml's topics
    date       (an appeal) the date on the council's decision letter: its appeal deadline
               (flows.deadlines.appeal_deadline) goes on the request and sets urgency
    time       morning, afternoon or any time
    how        a phone call, texts only (a mobile), Relay UK, or a call with an interpreter
    voicemail  may we leave a voicemail? (a call)
    text       may we text you? (a mobile that is not the line texting us)
    message    a few words about the problem: recorded by phone (Twilio transcribes it), typed by text

Facts at the start (begin): channel ("voice" or "sms"), own (the calling or texting line as a UK
number, or ""), route (the guidance route they were in), arg (what followed CALLBACK in a text:
a number, a language, OFF or MOVE), live (their live request: id, expected_on, part_of_day),
urgent (after a risk message), deadline (an appeal deadline worked out earlier, ISO).

A free-text answer to the topic question is read for its words ("the council decision letter
came 10 November and i want to appeal": an appeal, the letter's date, and the few words), so
those questions are not asked again. A language named at any question ("Polish", "I need a
Polish interpreter") records the interpreter need and the same question is asked again.
The end: SaveCallback (the runner stores it and says the number and the day), CancelCallback or
MoveCallback. The options and their numbering are content data (flows/content/conversations/
callback.toml, languages.toml); the words are flows/content/messages/callbacks.toml.
"""

from __future__ import annotations

import datetime as dt
import re

from flows import callbacks as rules
from flows import deadlines
from flows.conversations import content
from flows.conversations.effects import CancelCallback, MoveCallback, SaveCallback
from flows.conversations.engine import (ANOTHER, CHOICE, DATE, PHONE, RECORDING, SKIPPED, TEXT, YES_NO, Answer, Day,
                                        Invalid, Option, Phone, Prompt, Say, parse, plain)
from flows.dateparse import ParsedDate, parse_date
from flows.phone import is_uk_mobile, normalise_uk_number
from flows.wording import long_date, spoken_date

NAME = "callback"
CANCEL_ARGS = frozenset({"off", "cancel", "no call", "not needed", "cancel it"})
MOVE_ARGS = frozenset({"move", "change day", "move day", "another day", "move it", "change"})
# A parent's own words about a call back already asked for ("please cancel my call back", "can
# you ring me another day instead"): what they want done with it. Read only outside a conversation,
# so an answer to one of our questions is never taken for it.
_ABOUT_A_CALL = re.compile(r"\b(call ?backs?|(my|the|your|our|this|that) (phone )?call|(ring|call|phone)\w* me|appointment)\b")
_CANCEL = re.compile(r"\b(cancel\w*|stop|call (it|that|this) off|(dont|do not|no longer|not) (need|want)|not needed)\b")
_MOVE = re.compile(r"\b(move\w*|change\w*|re ?arrange\w*|re ?schedule\w*|another (day|time)|different (day|time)"
                   r"|other day|instead|postpone\w*|put (it )?off)\b")
INTENT_MAX_WORDS = 25


def intent_of(text: str) -> str | None:
    """'cancel', 'move' (or 'change', both) when a short text is about a call back and says what to do
    with it; None otherwise."""
    words = plain(text)
    if not words or len(words.split()) > INTENT_MAX_WORDS or not _ABOUT_A_CALL.search(words):
        return None
    cancel, move = bool(_CANCEL.search(words)), bool(_MOVE.search(words))
    if cancel and move:
        return "change"  # "cancel tuesday and move it to thursday": the live request's menu asks
    return "cancel" if cancel else "move" if move else None


MOVE_DAYS = 4  # the helpline days offered by name when moving, after "the next day with room"
STEPS = ("live", "move_day", "number", "withheld", "key", "confirm", "language", "topic", "date", "time", "how",
         "voicemail", "text", "message")


def _flag(value) -> str:
    return "1" if value is True else "0" if value is False else "-"


class CallbackConversation:
    """See the module docstring."""

    name = NAME
    # The messages this conversation uses, and the channels each needs (checked by `flask content check`).
    MESSAGES = {key: ("say", "text") for key in (
        "callbacks.ask_live", "callbacks.ask_move_day", "callbacks.ask_number", "callbacks.withheld",
        "callbacks.ask_other_number", "callbacks.confirm_number", "callbacks.ask_language", "callbacks.ask_topic",
        "callbacks.ask_decision_date", "callbacks.ask_time", "callbacks.ask_how", "callbacks.ask_voicemail",
        "callbacks.ask_text", "callbacks.live_kept", "callbacks.decision_date_read",
        "callbacks.interpreter_noted", "callbacks.interpreter_asked", "callbacks.too_many_tries",
        "callbacks.intro", "deadlines.status_passed", "deadlines.late_appeal")}
    MESSAGES.update({"callbacks.ask_message": ("say",), "callbacks.ask_words": ("text",),
                     "callbacks.text_instead": ("say",)})  # by phone only: a hidden number

    # --- the start ---------------------------------------------------------------------------

    def begin(self, ctx, facts: dict) -> tuple[dict, list[Say], list]:
        channel = "voice" if facts.get("channel") == "voice" else "sms"
        own = normalise_uk_number(facts.get("own") or "") or ""
        state = {"channel": channel, "own": own}
        route = facts.get("route") or ""
        if route in getattr(ctx.tree, "nodes", {}) and route != getattr(ctx.tree, "root", None):
            state["topic"] = route
        if facts.get("urgent"):
            state["urgent"] = "1"
        if facts.get("deadline"):
            state["deadline"] = str(facts["deadline"])
        live = facts.get("live") or {}
        arg = plain(facts.get("arg") or "")
        said: list[Say] = [Say("callbacks.intro")]
        if arg in CANCEL_ARGS:
            return {**state, "end": "cancel"}, [], [CancelCallback(live.get("id", ""))]
        if arg in MOVE_ARGS:
            return {**state, "end": "move"}, [], [MoveCallback(live.get("id", ""))]
        if live.get("id") and live.get("expected_on"):
            state.update(live=str(live["id"]), lday=str(live["expected_on"]), lpart=str(live.get("part_of_day") or "any"))
            said = []
        if arg:
            number = normalise_uk_number(arg)
            lang = content.language_named(arg)
            if number and number == own:
                state["phone"] = own
            elif number:
                state["cand"] = number
            elif lang:
                state["lang"] = lang.code
            elif content.asks_for_interpreter(arg):
                state["needlang"] = "1"
        return state, said, []

    # --- the order ---------------------------------------------------------------------------

    def next_step(self, ctx, s: dict) -> str | None:
        if s.get("live") and not s.get("lok"):
            return "move_day" if s.get("move") else "live"
        if not normalise_uk_number(s.get("phone") or ""):
            if s.get("cand"):
                return "confirm"
            if s.get("own") and not s.get("nonum"):
                return "number"
            if s.get("channel") == "voice" and not s.get("own") and not s.get("wh"):
                return "withheld"
            return "key"
        if s.get("needlang") and not s.get("lang"):
            return "language"
        if not s.get("tok"):
            return "topic"
        if self.asks_date(s) and not s.get("dok"):
            return "date"
        if not s.get("time"):
            return "time"
        if not s.get("how"):
            return "how"
        if s["how"] in ("voice", "relay") and not s.get("vm"):
            return "voicemail"
        if self._may_ask_texts(s) and not s.get("txt"):
            return "text"
        if not (s.get("wok") or s.get("words") or s.get("msg")):
            return "message"
        return None

    def asks_date(self, s: dict) -> bool:
        """An appeal: the topic (or the route they were in) asks the decision letter's date."""
        topic = s.get("topic") or ""
        dated = {e["id"] for e in content.entries(NAME, "topics") if e.get("decision_date")}
        return topic in dated or topic in content.setting(NAME, "appeal_routes", [])

    def _may_ask_texts(self, s: dict) -> bool:
        phone = normalise_uk_number(s.get("phone") or "")
        texting_from_it = s.get("channel") == "sms" and phone == s.get("own")
        return is_uk_mobile(phone) and s.get("how") != "text" and not texting_from_it

    # --- the questions -----------------------------------------------------------------------

    def prompt(self, ctx, s: dict, step: str) -> Prompt | None:
        window = rules.window_words(ctx.calendar, "any")
        if step == "live":
            if not s.get("lday"):
                return None
            start, end = rules.window_words(ctx.calendar, s.get("lpart") or "any")
            return Prompt(step, CHOICE, "callbacks.ask_live", {"day": _day(s["lday"]), "start": start, "end": end},
                          content.choices(NAME, "live"), has_default=True, default="keep")
        if step == "move_day":
            # No answer, or none understood, after asking again: the booking stays as it was (silence
            # must never move a call back), and the parent hears which day it stays on.
            return Prompt(step, CHOICE, "callbacks.ask_move_day", {}, self._days(ctx, s), has_default=True,
                          default="keep")
        if step == "number":
            number = normalise_uk_number(s.get("own") or s.get("phone") or "")
            if not (s.get("own") or s.get("phone")):
                return None
            if not number:  # a damaged number: ask for one
                return self.prompt(ctx, s, "key")
            return Prompt(step, PHONE, "callbacks.ask_number", {"number": Phone(number) if number else ""},
                          default=number)  # silence is not a yes: no default after the tries
        if step == "withheld":
            return Prompt(step, CHOICE, "callbacks.withheld", {}, content.choices(NAME, "withheld"))
        if step == "key":
            return Prompt(step, PHONE, "callbacks.ask_other_number", other="conversations.bad_number")
        if step == "confirm":
            cand = normalise_uk_number(s.get("cand") or "")
            if not cand:
                return None
            return Prompt(step, PHONE, "callbacks.confirm_number", {"number": Phone(cand)}, default=cand)
        if step == "language":
            return Prompt(step, CHOICE, "callbacks.ask_language", {}, content.offered_languages(), has_default=True,
                          default="other")
        if step == "topic":
            route = self._route(ctx, s)
            title = rules.topic_title(ctx.tree, route) if route else ""
            return Prompt(step, CHOICE, "callbacks.ask_topic", {"title": title}, self._topics(ctx, route),
                          has_default=True, default=route or rules.DEFAULT_TOPIC, yes=route or None)
        if step == "date":
            return Prompt(step, DATE, "callbacks.ask_decision_date", {}, past_only=True, has_default=True,
                          default=SKIPPED)
        if step == "time":
            return Prompt(step, CHOICE, "callbacks.ask_time", {"opens": window[0], "closes": window[1]},
                          content.choices(NAME, "times"), has_default=True, default="any")
        if step == "how":
            mobile = is_uk_mobile(normalise_uk_number(s.get("phone") or ""))
            needs = {e["id"] for e in content.entries(NAME, "contact") if e.get("needs_mobile")}
            options = [o for o in content.choices(NAME, "contact") if mobile or o.id not in needs]
            return Prompt(step, CHOICE, "callbacks.ask_how", {}, _numbered(options), has_default=True,
                          default="voice")
        if step == "voicemail":
            return Prompt(step, YES_NO, "callbacks.ask_voicemail", has_default=True, default=SKIPPED)
        if step == "text":
            return Prompt(step, YES_NO, "callbacks.ask_text", has_default=True, default=SKIPPED)
        if step == "message":
            if s.get("channel") == "voice":
                return Prompt(step, RECORDING, "callbacks.ask_message", has_default=True, default=SKIPPED)
            return Prompt(step, TEXT, "callbacks.ask_words", has_default=True, default=SKIPPED)
        return None

    def _route(self, ctx, s: dict) -> str:
        topic = s.get("topic") or ""
        ids = {o.id for o in content.choices(NAME, "topics")}
        return topic if topic in getattr(ctx.tree, "nodes", {}) or topic in ids else ""

    def _topics(self, ctx, route: str) -> tuple[Option, ...]:
        """The topics, the route they were in first."""
        options = list(content.choices(NAME, "topics"))
        known = next((o for o in options if o.id == route), None)
        if known is not None:
            options.remove(known)
            options.insert(0, known)
        elif route:
            options.insert(0, Option("1", route, rules.topic_title(ctx.tree, route), rules.topic_phrase(ctx.tree, route), ()))
        return _numbered(options)

    def _days(self, ctx, s: dict) -> tuple[Option, ...]:
        """The next day with room, then the next few helpline days by name (not the day booked)."""
        days = [d for d in rules.candidate_days(ctx.calendar, ctx.now, limit=MOVE_DAYS + 2)
                if d.isoformat() != s.get("lday")][:MOVE_DAYS]
        options = [Option("1", "next", "The next day with room", "the next day we have room",
                          ("next", "next day", "soonest", "first", "any", "any day"))]
        options += [Option("", d.isoformat(), long_date(d, year=True), spoken_date(d),
                           (f"{d:%A}".lower(), f"{d:%A} {d.day}".lower())) for d in days]
        return _numbered(options)

    # --- the answers -------------------------------------------------------------------------

    def interrupt(self, ctx, s: dict, prompt: Prompt, answer: Answer) -> tuple[dict, list[Say]] | None:
        """A language named at any question: the interpreter need is kept, and the question asked again."""
        if prompt.step == "language" or not answer.text.strip():
            return None
        if not isinstance(parse(prompt, answer, ctx.today), Invalid) and prompt.kind in (CHOICE, YES_NO):
            return None  # it answers the question ("interpreter" is one of the ways to be contacted)
        lang = content.language_named(answer.text)
        if lang is not None:
            state = {**s, "lang": lang.code}
            state.pop("needlang", None)
            if state.get("how") == "text":
                state.pop("how", None)
            return state, [Say("callbacks.interpreter_noted", {"language": lang.name})]
        if content.asks_for_interpreter(answer.text) and prompt.kind != TEXT:
            return {**s, "needlang": "1"}, [Say("callbacks.interpreter_asked")]
        return None

    def take(self, ctx, s: dict, step: str, value, answer: Answer) -> tuple[dict, list[Say], list]:
        s = dict(s)
        said: list[Say] = []
        if step in ("live", "move_day") and value == "keep":
            start, end = rules.window_words(ctx.calendar, s.get("lpart") or "any")
            return {**s, "end": "kept"}, [Say("callbacks.live_kept", {"day": _day(s["lday"]), "start": start,
                                                                      "end": end})], []
        if step == "live":
            if value == "move":
                s["move"] = "1"
            elif value == "cancel":
                return {**s, "end": "cancel"}, [], [CancelCallback(s["live"])]
            else:
                s["lok"] = "1"
        elif step == "move_day":
            return {**s, "end": "move"}, [], [MoveCallback(s["live"], "" if value == "next" else value)]
        elif step in ("number", "key", "confirm"):
            own = s.get("own") or ""
            if value is ANOTHER:
                s.pop("cand", None)
                s["nonum"] = "1"
            elif step == "confirm" and value == s.get("cand"):
                s["phone"], s["cand"] = value, ""
            elif step != "key" and value == own:
                s["phone"] = own
            else:
                s["cand"] = value  # a changed number: read back and confirmed before we use it
        elif step == "withheld":
            if value == "text":
                return {**s, "end": "text_instead"}, [Say("callbacks.text_instead")], []
            s["wh"] = "1"
        elif step == "language":
            s["lang"] = value
            s.pop("needlang", None)
        elif step == "topic":
            s["topic"], s["tok"] = value, "1"
            said += self._read_free_text(ctx, s, answer)
        elif step == "date":
            s["dok"] = "1"
            if isinstance(value, dt.date):
                said += self._set_decision_date(ctx, s, value)
        elif step == "time":
            s["time"] = value
        elif step == "how":
            if value == "interpreter":
                s["how"] = "voice"
                if not s.get("lang"):
                    s["needlang"] = "1"
            else:
                s["how"] = value
        elif step == "voicemail":
            s["vm"] = _flag(value if value is not SKIPPED else None)
        elif step == "text":
            s["txt"] = _flag(value if value is not SKIPPED else None)
        elif step == "message":
            s["wok"] = "1"
            if isinstance(value, str) and value.startswith(("http://", "https://")) and answer.recording:
                s["msg"] = value
            elif isinstance(value, str):
                s["words"] = value
        return s, said, []

    def _read_free_text(self, ctx, s: dict, answer: Answer) -> list[Say]:
        """A sentence at the topic question: keep it as their words, and take a letter date from it."""
        words = " ".join(answer.text.split())
        if len(words.split()) < 4:
            return []
        s.setdefault("words", words[:500])
        if self.asks_date(s) and not s.get("dok"):
            found = parse_date(words, ctx.today, past_only=True)
            if isinstance(found, ParsedDate):
                s["dok"] = "1"
                return self._set_decision_date(ctx, s, found.date)
        return []

    def _set_decision_date(self, ctx, s: dict, letter: dt.date) -> list[Say]:
        deadline = deadlines.appeal_deadline(letter, today=ctx.today).date
        s["date"], s["deadline"] = letter.isoformat(), deadline.isoformat()
        said = [Say("callbacks.decision_date_read", {"date": Day(letter), "deadline": Day(deadline)})]
        if deadline < ctx.today:  # gone: say so, and that a late appeal may still be possible
            said += [Say("deadlines.status_passed"), Say("deadlines.late_appeal")]
        return said

    # --- the end -----------------------------------------------------------------------------

    def finish(self, ctx, s: dict) -> tuple[list[Say], list]:
        return [], [save_effect(ctx, s)]

    def give_up(self, ctx, s: dict, step: str) -> list[Say]:
        return [Say("callbacks.too_many_tries")]


def save_effect(ctx, s: dict) -> SaveCallback:
    """The request from the answers so far (defaults for any not given)."""
    phone = normalise_uk_number(s.get("phone") or "") or ""
    topic = s.get("topic") or ""
    ids = {o.id for o in content.choices(NAME, "topics")}
    if topic not in ids and (topic not in getattr(ctx.tree, "nodes", {}) or topic == getattr(ctx.tree, "root", "")):
        topic = rules.DEFAULT_TOPIC
    how = s.get("how") if s.get("how") in rules.CONTACT_BY else "voice"
    texting_from_it = s.get("channel") == "sms" and phone == s.get("own")
    text_ok = {"1": True, "0": False}.get(s.get("txt") or "")
    if how == "text" or texting_from_it:
        text_ok = True
    lang = s.get("lang") or ""
    return SaveCallback(
        phone=phone, topic=topic, part_of_day=s.get("time") if s.get("time") in rules.PARTS_OF_DAY else "any",
        contact_by=how, urgent=s.get("urgent") == "1", deadline=_iso(s.get("deadline")),
        decision_date=_iso(s.get("date")), voicemail_ok={"1": True, "0": False}.get(s.get("vm") or ""),
        text_ok=text_ok, interpreter=lang if content.language(lang) else "",
        problem_words=(s.get("words") or "")[:500], voice_message_url=s.get("msg") or None,
        conversation_texts=tuple(s.get("said") or ()), own_number=phone == s.get("own"),
        replaces=str(s.get("live") or "") if s.get("lok") else "")


def _iso(value) -> str | None:
    try:
        return dt.date.fromisoformat(value).isoformat() if value else None
    except (TypeError, ValueError):
        return None


def _day(iso: str) -> Day | str:
    try:
        return Day(dt.date.fromisoformat(iso))
    except (TypeError, ValueError):
        return iso


def _numbered(options) -> tuple[Option, ...]:
    return tuple(Option(str(i), o.id, o.text, o.say, o.words) for i, o in enumerate(options, start=1))


CONVERSATION = CallbackConversation()
