"""A second reader for risk: a small statistical model that catches what the written patterns miss.

The patterns in safety.toml are the first reader: staff can read and extend them, and they say
which words matched. People in distress find more ways of saying it than any list holds, so a
text no pattern matches is also scored by a multinomial logistic regression trained on the
corpora in tests/corpus (scripts/train_safety_model.py writes flows/content/safety_model.json).
It reads words, word pairs and letter runs (so "sucidal" and "overdoes" look like what they are)
and gives a probability for each category and for "none". A text is flagged when "none" is
below 1 - THRESHOLD; the category is the most likely risk. Pure Python, no dependencies beyond
the stemmer the patterns use; a few hundred feature look-ups a text.

To teach it a new way of saying something: add the text to the corpus (crisis or everyday) and
run `python -m scripts.train_safety_model`, then `flask content check --safety`.
"""

from __future__ import annotations

import base64
import json
import math
import re
import sys
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import snowballstemmer

DEFAULT_PATH = Path(__file__).parent / "content" / "safety_model.json"
NONE = "none"
MIN_WORDS = 8  # shorter texts are left to the patterns: a few words give the model too little to go on
_WORD = re.compile(r"[a-z0-9]+")
_STEMMER = snowballstemmer.stemmer("english")


def features(text: str, *, max_words: int = 400) -> set[str]:
    """What the model reads: stemmed words, word pairs, and 3- to 5-letter runs of each word."""
    words = _WORD.findall((text or "").lower().replace("'", "").replace("\u2019", ""))[:max_words]
    stems = _STEMMER.stemWords(words)
    out = {"w:" + s for s in stems}
    out.update(f"b:{a}_{b}" for a, b in zip(stems, stems[1:]))
    for word in set(words):
        padded = f"_{word}_"
        for n in (3, 4, 5):
            out.update("c:" + padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


@dataclass(frozen=True)
class Model:
    """Weights per feature and class, the classes (NONE first) and the flagging threshold.

    The weights are one flat array of 32-bit floats (a row of len(classes) per feature) and an
    index from feature to row: a few MiB in a web process rather than a dict of float tuples.
    """

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    rows: dict[str, int]
    flat: array = field(repr=False)
    threshold: float

    @classmethod
    def from_weights(cls, classes, bias, weights: dict, threshold: float) -> "Model":
        """A model from {feature: [weight per class]} (as training makes them)."""
        flat = array("f")
        rows = {}
        for n, (feature, row) in enumerate(weights.items()):
            rows[feature] = n
            flat.extend(row)
        return cls(tuple(classes), tuple(bias), rows, flat, threshold)

    def with_threshold(self, threshold: float) -> "Model":
        return Model(self.classes, self.bias, self.rows, self.flat, threshold)

    def probabilities(self, text: str) -> dict[str, float]:
        """class -> probability for a text."""
        width, flat = len(self.classes), self.flat
        present = [self.rows[f] * width for f in features(text) if f in self.rows]
        scale = 1 / math.sqrt(len(present)) if present else 0.0
        scores = list(self.bias)
        for start in present:
            for k in range(width):
                scores[k] += flat[start + k] * scale
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        return {c: e / total for c, e in zip(self.classes, exp)}

    def flag(self, text: str) -> tuple[str, float] | None:
        """(most likely category, probability of any risk) when it is over the threshold, else None."""
        if len(_WORD.findall((text or "").lower())) < MIN_WORDS:
            return None
        probs = self.probabilities(text)
        risk = 1 - probs[NONE]
        if risk < self.threshold:
            return None
        category = max((c for c in self.classes if c != NONE), key=probs.__getitem__)
        return category, risk


@lru_cache(maxsize=2)
def load_model(path: Path | str = DEFAULT_PATH) -> Model | None:
    """The trained model, or None when there is no model file (the patterns still work)."""
    try:
        raw = json.loads(Path(path).read_text())
    except FileNotFoundError:
        return None
    classes = tuple(raw["classes"])
    if classes[0] != NONE:
        raise ValueError(f"{path}: the first class must be {NONE!r}")
    flat = array("f")
    flat.frombytes(base64.b64decode(raw["weights_float32"]))
    if sys.byteorder != "little":
        flat.byteswap()
    rows = {feature: n for n, feature in enumerate(raw["features"])}
    if len(flat) != len(rows) * len(classes):
        raise ValueError(f"{path}: {len(flat)} weights for {len(rows)} features and {len(classes)} classes")
    return Model(classes, tuple(raw["bias"]), rows, flat, float(raw["threshold"]))


def to_json(model: Model) -> str:
    """The model file's text: features in order, weights as little-endian float32 in base64."""
    flat = array("f", model.flat)
    if sys.byteorder != "little":
        flat.byteswap()
    data = {"version": 2, "classes": list(model.classes), "threshold": model.threshold,
            "bias": [round(b, 6) for b in model.bias], "features": list(model.rows),
            "weights_float32": base64.b64encode(flat.tobytes()).decode()}
    return json.dumps(data, separators=(",", ":")) + "\n"
