"""Notice when a text (or a caller's words) says someone may be at risk, and what to send first.

The patterns are data in flows/content/safety.toml, in a small word notation staff can read and
extend (described at the top of that file). The SMS channel calls assess() on every incoming text
BEFORE keyword matching, and the voice channel on speech results; on a concern it sends the
category's message first (999, then the national service that fits, then how to ask us for an
urgent call back) and flags the concern for staff.

    assess(text) -> Concern | None       category, staff label, the words that matched, every
                                         category matched (most serious first)
    message_for(category) -> SafetyMessage   .say / .text for a category (None: the general one)
    categories() -> dict[str, str]       category -> staff label, in priority order
    detect_risk(text) -> bool            True if there is a concern
    find_risk(text) -> str | None        the words that matched
    urgent_message() -> SafetyMessage    the general message, for when the category is unknown
    load_safety(path=None) -> SafetyConfig   patterns, words, messages (checked, compiled, cached)

How a text is read: lower case; apostrophes dropped ("can't" is "cant", "I'm" is "im"); other
punctuation splits words. Every word is reduced to its stem (Snowball English, so "hanging",
"hanged" and "hangs" are all "hang"); irregular forms ("hung", "took") and text-speak ("gonna",
"kms") come from the [same] table first. A longer word one slip away from a pattern word
("sucidal", "herslef") counts as that word if it is listed as slip-prone (rapidfuzz, same first
letter; real words that are one slip away, such as "strange", are listed as not slips). Filler words ("just",
"really", "um") may stand between any two pattern words. A match that overlaps an exception
("killing time", "hurt his leg") does not count. We lean towards flagging: a false alarm costs
a parent a kind message; a miss could cost far more. `flask content check --safety` scores the
patterns against the corpora in tests/corpus (flows/safety_eval.py).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import snowballstemmer
from rapidfuzz.distance import OSA
from rapidfuzz.process import extractOne

from flows.gsm7 import describe_char, first_non_gsm7, gsm7_length

DEFAULT_PATH = Path(__file__).parent / "content" / "safety.toml"
DEFAULT_GAP = 4  # what "..." allows when the file does not say
FUZZY_MIN_LENGTH = 5  # shorter stems must be spelt right ("kil" is not "kill": too many real words are near)
MAX_TEXT_CHARS = 160  # one SMS segment
LEMMA_CACHE = 20_000  # words remembered per config (a bounded cache: texts are untrusted input)

_TOKEN = re.compile(r"[^\W_]+(?:['\u2019\u2018`][^\W_]+)*")
_APOSTROPHES = str.maketrans("", "", "'\u2019\u2018`")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_ITEM = re.compile(r"\([^()]*\)|[^\s()]+")


class SafetyConfigError(ValueError):
    """safety.toml is missing something or has the wrong shape."""


@dataclass(frozen=True)
class SafetyMessage:
    """A message in its spoken and written versions; confirm names numbers staff must check."""

    say: str
    text: str
    confirm: str = ""


@dataclass(frozen=True)
class Concern:
    """What assess() found: the most serious category first, and every category matched."""

    category: str
    label: str
    matched: str  # the words in the text that matched (for the staff page; never logged)
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Token:
    lemma: str
    surface: str  # after the [same] table
    written: str  # as written (apostrophes dropped), for =exact words
    start: int  # character span in the original text
    end: int


# --- compiled patterns: ("w", lemmas, exact forms) | ("alt", sequences) | ("gap", n) ----------


@dataclass(frozen=True)
class Pattern:
    category: str  # "" for an exception
    source: str  # as written in the file
    parts: tuple[tuple, ...]  # each a sequence of elements; all must be found (" & ")


@dataclass
class SafetyConfig:
    """Checked and compiled safety.toml."""

    labels: dict[str, str]  # category -> staff label, in priority order
    patterns: tuple[Pattern, ...]
    exceptions: tuple[Pattern, ...]
    messages: dict[str, SafetyMessage]
    same: dict[str, tuple[str, ...]]
    fillers: frozenset[str]
    not_slips: frozenset[str]
    gap: int = DEFAULT_GAP
    vocabulary: frozenset[str] = frozenset()
    _index: dict = field(default_factory=dict, repr=False)
    _exception_index: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._stemmer = snowballstemmer.stemmer("english")
        self._by_letter: dict[str, list[str]] = {}
        self._slip_stems: dict[str, str] = {}
        self.lemma = lru_cache(maxsize=LEMMA_CACHE)(self._lemma)

    # words ----------------------------------------------------------------------------------

    def stem(self, word: str) -> str:
        return self._stemmer.stemWord(word)

    def _lemma(self, word: str) -> str:
        """The stem a text word is compared by, after g-dropping and spelling slips."""
        stem = self.stem(word)
        if stem in self.vocabulary or not self.vocabulary:
            return stem
        if word.endswith("in") and len(word) >= 5 and word not in self.not_slips:  # "cuttin", "hangin"
            dropped = self.stem(word + "g")
            if dropped in self.vocabulary:
                return dropped
        for ending in ("ing", "ed"):  # one consonant where two belong: "cuting", "slaped", "stabed"
            base = word[: -len(ending)]
            if word.endswith(ending) and len(base) >= 2 and base[-1] not in "aeiouwxy" and word not in self.not_slips:
                doubled = self.stem(base + base[-1] + ending)
                if doubled in self.vocabulary and doubled != stem:
                    return doubled
        if len(stem) >= FUZZY_MIN_LENGTH and stem not in self.not_slips:
            near = self._by_letter.get(stem[0])
            if near:  # the word as written, or its stem, one slip from a slip-prone word or its stem
                for form in (word, stem):
                    best = extractOne(form, near, scorer=OSA.distance, score_cutoff=1)
                    if best is not None:
                        return self._slip_stems[best[0]]
        return stem

    def tokens(self, text: str) -> list[Token]:
        """The words of a text as the patterns see them (the [same] table applied)."""
        out = []
        for m in _TOKEN.finditer(text.lower()):
            surface = m.group().translate(_APOSTROPHES)
            for word in self.same.get(surface) or self.same.get(self.stem(surface)) or (surface,):
                out.append(Token(self.lemma(word), word, surface, m.start(), m.end()))
        return out

    def finish(self, slips: list[str]) -> None:
        """Index the compiled patterns by the words they can start with, and the slip-prone words."""
        self._by_letter, self._slip_stems = {}, {}
        for word in slips:
            word = word.lower()
            stem = self.stem(word)
            if stem not in self.vocabulary:
                raise SafetyConfigError(f"words.slips: {word!r} is in no pattern")
            if len(stem) < FUZZY_MIN_LENGTH:
                raise SafetyConfigError(f"words.slips: {word!r} is too short to guess slips of")
            for form in {word, stem}:
                self._slip_stems[form] = stem
                self._by_letter.setdefault(form[0], []).append(form)
        self.lemma.cache_clear()
        self._index = _index(self.patterns)
        self._exception_index = _index(self.exceptions)

    # backwards-compatible views ---------------------------------------------------------------

    @property
    def phrases(self) -> tuple[str, ...]:
        return tuple(p.source for p in self.patterns)


# --- reading the file ---------------------------------------------------------------------


def _strings(value, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SafetyConfigError(f"{where}: expected a list of words or patterns")
    return [v.strip() for v in value]


class _Compiler:
    """Turns the pattern notation into elements, resolving <groups> once each."""

    def __init__(self, config: SafetyConfig, groups: dict[str, list[str]]):
        self.config = config
        self.groups = groups
        self.compiled: dict[str, tuple] = {}
        self.busy: set[str] = set()

    def words(self, word: str, where: str) -> list[str]:
        """A pattern word as text words (the [same] table may make it several)."""
        tokens = self.config.tokens(word)
        if not tokens:
            raise SafetyConfigError(f"{where}: {word!r} has no letters")
        return [t.surface for t in tokens]

    def group(self, name: str, where: str) -> tuple:
        if name in self.compiled:
            return self.compiled[name]
        if name not in self.groups:
            raise SafetyConfigError(f"{where}: unknown group <{name}>")
        if name in self.busy:
            raise SafetyConfigError(f"{where}: group <{name}> contains itself")
        self.busy.add(name)
        seqs = tuple(self.sequence(entry, f"groups.{name}", gaps=True) for entry in self.groups[name])
        self.busy.discard(name)
        self.compiled[name] = ("alt", seqs)
        return self.compiled[name]

    def item(self, item: str, where: str) -> tuple:
        lemmas, exact, seqs = set(), set(), []
        for alt in item.split("|"):
            if not alt:
                raise SafetyConfigError(f"{where}: empty choice in {item!r}")
            if alt.startswith("<") and alt.endswith(">"):
                seqs.extend(self.group(alt[1:-1], where)[1])
            elif alt.startswith("="):  # as written: not through [same], not stemmed
                words = alt[1:].translate(_APOSTROPHES).split()
                if not words or not all(w.isalnum() for w in words):
                    raise SafetyConfigError(f"{where}: cannot read {alt!r}")
                if len(words) == 1:
                    exact.add(words[0])
                else:
                    seqs.append(tuple(("w", frozenset(), frozenset({w})) for w in words))
            elif "<" in alt or ">" in alt or "=" in alt or "." in alt:
                raise SafetyConfigError(f"{where}: cannot read {alt!r} in {item!r}")
            else:
                words = self.words(alt, where)
                stems = [self.config.stem(w) for w in words]
                self.config.vocabulary |= set(stems)
                if len(stems) == 1:
                    lemmas.add(stems[0])
                else:
                    seqs.append(tuple(("w", frozenset({s}), frozenset()) for s in stems))
        word = ("w", frozenset(lemmas), frozenset(exact))
        if not seqs:
            return word
        if lemmas or exact:
            seqs.append((word,))
        return ("alt", tuple(seqs))

    def choice(self, item: str, where: str) -> tuple:
        """(a b|c d): any one of these phrases."""
        phrases = item[1:-1].split("|")
        if len(phrases) < 2 or not all(p.strip() for p in phrases):
            raise SafetyConfigError(f"{where}: {item!r} needs two or more phrases between |")
        seqs = []
        for phrase in phrases:
            sequence = self.sequence(phrase, where)
            seqs.extend(sequence[0][1] if len(sequence) == 1 and sequence[0][0] == "alt" else [sequence])
        return ("alt", tuple(seqs))

    def sequence(self, text: str, where: str, gaps: bool = True) -> tuple:
        elements = []
        if text.count("(") != text.count(")"):
            raise SafetyConfigError(f"{where}: unmatched bracket in {text!r}")
        for item in _ITEM.findall(text.lower()):
            if item.startswith("("):
                elements.append(self.choice(item, where))
            elif item.startswith("..."):
                count = item[3:]
                if not gaps or (count and not count.isdigit()):
                    raise SafetyConfigError(f"{where}: cannot read {item!r} in {text!r}")
                elements.append(("gap", int(count) if count else self.config.gap))
            else:
                elements.append(self.item(item, where))
        if not elements:
            raise SafetyConfigError(f"{where}: empty pattern")
        if elements[0][0] == "gap" or elements[-1][0] == "gap":
            raise SafetyConfigError(f"{where}: {text!r} cannot start or end with ...")
        return tuple(elements)

    def pattern(self, text: str, category: str, where: str) -> Pattern:
        where = f"{where}: pattern {text!r}"
        parts = tuple(self.sequence(part, where) for part in text.split("&"))
        return Pattern(category, text, parts)


def _message(name: str, value) -> SafetyMessage:
    if not (isinstance(value, dict) and isinstance(value.get("say"), str) and isinstance(value.get("text"), str)):
        raise SafetyConfigError(f"messages.{name}: needs say and text")
    text = value["text"].strip()
    bad = first_non_gsm7(text)
    if bad is not None:
        raise SafetyConfigError(f"messages.{name}: text is not GSM-7 ({describe_char(bad)})")
    if gsm7_length(text) > MAX_TEXT_CHARS:
        raise SafetyConfigError(f"messages.{name}: text is {gsm7_length(text)} characters (most {MAX_TEXT_CHARS}, one SMS)")
    confirm = value.get("confirm", "")
    if not isinstance(confirm, str):
        raise SafetyConfigError(f"messages.{name}: confirm must be words")
    return SafetyMessage(value["say"].strip(), text, confirm.strip())


def parse_safety(raw: dict) -> SafetyConfig:
    """SafetyConfig from parsed TOML (raises SafetyConfigError)."""
    cats = raw.get("categories")
    if not isinstance(cats, dict) or not cats:
        raise SafetyConfigError("categories: none are defined")
    priority = _strings(raw.get("priority", list(cats)), "priority")
    if sorted(priority) != sorted(cats):
        raise SafetyConfigError(f"priority: must name each category once ({', '.join(cats)})")
    words = raw.get("words", {})
    same = {}
    for key, value in raw.get("same", {}).items():
        if not isinstance(value, str) or not value.strip():
            raise SafetyConfigError(f"same.{key}: expected the word(s) it means")
        same[key.lower().translate(_APOSTROPHES)] = tuple(value.lower().translate(_APOSTROPHES).split())
    gap = words.get("gap", DEFAULT_GAP)
    if not isinstance(gap, int) or not 1 <= gap <= 10:
        raise SafetyConfigError("words.gap: a whole number from 1 to 10")
    messages = {name: _message(name, value) for name, value in raw.get("messages", {}).items()}
    if "urgent" not in messages:
        raise SafetyConfigError("messages.urgent is missing")
    for name in cats:
        if name not in messages:
            raise SafetyConfigError(f"messages.{name} is missing")
    config = SafetyConfig(
        labels={}, patterns=(), exceptions=(), messages=messages, same=same,
        fillers=frozenset(), not_slips=frozenset(), gap=gap,
    )
    not_slips = [w.lower() for w in _strings(words.get("not_slips", []), "words.not_slips")]
    config.not_slips = frozenset(not_slips) | frozenset(config.stem(w) for w in not_slips)
    config.fillers = frozenset(config.stem(w) for w in _strings(words.get("fillers", []), "words.fillers"))
    groups = raw.get("groups", {})
    if not isinstance(groups, dict):
        raise SafetyConfigError("groups: expected named lists")
    groups = {name: _strings(entries, f"groups.{name}") for name, entries in groups.items()}
    compiler = _Compiler(config, groups)
    patterns = []
    for name in priority:
        if not _NAME.match(name):
            raise SafetyConfigError(f"categories.{name}: use lower case letters and _")
        spec = cats[name]
        if not isinstance(spec, dict) or not isinstance(spec.get("label"), str):
            raise SafetyConfigError(f"categories.{name}: needs a label")
        if set(spec) - {"label", "patterns"}:
            raise SafetyConfigError(f"categories.{name}: unknown {', '.join(sorted(set(spec) - {'label', 'patterns'}))} "
                                    "(a table put after a category belongs to it in TOML)")
        config.labels[name] = spec["label"].strip()
        for text in _strings(spec.get("patterns"), f"categories.{name}.patterns"):
            patterns.append(compiler.pattern(text, name, f"categories.{name}"))
    config.patterns = tuple(patterns)
    exceptions = raw.get("exceptions", {})
    if not isinstance(exceptions, dict) or set(exceptions) - {"patterns"}:
        raise SafetyConfigError("exceptions: expected a table with patterns = [...]")
    config.exceptions = tuple(compiler.pattern(t, "", "exceptions")
                              for t in _strings(exceptions.get("patterns", []), "exceptions.patterns"))
    config.finish(_strings(words.get("slips", []), "words.slips"))
    return config


@lru_cache(maxsize=4)
def load_safety(path: Path | str = DEFAULT_PATH) -> SafetyConfig:
    """Read, check and compile safety.toml (cached)."""
    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise SafetyConfigError(f"cannot read {path}: {e}") from None
    return parse_safety(raw)


# --- matching -----------------------------------------------------------------------------


def _first_words(element) -> tuple[set[str], set[str]]:
    """The lemmas and exact forms a sequence starting with element can begin with."""
    if element[0] == "w":
        return set(element[1]), set(element[2])
    lemmas, exact = set(), set()
    for seq in element[1]:
        a, b = _first_words(seq[0])
        lemmas |= a
        exact |= b
    return lemmas, exact


def _index(patterns) -> dict:
    """first word -> [(pattern, part number)] for every part of every pattern."""
    index: dict = {}
    for pattern in patterns:
        for n, part in enumerate(pattern.parts):
            lemmas, exact = _first_words(part[0])
            for key in {("l", w) for w in lemmas} | {("s", w) for w in exact}:
                index.setdefault(key, []).append((pattern, n))
    return index


def _matches(element, token: Token) -> bool:
    return token.lemma in element[1] or token.surface in element[2] or token.written in element[2]


def _ends(seq, i: int, toks: list[Token], pos: int, fillers) -> "iter[int]":
    """Every position just after a match of seq[i:] starting at pos (fillers may come between)."""
    if i == len(seq):
        yield pos
        return
    element = seq[i]
    starts = [pos]
    if i:
        p = pos
        while p < len(toks) and toks[p].lemma in fillers:
            p += 1
            starts.append(p)
    for start in starts:
        kind = element[0]
        if kind == "w":
            if start < len(toks) and _matches(element, toks[start]):
                yield from _ends(seq, i + 1, toks, start + 1, fillers)
        elif kind == "alt":
            for inner in element[1]:
                for end in _ends(inner, 0, toks, start, fillers):
                    yield from _ends(seq, i + 1, toks, end, fillers)
        else:  # gap: up to n words, then the next element
            if start != pos:
                continue
            for skip in range(min(element[1], len(toks) - start) + 1):
                yield from _ends(seq, i + 1, toks, start + skip, fillers)


def _spans(index, toks: list[Token], fillers) -> dict:
    """(pattern, part) -> every (start, end) token span where it matches."""
    found: dict = {}
    for start, token in enumerate(toks):
        for key in (("l", token.lemma), ("s", token.surface)):
            for pattern, n in index.get(key, ()):
                spans = found.setdefault((pattern, n), [])
                for end in _ends(pattern.parts[n], 0, toks, start, fillers):
                    if (start, end) not in spans:
                        spans.append((start, end))
    return found


def _free(spans, blocked) -> list[tuple[int, int]]:
    return [(s, e) for s, e in spans if not any(s < be and bs < e for bs, be in blocked)]


def assess(text: str, config: SafetyConfig | None = None) -> Concern | None:
    """The concern a text raises, or None (see the module docstring for how it reads)."""
    config = config or load_safety()
    toks = config.tokens(text or "")
    found = _spans(config._index, toks, config.fillers)
    if not found:
        return None
    blocked = None
    matched: dict[str, tuple[int, int]] = {}
    for pattern in config.patterns:
        if pattern.category in matched or (pattern, 0) not in found:
            continue
        if blocked is None:
            blocked = [span for spans in _spans(config._exception_index, toks, config.fillers).values() for span in spans]
        first = _free(found[(pattern, 0)], blocked)
        if first and all(_free(found.get((pattern, n), []), blocked) for n in range(1, len(pattern.parts))):
            matched[pattern.category] = min(first, key=lambda span: (span[0], span[1] - span[0]))
    if not matched:
        return None
    order = tuple(c for c in config.labels if c in matched)
    start, end = matched[order[0]]
    return Concern(order[0], config.labels[order[0]], text[toks[start].start:toks[end - 1].end], order)


def categories(config: SafetyConfig | None = None) -> dict[str, str]:
    """category -> staff label, most serious first."""
    return dict((config or load_safety()).labels)


def message_for(category: str | None, config: SafetyConfig | None = None) -> SafetyMessage:
    """What to say or send first for a category (None or unknown: the general urgent message)."""
    config = config or load_safety()
    return config.messages.get(category or "urgent", config.messages["urgent"])


def to_confirm(config: SafetyConfig | None = None) -> list[str]:
    """Notes on numbers in the messages that staff must confirm (not in the council's leaflets)."""
    config = config or load_safety()
    return [f"messages.{name}: {msg.confirm}" for name, msg in config.messages.items() if msg.confirm]


def find_risk(text: str, config: SafetyConfig | None = None) -> str | None:
    """The words that raised a concern, or None."""
    concern = assess(text, config)
    return concern.matched if concern else None


def detect_risk(text: str, config: SafetyConfig | None = None) -> bool:
    """True if the text suggests someone may be at risk."""
    return assess(text, config) is not None


def urgent_message(config: SafetyConfig | None = None) -> SafetyMessage:
    """The general message, for when the category is not known."""
    return (config or load_safety()).messages["urgent"]
