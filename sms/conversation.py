"""The SMS adapter for flows/conversations: a prompt becomes one text, a text becomes an Answer.

    ConversationChat(conversation, intercept=None)
                                     a Chat for sms/dialogue.py: start() on the keyword, step() on
                                     each reply, intercept() for the conversation's own words that
                                     work at any time (callback_words below; the deadline's are
                                     sms/deadline_words.py), given explicitly in sms/chats.py

A choice is written with its options numbered from content data ("1 School or college"); the
parent replies with the number or in words. What the engine says before the question (a number
read back, "Sorry, we did not understand that") goes in the same text. The parent's texts are
kept in the conversation's state and go on the request (flows/conversations/callback.py).

Callback words that work at any time, by text (never a carrier's opt-out word: STOP, CANCEL,
END, QUIT... opt out of every text):
    CALLBACK OFF, NO CALL        cancel the live call back, confirmed in one reply
    CALLBACK MOVE, CHANGE DAY    move it to the next helpline day with room, confirmed in one reply
    CALLBACK <number>            ask for a call back to that number (written back to confirm)
    CALLBACK <language>          ask for a call back with an interpreter ("CALLBACK polski")
    their own words, outside a conversation ("please cancel my call back", "can you ring me
    another day instead"): the live request's menu, or that none is booked
With Redis away (inbound.remembered is False) a CALLBACK with a number to use is taken at once,
with sensible defaults, rather than asking questions whose answers would be lost.

State while it runs: state["flow"] = the conversation's name, state["data"] = the engine's state
plus asked_at (the No Response path by text: engine.expired()). A conversation that leaves
something behind when it ends (the deadline calculator: the last deadline, for REMIND and
CALLBACK) says so with leaves(); the parent's texts are kept in its state unless it sets
keeps_texts = False.
"""

from __future__ import annotations

from flows.conversations import engine, render
from flows.conversations.callback import intent_of, save_effect
from flows.conversations.effects import CancelCallback, MoveCallback
from flows.phone import normalise_uk_number
from sms.dialogue import Ctx, Inbound, Turn

CANCEL_WORDS = frozenset({"CALLBACK OFF", "CALL BACK OFF", "NO CALL", "NO CALLBACK", "CANCEL CALLBACK",
                          "CALLBACK CANCEL"})
MOVE_WORDS = frozenset({"CALLBACK MOVE", "CALL BACK MOVE", "CHANGE DAY", "MOVE CALLBACK", "CALLBACK CHANGE DAY"})


def common(ctx: Ctx) -> dict:
    """Values any message may use."""
    return {"helpline": getattr(ctx, "helpline", ""), "textphone": getattr(ctx, "textphone", "")}


def words(ctx: Ctx, said) -> str:
    """Engine messages (and ready texts, and messages a conversation made) as one text."""
    return " ".join(part for item in said for part in render.parts(ctx.copy, item, spoken=False, common=common(ctx)))


def callback_words(chat, ctx: Ctx, inbound: Inbound, state: dict, word: str) -> Turn | None:
    """CALLBACK OFF / NO CALL, CALLBACK MOVE / CHANGE DAY: done and confirmed in one reply. Outside a
    conversation, the parent's own words about their call back ("please cancel my call back"): with a
    live request, its menu (keep, move, cancel, change); without, say none is booked, or (to move
    one) offer to book it."""
    base = _base(state)
    if word in CANCEL_WORDS:
        return Turn([], base, [CancelCallback()])
    if word in MOVE_WORDS:
        return Turn([], base, [MoveCallback()])
    intent = None if state.get("flow") else intent_of(inbound.text)
    if intent is None:
        return None
    own = normalise_uk_number(inbound.phone) or ""
    lookup = getattr(ctx, "live_callback", None)
    if own and lookup is not None and lookup(own) is None and intent == "cancel":
        return Turn([], base, [CancelCallback()])  # "You have no call back booked with us ..."
    return chat.start(ctx, inbound, base, "")


class ConversationChat:
    """A conversation of flows/conversations, by text."""

    def __init__(self, conversation, intercept=None):
        self.conv = conversation
        self._intercept = intercept

    def _context(self, ctx: Ctx, inbound: Inbound) -> engine.Context:
        return engine.Context(ctx.tree, ctx.calendar, inbound.now)

    def intercept(self, ctx: Ctx, inbound: Inbound, state: dict, word: str) -> Turn | None:
        """The conversation's own words that work at any time (None: not one of them)."""
        return self._intercept(self, ctx, inbound, state, word) if self._intercept else None

    def start(self, ctx: Ctx, inbound: Inbound, state: dict, arg: str) -> Turn:
        """The keyword: the first question (with a live request, what to do with it)."""
        cctx = self._context(ctx, inbound)
        deadline = state.get("deadline") if isinstance(state.get("deadline"), dict) else {}
        own = normalise_uk_number(inbound.phone) or ""
        facts = {"channel": "sms", "own": own, "route": state.get("node"), "arg": arg,
                 "urgent": bool(state.get("urgent")), "deadline": deadline.get("date")}
        if not inbound.remembered and self.conv.name == "callback":
            number = normalise_uk_number(arg) or own
            if number:  # the answers could not be remembered: take it now, with sensible defaults
                begun, _, _ = self.conv.begin(cctx, facts)
                effect = save_effect(cctx, {**begun, "phone": number, "time": "any", "how": "voice"})
                return Turn([ctx.copy.text("callbacks.sms_no_questions")], _base(state), [effect])
        lookup = getattr(ctx, "live_callback", None)
        if lookup is not None and own and not arg:
            facts["live"] = lookup(own)
        return self._reply(ctx, inbound, state, engine.start(self.conv, cctx, facts))

    def step(self, ctx: Ctx, inbound: Inbound, state: dict) -> Turn:
        """One reply to the question asked."""
        data = dict(state.get("data") or {})
        if state.get("urgent"):
            data["urgent"] = "1"  # after a risk message: the request goes on marked urgent
        keep = getattr(self.conv, "keeps_texts", True)
        turn = engine.resume(self.conv, self._context(ctx, inbound), data, engine.Answer(text=inbound.text, keep=keep))
        return self._reply(ctx, inbound, state, turn)

    def _reply(self, ctx: Ctx, inbound: Inbound, state: dict, turn: engine.Turn) -> Turn:
        parts = [words(ctx, turn.said)] if turn.said else []
        if turn.prompt is not None:
            parts.append(render.text(ctx.copy, turn.prompt, common(ctx)))
            data = {**turn.state, "asked_at": inbound.now.isoformat()}
            new_state = {**_base(state), "flow": self.conv.name, "data": data}
        else:
            new_state = _base(state)
            leaves = getattr(self.conv, "leaves", None)
            for key, value in (leaves(self._context(ctx, inbound), turn.state) if leaves else {}).items():
                if value is None:
                    new_state.pop(key, None)
                else:
                    new_state[key] = value
        replies = [" ".join(p for p in parts if p)] if any(parts) else []
        return Turn(replies, new_state, list(turn.effects))


def _base(state: dict) -> dict:
    return {k: v for k, v in state.items() if k not in ("flow", "data")}
