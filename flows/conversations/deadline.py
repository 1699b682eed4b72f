"""The deadline calculator: one set of questions, in one order, by phone and by text.

    kind      which deadline: the kinds of flows/content/deadline_kinds.toml, numbered in file order
              (by phone also 9, the main menu). A date given here instead means an appeal counted
              from that date (a date that cannot be used: what was wrong, and the letter date asked).
    which     for a kind with options (which move?), which one
    sent      the date it counts from (the kind's own question; the past only, except a review
              meeting or a move); keyed as 8 digits then # or said by phone, typed by text
    sent_ok   (by phone) the date read back with its weekday and year: yes goes on, no asks again
    cert      (an appeal) the date on the mediation certificate, or none (0, "no", "I don't have one")
    cert_ok   (by phone) the certificate's date read back
    school    (an appeal) is it only about the school or college named in the plan, its type, or
              that none is named? yes or no
    after     (by phone) the result has been said: hear it again, get it by text, ask an adviser to
              call back, reminder texts (a date still ahead for the parent), 9 the main menu

The result is said as soon as the last answer is in (Answered: the same facts and words as
flows.deadlines gives, spoken in parts or written as one text of at most 3 segments), with a
Counted effect for the reports. By text the conversation ends there: the text offers REMIND when
there is a date ahead for the parent, and CALLBACK and MENU work at any time (leaves() keeps the
deadline for REMIND and for a call back, which it makes urgent when close). By phone the
options follow; "text" and "remind" need the calling line to be a UK mobile (SendText,
ScheduleReminders, carried out by effect_runner.py), "callback" ends with state end "callback"
(callback_facts(): the topic and the deadline to hand to the callback conversation) and "menu"
with end "menu".

Facts at the start (begin): channel ("voice" or "sms"), own (the calling or texting line), arg
(what followed DEADLINE or APPEAL in a text: a kind's number goes to its question; a date gives an
appeal's result at once, with the certificate and "only about the school" not known, which the
result says).

State (short strings, so the phone can keep them in the query string): kind and opt (names from
the kinds file), sent and cert (ISO dates; cert "none" for no certificate), sok and cok ("1" once
confirmed; by text at once), school ("1" or "0"), quick ("1": the one-shot result), told ("1": the
result has been said). A value that cannot be read (a damaged URL) counts as not answered, so the
question is asked again. Yes and no are the engine's one list; the Other path on a choice says
"a number from 1 to N" by text. The words are flows/content/messages/deadline_chat.toml; the
options after the result, flows/content/conversations/deadline.toml.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flows import deadline_kinds, deadlines, reports
from flows.conversations import content
from flows.conversations.effects import Counted, ScheduleReminders, SendText
from flows.conversations.engine import (CHOICE, DATE, SKIPPED, YES_NO, Answer, Day, Invalid, Option, Prompt, Say,
                                        parse, plain, yes_or_no)
from flows.dateparse import ParsedDate, parse_date, plausible
from flows.phone import is_uk_mobile, normalise_uk_number

NAME = "deadline"
STEPS = ("kind", "which", "sent", "sent_ok", "cert", "cert_ok", "school", "after")
STATE_KEYS = ("kind", "opt", "sent", "sok", "cert", "cok", "school", "quick", "told")
CONFIRMED = {"sent": "sok", "cert": "cok"}  # by phone a date is read back and confirmed
MAIN_MENU_KEY = "9"  # on the phone 9 is the main menu at every menu
SMS_LIMIT = deadlines.SMS_MAX_CHARS
ONE_SHOT_NOTE_PRIORITY = 85  # kept before the explanations, dropped before the key facts
REMIND_PRIORITY = 80
CALLBACK_TOPICS = {"appeal": "appeal", "discrimination_claim": "appeal"}  # others: "council"
# At the certificate question these words (with no date) mean "no certificate".
NO_CERTIFICATE_WORDS = frozenset({"no", "none", "nope", "nah", "not", "dont", "havent", "hasnt", "didnt", "never",
                                  "n"})


@dataclass(frozen=True)
class Answered:
    """The worked-out answer as said: spoken in parts (the phone pauses between them), or written as
    one text with the channel's notes (message keys with priorities) fitted in by priority."""

    result: object  # deadlines.Result: one Deadline or a tuple of related dates
    notes: tuple[tuple[int, str], ...] = ()

    def spoken(self, copy) -> list[str]:
        return deadlines.spoken_of(self.result)

    def written(self, copy) -> str:
        if isinstance(self.result, tuple):
            return deadlines.list_text_summary(self.result, SMS_LIMIT)
        return self.result.text_summary(SMS_LIMIT, extras=tuple((p, copy.text(k)) for p, k in self.notes))


