"""The callback conversation by text: CALLBACK (also CALL ME, or a menu's "action:callback").

At most four short questions, each skipped when we already know the answer:
  number  "Shall we call you on 07700 900123?"  YES, or another UK number ("CALLBACK 07700..." skips it)
  topic   what it is about (YES keeps the guidance route the parent was reading, state["node"])
  time    MORNING / AFTERNOON / ANY (AM, PM, 1-3 too), inside helpline hours
  how     1 phone call, 2 text, 3 Relay UK (for text-phone users)
When the conversation cannot be remembered (Redis away: inbound.remembered is False) a
CALLBACK with a number to use is taken at once, as a phone call at any time, rather than asking
questions whose answers would be lost. Then the SaveCallback effect; its handler (below) stores the request at once, exactly once per
MessageSid, and returns the confirmation: the day to expect the call and the number we call from.
MENU leaves at any point (the dispatcher does that). state["urgent"] (after a safety reply) makes
the request urgent, and a deadline worked out earlier (state["deadline"]) goes on the request.

State while it runs: state["flow"] = "callback", state["data"] = {"step", "phone", "topic", "part"}.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from flows import callbacks as rules
from flows import reports
from flows.sending_rules import mask, normalise_uk_number
from sms.dialogue import Ctx, Inbound, Turn, register
from sms.effects import handles
from store import events

log = logging.getLogger("helpline.sms")
FLOW = "callback"
TOPICS = {"1": "school", "2": "council", "3": "disagree", "4": "health", "5": rules.DEFAULT_TOPIC}
HOW = {"1": "voice", "2": "text", "3": "relay", "call": "voice", "phone": "voice", "phone call": "voice",
       "voice": "voice", "text": "text", "txt": "text", "sms": "text", "relay": "relay", "relay uk": "relay",
       "text relay": "relay", "typetalk": "relay"}


@dataclass(frozen=True)
class SaveCallback:
    """Store this callback request (exactly once for the text that finished the conversation)."""

    phone: str
    topic: str
    part_of_day: str
    contact_by: str
    urgent: bool = False
    deadline: str | None = None


def _base(state: dict) -> dict:
    return {k: v for k, v in state.items() if k not in ("flow", "data")}


def _own_number(inbound: Inbound) -> str | None:
    return normalise_uk_number(inbound.phone)


@register(FLOW)
class CallbackChat:
    """CALLBACK by text: number, topic, time of day, how; then save."""

    def start(self, ctx: Ctx, inbound: Inbound, state: dict, arg: str) -> Turn:
        """Begin: take a number given with the keyword, else ask about the one they texted from."""
        node = state.get("node")
        topic = node if node in ctx.tree.nodes and node != ctx.tree.root else None
        data = {"step": "number", "phone": None, "topic": topic}
        given = normalise_uk_number(arg) if arg else None
        own = _own_number(inbound)
        if not inbound.remembered and (given or own):
            return self._save_now(ctx, state, data, given or own)
        if given:
            data["phone"] = given
            return self._next(ctx, state, data)
        if own:
            return self._ask(state, data, ctx.copy.text("callbacks.sms_ask_number", number=rules.display_number(own)))
        return self._ask(state, data, ctx.copy.text("callbacks.sms_ask_other_number"))

    def step(self, ctx: Ctx, inbound: Inbound, state: dict) -> Turn:
        """One answer: check it, then ask the next question or finish."""
        data = dict(state.get("data") or {})
        answer = inbound.text.strip()
        step = data.get("step")
        if step == "number":
            own = _own_number(inbound)
            typed = normalise_uk_number(answer)
            if typed:
                data["phone"] = typed
            elif own and rules.yes_or_no(answer) is True:
                data["phone"] = own
            elif own:
                return self._ask(state, data, ctx.copy.text("callbacks.sms_bad_number", number=rules.display_number(own)))
            else:
                return self._ask(state, data, ctx.copy.text("callbacks.sms_bad_number_no_default"))
        elif step == "topic":
            choice = answer.strip(". ")
            if choice in TOPICS:
                data["topic"] = TOPICS[choice]
            elif data.get("topic") and rules.yes_or_no(answer) is True:
                pass
            else:
                return self._ask(state, data, ctx.copy.text("callbacks.sms_bad_topic"))
            data["topic_done"] = True
        elif step == "time":
            part = rules.parse_part_of_day(answer)
            if part is None:
                return self._ask(state, data, ctx.copy.text("callbacks.sms_bad_time"))
            data["part"] = part
        elif step == "how":
            how = HOW.get(" ".join(answer.lower().strip(". ").split()))
            if how is None:
                return self._ask(state, data, ctx.copy.text("callbacks.sms_bad_how"))
            return self._finish(state, data, how)
        return self._next(ctx, state, data)

    def _next(self, ctx: Ctx, state: dict, data: dict) -> Turn:
        if not data.get("topic_done"):
            data["step"] = "topic"
            if data.get("topic"):
                title = rules.topic_title(ctx.tree, data["topic"])
                return self._ask(state, data, ctx.copy.text("callbacks.sms_ask_topic", title=title))
            return self._ask(state, data, ctx.copy.text("callbacks.sms_ask_topic_no_default"))
        if not data.get("part"):
            data["step"] = "time"
            start, end = rules.window_words(ctx.calendar, "any")
            return self._ask(state, data, ctx.copy.text("callbacks.sms_ask_time", opens=start, closes=end))
        data["step"] = "how"
        return self._ask(state, data, ctx.copy.text("callbacks.sms_ask_how"))

    def _save_now(self, ctx: Ctx, state: dict, data: dict, phone: str) -> Turn:
        """We could not remember answers to questions just now: take the request with sensible defaults."""
        data.update(phone=phone, part="any")
        turn = self._finish(state, data, "voice")
        return Turn([ctx.copy.text("callbacks.sms_no_questions")], turn.state, turn.effects)

    def _ask(self, state: dict, data: dict, question: str) -> Turn:
        return Turn([question], {**_base(state), "flow": FLOW, "data": data})

    def _finish(self, state: dict, data: dict, how: str) -> Turn:
        deadline = (state.get("deadline") or {}).get("date") if isinstance(state.get("deadline"), dict) else None
        effect = SaveCallback(phone=data["phone"], topic=data.get("topic") or rules.DEFAULT_TOPIC,
                              part_of_day=data.get("part") or "any", contact_by=how,
                              urgent=bool(state.get("urgent")), deadline=deadline)
        return Turn([], _base(state), [effect])


def confirmation(copy, calendar, *, expected_on: dt.date | None, today: dt.date, part_of_day: str,
                 contact_by: str, helpline: str) -> str:
    """The text that says when to expect the call, and from which number."""
    if expected_on is None:
        return copy.text("callbacks.sms_confirm_unknown_day")
    start, end = rules.window_words(calendar, part_of_day)
    key = {"text": "callbacks.sms_confirm_text", "relay": "callbacks.sms_confirm_relay"}.get(
        contact_by, "callbacks.sms_confirm_voice")
    return copy.text(key, day=rules.day_words(expected_on, today), start=start, end=end, helpline=helpline)


@handles(SaveCallback)
def save_callback(svc, inbound, effect: SaveCallback) -> list[str]:
    """Store the request now (before the reply goes), then confirm the day and our number."""
    from store import callbacks as store

    deadline = dt.date.fromisoformat(effect.deadline) if effect.deadline else None
    result = store.save_or_spool(
        svc.connections.redis, svc.settings, svc.calendar, phone=effect.phone, topic=effect.topic, channel="sms",
        source_sid=inbound.message_sid or f"sms-{inbound.phone}-{inbound.now.isoformat()}", now=inbound.now,
        urgent=effect.urgent, deadline=deadline, text_ok=True, contact_by=effect.contact_by,
        part_of_day=effect.part_of_day, requester=inbound.phone or "withheld",  # the texting line
        confirm=effect.contact_by == "voice")  # once Redis has it, text the day we will call
    log.info("callback %s by text from %s (%s)", result.id or "-", mask(inbound.phone), result.in_words())
    if result.created or result.merged or result.spooled:  # for the reports; written with the text's save
        events.note(svc, inbound.now, reports.callback_asked("text", again=result.merged))
    text = confirmation(svc.copy, svc.calendar, expected_on=result.expected_on, today=svc.calendar.local(inbound.now).date(),
                        part_of_day=effect.part_of_day, contact_by=effect.contact_by,
                        helpline=svc.settings.helpline_number)
    extra = []
    if result.limited:
        extra.append(svc.copy.text("callbacks.limited"))
        text = text if result.expected_on else ""
    elif result.merged:
        extra.append(svc.copy.text("callbacks.sms_updated"))
    if result.id and not result.spooled and (store.get(svc.connections.redis, svc.settings, result.id) or {}).get("urgent"):
        extra.append(svc.copy.text("callbacks.sms_urgent"))
    return [" ".join(part for part in [*extra, text, svc.copy.text("callbacks.sms_footer")] if part)]
