"""The sending rules: number handling, each refusal, the night window and the clock changes.

Numbers are Ofcom drama-range only (07700 900xxx mobiles, 01632 960xxx landlines).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from flows import sending_rules
from flows.sending_rules import (
    Action,
    Refusal,
    check_call,
    check_sms,
    next_window_start,
)
from flows.phone import mask, normalise_uk_number

LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc
MOBILE = "+447700900123"
LANDLINE = "+441632960123"
DAYTIME = dt.datetime(2026, 11, 23, 11, 0, tzinfo=LONDON)  # a Monday morning
NIGHT = dt.datetime(2026, 11, 23, 23, 30, tzinfo=LONDON)


def sms(to=MOBILE, body="Thank you, we will call you back.", *, opted_out=False,
        now=DAYTIME, immediate_reply=False, **kw):
    return check_sms(to, body, opted_out=opted_out, now=now,
                     immediate_reply=immediate_reply, **kw)


# --- normalising and masking numbers -------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("07700 900123", MOBILE),
        ("07700900123", MOBILE),
        ("+44 7700 900123", MOBILE),
        ("+447700900123", MOBILE),  # what Twilio sends
        ("447700900123", MOBILE),
        ("0044 7700 900123", MOBILE),
        ("(07700) 900-123", MOBILE),
        ("+44 (0)7700 900123", MOBILE),
        ("07700.900.123", MOBILE),
        ("\u00a007700\u00a0900123 ", MOBILE),  # non-breaking spaces pasted from a page
        ("01632 960123", LANDLINE),
        ("+44 1632 960123", LANDLINE),
        ("(01632) 960-123", LANDLINE),
        # rejects: foreign, wrong length, letters, junk
        ("+1 202 555 0100", None),
        ("+353 85 123 4567", None),
        ("0033 6 12 34 56 78", None),
        ("07700 9001", None),  # too short
        ("07700 9001234", None),  # too long
        ("+44 7700 90012", None),
        ("07700 9OO123", None),  # letter O, not zero
        ("call me on 07700900123", None),
        ("7700900123", None),  # no trunk 0: could be anything, never guess
        ("+44 0", None),
        ("+44 4700 900123", None),  # UK numbers never start 04 or 06
        ("", None),
        ("   ", None),
        ("٠٧٧٠٠٩٠٠١٢٣", None),  # Arabic-Indic digits are digits to Python, not to Twilio
        (None, None),
        (7700900123, None),
    ],
)
def test_normalise_uk_number(raw, expected):
    assert normalise_uk_number(raw) == expected


@pytest.mark.parametrize(
    "number, expected",
    [
        (MOBILE, "+44 7700 900***"),
        ("07700 900123", "+44 7700 900***"),
        (LANDLINE, "+44 1632 960***"),
        ("+12025550100", "+12***"),
        ("junk", "***"),
        ("", "(no number)"),
        (None, "(no number)"),
    ],
)
def test_mask(number, expected):
    assert mask(number) == expected


def test_mask_never_shows_the_last_three_digits():
    assert "123" not in mask(MOBILE).replace("+44 7700 900", "")
    assert mask("+447700900987") == mask("+447700900123")


# --- refusals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "to, body, opted_out, code",
    [
        ("07700 900123", "Hello", False, Refusal.NOT_UK_NUMBER),  # not normalised yet
        ("+12025550100", "Hello", False, Refusal.NOT_UK_NUMBER),
        ("+4477009001234", "Hello", False, Refusal.NOT_UK_NUMBER),
        (LANDLINE, "Hello", False, Refusal.NOT_MOBILE),
        ("+447012345678", "Hello", False, Refusal.NOT_MOBILE),  # 070 personal number
        ("+447612345678", "Hello", False, Refusal.NOT_MOBILE),  # 076 pager
        (MOBILE, "Hello", True, Refusal.OPTED_OUT),
        (MOBILE, "", False, Refusal.EMPTY_BODY),
        (MOBILE, "  \n", False, Refusal.EMPTY_BODY),
        (MOBILE, "We\u2019ll call you", False, Refusal.NOT_GSM7),  # curly apostrophe
        (MOBILE, "Thank you \U0001f600", False, Refusal.NOT_GSM7),
        (MOBILE, "x" * 460, False, Refusal.TOO_LONG),
        (MOBILE, "x" * 458 + "€", False, Refusal.TOO_LONG),  # € counts as 2: 460
    ],
)
def test_sms_refusals(to, body, opted_out, code):
    decision = sms(to, body, opted_out=opted_out)
    assert decision.action is Action.REFUSE
    assert decision.code == code
    assert decision.reason and decision.hold_until is None


def test_opted_out_is_refused_even_as_an_immediate_reply():
    decision = sms(opted_out=True, immediate_reply=True)
    assert (decision.action, decision.code) == (Action.REFUSE, Refusal.OPTED_OUT)


def test_the_not_gsm7_reason_names_the_character():
    assert "U+2019" in sms(body="We\u2019ll call").reason


def test_a_refusal_is_not_held_at_night():
    assert sms(LANDLINE, now=NIGHT).action is Action.REFUSE


@pytest.mark.parametrize(
    "body",
    [
        "x" * 459,  # exactly 3 segments of 153
        "x" * 457 + "€",  # 457 + 2 = 459
        "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà^{}\\[~]|€\n\r",
    ],
)
def test_longest_and_oddest_gsm7_texts_are_sent(body):
    assert sms(body=body).action is Action.SEND


def test_an_extension_character_is_never_split_across_segments():
    # 459 septets, but the € would straddle the first boundary: 4 segments on the network
    assert sms(body="x" * 152 + "€" + "x" * 305).code == Refusal.TOO_LONG


# --- the night window ----------------------------------------------------------------


def at(day, hh, mm=0):
    return dt.datetime(*day, hh, mm, tzinfo=LONDON)


MON = (2026, 11, 23)
TUE = (2026, 11, 24)


@pytest.mark.parametrize(
    "now, hold_until",
    [
        (at(MON, 0, 0), at(MON, 9)),
        (at(MON, 8, 59), at(MON, 9)),
        (at(MON, 9, 0), None),
        (at(MON, 12, 0), None),
        (at(MON, 18, 59), None),
        (at(MON, 19, 0), at(TUE, 9)),
        (at(MON, 23, 59), at(TUE, 9)),
        # weekends too: the window is about the time of day, not office hours
        (at((2026, 11, 28), 22, 0), at((2026, 11, 29), 9)),
        # end of year
        (at((2026, 12, 31), 20, 0), at((2027, 1, 1), 9)),
    ],
)
def test_window_edges(now, hold_until):
    decision = sms(now=now)
    if hold_until is None:
        assert decision.action is Action.SEND
    else:
        assert decision.action is Action.HOLD
        assert decision.hold_until == hold_until
        assert decision.hold_until.utcoffset() is not None


def test_immediate_replies_go_at_night():
    assert sms(now=NIGHT, immediate_reply=True).action is Action.SEND
    assert sms(now=at(MON, 3), immediate_reply=True).send_now


def test_the_window_is_a_setting():
    window = (dt.time(8), dt.time(20))
    assert sms(now=at(MON, 8, 30), window=window).action is Action.SEND
    assert sms(now=at(MON, 20, 0), window=window).hold_until == at(TUE, 8)


def test_now_in_another_zone_is_read_as_london_time():
    # 08:30 in New York is 13:30 in London: inside the window
    new_york = dt.datetime(2026, 11, 23, 8, 30, tzinfo=ZoneInfo("America/New_York"))
    assert sms(now=new_york).action is Action.SEND


def test_naive_now_is_an_error():
    with pytest.raises(ValueError):
        sms(now=dt.datetime(2026, 11, 23, 12, 0))


def test_backwards_window_is_an_error():
    with pytest.raises(ValueError):
        next_window_start(DAYTIME, window=(dt.time(19), dt.time(9)))


# Clocks go forward at 01:00 UTC on Sunday 29 March 2026 and back at 01:00 UTC on
# Sunday 25 October 2026. The window follows the clock on the wall, not UTC.


@pytest.mark.parametrize(
    "now_utc, expected",
    [
        # Saturday 28 March, 19:30 GMT: hold until 09:00 BST Sunday = 08:00 UTC
        (dt.datetime(2026, 3, 28, 19, 30, tzinfo=UTC), dt.datetime(2026, 3, 29, 8, 0, tzinfo=UTC)),
        # Sunday 29 March, 08:30 UTC is 09:30 BST: send
        (dt.datetime(2026, 3, 29, 8, 30, tzinfo=UTC), None),
        # Sunday 29 March, 07:59 UTC is 08:59 BST: hold one minute
        (dt.datetime(2026, 3, 29, 7, 59, tzinfo=UTC), dt.datetime(2026, 3, 29, 8, 0, tzinfo=UTC)),
        # Sunday 29 March, 18:00 UTC is 19:00 BST: hold to Monday 09:00 BST
        (dt.datetime(2026, 3, 29, 18, 0, tzinfo=UTC), dt.datetime(2026, 3, 30, 8, 0, tzinfo=UTC)),
        # Saturday 24 October, 08:30 UTC is 09:30 BST: send
        (dt.datetime(2026, 10, 24, 8, 30, tzinfo=UTC), None),
        # Saturday 24 October, 18:30 UTC is 19:30 BST: hold until 09:00 GMT = 09:00 UTC
        (dt.datetime(2026, 10, 24, 18, 30, tzinfo=UTC), dt.datetime(2026, 10, 25, 9, 0, tzinfo=UTC)),
        # Sunday 25 October, 08:30 UTC is 08:30 GMT: hold (UTC+1 would have said 09:30)
        (dt.datetime(2026, 10, 25, 8, 30, tzinfo=UTC), dt.datetime(2026, 10, 25, 9, 0, tzinfo=UTC)),
        # Sunday 25 October, 18:30 UTC is 18:30 GMT: send
        (dt.datetime(2026, 10, 25, 18, 30, tzinfo=UTC), None),
    ],
)
def test_clock_changes(now_utc, expected):
    decision = sms(now=now_utc)
    if expected is None:
        assert decision.action is Action.SEND
    else:
        assert decision.action is Action.HOLD
        assert decision.hold_until == expected  # same instant
        assert decision.hold_until.astimezone(LONDON).time() == dt.time(9)


def test_a_window_start_in_the_spring_gap_becomes_a_real_instant():
    # 01:30 on 29 March 2026 never happens in London; the hold is for 02:30 BST (01:30 UTC)
    window = (dt.time(1, 30), dt.time(19))
    start = next_window_start(dt.datetime(2026, 3, 29, 0, 10, tzinfo=UTC), window=window)
    assert start.astimezone(UTC) == dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert start.astimezone(LONDON).time() == dt.time(2, 30)


# --- calls ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "to, action, code",
    [
        (MOBILE, Action.SEND, None),
        (LANDLINE, Action.SEND, None),
        ("+442079460123", Action.SEND, None),  # London 020 7946 0xxx drama range
        ("+447624900123", Action.SEND, None),  # Isle of Man mobile
        ("+448081570123", Action.SEND, None),  # freephone
        ("+449098790123", Action.REFUSE, Refusal.BARRED_NUMBER),  # premium rate
        ("+447012345678", Action.REFUSE, Refusal.BARRED_NUMBER),  # personal number
        ("+447612345678", Action.REFUSE, Refusal.BARRED_NUMBER),  # pager
        ("01632 960123", Action.REFUSE, Refusal.NOT_UK_NUMBER),
        ("+12025550100", Action.REFUSE, Refusal.NOT_UK_NUMBER),
        ("+4416329601", Action.REFUSE, Refusal.NOT_UK_NUMBER),
    ],
)
def test_check_call(to, action, code):
    decision = check_call(to)
    assert (decision.action, decision.code) == (action, code)


def test_the_rules_module_is_pure():
    import ast
    import pathlib

    tree = ast.parse(pathlib.Path(sending_rules.__file__).read_text())
    imported = {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert imported.isdisjoint({"flask", "twilio", "redis", "rq", "requests"})
