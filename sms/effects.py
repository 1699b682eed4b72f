"""The effects a text can ask for, kept importable here for the SMS modules: the values live in
flows/conversations/effects.py and the one runner that carries them out for both channels is
effect_runner.py (its HANDLERS is the registry)."""

from flows.conversations.effects import (CancelCallback, CancelReminders, Counted, FlagSafety,  # noqa: F401
                                         MoveCallback, OptIn, OptOut, SaveCallback, ScheduleReminders)
