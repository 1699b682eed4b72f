"""The deadline conversation by text: DEADLINE, one-shot forms, and REMIND / REMIND OFF.

    DEADLINE                 which deadline? (the kinds in flows/content/deadline_kinds.toml,
                             numbered; 1 appeal, the default); a kind with options asks which
    DEADLINE 3               straight to that kind's question
    DEADLINE 31/12/2025      straight to an appeal result from that letter date (certificate and
                             "only about the school?" not known: the result says what each changes)
    APPEAL 31 Dec 2025       the same (APPEAL alone opens the appeal guidance)
    REMIND / REMIND OFF      reminder texts before the last deadline worked out / stop them

Pure like sms/dialogue.py: start() and step() decide the replies and the new state; REMIND and
REMIND OFF return effects (ScheduleReminders, CancelReminders) that the one runner
(effect_runner.py) carries out with workers.reminders at the edge. It is a chat of its own until it
moves onto flows/conversations (sms/chats.py lists it).

State while the conversation runs: state["flow"] = "deadline" and state["data"] = {"step": ...,
"kind": ..., "option": ..., "sent": iso, "cert": iso or None}. The answer itself comes from
flows.deadline_kinds.calculate(), as it does on the phone (ivr/deadline.py). The last result a parent could set reminders for
is kept after the conversation ends, as state["deadline"] = {"date", "kind", "what"}.

A date that cannot be used (impossible, ambiguous, in the future where only the past makes
sense) gets the reason and how to write it, and the conversation stays on the same question.
"""

from __future__ import annotations

import datetime as dt
import logging

from flows import deadline_kinds, deadlines, reports
from flows.dateparse import DateProblem, ParsedDate, parse_date
from flows.guidance import normalise_keyword
from flows.conversations.effects import CancelReminders, ScheduleReminders
from sms.dialogue import Ctx, Inbound, Turn
from sms.effects import Counted

log = logging.getLogger("helpline.sms")

SMS_LIMIT = deadlines.SMS_MAX_CHARS
FLOW = "deadline"
APPEAL_WORDS = frozenset({"APPEAL", "APPEALS"})
NO_WORDS = frozenset({"NO", "N", "NONE", "NOPE", "NO CERTIFICATE", "NOT", "2"})
YES_WORDS = frozenset({"YES", "Y", "YEAH", "YEP", "1"})
REMIND_WORDS = frozenset({"REMIND", "REMIND ME", "REMINDER", "REMINDERS"})
REMIND_OFF_WORDS = frozenset({"REMIND OFF", "REMINDERS OFF", "REMINDER OFF", "STOP REMINDERS", "STOP REMINDER"})


ONE_SHOT_NOTE_PRIORITY = 85  # kept before the explanations, dropped before the key facts
REMIND_PRIORITY = 80


# ---------------------------------------------------------------------------------------------
# The conversation


def _t(ctx: Ctx, key: str, **values: object) -> str:
    return ctx.copy.text(f"deadline_chat.{key}", **values)


def _base(state: dict) -> dict:
    return {k: v for k, v in state.items() if k not in ("flow", "data")}


def _asking(state: dict, **data: object) -> dict:
    return {**_base(state), "flow": FLOW, "data": data}


def _today(inbound: Inbound) -> dt.date:
    return inbound.now.date()


def _read_date(text: str, inbound: Inbound, past_only: bool) -> ParsedDate | DateProblem:
    return parse_date(text, _today(inbound), past_only=past_only)


def _menu(ctx: Ctx, intro: str, items) -> str:
    lines = [_t(ctx, intro)] + [f"{item.key} {item.text}" for item in items]
    return "\n".join(lines)


def _choose(ctx: Ctx) -> str:
    """The numbered list of kinds, from content data."""
    return _menu(ctx, "choose_intro", deadline_kinds.kinds()) + "\n" + _t(ctx, "choose_outro")


