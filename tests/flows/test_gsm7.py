"""GSM-7 helpers: what can be sent, how long it is, how many parts it takes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.gsm7 import (
    BASIC,
    EXTENSION,
    describe_char,
    first_non_gsm7,
    gsm7_length,
    is_gsm7,
    segment_count,
    to_gsm7,
)


@pytest.mark.parametrize(
    "text",
    ["Hello", "sen_admin@bathnes.gov.uk", "£5 & 10% off", "Healthwatch B&NES", "é è ù ì ò à Ä", "[a] {b} ~ ^ | \\ €", "line\nbreak", ""],
)
def test_gsm7_text_is_accepted(text):
    assert is_gsm7(text)
    assert first_non_gsm7(text) is None


@pytest.mark.parametrize(
    "text, bad",
    [("don’t", "’"), ("“quoted”", "“"), ("10am–3pm", "–"), ("wait…", "…"), ("a\u00a0b", "\u00a0"), ("hi 😀", "😀"), ("á", "á"), ("`x`", "`")],
)
def test_non_gsm7_is_found(text, bad):
    assert not is_gsm7(text)
    assert first_non_gsm7(text) == bad


def test_describe_char_names_the_code_point():
    assert describe_char("’") == "U+2019 '’'"


def test_extension_characters_count_two():
    assert gsm7_length("abc") == 3
    assert gsm7_length("[]{}~^|\\€") == 18
    assert gsm7_length("") == 0


def test_gsm7_length_refuses_non_gsm7():
    with pytest.raises(ValueError, match="U\\+2019"):
        gsm7_length("don’t")


@pytest.mark.parametrize(
    "text, segments",
    [
        ("", 0),
        ("a", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("a" * 459, 3),
        ("a" * 460, 4),
        ("€" * 80, 1),  # 160 septets
        ("€" * 81, 2),
        ("a" * 159 + "€", 2),  # 161 septets: 2 parts
        ("a" * 152 + "€" + "a" * 152, 3),  # the pair is not split: part one holds 152
        ("’", 1),
        ("’" * 70, 1),
        ("’" * 71, 2),
        ("’" * 134, 2),
        ("’" * 135, 3),
        ("😀" * 35, 1),  # 70 UTF-16 units
        ("😀" * 36, 2),
    ],
)
def test_segment_count(text, segments):
    assert segment_count(text) == segments


def test_one_curly_quote_switches_to_ucs2():
    assert segment_count("a" * 100) == 1
    assert segment_count("a" * 99 + "’") == 2


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("don’t", "don't"),
        ("‘single’ “double”", "'single' \"double\""),
        ("10am–3pm — today", "10am-3pm - today"),
        ("wait…", "wait..."),
        ("a\u00a0b\u202fc\u2009d", "a b c d"),
        ("zero\u200bwidth", "zerowidth"),
        ("• item", "- item"),
        ("café", "café"),  # é is GSM-7
        ("naïve São Paulo", "naive Sao Paulo"),
        ("façade", "faÇade"),
        ("emoji 😀 gone", "emoji  gone"),
        ("line\r\nbreak", "line\nbreak"),
        ("€5 [x]", "€5 [x]"),
    ],
)
def test_to_gsm7(raw, clean):
    assert to_gsm7(raw) == clean
    assert is_gsm7(to_gsm7(raw))


@given(st.text())
def test_to_gsm7_always_gives_gsm7(s):
    assert is_gsm7(to_gsm7(s))


@given(st.text(alphabet=sorted(BASIC | EXTENSION)))
def test_to_gsm7_keeps_gsm7_text(s):
    expected = s.replace("\r\n", "\n")
    assert to_gsm7(s) == expected
    assert gsm7_length(s) == len(s) + sum(c in EXTENSION for c in s)
