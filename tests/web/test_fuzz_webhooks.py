"""Thousands of random texts, key presses and dates through the signed webhooks: every reply sendable.

Each reply must be 200 TwiML; texts must each be non-empty GSM-7 within 3 segments (see
tests/web/webhook_checks.py for what 'within length' means). Derandomized, so CI runs the same
examples every time. One app per module (hypothesis runs many examples per test); every example
texts from a number of its own, so no conversation leaks into the next.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import secrets

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from clock import fixed_clock
from config import Settings
from flows import deadlines
from flows.guidance import load_guidance, normalise_keyword
from flows.wording import long_date
from sms.dialogue import START_WORDS, STOP_WORDS, clean_body
from tests.conftest import CLOSED_SUNDAY, HELPLINE_SMS_NUMBER, OPEN_MONDAY, PUBLIC_BASE_URL, TEST_TOKEN, Twilio
from tests.web.test_bad_input import VOICE_STEPS
from tests.web.webhook_checks import sms_reply, voice_reply

FUZZ = settings(derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def phones(redis_server_url, tmp_path_factory):
    """Signed posters to the app when closed and when open, on the emptied test database."""
    client = redis.Redis.from_url(redis_server_url)
    client.flushdb()
    settings_ = Settings(data_dir=tmp_path_factory.mktemp("fuzz"), redis_url=redis_server_url,
                         twilio_auth_token=TEST_TOKEN, public_base_url=PUBLIC_BASE_URL,
                         twilio_number=HELPLINE_SMS_NUMBER, staff_forward_number="+441632960001",
                         secret_key="test-secret")
    apps = {name: create_app(settings_, clock=fixed_clock(at)) for name, at in
            (("closed", CLOSED_SUNDAY), ("open", OPEN_MONDAY))}
    yield {name: Twilio(app.test_client()) for name, app in apps.items()}
    client.flushdb()


def fresh_phone() -> str:
    """A UK mobile number no earlier example has texted from."""
    return f"+447700{next(_numbers):06d}"


# --- strategies -------------------------------------------------------------------------------

# Twilio sends UTF-8, which cannot carry lone surrogates; everything else may arrive.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=1800)
short_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
KEYWORDS = sorted(load_guidance().keyword_index) + [
    "MORE", "REMIND", "REMIND OFF", "CALL ME", "CALLBACK", "DEADLINE", "STOP", "START", "YES", "NO", "HELP"]
MONTH_NAMES = [*calendar.month_name[1:], *calendar.month_abbr[1:], "Sept", "Febuary", "dec."]
day, month = st.integers(-1, 40), st.integers(-1, 14)
year = st.integers(0, 10000) | st.integers(0, 99) | st.integers(2014, 2038)
dateish = st.one_of(
    st.builds("{0}{3}{1}{3}{2}".format, day, month, year, st.sampled_from("/.- ")),
    st.builds("{2}-{1}-{0}".format, day, month, year),
    st.builds("{0} {1} {2}".format, day, st.sampled_from(MONTH_NAMES), year | st.just("")),
    st.builds("{0:02d}{1:02d}{2:04d}".format, st.integers(0, 99), st.integers(0, 99), st.integers(0, 9999)),
    st.sampled_from(["today", "yesterday", "tomorrow", "last Tuesday", "31st", "Wednesday 31st of December"]),
    st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)).map("{:%d/%m/%Y}".format),
)
date_text = st.builds("{}{}".format, st.sampled_from(["", "DEADLINE ", "APPEAL ", "appeal ", "It was sent on "]),
                      dateish)
keywordish = st.builds("{}{}{}".format, st.sampled_from(KEYWORDS), st.sampled_from(["", " ", "  ", "\n", "!"]),
                       short_text | dateish)
sms_body = st.one_of(any_text, keywordish, date_text)
keys = st.text(alphabet="0123456789*#", max_size=40) | short_text | st.just("1" * 10000)


def may_be_silent(body: str) -> bool:
    """Carrier words (STOP, START) are answered by Twilio itself, so our reply may be empty."""
    return normalise_keyword(clean_body(body)[0]) in STOP_WORDS | START_WORDS


# --- texts ------------------------------------------------------------------------------------


@settings(FUZZ, max_examples=900)
@given(body=sms_body, when=st.sampled_from(["closed", "open"]))
def test_any_text_gets_a_sendable_reply(phones, body, when):
    sms_reply(phones[when].sms(body, from_=fresh_phone()), may_be_silent=may_be_silent(body))


@settings(FUZZ, max_examples=150)
@given(kind=st.sampled_from(list("123456")) | short_text, letter=date_text | short_text,
       cert=dateish | st.sampled_from(["NO", "none", "0", "yes"]),
       school=st.sampled_from(["YES", "NO", "y", "2"]) | short_text)
def test_the_deadline_conversation_answers_every_step(phones, kind, letter, cert, school):
    phone = fresh_phone()
    for body in ("DEADLINE", kind, letter, cert, school, "REMIND"):
        sms_reply(phones["closed"].sms(body, from_=phone), may_be_silent=may_be_silent(body))


@settings(FUZZ, max_examples=150)
@given(letter=st.dates(dt.date(2016, 12, 1), CLOSED_SUNDAY.date()),
       written=st.sampled_from(["{:%d/%m/%Y}", "{:%d.%m.%y}", "{:%Y-%m-%d}", "{:%d %B %Y}", "{:%A %d %b %Y}"]))
def test_any_past_letter_date_by_text_gets_the_calculators_deadline(phones, letter, written):
    texts = sms_reply(phones["closed"].sms("DEADLINE " + written.format(letter), from_=fresh_phone()))
    due = deadlines.appeal_deadline(letter, today=CLOSED_SUNDAY.date()).date
    assert long_date(due) in texts[-1], texts[-1]


@settings(FUZZ, max_examples=100)
@given(answers=st.lists(st.sampled_from(["YES", "07700 900456", "1", "morning", "any", "2", "text", "MENU"])
                        | short_text, max_size=5))
def test_the_callback_conversation_answers_every_step(phones, answers):
    phone = fresh_phone()
    for body in ("CALLBACK", *answers):
        sms_reply(phones["closed"].sms(body, from_=phone), may_be_silent=may_be_silent(body))


# --- calls ------------------------------------------------------------------------------------


@settings(FUZZ, max_examples=800)
@given(path=st.sampled_from(VOICE_STEPS), digits=st.none() | keys, speech=st.none() | short_text,
       when=st.sampled_from(["closed", "open"]))
def test_any_key_or_words_on_any_voice_step_get_a_reply(phones, path, digits, speech, when):
    fields = {k: v for k, v in {"Digits": digits, "SpeechResult": speech}.items() if v is not None}
    response = phones[when].call(path, **fields)
    if path == "/ivr/status":
        assert response.status_code == 204
    else:
        voice_reply(response)


def walk(twilio, path: str, presses: list[str]) -> list:
    """Follow a call from path: Redirects at once, each Gather answered with the next key press."""
    sid, presses = "CA" + secrets.token_hex(16), list(presses)
    seen = [voice_reply(twilio.call(path, call_sid=sid))]
    for _ in range(40):
        gather, redirect = seen[-1].find("Gather"), seen[-1].find("Redirect")
        if gather is not None and presses:
            seen.append(voice_reply(twilio.call(gather.get("action"), call_sid=sid, Digits=presses.pop(0))))
        elif gather is None and redirect is not None:
            seen.append(voice_reply(twilio.call(redirect.text, call_sid=sid)))
        else:
            return seen
    raise AssertionError("the call went round in circles")


def keypad(day_: dt.date) -> str:
    return f"{day_:%d%m%Y}#"


@settings(FUZZ, max_examples=120)
@given(letter=st.dates(dt.date(2016, 12, 1), CLOSED_SUNDAY.date()), school=st.sampled_from("12"),
       cert_after=st.none() | st.integers(0, 200))
def test_any_past_letter_date_by_keypad_reaches_a_spoken_result(phones, letter, school, cert_after):
    if cert_after is None:
        cert = ["0#"]  # no mediation certificate: straight on to the school question
    else:
        cert = [keypad(min(letter + dt.timedelta(days=cert_after), CLOSED_SUNDAY.date())), "1"]
    seen = walk(phones["closed"], "/ivr/deadline", ["1", keypad(letter), "1", *cert, school])  # 1: an appeal
    assert seen[-1].find("Gather").get("action").startswith("/ivr/deadline/answer/after"), seen[-1]


@settings(FUZZ, max_examples=120)
@given(letter=keys | dateish.map(lambda d: d.replace("/", "").replace("-", "")), cert=keys,
       confirm=st.sampled_from("12*#9") | keys)
def test_any_keys_in_the_deadline_calculator_get_replies(phones, letter, cert, confirm):
    walk(phones["closed"], "/ivr/deadline", ["1", letter, confirm, cert, confirm, confirm])