class DeadlineChat:
    """Which deadline (and which option), the date it counts from, then (appeals) certificate and
    school only."""

    def intercept(self, ctx: Ctx, inbound: Inbound, state: dict, word: str) -> Turn | None:
        """The dispatcher's hook: see intercept() below."""
        return intercept(ctx, inbound, state, word)

    def start(self, ctx: Ctx, inbound: Inbound, state: dict, arg: str) -> Turn:
        """DEADLINE [arg]: a number picks the deadline; a date gives an appeal result at once."""
        arg = arg.strip()
        kind = deadline_kinds.by_key(arg)
        if kind is not None:
            return self._ask_kind(ctx, state, kind)
        if arg:
            found = _read_date(arg, inbound, past_only=True)
            if isinstance(found, ParsedDate):
                return self._one_shot(ctx, inbound, state, found.date)
            if found.reason != "unreadable":
                return Turn([found.text(ctx.copy)], _asking(state, step="date", kind="appeal"))
        return Turn([_choose(ctx)], _asking(state, step="choose"))

    def step(self, ctx: Ctx, inbound: Inbound, state: dict) -> Turn:
        """The parent's answer to the question last asked."""
        data = state.get("data") or {}
        text = inbound.text.strip()
        restart = _keyword_and_argument(ctx, text)
        if restart is not None:
            return self.start(ctx, inbound, _base(state), restart)
        step = data.get("step")
        if step == "which":
            return self._on_which(ctx, state, data, text)
        if step == "date":
            return self._on_date(ctx, inbound, state, data, text)
        if step == "certificate":
            return self._on_certificate(ctx, inbound, state, data, text)
        if step == "school":
            return self._on_school(ctx, inbound, state, data, text)
        return self._on_choose(ctx, inbound, state, text)

    # --- each question ---------------------------------------------------------------------

    def _ask_kind(self, ctx: Ctx, state: dict, kind: deadline_kinds.Kind) -> Turn:
        if kind.options:
            return Turn([_menu(ctx, "which_intro", kind.options)], _asking(state, step="which", kind=kind.name))
        return self._ask_date(ctx, state, kind)

    def _ask_date(self, ctx: Ctx, state: dict, kind: deadline_kinds.Kind, option: str | None = None) -> Turn:
        return Turn([_t(ctx, kind.question)], _asking(state, step="date", kind=kind.name, option=option))

    def _on_which(self, ctx: Ctx, state: dict, data: dict, text: str) -> Turn:
        kind = deadline_kinds.by_name(data.get("kind"))
        if kind is None or not kind.options:  # a kind since removed from the list: start again
            return Turn([_choose(ctx)], _asking(_base(state), step="choose"))
        option = kind.option(normalise_keyword(text).removeprefix("OPTION ").strip())
        if option is None:
            return Turn([_t(ctx, "which_again", last=len(kind.options)) + "\n" + _menu(ctx, "which_intro", kind.options)],
                        state)
        return self._ask_date(ctx, state, kind, option.name)

    def _on_choose(self, ctx: Ctx, inbound: Inbound, state: dict, text: str) -> Turn:
        choice = normalise_keyword(text).removeprefix("OPTION ").strip()
        kind = deadline_kinds.by_key(choice)
        if kind is not None:
            return self._ask_kind(ctx, state, kind)
        found = _read_date(text, inbound, past_only=True)
        if isinstance(found, ParsedDate):  # a date on its own means the appeal (the default)
            return self._ask_certificate(ctx, state, found.date)
        again = _t(ctx, "choose_again", last=len(deadline_kinds.kinds()))
        if found.reason != "unreadable":
            return Turn([found.text(ctx.copy) + "\n" + again], state)
        return Turn([again], state)

    def _on_date(self, ctx: Ctx, inbound: Inbound, state: dict, data: dict, text: str) -> Turn:
        kind = deadline_kinds.by_name(data.get("kind")) or deadline_kinds.kinds()[0]
        found = _read_date(text, inbound, past_only=kind.past_only)
        if isinstance(found, DateProblem):
            return Turn([found.text(ctx.copy)], state)  # same question, with what was wrong
        if kind.name == "appeal":
            return self._ask_certificate(ctx, state, found.date)
        result = deadline_kinds.calculate(kind.name, found.date, option=data.get("option"), today=_today(inbound))
        return self._result(ctx, inbound, state, result)

    def _ask_certificate(self, ctx: Ctx, state: dict, sent: dt.date) -> Turn:
        return Turn([_t(ctx, "ask_certificate")],
                    _asking(state, step="certificate", kind="appeal", sent=sent.isoformat()))

    def _on_certificate(self, ctx: Ctx, inbound: Inbound, state: dict, data: dict, text: str) -> Turn:
        if normalise_keyword(text) in NO_WORDS:
            cert = None
        else:
            found = _read_date(text, inbound, past_only=True)
            if isinstance(found, DateProblem):
                if found.reason == "unreadable":
                    return Turn([_t(ctx, "certificate_again")], state)
                return Turn([found.text(ctx.copy) + " " + _t(ctx, "certificate_again")], state)
            cert = found.date.isoformat()
        return Turn([_t(ctx, "ask_school")], _asking(state, **{**data, "step": "school", "cert": cert}))

    def _on_school(self, ctx: Ctx, inbound: Inbound, state: dict, data: dict, text: str) -> Turn:
        answer = normalise_keyword(text)
        if answer not in YES_WORDS | NO_WORDS:
            return Turn([_t(ctx, "school_again") + " " + _t(ctx, "ask_school")], state)
        cert = dt.date.fromisoformat(data["cert"]) if data.get("cert") else None
        result = deadline_kinds.calculate("appeal", dt.date.fromisoformat(data["sent"]), certificate=cert,
                                          school_only=answer in YES_WORDS, today=_today(inbound))
        return self._result(ctx, inbound, state, result)

    def _one_shot(self, ctx: Ctx, inbound: Inbound, state: dict, sent: dt.date) -> Turn:
        """An appeal from the letter date alone: certificate and school-only not known."""
        result = deadline_kinds.calculate("appeal", sent, today=_today(inbound))
        return self._result(ctx, inbound, state, result, extra=_t(ctx, "one_shot_note"))

    # --- the answer -------------------------------------------------------------------------

    def _result(self, ctx: Ctx, inbound: Inbound, state: dict, result, extra: str = "") -> Turn:
        """The result (at most 3 texts), keeping what REMIND needs if the parent must act.

        The channel's notes (the one-shot's "Have a certificate?", the REMIND offer) join the
        result's sentences by priority: key facts stay, explanations go first when space is short.
        """
        base = _base(state)
        counted = [Counted(reports.deadline((state.get("data") or {}).get("kind") or "appeal"))]
        if isinstance(result, tuple):  # several dates: EHC assessment, annual review
            base.pop("deadline", None)
            return Turn([deadlines.list_text_summary(result)], base, counted)
        extras = [(ONE_SHOT_NOTE_PRIORITY, extra)] if extra else []
        remindable = result.actor in ("you", "claim") and not result.has_passed
        if remindable:
            extras.append((REMIND_PRIORITY, _t(ctx, "remind_offer")))
            base["deadline"] = {"date": result.date.isoformat(), "kind": result.kind,
                                "what": result.headline_phrase.text(ctx.copy)}
        else:
            base.pop("deadline", None)
        return Turn([result.text_summary(SMS_LIMIT, extras=tuple(extras))], base, counted)