class DeadlineConversation:
    """See the module docstring."""

    name = NAME
    keeps_texts = False  # the parent's texts are not kept: nothing here goes to an adviser
    # The messages this conversation uses, and the channels each needs (checked by `flask content check`).
    MESSAGES = {key: ("say", "text") for key in (
        "deadline_chat.choose_intro", "deadline_chat.which_intro", "deadline_chat.choice_again",
        "deadline_chat.yes_no_again", "deadline_chat.ask_certificate",
        "deadline_chat.ask_school", "deadline_chat.need_date", "deadline_chat.too_many_tries")}
    MESSAGES.update({key: ("say",) for key in (  # by phone only: the read-back and what next
        "deadline_chat.ivr_intro", "deadline_chat.readback", "deadline_chat.ask_after", "deadline_chat.ivr_text_sent",
        "deadline_chat.ivr_not_mobile")})
    MESSAGES.update({"deadline_chat.one_shot_note": ("text",), "deadline_chat.remind_offer": ("text",)})

    # --- the start ---------------------------------------------------------------------------

    def begin(self, ctx, facts: dict) -> tuple[dict, list, list]:
        channel = "voice" if facts.get("channel") == "voice" else "sms"
        state = {"channel": channel, "own": normalise_uk_number(facts.get("own") or "") or ""}
        said: list = [Say("deadline_chat.ivr_intro")] if channel == "voice" else []
        arg = " ".join(str(facts.get("arg") or "").split())
        if not arg:
            return state, said, []
        kind = deadline_kinds.by_key(arg)
        if kind is not None:
            return {**state, "kind": kind.name}, said, []
        found = parse_date(arg, ctx.today, past_only=True)
        if isinstance(found, ParsedDate):  # "DEADLINE 31/12/2025": an appeal's result at once
            state, told, effects = self._with(ctx, {**state, "kind": "appeal", "sent": found.date.isoformat(),
                                                     "sok": "1", "quick": "1", "end": "done"})
            return state, said + told, effects
        if found.reason != "unreadable":  # a date that cannot be used: say why, ask the letter date
            return {**state, "kind": "appeal"}, said + [Say("conversations.date_problem", {"problem": found})], []
        return state, said, []

    # --- the order ---------------------------------------------------------------------------

    def next_step(self, ctx, s: dict) -> str | None:
        kind = _kind(s)
        if kind is None:
            return "kind"
        if kind.options and _option(s) is None:
            return "which"
        voice = s.get("channel") == "voice"
        if _date(ctx, s, "sent") is None:
            return "sent"
        if voice and not s.get("sok"):
            return "sent_ok"
        if kind.name == "appeal" and not s.get("quick"):
            if s.get("cert") != "none" and _date(ctx, s, "cert") is None:
                return "cert"
            if voice and s.get("cert") != "none" and not s.get("cok"):
                return "cert_ok"
            if s.get("school") not in ("1", "0"):
                return "school"
        if voice:
            return "after"
        return None

    # --- the questions -----------------------------------------------------------------------

    def prompt(self, ctx, s: dict, step: str) -> Prompt | None:
        voice = s.get("channel") == "voice"
        kind = _kind(s)
        if step == "kind":
            options = tuple(Option(k.key, k.name, k.text, k.say, tuple(h.lower() for h in k.hints))
                            for k in deadline_kinds.kinds())
            return Prompt(step, CHOICE, "deadline_chat.choose_intro", {"last": str(len(options))},
                          options + self._menu(voice), other="deadline_chat.choice_again")
        if step == "which":
            if kind is None or not kind.options:
                return None
            options = tuple(Option(o.key, o.name, o.text, o.say, tuple(h.lower() for h in o.hints))
                            for o in kind.options)
            return Prompt(step, CHOICE, "deadline_chat.which_intro", {"last": str(len(options))},
                          options + self._menu(voice), other="deadline_chat.choice_again")
        if step == "sent":
            if kind is None:
                return None
            return Prompt(step, DATE, f"deadline_chat.{kind.question}", past_only=kind.past_only)
        if step in ("sent_ok", "cert_ok"):
            day = _date(ctx, s, step[:-3])
            if day is None:
                return None
            return Prompt(step, YES_NO, "deadline_chat.readback", {"date": Day(day, year=True)},
                          other="deadline_chat.yes_no_again")
        if step == "cert":
            return Prompt(step, DATE, "deadline_chat.ask_certificate", past_only=True)
        if step == "school":
            return Prompt(step, YES_NO, "deadline_chat.ask_school", other="deadline_chat.yes_no_again")
        if step == "after":
            if self.result(ctx, s) is None:
                return None
            options = [o for o in content.choices(NAME, "after") if o.id != "remind" or self.remindable(ctx, s)]
            return Prompt(step, CHOICE, "deadline_chat.ask_after", {"last": str(len(options))},
                          _numbered(options) + self._menu(voice), other="deadline_chat.choice_again")
        return None

    def _menu(self, voice: bool) -> tuple[Option, ...]:
        """By phone, 9 for the main menu (by text, MENU works at any time)."""
        if not voice:
            return ()
        [menu] = content.choices(NAME, "main_menu")
        return (Option(MAIN_MENU_KEY, "menu", menu.text, menu.say, menu.words),)

    # --- the answers -------------------------------------------------------------------------

    def interrupt(self, ctx, s: dict, prompt: Prompt, answer: Answer) -> tuple[dict, list] | None:
        """Words that answer the question in another way: a date instead of a kind (an appeal), and
        "no" or "I don't have one" at the certificate question."""
        words = answer.text.strip()
        if not words or answer.digits.strip():
            return None
        if prompt.step == "kind" and isinstance(parse(prompt, answer, ctx.today), Invalid):
            found = parse_date(words, ctx.today, past_only=True)
            if isinstance(found, ParsedDate):
                s = {**s, "kind": "appeal", "sent": found.date.isoformat()}
                return ({**s, "sok": "1"} if s.get("channel") != "voice" else s), []
            if found.reason != "unreadable":
                return {**s, "kind": "appeal"}, [Say("conversations.date_problem", {"problem": found})]
            return None
        if prompt.step == "cert" and _no_certificate(words, ctx.today):
            return {**s, "cert": "none"}, []
        return None

    def take(self, ctx, s: dict, step: str, value, answer: Answer) -> tuple[dict, list, list]:
        s = dict(s)
        if value == "menu" and step in ("kind", "which", "after"):
            return {**s, "end": "menu"}, [], []
        if step == "kind":
            s["kind"] = value
            for key in ("opt", "sent", "sok", "cert", "cok", "school", "quick", "told"):
                s.pop(key, None)
        elif step == "which":
            s["opt"] = value
        elif step in ("sent", "cert"):
            if value is SKIPPED:
                if step == "sent":  # "0" or "don't know": this one is needed
                    return s, [Say("deadline_chat.need_date")], []
                s["cert"] = "none"
            else:
                s[step] = value.isoformat()
                s.pop(CONFIRMED[step], None)
                if s.get("channel") != "voice":
                    s[CONFIRMED[step]] = "1"  # by text it is written back in the result
        elif step in ("sent_ok", "cert_ok"):
            if value is True:
                s[CONFIRMED[step[:-3]]] = "1"
            else:
                s.pop(step[:-3], None)
        elif step == "school":
            s["school"] = "1" if value is True else "0"
        elif step == "after":
            return self._after(ctx, s, value)
        return self._with(ctx, s)

    def _with(self, ctx, s: dict) -> tuple[dict, list, list]:
        """The state, with the result said if this answer was the last one needed."""
        told, effects = self._told(ctx, s)
        return ({**s, "told": "1"} if told else s), told, effects

    def _told(self, ctx, s: dict) -> tuple[list, list]:
        if s.get("told") or not self._complete(ctx, s):
            return [], []
        result = self.result(ctx, s)
        if result is None:
            return [], []
        notes = []
        if s.get("quick"):
            notes.append((ONE_SHOT_NOTE_PRIORITY, "deadline_chat.one_shot_note"))
        if self.remindable(ctx, s):
            notes.append((REMIND_PRIORITY, "deadline_chat.remind_offer"))
        return [Answered(result, tuple(notes))], [Counted(reports.deadline(s["kind"]))]

    def _complete(self, ctx, s: dict) -> bool:
        step = self.next_step(ctx, s)
        return step is None or step == "after"

    def _after(self, ctx, s: dict, value) -> tuple[dict, list, list]:
        """What next, by phone."""
        result = self.result(ctx, s)
        s.pop("tries", None)
        if value == "again":
            return s, [Answered(result)], []
        if value == "callback":
            return {**s, "end": "callback"}, [], []
        if not is_uk_mobile(normalise_uk_number(s.get("own") or "")):
            return s, [Say("deadline_chat.ivr_not_mobile")], []
        if value == "text":
            first = result[0] if isinstance(result, tuple) else result
            return s, [Say("deadline_chat.ivr_text_sent")], [
                SendText(deadlines.text_of(result), "deadline", f"{first.kind}:{first.date.isoformat()}")]
        reminder = self.reminder(ctx, s)
        return s, [], [reminder] if reminder else []

    # --- the end -----------------------------------------------------------------------------

    def finish(self, ctx, s: dict) -> tuple[list, list]:
        return [], []

    def give_up(self, ctx, s: dict, step: str) -> list[Say]:
        return [Say("deadline_chat.too_many_tries")]

    # --- the answer, and what it leaves behind ------------------------------------------------

    def result(self, ctx, s: dict):
        """The result for the answers so far (None if they are not enough to work it out)."""
        kind, sent = _kind(s), _date(ctx, s, "sent")
        if kind is None or sent is None or (kind.options and _option(s) is None):
            return None
        if kind.name != "appeal":
            option = _option(s)
            return deadline_kinds.calculate(kind.name, sent, option=option and option.name, today=ctx.today)
        cert = _date(ctx, s, "cert")
        school = {"1": True, "0": False}.get(s.get("school") or "")
        return deadline_kinds.calculate("appeal", sent, certificate=cert, school_only=school, today=ctx.today)

    def remindable(self, ctx, s: dict) -> bool:
        """One date still ahead that the parent must act by: reminder texts can help."""
        result = self.result(ctx, s)
        return isinstance(result, deadlines.Deadline) and result.actor in ("you", "claim") and not result.has_passed

    def reminder(self, ctx, s: dict) -> ScheduleReminders | None:
        """The reminders a parent can ask for (REMIND) after this result, or None."""
        if not self.remindable(ctx, s):
            return None
        result = self.result(ctx, s)
        return ScheduleReminders(result.date.isoformat(), result.kind, result.headline_phrase.text())

    def leaves(self, ctx, s: dict) -> dict:
        """By text, what the conversation leaves behind when it ends: the last deadline a parent can
        set reminders for (REMIND) and that makes a call back urgent (CALLBACK), or None to forget it."""
        if not s.get("told"):
            return {}
        reminder = self.reminder(ctx, s)
        if reminder is None:
            return {"deadline": None}
        return {"deadline": {"date": reminder.date, "kind": reminder.kind, "what": reminder.what}}

    def callback_facts(self, ctx, s: dict) -> dict:
        """By phone, for the callback conversation: the topic, and the deadline that makes it urgent."""
        reminder = self.reminder(ctx, s)
        return {"topic": CALLBACK_TOPICS.get(s.get("kind") or "", "council"),
                "deadline": reminder.date if reminder else ""}


