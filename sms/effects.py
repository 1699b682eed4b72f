"""What a text asks the edge to do besides replying (record an opt-out, flag a risk, ...).

Dialogues return effect values; the view runs the handler registered for each type.
A handler takes (services, inbound, effect) and returns extra reply texts (often none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

HANDLERS: dict[type, Callable] = {}


def handles(effect_type: type) -> Callable[[Callable], Callable]:
    """Register the function that carries out one kind of effect."""

    def add(fn: Callable) -> Callable:
        HANDLERS[effect_type] = fn
        return fn

    return add


@dataclass(frozen=True)
class OptOut:
    """The parent sent STOP: never text them again until they send START."""


@dataclass(frozen=True)
class OptIn:
    """The parent sent START (or YES): texts may go to them again."""


@dataclass(frozen=True)
class FlagSafety:
    """A text suggested someone may be at risk: staff must see it first, with the words and the kind."""

    excerpt: str
    category: str = ""
    label: str = ""


@dataclass(frozen=True)
class Counted:
    """Something the managers' reports count (a route given, a deadline worked out): a field name
    from flows/reports.py, never who asked."""

    field: str
