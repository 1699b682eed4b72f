"""E-mail and web addresses as a voice should read them, so a caller can write them down.

    speak_addresses(text, words) -> str

Content writes an address once, as it is written ("send_partnershipservice@bathnes.gov.uk",
"www.bathnes.gov.uk/sps"), in both the text and the spoken version; the guidance tree turns the
spoken one into words when it loads (flows.guidance), so the two can never disagree:

    send_partnershipservice@bathnes.gov.uk
    -> "send, underscore, partnership service written as one word, at bath n e s, dot gov dot uk"

Rules: "_" is said "underscore", "." "dot", "-" "dash", "/" "slash", "@" "at"; "www." and
"https://" are left out (nobody says them). Each piece between them is read as it is unless
`words` (the [spoken] table of guidance.toml, edited by staff) says how: letters to spell
("bathnes" = "bath n e s") or words run together ("partnershipservice" = "partnership service
written as one word"). Without such a line, a piece a voice would read wrongly can slip
through: flows.guidance checks that every piece of every spoken address is either in the
table or a plain short word.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"\b([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\b")
WEB = re.compile(r"\b(?:https?://)?(?:www\.)?((?:[A-Za-z0-9-]+\.)+(?:uk|com|org|net)(?:/[A-Za-z0-9_/-]*[A-Za-z0-9_])?)")
SEPARATORS = {"_": "underscore", ".": "dot", "-": "dash", "/": "slash"}
PIECE = re.compile(r"([._/-])")


def pieces(address: str) -> list[str]:
    """The words of an address between its separators: 'sen_admin@x.gov.uk' -> sen, admin, x, gov, uk."""
    return [p for p in re.split(r"[._/@-]", address.removeprefix("www.")) if p]


def _say_part(part: str, words: dict[str, str], pause_between: bool) -> str:
    out = []
    for bit in PIECE.split(part):
        if not bit:
            continue
        out.append(SEPARATORS.get(bit) or words.get(bit.lower(), bit.lower()))
    # Commas make the voice pause between the pieces of the name before the @ (the hard part).
    return (", " if pause_between else " ").join(out)


def say_email(address: str, words: dict[str, str]) -> str:
    local, domain = address.split("@", 1)
    return f"{_say_part(local, words, True)}, at {_say_part(domain, words, False)}"


def say_web(address: str, words: dict[str, str]) -> str:
    address = re.sub(r"^(https?://)?(www\.)?", "", address)
    return _say_part(address, words, False)


def speak_addresses(text: str, words: dict[str, str] | None = None) -> str:
    """The text with every e-mail and web address written out as words to be spoken."""
    words = {k.lower(): v for k, v in (words or {}).items()}
    spoken = EMAIL.sub(lambda m: say_email(m.group(0), words), text)
    return WEB.sub(lambda m: say_web(m.group(0), words), spoken)


def addresses(text: str) -> list[str]:
    """Every e-mail and web address in a text, as written."""
    emails = [m.group(0) for m in EMAIL.finditer(text)]
    rest = EMAIL.sub(" ", text)
    return emails + [m.group(0) for m in WEB.finditer(rest)]
