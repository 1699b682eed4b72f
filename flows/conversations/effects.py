"""What a conversation or a text asks the edge to do besides replying. Values only; the one runner
(effect_runner.py, at the top of the project) carries them out for both channels.

A handler returns messages to say (engine.Say, words by key) or ready texts, often none.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SaveCallback:
    """Store this callback request (exactly once for the answer that finished the conversation)."""

    phone: str
    topic: str
    part_of_day: str = "any"
    contact_by: str = "voice"
    urgent: bool = False
    deadline: str | None = None  # ISO: the appeal deadline, which sets urgency
    decision_date: str | None = None  # ISO: the date on the council's decision letter
    voicemail_ok: bool | None = None
    text_ok: bool | None = None
    interpreter: str = ""  # a language code from flows/content/languages.toml
    problem_words: str = ""  # the few words the parent typed about the problem
    voice_message_url: str | None = None  # or said them, by phone
    conversation_texts: tuple[str, ...] = field(default=())  # the parent's texts in this conversation
    own_number: bool = True  # the number is the line that is calling or texting
    replaces: str = ""  # the live request being changed ("change what we know"): closed if this one is new


@dataclass(frozen=True)
class CancelCallback:
    """Cancel the live callback request of the number asking (or `request_id`)."""

    request_id: str = ""


@dataclass(frozen=True)
class MoveCallback:
    """Move the live callback request to `day` (ISO), or to the next helpline day with room."""

    request_id: str = ""
    day: str = ""


@dataclass(frozen=True)
class OptOut:
    """The parent sent STOP: never text them again until they send START."""


@dataclass(frozen=True)
class OptIn:
    """The parent sent START (or YES): texts may go to them again."""


@dataclass(frozen=True)
class FlagSafety:
    """Words suggested someone may be at risk: staff must see it first, with the words and the kind."""

    excerpt: str
    category: str = ""
    label: str = ""


@dataclass(frozen=True)
class SendText:
    """Text `body` to the line asking (by phone: the caller's UK mobile), once for this call or text
    and `key` (pressing "text me" twice sends one text)."""

    body: str
    purpose: str
    key: str


@dataclass(frozen=True)
class ScheduleReminders:
    """REMIND: text the parent before `date` (ISO); `what` says what to do by then."""

    date: str
    kind: str
    what: str


@dataclass(frozen=True)
class CancelReminders:
    """REMIND OFF: cancel every reminder not yet sent to this number."""


@dataclass(frozen=True)
class Counted:
    """Something the managers' reports count (a route given, a deadline worked out): a field name
    from flows/reports.py, never who asked."""

    field: str
