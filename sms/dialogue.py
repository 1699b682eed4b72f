"""One text in, the replies out: carrier words, safety first, then conversations and guidance.

Pure: no Redis, no Twilio. The view loads the conversation state, calls handle(), carries out
the effects (effect_runner.py), saves the new state and renders the replies. The conversations
(chats) come in the Ctx, from the one registry in sms/chats.py.

Conversation state is a small dict kept per phone number for a day:
  menu   the menu (or guidance node) whose numbered options a reply like "2" picks
  node   the guidance node last sent, and part, the index of its part last sent (for MORE)
  flow   the conversation in progress ("deadline", "callback"), with its own data; a
         conversation left for engine.IDLE_HOURS is over (its No Response path by text)
  urgent True after a safety reply, so a callback request that follows is urgent
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Callable, Protocol

from flows.conversations.engine import expired
from flows import matching, reports, safety
from flows.copy import Copy
from flows.guidance import GuidanceTree, normalise_keyword
from flows.gsm7 import to_gsm7
from flows.hours import HelplineCalendar
from flows.opening import opening_hours, status_sentences
from flows.conversations.effects import Counted, FlagSafety, OptIn, OptOut

MAX_BODY_CHARS = 1600  # Twilio's own limit for one message
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"})
START_WORDS = frozenset({"START", "UNSTOP", "YES", "OPTIN"})
HELP_WORDS = frozenset({"HELP", "INFO"})  # the carrier may also answer these; we add the menu
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Inbound:
    """One incoming text, cleaned: what was sent, by whom, when."""

    text: str
    phone: str
    now: dt.datetime
    message_sid: str = ""
    first_time: bool = False
    truncated: bool = False
    remembered: bool = True  # False when the conversation state could not be read (Redis away)


@dataclass(frozen=True)
class Ctx:
    """What the dialogue reads: the guidance, the words, the calendar, the conversations (sms/chats.py),
    and (from the edge) how to look up a number's live callback request."""

    tree: GuidanceTree
    copy: Copy
    calendar: HelplineCalendar
    chats: dict = field(default_factory=dict)
    live_callback: Callable | None = None  # phone -> {id, expected_on, part_of_day} or None
    helpline: str = ""
    textphone: str = ""


@dataclass
class Turn:
    """The outcome of one text: replies to send, the state to keep, effects for the edge."""

    replies: list[str]
    state: dict
    effects: list = field(default_factory=list)


class Chat(Protocol):
    """A multi-step conversation (deadline, callback) the dispatcher hands texts to.

    A chat may also define intercept(ctx, inbound, state, word) -> Turn | None, tried on every
    text before routing, for words that must work anywhere (REMIND, "APPEAL 31/12/2025").
    """

    def start(self, ctx: Ctx, inbound: Inbound, state: dict, arg: str) -> Turn: ...

    def step(self, ctx: Ctx, inbound: Inbound, state: dict) -> Turn: ...


ACTION_CHATS = {"action:deadline": "deadline", "action:callback": "callback"}


def clean_body(raw: str) -> tuple[str, bool]:
    """Strip control characters and cut to Twilio's 1600-character limit."""
    text = CONTROL.sub(" ", raw or "").strip()
    return text[:MAX_BODY_CHARS], len(text) > MAX_BODY_CHARS


def hours_sentence(ctx: Ctx) -> str:
    """The {hours} placeholder: when the helpline is staffed."""
    return opening_hours(ctx.calendar, ctx.copy, spoken=False)


def handle(ctx: Ctx, inbound: Inbound, state: dict) -> Turn:
    """Decide the reply to one text."""
    word = normalise_keyword(inbound.text)
    if word in STOP_WORDS:
        return Turn([], {}, [OptOut()])  # Twilio confirms the opt-out itself; we send nothing
    if word in START_WORDS - {"YES"}:
        return Turn([], state, [OptIn()])  # Twilio confirms; YES may also be an answer, below
    effects = [OptIn()] if word == "YES" else []

    concern = safety.assess(inbound.text)
    risky = concern is not None
    if concern:
        turn = _safety_turn(ctx, inbound, state, concern)
    else:
        turn = _route(ctx, inbound, state, word)
    turn.effects[:0] = effects
    before = [welcome(ctx, inbound.now)] if inbound.first_time and turn.replies else []
    if inbound.truncated:
        before.append(ctx.copy.text("sms.long_text"))
    at = 1 if risky else 0  # the emergency numbers always come first, even before the welcome
    turn.replies[at:at] = before
    turn.replies = [to_gsm7(r) for r in turn.replies]
    return turn


def _safety_turn(ctx: Ctx, inbound: Inbound, state: dict, concern) -> Turn:
    """The emergency message for this kind of risk first; a conversation in progress keeps its place."""
    flag = FlagSafety(inbound.text[:500], concern.category, concern.label)
    replies = [safety.message_for(concern.category).text]
    if state.get("flow") in ctx.chats:
        replies.append(ctx.copy.text("sms.safety_carry_on"))
        return Turn(replies, {**state, "urgent": True}, [flag])
    return Turn(replies, {**_without_flow(state), "urgent": True}, [flag])


