"""Train the safety model (flows/safety_model.py) from the corpora and write flows/content/safety_model.json.

    .venv/bin/python -m scripts.train_safety_model          # train, report, write the file
    .venv/bin/python -m scripts.train_safety_model --check  # train and compare with the shipped file

Pure Python and deterministic (a fixed seed), so the shipped file can be rebuilt exactly. Trained
on TRAIN_CRISIS, TRAIN_EVERYDAY and the routing corpus (everyday texts). The held-out files
(tests/corpus/safety_heldout_*.txt) are never used here: they measure how it does on wording it
has not seen. Cross-validated recall and false alarms on everyday
texts is printed for each threshold, to show the trade-off; the model flags at THRESHOLD (a risk
more likely than not), and the held-out figures are printed by `flask content check --safety`.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.safety_model import DEFAULT_PATH, NONE, Model, features, to_json  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"
TRAIN_CRISIS = ("safety_crisis.txt", "safety_crisis_more.txt")
TRAIN_EVERYDAY = ("safety_everyday.txt", "safety_everyday_more.txt")
ROUTING = "routing.txt"
CLASSES = (NONE, "suicide_self_harm", "missing_child", "child_harm", "domestic_abuse")
MIN_DOCS = 2  # a feature seen in one text only is noise
EPOCHS = 30
RATE = 0.5
L2 = 1e-4
SEED = 20261129
THRESHOLD = 0.6  # a little over "more likely than not": lean towards flagging, but not on a hunch
FOLDS = 5


def read_lines(path: Path) -> list[str]:
    """Lines that are not blank or comments."""
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def crisis_examples(names=TRAIN_CRISIS) -> list[tuple[str, str]]:
    """(text, category) from 'category | text' lines; 'a/b' takes the first."""
    out = []
    for name in names:
        for line in read_lines(CORPUS / name):
            category, _, text = line.partition(" | ")
            out.append((text, category.split("/")[0].strip()))
    return out


def everyday_examples() -> list[tuple[str, str]]:
    texts = [t for name in TRAIN_EVERYDAY for t in read_lines(CORPUS / name)]
    texts += [line.partition(" | ")[2] for line in read_lines(CORPUS / ROUTING)]
    return [(t, NONE) for t in texts if t]


def train(examples: list[tuple[str, str]], *, epochs: int = EPOCHS) -> tuple[dict, list[float]]:
    """Multinomial logistic regression by AdaGrad over normalised binary features."""
    docs = [(features(text), CLASSES.index(label)) for text, label in examples]
    counts = Counter(f for feats, _ in docs for f in feats)
    vocab = {f for f, n in counts.items() if n >= MIN_DOCS}
    rows = []
    for feats, label in docs:
        present = sorted(feats & vocab)
        rows.append((present, 1 / math.sqrt(len(present)) if present else 0.0, label))
    per_class = Counter(label for _, _, label in rows)
    class_weight = [len(rows) / (len(CLASSES) * per_class[k]) if per_class[k] else 0.0 for k in range(len(CLASSES))]
    k_classes = len(CLASSES)
    weights = {f: [0.0] * k_classes for f in sorted(vocab)}
    grad_sq = {f: [1e-8] * k_classes for f in weights}
    bias, bias_sq = [0.0] * k_classes, [1e-8] * k_classes
    order = list(range(len(rows)))
    rng = random.Random(SEED)
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            present, scale, label = rows[i]
            scores = list(bias)
            for f in present:
                for k, w in enumerate(weights[f]):
                    scores[k] += w * scale
            top = max(scores)
            exp = [math.exp(s - top) for s in scores]
            total = sum(exp)
            error = [(e / total - (1.0 if k == label else 0.0)) * class_weight[label] for k, e in enumerate(exp)]
            for k in range(k_classes):
                bias_sq[k] += error[k] ** 2
                bias[k] -= RATE * error[k] / math.sqrt(bias_sq[k])
            for f in present:
                w, g2 = weights[f], grad_sq[f]
                for k in range(k_classes):
                    g = error[k] * scale + L2 * w[k]
                    g2[k] += g * g
                    w[k] -= RATE * g / math.sqrt(g2[k])
    return weights, bias


def as_model(weights: dict, bias: list[float], threshold: float) -> Model:
    return Model.from_weights(CLASSES, bias, weights, threshold)


def cross_validate(examples: list[tuple[str, str]]) -> list[str]:
    """Recall and false alarms at several thresholds, each text scored by a model that did not see it."""
    rng = random.Random(SEED)
    shuffled = examples[:]
    rng.shuffle(shuffled)
    risks_everyday, risks_crisis = [], []
    for fold in range(FOLDS):
        test = shuffled[fold::FOLDS]
        train_part = [e for i, e in enumerate(shuffled) if i % FOLDS != fold]
        model = as_model(*train(train_part), threshold=1.0)
        for text, label in test:
            risk = 1 - model.probabilities(text)[NONE]
            (risks_everyday if label == NONE else risks_crisis).append(risk)
    report = []
    for threshold in [t / 10 for t in range(3, 10)]:
        false_alarms = sum(r >= threshold for r in risks_everyday) / len(risks_everyday)
        recall = sum(r >= threshold for r in risks_crisis) / len(risks_crisis)
        report.append(f"threshold {threshold:.1f}: cross-validated recall {recall:.1%}, false alarms {false_alarms:.1%}")
    return report


def build(*, cross: bool = True) -> tuple[str, list[str]]:
    """The model file's text, and a report of how it was made."""
    examples = crisis_examples() + everyday_examples()
    report = cross_validate(examples) if cross else []
    model = as_model(*train(examples), threshold=THRESHOLD)
    return to_json(model), report + [f"threshold {THRESHOLD:.2f}; {len(model.rows)} features"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file instead of writing it")
    parser.add_argument("--quick", action="store_true", help="skip the cross-validation report (5 more trainings)")
    args = parser.parse_args(argv)
    text, report = build(cross=not args.quick)
    print("\n".join(report))
    if args.check:
        same = DEFAULT_PATH.exists() and DEFAULT_PATH.read_text() == text
        print("the shipped model is up to date" if same else "the shipped model differs: retrain it")
        return 0 if same else 1
    DEFAULT_PATH.write_text(text)
    print(f"wrote {DEFAULT_PATH.relative_to(ROOT)} ({len(text) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
