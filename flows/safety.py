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
("sucidal", "herslef") counts as that word if it is listed as slip-prone (one letter added, dropped,
changed or two swapped; same first letter; real words one slip away, such as "strange", are listed
as not slips). Stems come from Snowball (snowballstemmer, which uses PyStemmer's C code when
installed: 2 microseconds a word instead of about 60). Filler words ("just",
"really", "um") may stand between any two pattern words. A match that overlaps an exception
("killing time", "hurt his leg") does not count. We lean towards flagging: a false alarm costs
a parent a kind message; a miss could cost far more.

A text no pattern matches goes to a second reader, a small statistical model trained on the
corpora (flows/safety_model.py): people find more ways of saying it than any list holds. Its
catches have a category but no matched words. `flask content check --safety` scores both
against the corpora in tests/corpus, and separately against held-out texts neither was built on
(flows/safety_eval.py).
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import snowballstemmer

from flows import safety_model
from flows.gsm7 import describe_char, first_non_gsm7, gsm7_length

DEFAULT_PATH = Path(__file__).parent / "content" / "safety.toml"
DEFAULT_GAP = 4  # what "..." allows when the file does not say
FUZZY_MIN_LENGTH = 5  # shorter stems must be spelt right ("kil" is not "kill": too many real words are near)
MAX_TEXT_CHARS = 160  # one SMS segment
LEMMA_CACHE = 5_000  # words remembered per config (bounded, about 1 MiB: texts are untrusted input)

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
                    for candidate in near:
                        if _one_slip(form, candidate):
                            return self._slip_stems[candidate]
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
        self._triggers = _Triggers(self._index)
        self._exception_triggers = _Triggers(self._exception_index)

    # backwards-compatible views ---------------------------------------------------------------

    @property
    def phrases(self) -> tuple[str, ...]:
        return tuple(p.source for p in self.patterns)


# --- reading the file ---------------------------------------------------------------------