def _kind(s: dict) -> deadline_kinds.Kind | None:
    return deadline_kinds.by_name(s.get("kind"))


def _option(s: dict) -> deadline_kinds.Option | None:
    kind = _kind(s)
    return kind.option_named(s.get("opt")) if kind else None


def _date(ctx, s: dict, key: str) -> dt.date | None:
    """An ISO date from the state; None if missing, damaged or further off than a parent could give."""
    try:
        day = dt.date.fromisoformat(s.get(key) or "")
    except (TypeError, ValueError):
        return None
    if not plausible(day, ctx.today):
        return None
    kind = _kind(s)
    past_only = key == "cert" or kind is None or kind.past_only
    return None if past_only and day > ctx.today else day


def _no_certificate(words: str, today: dt.date) -> bool:
    """'no', 'NONE', 'I don't have one', 'not yet': no certificate (when no date is in the words)."""
    if isinstance(parse_date(words, today), ParsedDate):
        return False  # "no, it was 3 November": a date
    said = plain(words)
    return yes_or_no(said) is False or bool(set(said.split()) & NO_CERTIFICATE_WORDS)


def _numbered(options) -> tuple[Option, ...]:
    return tuple(Option(str(i), o.id, o.text, o.say, o.words) for i, o in enumerate(options, start=1))


CONVERSATION = DeadlineConversation()
