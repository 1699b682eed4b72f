"""Spot words in a text (or a caller's speech) that suggest someone may be at risk.

The phrases live in flows/content/safety.toml so staff can add to them without a code
change. The SMS channel calls detect_risk() on every incoming text BEFORE keyword matching
(and the voice channel on speech results); if it is true, it sends the urgent message first
(emergency numbers, then the offer of an urgent callback) and flags any callback as urgent.

    detect_risk(text) -> bool             True if any risk phrase is present
    find_risk(text) -> str | None         the phrase found (for logs and the staff page)
    urgent_message() -> SafetyMessage     .say / .text: 999, Samaritans, Childline, callback
    load_safety(path=None) -> SafetyConfig   phrases, exceptions, messages (cached)

How matching works: the text is lower-cased and punctuation becomes spaces, so "self-harm",
"Self harm!" and "self  harm" are the same. Phrases match whole words only ("abuse" matches
"abuse" but not "disabused"). Exception phrases ("kill time", "killing time") are removed
before matching, so "going to kill time at the park" is not flagged while "going to kill
himself" is. Single words of 7 letters or more in the list also match with one typing slip
("sucide" for "suicide"). We lean towards flagging: a false alarm costs a parent a kind
message; a miss could cost far more.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_PATH = Path(__file__).parent / "content" / "safety.toml"
FUZZY_MIN_LENGTH = 7


class SafetyConfigError(ValueError):
    """safety.toml is missing something or has the wrong shape."""


@dataclass(frozen=True)
class SafetyMessage:
    """An urgent message in its spoken and written versions."""

    say: str
    text: str


@dataclass(frozen=True)
class SafetyConfig:
    phrases: tuple[str, ...]
    exceptions: tuple[str, ...]
    messages: dict[str, SafetyMessage]


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, other punctuation as spaces, single spaces."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return " " + " ".join(re.sub(r"[^\w]+", " ", text).replace("_", " ").split()) + " "


def _words(value, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SafetyConfigError(f"{where}: expected a list of phrases")
    return tuple(normalise(v).strip() for v in value)


def parse_safety(raw: dict) -> SafetyConfig:
    """SafetyConfig from parsed TOML (raises SafetyConfigError)."""
    phrases = _words(raw.get("phrases"), "phrases")
    if not phrases:
        raise SafetyConfigError("phrases: the list is empty")
    exceptions = _words(raw.get("exceptions", []), "exceptions")
    messages = {}
    for name, value in raw.get("messages", {}).items():
        if not (isinstance(value, dict) and isinstance(value.get("say"), str) and isinstance(value.get("text"), str)):
            raise SafetyConfigError(f"messages.{name}: needs say and text")
        messages[name] = SafetyMessage(value["say"].strip(), value["text"].strip())
    if "urgent" not in messages:
        raise SafetyConfigError("messages.urgent is missing")
    return SafetyConfig(phrases, exceptions, messages)


@lru_cache(maxsize=4)
def load_safety(path: Path | str = DEFAULT_PATH) -> SafetyConfig:
    """Read and check safety.toml (cached)."""
    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise SafetyConfigError(f"cannot read {path}: {e}") from None
    return parse_safety(raw)


def _near(word: str, target: str) -> bool:
    """One letter added, dropped, changed or two swapped."""
    if abs(len(word) - len(target)) > 1 or word == target:
        return word == target
    if len(word) == len(target):
        diff = [i for i, (a, b) in enumerate(zip(word, target)) if a != b]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and word[diff[0]] == target[diff[1]] and word[diff[1]] == target[diff[0]]
        )
    short, long_ = sorted((word, target), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def find_risk(text: str, config: SafetyConfig | None = None) -> str | None:
    """The first risk phrase in text, or None."""
    config = config or load_safety()
    clean = normalise(text or "")
    for exception in config.exceptions:
        while f" {exception} " in clean:
            clean = clean.replace(f" {exception} ", " | ")
    for phrase in config.phrases:
        if f" {phrase} " in clean:
            return phrase
    for word in clean.split():
        for phrase in config.phrases:
            if " " not in phrase and len(phrase) >= FUZZY_MIN_LENGTH and _near(word, phrase):
                return phrase
    return None


def detect_risk(text: str, config: SafetyConfig | None = None) -> bool:
    """True if the text suggests someone may be at risk (see the module docstring)."""
    return find_risk(text, config) is not None


def urgent_message(config: SafetyConfig | None = None) -> SafetyMessage:
    """What to say or send first when a risk is detected."""
    return (config or load_safety()).messages["urgent"]
