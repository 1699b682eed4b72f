"""The words parents hear and read, loaded from flows/content/messages/*.toml.

Each file is a group; each entry is either a string (used for voice and text alike)
or a table with `say` (spoken) and `text` (SMS) versions. Placeholders use {name}.
Keys are "group.entry", e.g. copy.text("greeting.closed", ...).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MESSAGES_DIR = Path(__file__).parent / "content" / "messages"


class CopyError(LookupError):
    """A message key is missing or has no version for the channel asked for."""


@dataclass(frozen=True)
class Message:
    """One entry: its spoken and written versions (either may be None)."""

    key: str
    say: str | None
    text: str | None


class Copy:
    """All messages, looked up by key and filled in with values."""

    def __init__(self, messages: dict[str, Message]):
        self.messages = messages

    def _get(self, key: str) -> Message:
        try:
            return self.messages[key]
        except KeyError:
            raise CopyError(f"no message {key!r} in flows/content/messages") from None

    def say(self, key: str, **values: object) -> str:
        """The spoken version, filled in."""
        msg = self._get(key)
        if msg.say is None:
            raise CopyError(f"message {key!r} has no spoken version")
        return msg.say.format(**values).strip()

    def text(self, key: str, **values: object) -> str:
        """The SMS version, filled in."""
        msg = self._get(key)
        if msg.text is None:
            raise CopyError(f"message {key!r} has no text version")
        return msg.text.format(**values).strip()


def _entries(group: str, raw: dict) -> dict[str, Message]:
    out = {}
    for name, value in raw.items():
        key = f"{group}.{name}"
        if isinstance(value, str):
            out[key] = Message(key, value, value)
        elif isinstance(value, dict) and set(value) <= {"say", "text"} and value:
            out[key] = Message(key, value.get("say"), value.get("text"))
        else:
            raise CopyError(f"{key}: expected a string or a table with 'say' and/or 'text'")
    return out


@lru_cache(maxsize=2)
def load_copy(directory: Path = MESSAGES_DIR) -> Copy:
    """Read every messages file once (they change only when staff edit and redeploy)."""
    messages: dict[str, Message] = {}
    for path in sorted(directory.glob("*.toml")):
        with open(path, "rb") as f:
            messages.update(_entries(path.stem, tomllib.load(f)))
    return Copy(messages)
