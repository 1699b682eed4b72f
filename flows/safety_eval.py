"""Score the safety patterns against the corpora: recall on crisis texts, false alarms on everyday ones.

Used by `flask content check --safety` and by the corpus tests. The corpora (CORPORA) are plain
text files, one text a line, "#" for comments: a crisis file of `expected category | text` lines
("a/b" when either is right) and an everyday file of texts. The held-out pair is reported but its
figures are not targets: it was written by someone who never saw the patterns or the model, and
is never used to train or tune them.

A crisis text counts as caught when a concern is raised; as rightly sorted when the message sent
(the first category) is one of those expected. Targets: every crisis text caught, at most 2% of
everyday texts flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flows.safety import SafetyConfig, assess, load_safety

CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "corpus"
CRISIS_FILE = "safety_crisis.txt"
EVERYDAY_FILE = "safety_everyday.txt"
MAX_FALSE_ALARM_RATE = 0.02
# (what it is, crisis file, everyday file, targets enforced). The held-out pair was never used to
# train the model or to tune the patterns, so it says how the detector does on new wording.
CORPORA = (
    ("corpus", CRISIS_FILE, EVERYDAY_FILE, True),
    ("more wording", "safety_crisis_more.txt", "safety_everyday_more.txt", True),
    ("held out, never trained or tuned on", "safety_heldout_crisis.txt", "safety_heldout_everyday.txt", False),
)


class CorpusError(ValueError):
    """A corpus file is missing or has a line that cannot be read."""


@dataclass(frozen=True)
class CrisisText:
    expected: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Score:
    crisis_total: int
    missed: tuple[CrisisText, ...]
    wrong_category: tuple[tuple[CrisisText, str], ...]  # (text, the category given)
    everyday_total: int
    false_alarms: tuple[tuple[str, str], ...]  # (text, the words that matched)

    @property
    def recall(self) -> float:
        return (self.crisis_total - len(self.missed)) / self.crisis_total if self.crisis_total else 1.0

    @property
    def category_accuracy(self) -> float:
        caught = self.crisis_total - len(self.missed)
        return (caught - len(self.wrong_category)) / caught if caught else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return len(self.false_alarms) / self.everyday_total if self.everyday_total else 0.0

    @property
    def meets_targets(self) -> bool:
        return not self.missed and self.false_alarm_rate <= MAX_FALSE_ALARM_RATE


def _lines(text: str) -> list[tuple[int, str]]:
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.lstrip().startswith("#")]


def parse_crisis(text: str, categories: dict[str, str] | None = None) -> list[CrisisText]:
    """'category | text' lines (categories, if given, are the known ones)."""
    out = []
    for n, line in _lines(text):
        head, sep, body = line.partition("|")
        expected = tuple(c.strip() for c in head.split("/"))
        if not sep or not body.strip() or not all(expected):
            raise CorpusError(f"line {n}: expected 'category | text', got {line[:60]!r}")
        unknown = [c for c in expected if categories is not None and c not in categories]
        if unknown:
            raise CorpusError(f"line {n}: unknown category {unknown[0]!r}")
        out.append(CrisisText(expected, body.strip()))
    return out


def parse_everyday(text: str) -> list[str]:
    """One text a line."""
    return [line for _, line in _lines(text)]


def score(crisis: list[CrisisText], everyday: list[str], config: SafetyConfig | None = None) -> Score:
    """How the patterns do on these texts."""
    config = config or load_safety()
    missed, wrong = [], []
    for item in crisis:
        concern = assess(item.text, config)
        if concern is None:
            missed.append(item)
        elif concern.category not in item.expected:
            wrong.append((item, concern.category))
    alarms = []
    for text in everyday:
        concern = assess(text, config)
        if concern is not None:
            alarms.append((text, concern.matched))
    return Score(len(crisis), tuple(missed), tuple(wrong), len(everyday), tuple(alarms))


def read_corpora(directory: Path | str | None = None, config: SafetyConfig | None = None, *,
                 crisis_file: str = CRISIS_FILE, everyday_file: str = EVERYDAY_FILE
                 ) -> tuple[list[CrisisText], list[str]]:
    """The crisis and everyday texts from a directory (default tests/corpus)."""
    directory = Path(directory or CORPUS_DIR)
    config = config or load_safety()
    try:
        crisis_text = (directory / crisis_file).read_text(encoding="utf-8")
        everyday_text = (directory / everyday_file).read_text(encoding="utf-8")
    except OSError as e:
        raise CorpusError(f"cannot read the safety corpus: {e}") from None
    try:
        crisis = parse_crisis(crisis_text, config.labels)
    except CorpusError as e:
        raise CorpusError(f"{crisis_file}: {e}") from None
    return crisis, parse_everyday(everyday_text)


def report(result: Score, *, targets: bool = True) -> list[str]:
    """The score in plain words, one line each: figures, then every miss and false alarm."""
    caught = result.crisis_total - len(result.missed)
    lines = [
        f"Crisis texts caught: {caught} of {result.crisis_total} ({result.recall:.1%}); "
        f"target: all.",
        f"Sent the right category's message: {caught - len(result.wrong_category)} of {caught} "
        f"({result.category_accuracy:.1%}).",
        f"Everyday texts flagged: {len(result.false_alarms)} of {result.everyday_total} "
        f"({result.false_alarm_rate:.1%}); target: at most {MAX_FALSE_ALARM_RATE:.0%}.",
    ]
    if not targets:
        lines = [line.replace("; target: all.", ".").split("; target")[0].rstrip(".") + "." for line in lines]
    lines += [f"MISSED ({'/'.join(item.expected)}): {item.text}" for item in result.missed]
    lines += [f"WRONG CATEGORY ({category}, expected {'/'.join(item.expected)}): {item.text}"
              for item, category in result.wrong_category]
    lines += [f"FALSE ALARM (matched {matched!r}): {text}" if matched else f"FALSE ALARM (the model): {text}"
              for text, matched in result.false_alarms]
    return lines