def _one_slip(word: str, target: str) -> bool:
    """One letter added, dropped or changed, or two neighbours swapped (not the same word)."""
    if word == target or abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diff = [i for i, (a, b) in enumerate(zip(word, target)) if a != b]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and word[diff[0]] == target[diff[1]] and word[diff[1]] == target[diff[0]])
    short, long_ = sorted((word, target), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _strings(value, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SafetyConfigError(f"{where}: expected a list of words or patterns")
    return [v.strip() for v in value]


def _merge(lemmas: set, exact: set, seqs: list) -> tuple:
    """One element for a choice: single words merged into one word element (a smaller regex)."""
    lemmas, exact, rest = set(lemmas), set(exact), []
    for seq in seqs:
        if len(seq) == 1 and seq[0][0] == "w":
            lemmas |= seq[0][1]
            exact |= seq[0][2]
        elif len(seq) == 1 and seq[0][0] == "alt":
            inner = _merge(set(), set(), list(seq[0][1]))
            rest.extend(inner[1] if inner[0] == "alt" else [(inner,)])
        else:
            rest.append(seq)
    word = ("w", frozenset(lemmas), frozenset(exact))
    if not rest:
        return word
    if lemmas or exact:
        rest.append((word,))
    return ("alt", tuple(rest))


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
        seqs = [self.sequence(entry, f"groups.{name}", gaps=True) for entry in self.groups[name]]
        self.busy.discard(name)
        self.compiled[name] = _merge(set(), set(), seqs)
        return self.compiled[name]

    def item(self, item: str, where: str) -> tuple:
        lemmas, exact, seqs = set(), set(), []
        for alt in item.split("|"):
            if not alt:
                raise SafetyConfigError(f"{where}: empty choice in {item!r}")
            if alt.startswith("<") and alt.endswith(">"):
                seqs.append((self.group(alt[1:-1], where),))
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
        return _merge(lemmas, exact, seqs)

    def choice(self, item: str, where: str) -> tuple:
        """(a b|c d): any one of these phrases."""
        phrases = item[1:-1].split("|")
        if len(phrases) < 2 or not all(p.strip() for p in phrases):
            raise SafetyConfigError(f"{where}: {item!r} needs two or more phrases between |")
        seqs = []
        for phrase in phrases:
            sequence = self.sequence(phrase, where)
            seqs.extend(sequence[0][1] if len(sequence) == 1 and sequence[0][0] == "alt" else [sequence])
        return _merge(set(), set(), seqs)

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
# A text's tokens are written out as one string, each as START lemma SEP surface SEP written END,
# and each pattern part is compiled once into a regular expression over that string, so the
# matching runs in the C regex engine. A part is only tried if the text has one of its first words.

_START, _SEP, _END, _FILLER = "\x1e", "\x1f", "\x1d", "\x1c"  # _FILLER marks a filler word
_ANY = f"{_START}[^{_END}]*{_END}"


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


def _either(words) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(words)) + ")"


def _element_regex(element, filler: str) -> str:
    kind = element[0]
    if kind == "w":
        options = []
        if element[1]:
            options.append(f"{_FILLER}?{_either(element[1])}{_SEP}[^{_END}]*")
        if element[2]:
            exact = _either(element[2])
            options.append(f"[^{_SEP}]*{_SEP}{exact}{_SEP}[^{_END}]*")
            options.append(f"[^{_SEP}]*{_SEP}[^{_SEP}]*{_SEP}{exact}")
        return f"{_START}(?:{'|'.join(options)}){_END}"
    if kind == "alt":
        return "(?:" + "|".join(_sequence_regex(seq, filler) for seq in element[1]) + ")"
    return f"(?:{_ANY}){{0,{element[1]}}}?"


def _sequence_regex(seq, filler: str) -> str:
    out = []
    for i, element in enumerate(seq):
        if i and element[0] != "gap" and seq[i - 1][0] != "gap":
            out.append(filler)
        out.append(_element_regex(element, filler))
    return "".join(out)


@dataclass(frozen=True)
class _Part:
    source: str  # the regular expression, compiled on first use (below)
    needs: tuple[tuple[frozenset[str], frozenset[str]], ...]  # for each word or choice, the words
    # (lemmas, exact forms) one of which must be in the text, to skip parts that cannot match

    @functools.cached_property
    def regex(self) -> re.Pattern:
        # Compiled when a text first needs it: compiling all of them took every process 1.4 s at
        # start (each web worker, each test worker), and most are never tried in a process's life.
        return re.compile(self.source)


def _compile_parts(pattern: Pattern) -> tuple[_Part, ...]:
    filler = f"(?:{_START}{_FILLER}[^{_END}]*{_END})*?"
    parts = []
    for seq in pattern.parts:
        needs = tuple((frozenset(lemmas), frozenset(exact))
                      for lemmas, exact in (_first_words(e) for e in seq if e[0] != "gap"))
        parts.append(_Part(_sequence_regex(seq, filler), needs))
    return tuple(parts)


class _Triggers:
    """Which patterns a text could match, from its words: each pattern is filed under the smallest
    set of words one of which it must find, so a text is tried only against the patterns that
    could match it (a few of several hundred), in their order in the file."""

    def __init__(self, index: dict):
        self.items = list(index.items())
        self.by_lemma: dict[str, list[int]] = {}
        self.by_form: dict[str, list[int]] = {}
        self.always: list[int] = []
        for n, (_, parts) in enumerate(self.items):
            needs = [need for part in parts for need in part.needs if need[0] or need[1]]
            if not needs:
                self.always.append(n)
                continue
            lemmas, exact = min(needs, key=lambda need: len(need[0]) + len(need[1]))
            for lemma in lemmas:
                self.by_lemma.setdefault(lemma, []).append(n)
            for form in exact:
                self.by_form.setdefault(form, []).append(n)

    def candidates(self, text: "_Text") -> list:
        found = set(self.always)
        for lemma in text.lemmas:
            found.update(self.by_lemma.get(lemma, ()))
        for form in text.forms:
            found.update(self.by_form.get(form, ()))
        return [self.items[n] for n in sorted(found)]


def _index(patterns) -> dict:
    """pattern -> its compiled parts."""
    return {pattern: _compile_parts(pattern) for pattern in patterns}


class _Text:
    """A text's tokens as one string, and where each token starts in it."""

    def __init__(self, toks: list[Token], fillers: frozenset[str]):
        self.toks = toks
        self.lemmas = {t.lemma for t in toks}
        self.forms = {t.surface for t in toks} | {t.written for t in toks}
        pieces, self.offsets = [], {}
        at = 0
        for n, t in enumerate(toks):
            flag = _FILLER if t.lemma in fillers else ""
            piece = f"{_START}{flag}{t.lemma}{_SEP}{t.surface}{_SEP}{t.written}{_END}"
            self.offsets[at] = n
            pieces.append(piece)
            at += len(piece)
        self.offsets[at] = len(toks)
        self.string = "".join(pieces)

    def may_match(self, part: _Part) -> bool:
        return all(lemmas & self.lemmas or exact & self.forms for lemmas, exact in part.needs)

    def spans(self, part: _Part):
        """Token spans (start, end) where the part matches: the shortest from each start token."""
        if not self.may_match(part):
            return
        pos = 0
        while (m := part.regex.search(self.string, pos)) is not None:
            yield self.offsets[m.start()], self.offsets[m.end()]
            pos = self.string.index(_END, m.start()) + 1  # the next token: overlapping matches too


def _overlaps(span, blocked) -> bool:
    return any(span[0] < end and start < span[1] for start, end in blocked)


def _first_free(text: _Text, part: _Part, blocked) -> tuple[int, int] | None:
    return next((span for span in text.spans(part) if span[1] > span[0] and not _overlaps(span, blocked)), None)


def assess(text: str, config: SafetyConfig | None = None) -> Concern | None:
    """The concern a text raises, or None (see the module docstring for how it reads)."""
    config = config or load_safety()
    toks = config.tokens(text or "")
    if not toks:
        return None
    encoded = _Text(toks, config.fillers)
    blocked = None
    matched: dict[str, tuple[int, int]] = {}
    for pattern, parts in config._triggers.candidates(encoded):
        if pattern.category in matched or not all(encoded.may_match(p) for p in parts):
            continue
        if blocked is None:
            blocked = _blocked(encoded, config)
        span = _first_free(encoded, parts[0], blocked)
        if span and all(_first_free(encoded, p, blocked) for p in parts[1:]):
            matched[pattern.category] = span
    if not matched:
        return _second_reader(text, toks, encoded, config)
    order = tuple(c for c in config.labels if c in matched)
    start, end = matched[order[0]]
    return Concern(order[0], config.labels[order[0]], text[toks[start].start:toks[end - 1].end], order)


def _blocked(encoded: _Text, config: SafetyConfig) -> list[tuple[int, int]]:
    """Token spans covered by an exception ("killing time", "kill for a coffee")."""
    return [span for _, exc in config._exception_triggers.candidates(encoded) for part in exc[:1]
            for span in encoded.spans(part)
            if all(encoded.may_match(p) and next(encoded.spans(p), None) for p in exc[1:])]


def _second_reader(text: str, toks: list[Token], encoded: _Text, config: SafetyConfig) -> Concern | None:
    """No pattern matched: the statistical model (flows/safety_model.py) may still read a risk.

    It reads the text without the words of any exception, so a figure of speech counts for
    nothing there either.
    """
    model = safety_model.load_model()
    if model is None:
        return None
    blocked = _blocked(encoded, config)
    if blocked:
        text = " ".join(text[t.start:t.end] for n, t in enumerate(toks) if not _overlaps((n, n + 1), blocked))
    found = model.flag(text)
    if found is None or found[0] not in config.labels:
        return None
    return Concern(found[0], config.labels[found[0]], "", (found[0],))


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