def welcome(ctx: Ctx, now: dt.datetime) -> str:
    """The first text to a new number: what this is, when a person is there, when we next open."""
    text = ctx.copy.text("menus.sms_welcome", hours=hours_sentence(ctx))
    status = " ".join(status_sentences(ctx.calendar, ctx.copy, now, spoken=False))
    return f"{text} {status}" if len(text) + len(status) < 459 else text


def _without_flow(state: dict) -> dict:
    return {k: v for k, v in state.items() if k not in ("flow", "data")}


def _route(ctx: Ctx, inbound: Inbound, state: dict, word: str) -> Turn:
    if state.get("flow") in ctx.chats and expired(state.get("data") or {}, inbound.now):
        state = _without_flow(state)  # left hanging: this text is read afresh
    for chat in ctx.chats.values():
        intercept = getattr(chat, "intercept", None)
        turn = intercept(ctx, inbound, state, word) if intercept else None
        if turn is not None:
            return turn
    if word in HELP_WORDS:
        return open_target(ctx, inbound, _without_flow(state), ctx.tree.root)
    first, _, rest = inbound.text.strip().partition(" ")
    if rest and ctx.tree.keyword_index.get(normalise_keyword(first)) in ACTION_CHATS:
        # "CALLBACK 07700 900456": start the conversation with what followed the keyword
        return open_target(ctx, inbound, _without_flow(state), ctx.tree.keyword_index[normalise_keyword(first)],
                           inbound.text)
    target = ctx.tree.keyword_index.get(word)
    flow = state.get("flow")
    if flow in ctx.chats and target not in (ctx.tree.root, *ACTION_CHATS):
        return ctx.chats[flow].step(ctx, inbound, state)
    found = matching.match(inbound.text, ctx.tree, last_menu=state.get("menu"))
    base = _without_flow(state)
    if found.kind in ("option", "keyword", "topic"):
        return open_target(ctx, inbound, base, found.target, inbound.text)
    if found.kind == "more":
        return _more(ctx, base)
    if found.kind == "chat":  # thanks, OK, "is anyone there?": what this line is, when a person is there
        status = " ".join(status_sentences(ctx.calendar, ctx.copy, inbound.now, spoken=False))
        key = "sms.anyone" if found.target == "anyone" else "sms.thanks"
        return Turn([ctx.copy.text(key, hours=hours_sentence(ctx), status=status)], {**base, "menu": ctx.tree.root})
    if found.kind == "language":
        return Turn([interpreter_reply(ctx.copy, found.target)], {**base, "menu": ctx.tree.root})
    if found.kind == "routes":
        return Turn([ctx.tree.sms_suggestions(found.routes)], {**base, "menu": ctx.tree.root})
    return Turn([ctx.copy.text("menus.sms_help")], {**base, "menu": ctx.tree.root})


INTERPRETER_LANGUAGES = ("pl", "ro", "es", "pt", "ur", "bn", "ar")  # most used locally first (after English)


def interpreter_reply(copy: Copy, language: str | None) -> str:
    """English first, then the parent's language (if we know it), then the others that fit in 3 texts."""
    order = [language] if language in INTERPRETER_LANGUAGES else []
    order += [lang for lang in INTERPRETER_LANGUAGES if lang not in order]
    lines = [copy.text("sms.interpreter_en")]
    for lang in order:
        line = copy.text(f"sms.interpreter_{lang}")
        if len("\n".join([*lines, line])) <= 459:
            lines.append(line)
    return "\n".join(lines)


def open_target(ctx: Ctx, inbound: Inbound, state: dict, target: str, text: str = "") -> Turn:
    """Send a node's first part, start a conversation, or answer an action."""
    if target in ACTION_CHATS:
        chat = ctx.chats.get(ACTION_CHATS[target])
        if chat is not None:
            return chat.start(ctx, inbound, state, _argument(text))
        return Turn([ctx.copy.text("menus.sms_help")], state)
    if target == "action:hours":
        status = " ".join(status_sentences(ctx.calendar, ctx.copy, inbound.now, spoken=False))
        reply = ctx.copy.text("sms.hours", hours=hours_sentence(ctx), status=status)
        return Turn([reply + "\n\n" + ctx.copy.text("sms.hours_footer")], state)
    if target == "action:person":
        status = " ".join(status_sentences(ctx.calendar, ctx.copy, inbound.now, spoken=False))
        return Turn([ctx.copy.text("sms.person", status=status)], state)
    parts = ctx.tree.sms_parts(target, hours=hours_sentence(ctx))
    counted = [Counted(reports.route(target))] if ctx.tree.node(target).kind == "guidance" else []
    return Turn([parts[0]], {**state, "menu": target, "node": target, "part": 0}, counted)


def _argument(text: str) -> str:
    """What follows the keyword: 'DEADLINE 31/12/2025' -> '31/12/2025'."""
    words = text.strip().split(None, 1)
    return words[1] if len(words) > 1 else ""


def _more(ctx: Ctx, state: dict) -> Turn:
    node, part = state.get("node"), state.get("part", 0)
    if node not in ctx.tree.nodes:
        return Turn([ctx.copy.text("menus.sms_help")], state)
    parts = ctx.tree.sms_parts(node, hours=hours_sentence(ctx))
    if part + 1 >= len(parts):
        return Turn([ctx.copy.text("menus.sms_no_more")], state)
    return Turn([parts[part + 1]], {**state, "part": part + 1})
