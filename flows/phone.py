"""Phone numbers, in one place: reading what parents type and Twilio sends, and writing numbers
for logs, texts, speech and the staff page. Pure (no flask, twilio, redis or rq).

normalise_uk_number(raw) -> "+447700900123" | None   what a parent types or Twilio sends, as UK E.164
find_uk_number(text) -> "+447700900123" | None       the one UK number in a sentence ("ring me on ...")
is_uk_e164(number), is_uk_mobile(number)              tests on E.164 numbers
normalise_line(phone) -> str                          one spelling per line, any country, or WITHHELD
mask(number) -> "+44 7700 900***"                     for logs: never the last three digits
display_number(number) -> "07700 900123"              as parents write it and advisers dial it
spoken_digits(number) -> "0 7 7 0 0, 9 0 0 1 2 3"     read out digit by digit, with a pause
"""

from __future__ import annotations

import re

# "+44" then 10 digits; UK national numbers never start 0, 4 or 6 after the trunk 0.
_UK_E164 = re.compile(r"\+44[12357-9]\d{9}")
# Mobiles: 071-075, 077-079 and 07624 (Isle of Man). Not 070 (personal), 076 (pagers).
_UK_MOBILE = re.compile(r"\+447(?:[1-57-9]\d{8}|624\d{6})")
# What parents put between digits: spaces (incl. non-breaking), dashes, dots, brackets, slashes.
_SEPARATORS = re.compile(r"[\s\-.()/]")

WITHHELD = "withheld"  # the normalised form of a caller with no usable number (see normalise_line)


def normalise_uk_number(raw: object) -> str | None:
    """What a parent types or Twilio sends -> UK E.164 ("+447700900123"), or None.

    Accepts "07700 900123", "+44 7700 900123", "+44 (0)7700 900123", "447700900123",
    "0044 7700 900123", "(07700) 900-123". Rejects foreign numbers, wrong lengths and
    anything with letters (None, never a guess).
    """
    if not isinstance(raw, str):
        return None
    text = _SEPARATORS.sub("", raw.strip())
    if not re.fullmatch(r"\+?[0-9]+", text):  # ASCII digits only: no letters, no "٠١٢"
        return None
    if text.startswith("+44"):
        national = text[3:]
    elif text.startswith("0044"):
        national = text[4:]
    elif text.startswith("44") and len(text) in (12, 13):  # "+" lost on a web form
        national = text[2:]
    elif text.startswith("0"):
        national = text
    else:  # other country codes, or digits with no trunk 0: never guess
        return None
    if national.startswith("0"):  # the trunk 0, including "+44 (0)7700 ..."
        national = national[1:]
    number = "+44" + national
    return number if is_uk_e164(number) else None


# A run of digits with what parents put between them, long enough to be a whole number.
_NUMBER_RUN = re.compile(r"[+(]?\d[\d\s\-.()/]{8,22}\d")


def find_uk_number(text: object) -> str | None:
    """The UK number in words around it ("ring me on 07700 900 777 instead", "no, use 07700900888"),
    or None when there is none, or two different ones (never a guess between them)."""
    if not isinstance(text, str):
        return None
    found = {n for run in _NUMBER_RUN.findall(text) if (n := normalise_uk_number(run.strip(" -./")))}
    return found.pop() if len(found) == 1 else None


def is_uk_e164(number: object) -> bool:
    """True for "+44" followed by exactly 10 digits (a UK number, ready to dial)."""
    return isinstance(number, str) and _UK_E164.fullmatch(number) is not None


def is_uk_mobile(number: object) -> bool:
    """True for UK mobile numbers in E.164 (+4471-75, +4477-79, +447624)."""
    return isinstance(number, str) and _UK_MOBILE.fullmatch(number) is not None


def mask(number: object) -> str:
    """A number fit for logs: "+44 7700 900***". Never shows the last three digits."""
    if not isinstance(number, str) or not number:
        return "(no number)"
    uk = normalise_uk_number(number)
    if uk is not None:
        return f"+44 {uk[3:7]} {uk[7:10]}***"
    digits = re.sub(r"\D", "", number)
    if number.startswith("+") and len(digits) > 4:
        return f"+{digits[:2]}***"  # country code is enough to debug a foreign number
    return "***"


def normalise_line(phone: object) -> str:
    """One spelling per line: UK numbers as E.164, others without separators, no number as 'withheld'.

    "07700 900123", "447700900123" and "+44 7700 900123" are the same line. Twilio sends
    "anonymous", "Anonymous", "restricted", "unknown", "+266696687" (withheld) or nothing for a
    caller who hides their number: all of those (and anything without a digit) are 'withheld'.
    """
    if not isinstance(phone, str):
        return WITHHELD
    uk = normalise_uk_number(phone)
    if uk is not None:
        return uk
    text = _SEPARATORS.sub("", phone.strip()).lower()
    if text.startswith("00"):
        text = "+" + text[2:]
    if not any(c.isdigit() for c in text) or text in {"+266696687", "+7378742833", "+2562533", "+8656696"}:
        return WITHHELD  # Twilio's and carriers' stand-ins for a withheld number
    return text[:32]  # a forged 60 KB From is one line, not 60 KB of key material


def display_number(number: object) -> str:
    """'+447700900123' -> '07700 900123'; '+441225394382' -> '01225 394382' (as parents write them and
    advisers dial them). Anything that is not UK E.164 is given back as it is ('' for none)."""
    if not is_uk_e164(number):
        return number if isinstance(number, str) else ""
    national = "0" + number[3:]
    return f"{national[:5]} {national[5:]}"


def spoken_digits(number: str) -> str:
    """A number as written or in E.164 ('01225 394382', '+447700900123') read out digit by digit, with a
    pause: '0 7 7 0 0, 9 0 0 1 2 3'. Anything that is not a UK number is given back as it is."""
    e164 = normalise_uk_number(number)
    if e164 is None:
        return number
    return ", ".join(" ".join(group) for group in display_number(e164).split())
