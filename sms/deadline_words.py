"""The deadline calculator's words that work at any time by text (the chat's intercept, given to it
in sms/chats.py; the conversation itself is flows/conversations/deadline.py):

    DEADLINE 31/12/2025      an appeal's result at once from that letter date (the certificate and
    TIME LIMIT 31/12/2025    "only about the school?" not known: the result says what each changes);
                             DEADLINE 3 goes straight to that kind's question
    APPEAL 31 Dec 2025       the same (APPEAL alone still opens the appeal guidance)
    REMIND                   reminder texts before the last deadline worked out (kept in
                             state["deadline"] when the conversation ended: {date, kind, what})
    REMIND OFF               stop them

Pure like sms/dialogue.py: REMIND and REMIND OFF return effects (ScheduleReminders,
CancelReminders) that the one runner (effect_runner.py) carries out. REMIND and REMIND OFF work in
any conversation; DEADLINE and APPEAL with words never take over another conversation in progress
(its answers might look like these), but start the calculator afresh within its own.
"""

from __future__ import annotations

from flows.conversations.effects import CancelReminders, ScheduleReminders
from flows.dateparse import ParsedDate, parse_date
from flows.guidance import normalise_keyword
from sms.dialogue import Ctx, Inbound, Turn

FLOW = "deadline"
APPEAL_WORDS = frozenset({"APPEAL", "APPEALS"})
REMIND_WORDS = frozenset({"REMIND", "REMIND ME", "REMINDER", "REMINDERS"})
REMIND_OFF_WORDS = frozenset({"REMIND OFF", "REMINDERS OFF", "REMINDER OFF", "STOP REMINDERS", "STOP REMINDER"})


def intercept(chat, ctx: Ctx, inbound: Inbound, state: dict, word: str) -> Turn | None:
    """A Turn for the texts above, or None to let the dispatcher go on."""
    if word in REMIND_OFF_WORDS:
        return Turn([], state, [CancelReminders()])
    if word in REMIND_WORDS:
        last = state.get("deadline")
        if not (isinstance(last, dict) and last.get("date")):
            return Turn([ctx.copy.text("deadline_chat.remind_none")], state)
        return Turn([], state, [ScheduleReminders(last["date"], last.get("kind", ""), last.get("what", ""))])
    if state.get("flow") not in (None, FLOW):
        return None
    arg = _keyword_and_argument(ctx, inbound.text)
    if arg is not None:
        return chat.start(ctx, inbound, _base(state), arg)
    words = inbound.text.split(None, 1)
    if len(words) == 2 and normalise_keyword(words[0]) in APPEAL_WORDS:
        found = parse_date(words[1], inbound.now.date(), past_only=True)
        if isinstance(found, ParsedDate) or found.reason not in ("unreadable", "missing_year"):
            return chat.start(ctx, inbound, _base(state), words[1])
    return None


def _keyword_and_argument(ctx: Ctx, text: str) -> str | None:
    """'DEADLINE 31/12/2025' or 'TIME LIMIT 2' -> the words after the keyword; else None."""
    words = text.split()
    for n in (2, 1):
        if len(words) > n and ctx.tree.keyword_index.get(normalise_keyword(" ".join(words[:n]))) == "action:deadline":
            return " ".join(words[n:])
    return None


def _base(state: dict) -> dict:
    return {k: v for k, v in state.items() if k not in ("flow", "data")}