def _keyword_and_argument(ctx: Ctx, text: str) -> str | None:
    """'DEADLINE 31/12/2025' or 'TIME LIMIT 2' -> the words after the keyword; else None."""
    words = text.split()
    for n in (2, 1):
        if len(words) > n and ctx.tree.keyword_index.get(normalise_keyword(" ".join(words[:n]))) == "action:deadline":
            return " ".join(words[n:])
    return None


# ---------------------------------------------------------------------------------------------
# The dispatcher's hook (one line in sms/dialogue.py's _route calls this before anything else)


def intercept(ctx: Ctx, inbound: Inbound, state: dict, word: str) -> Turn | None:
    """Texts this module answers whatever else is going on, or None to let the dispatcher go on.

    REMIND / REMIND OFF work with or without a conversation. 'DEADLINE <words>' starts the
    calculator with those words (the keyword index knows DEADLINE only alone). 'APPEAL <date>'
    goes straight to an appeal result; APPEAL alone still opens the appeal guidance. Neither
    takes over another conversation in progress (its answers might look like these).
    """
    if word in REMIND_OFF_WORDS:
        return Turn([], state, [CancelReminders()])
    if word in REMIND_WORDS:
        last = state.get("deadline")
        if not (isinstance(last, dict) and last.get("date")):
            return Turn([_t(ctx, "remind_none")], state)
        return Turn([], state, [ScheduleReminders(last["date"], last.get("kind", ""), last.get("what", ""))])
    if state.get("flow") not in (None, FLOW):
        return None
    chat = DeadlineChat()
    arg = _keyword_and_argument(ctx, inbound.text)
    if arg is not None and state.get("flow") != FLOW:
        return chat.start(ctx, inbound, _base(state), arg)
    words = inbound.text.split(None, 1)
    if len(words) == 2 and normalise_keyword(words[0]) in APPEAL_WORDS:
        found = _read_date(words[1], inbound, past_only=True)
        if isinstance(found, ParsedDate) or found.reason not in ("unreadable", "missing_year"):
            return chat.start(ctx, inbound, _base(state), words[1])
    return None
