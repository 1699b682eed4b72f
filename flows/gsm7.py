"""GSM-7: the character set an ordinary SMS is written in, and how long a text really is.

Why this matters: one character outside GSM-7 (a curly apostrophe pasted from Word, an emoji)
switches the whole text to UCS-2, which cuts a segment from 160 to 70 characters and can
triple the cost and the number of parts a parent's phone has to stitch together.

- is_gsm7(s): every character can be sent in GSM-7 (basic set or extension table).
- gsm7_length(s): septets used; the extension characters ^ { } [ ] ~ | \\ and the euro sign
  (and form feed) cost 2. Raises ValueError if s is not GSM-7.
- segment_count(s): parts on the network: GSM-7 160 in one, 153 per part when split
  (an extension pair is never split across parts); otherwise UCS-2, 70 in one, 67 per part
  (a surrogate pair is never split). The empty text is 0 segments.
- to_gsm7(s): replace typographic characters (curly quotes, dashes, ellipsis, odd spaces,
  bullets, accents GSM-7 lacks) with plain equivalents and drop anything still unsendable.
- first_non_gsm7(s): the first unsendable character (or None), for error messages;
  describe_char(c) writes it as "U+2019 '’'".
"""

from __future__ import annotations

import re
import unicodedata

# 3GPP TS 23.038 default alphabet (ESC, 0x1B, is left out: it is not a character).
BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_GSM7, PART_GSM7 = 160, 153
SINGLE_UCS2, PART_UCS2 = 70, 67

# Plain replacements for characters that arrive from word processors and phones.
REPLACEMENTS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u00b4": "'", "\u2039": "'", "\u203a": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u00ad": "",
    "\u2026": "...",
    "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ",
    "\u202f": " ", "\u205f": " ", "\u3000": " ", "\t": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "",
    "\u2022": "-", "\u00b7": "-", "\u25cf": "-", "\u2023": "-", "\u2043": "-",
    "\u00d7": "x", "\u00f7": "/", "\u2044": "/",
    "\u00e7": "Ç", "\u00a9": "(c)", "\u00ae": "(R)", "\u2122": "TM",
    "\u00bd": "1/2", "\u00bc": "1/4", "\u00be": "3/4",
    "\u2028": "\n", "\u2029": "\n",
}


def _is_gsm7_char(c: str) -> bool:
    return c in BASIC or c in EXTENSION


_ALL_GSM7 = re.compile("[" + "".join(re.escape(c) for c in sorted(set(BASIC) | set(EXTENSION))) + "]*")


def is_gsm7(s: str) -> bool:
    """True if every character of s can be sent in a GSM-7 text."""
    return all(_is_gsm7_char(c) for c in s)


def first_non_gsm7(s: str) -> str | None:
    """The first character of s that GSM-7 cannot carry, or None if all can."""
    return next((c for c in s if not _is_gsm7_char(c)), None)


def describe_char(c: str) -> str:
    """'U+2019 '’'': a character named so staff can find it in a file."""
    return f"U+{ord(c):04X} {c!r}"


def gsm7_length(s: str) -> int:
    """Septets used by s: extension characters (^ { } [ ] ~ | \\ € form feed) count 2."""
    bad = first_non_gsm7(s)
    if bad is not None:
        raise ValueError(f"not GSM-7: {describe_char(bad)}")
    return sum(2 if c in EXTENSION else 1 for c in s)


def _pack(units: list[int], single: int, part: int) -> int:
    """Segments needed for characters costing `units` each, never splitting a character."""
    total = sum(units)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for u in units:
        if used + u > part:
            segments, used = segments + 1, 0
        used += u
    return segments


def segment_count(s: str) -> int:
    """How many SMS segments s is sent as (GSM-7 160/153, otherwise UCS-2 70/67)."""
    if is_gsm7(s):
        return _pack([2 if c in EXTENSION else 1 for c in s], SINGLE_GSM7, PART_GSM7)
    # UCS-2 (really UTF-16): characters beyond the BMP take two 16-bit units.
    return _pack([2 if ord(c) > 0xFFFF else 1 for c in s], SINGLE_UCS2, PART_UCS2)


def to_gsm7(s: str) -> str:
    """s rewritten in GSM-7: typographic characters made plain, the unsendable dropped."""
    s = s.replace("\r\n", "\n")
    if _ALL_GSM7.fullmatch(s):
        return s  # the usual case (our own replies): nothing to rewrite, no character-by-character walk
    out: list[str] = []
    for c in s:
        if _is_gsm7_char(c):
            out.append(c)
        elif c in REPLACEMENTS:
            out.append(REPLACEMENTS[c])
        else:
            # Accented letters GSM-7 lacks (á, ê, ł...) lose their accent; others go.
            plain = "".join(
                b for b in unicodedata.normalize("NFKD", c) if not unicodedata.combining(b)
            )
            out.append("".join(b for b in plain if _is_gsm7_char(b)))
    return "".join(out)
