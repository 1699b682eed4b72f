"""The conversations' content data: option lists and languages, loaded once and checked.

    choices(name, group) -> tuple[Option, ...]   a list from flows/content/conversations/<name>.toml,
                                                 numbered 1, 2, 3... in file order
    setting(name, key, default)                  another value from that file (e.g. appeal_routes)
    languages() -> tuple[Language, ...]          flows/content/languages.toml
    offered_languages() -> tuple[Option, ...]    the languages listed when an interpreter is asked for
    language_named(text) -> Language | None      "polish", "polski", "a Polish interpreter" -> Polish
    check_conversations(copy, tree, *, conversations) -> list[str] every problem, for `flask content check`

Numbering is never typed into a message: it is made here from the order of the file, the same for
the phone (keys) and for texts (numbered replies), so the two cannot drift apart.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flows.conversations.engine import Option, plain

CONTENT = Path(__file__).resolve().parent.parent / "content"
CONVERSATIONS_DIR = CONTENT / "conversations"
LANGUAGES_PATH = CONTENT / "languages.toml"
MAX_OPTIONS = 8  # keys 1-8 on the phone (9 and 0 and * mean other things there)


@dataclass(frozen=True)
class Language:
    """A language an interpreter can be booked for."""

    code: str
    name: str
    names: tuple[str, ...]
    offer: bool


@lru_cache(maxsize=8)
def _file(name: str) -> dict:
    with open(CONVERSATIONS_DIR / f"{name}.toml", "rb") as f:
        return tomllib.load(f)


def choices(name: str, group: str) -> tuple[Option, ...]:
    """A choice list from the conversation's content file, numbered in file order."""
    return tuple(Option(key=str(i), id=str(item["id"]), text=str(item["text"]), say=str(item.get("say") or item["text"]),
                        words=tuple(str(w).lower() for w in item.get("words", ())))
                 for i, item in enumerate(_file(name).get(group, ()), start=1))


def entries(name: str, group: str) -> list[dict]:
    """The raw entries of a list (for flags like decision_date or needs_mobile)."""
    return list(_file(name).get(group, ()))


def setting(name: str, key: str, default=None):
    return _file(name).get(key, default)


@lru_cache(maxsize=1)
def languages() -> tuple[Language, ...]:
    with open(LANGUAGES_PATH, "rb") as f:
        raw = tomllib.load(f)
    return tuple(Language(str(item["code"]), str(item["name"]), tuple(str(n).lower() for n in item.get("names", ())),
                          bool(item.get("offer"))) for item in raw.get("languages", ()))


def offered_languages() -> tuple[Option, ...]:
    """The languages listed, numbered in file order."""
    return tuple(Option(key=str(i), id=lang.code, text=lang.name, say=lang.name, words=lang.names)
                 for i, lang in enumerate((lang for lang in languages() if lang.offer), start=1))


def language(code: str) -> Language | None:
    return next((lang for lang in languages() if lang.code == code), None)


_ASKING = re.compile(r"^(?:(?:i|we) (?:need|want|would like)|(?:can|could) (?:i|we) have|please)?\s*"
                     r"(?:an? )?(?:interpreter|translator)?\s*(?:in|for|who speaks|speaking)?\s*"
                     r"(?P<lang>[a-z ]+?)\s*(?:interpreter|translator|speaker)?\s*(?:please)?$")


def language_named(text: str) -> Language | None:
    """The language a short answer names: "Polish", "polski", "a Polish interpreter", "in Urdu please"."""
    words = plain(text)
    if not words or len(words.split()) > 8:
        return None
    match = _ASKING.match(words)
    said = match.group("lang").strip() if match else words
    return next((lang for lang in languages() if said in lang.names), None)


def asks_for_interpreter(text: str) -> bool:
    """A short answer asking for an interpreter without naming a language ("I need an interpreter")."""
    words = plain(text)
    return len(words.split()) <= 8 and bool(re.search(r"\b(interpreter|translator)\b", words))


# --- checks -------------------------------------------------------------------------------------


def check_conversations(copy, tree=None, *, conversations) -> list[str]:
    """Every problem in the conversations' content and the messages they use (`conversations`: the
    registry, flows.conversations.CONVERSATIONS, passed in: this module is imported by each of them)."""
    from flows.gsm7 import first_non_gsm7

    problems: list[str] = []
    for path in sorted(CONVERSATIONS_DIR.glob("*.toml")):
        try:
            raw = _file(path.stem)
        except tomllib.TOMLDecodeError as error:
            problems.append(f"{path.name}: not valid TOML ({error})")
            continue
        stray = [k for k, v in raw.get("topics", [{}])[-1].items() if k not in ("id", "text", "say", "words",
                                                                                 "decision_date")] \
            if raw.get("topics") else []
        if stray:
            problems.append(f"{path.name} [topics]: unknown keys {stray} (a key below a [[list]] belongs to it: "
                            "put settings at the top)")
        for group, items in raw.items():
            if not isinstance(items, list) or not items or not isinstance(items[0], dict):
                continue
            where = f"{path.name} [{group}]"
            if len(items) > MAX_OPTIONS:
                problems.append(f"{where}: {len(items)} options; at most {MAX_OPTIONS} (keys 1-{MAX_OPTIONS})")
            ids, words = set(), {}
            for item in items:
                if not item.get("id") or not item.get("text"):
                    problems.append(f"{where}: every option needs an id and a text ({item!r})")
                    continue
                if item["id"] in ids:
                    problems.append(f"{where}: id {item['id']!r} twice")
                ids.add(item["id"])
                for field in ("text", "say"):
                    bad = first_non_gsm7(str(item.get(field, "")))
                    if bad is not None:
                        problems.append(f"{where} {item['id']}: {field} has a character texts cannot carry ({bad!r})")
                if re.search(r"\b\d\b", str(item["text"])):
                    problems.append(f"{where} {item['id']}: a number in the words; numbering comes from the order")
                for word in item.get("words", ()):
                    if word != word.lower():
                        problems.append(f"{where} {item['id']}: word {word!r} must be lower case")
                    if word in words and words[word] != item["id"]:
                        problems.append(f"{where}: word {word!r} for both {words[word]} and {item['id']}")
                    words[word] = item["id"]
        if path.stem == "callback" and tree is not None:
            for item in raw.get("topics", ()):
                if item.get("id") != "general" and item.get("id") not in tree.nodes:
                    problems.append(f"{path.name} [topics]: {item.get('id')!r} is not a guidance route")
            for route in raw.get("appeal_routes", ()):
                if route not in tree.nodes:
                    problems.append(f"{path.name} appeal_routes: {route!r} is not a guidance route")
    codes, names = set(), {}
    for lang in languages():
        if lang.code in codes:
            problems.append(f"languages.toml: code {lang.code!r} twice")
        codes.add(lang.code)
        if not lang.names:
            problems.append(f"languages.toml {lang.code}: no names")
        for name in lang.names:
            if name in names:
                problems.append(f"languages.toml: name {name!r} for both {names[name]} and {lang.code}")
            names[name] = lang.code
            if first_non_gsm7(name) is not None or name != plain(name):
                problems.append(f"languages.toml {lang.code}: write {name!r} in plain lower-case letters")
    if not 1 <= len(offered_languages()) <= MAX_OPTIONS:
        problems.append(f"languages.toml: offer 1 to {MAX_OPTIONS} languages")
    for conv in conversations.values():
        for key, channels in getattr(conv, "MESSAGES", {}).items():
            message = copy.messages.get(key)
            if message is None:
                problems.append(f"{conv.name} conversation: no message {key!r} in flows/content/messages")
                continue
            for channel in channels:
                if getattr(message, channel) is None:
                    problems.append(f"{conv.name} conversation: message {key!r} has no {channel!r} version")
                elif re.search(r"\b(?:press|reply) [1-8]\b", getattr(message, channel), re.IGNORECASE):
                    problems.append(f"{conv.name} conversation: message {key!r} types an option's number; "
                                    "the numbering comes from the content data")
    return problems
