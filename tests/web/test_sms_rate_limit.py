"""The per-number limit on inbound texts: one polite reply, then silence, but never for safety or STOP."""

import datetime as dt
import logging
import time
import xml.etree.ElementTree as ET

import pytest

from clock import london
from config import ConfigError, Settings, from_env
from flows.copy import load_copy
from store import optouts
from store.conversations import rate_key
from tests.conftest import CLOSED_SUNDAY, PARENT, Twilio, sms_replies, twiml
from tests.web.webhook_checks import RoundTrips

LIMIT = 3
OTHER_PARENT = "+447700900456"
SLOW_DOWN = load_copy().text("sms.slow_down")
EMERGENCY = "If anyone is in danger now, call 999."


@pytest.fixture
def limited(make_app) -> Twilio:
    """Signed posts to an app that allows LIMIT texts per number in 5 minutes."""
    return Twilio(make_app(sms_limit_per_window=LIMIT).test_client())


def limited_at(make_app, **after) -> Twilio:
    """Signed posts to the limited app, some time after CLOSED_SUNDAY (same Redis)."""
    return Twilio(make_app(CLOSED_SUNDAY + dt.timedelta(**after), sms_limit_per_window=LIMIT).test_client())


def use_up(twilio: Twilio, count: int = LIMIT, *, from_: str = PARENT) -> None:
    """Send `count` ordinary texts, each answered normally."""
    for _ in range(count):
        assert sms_replies(twilio.sms("HOURS", from_=from_))


def test_texts_up_to_the_limit_get_their_normal_replies(limited):
    for body in ["HEALTH", "MENU", "HOURS"]:
        replies = sms_replies(limited.sms(body))
        assert replies and SLOW_DOWN not in replies
    assert "NHS complaints procedure" in " ".join(sms_replies(limited.sms("HEALTH", from_=OTHER_PARENT)))


def test_the_first_text_over_gets_one_polite_reply_then_silence(limited):
    use_up(limited)
    assert sms_replies(limited.sms("HEALTH")) == [SLOW_DOWN]
    for body in ["HEALTH", "MENU", "hello?"]:
        root = twiml(limited.sms(body))
        assert list(root) == [] and ET.tostring(root) == b"<Response />"


def test_the_polite_reply_is_plain_and_keeps_the_emergency_advice():
    assert "999" in SLOW_DOWN and "wait" in SLOW_DOWN
    assert SLOW_DOWN.isascii() and len(SLOW_DOWN) <= 160  # one text


def test_a_new_window_answers_again(limited, make_app):
    use_up(limited)
    assert sms_replies(limited.sms("MENU")) == [SLOW_DOWN]
    assert sms_replies(limited_at(make_app, minutes=4, seconds=59).sms("MENU")) == []  # still 9:00 to 9:05
    assert "Reply with a number" in sms_replies(limited_at(make_app, minutes=5).sms("MENU"))[0]


def test_the_count_expires_with_its_key(limited, settings, redis_client):
    use_up(limited)
    key = rate_key(settings, PARENT, london(CLOSED_SUNDAY))
    assert redis_client.scard(key) == LIMIT
    assert 0 < redis_client.ttl(key) <= Settings.sms_limit_window_seconds
    redis_client.pexpire(key, 1)
    time.sleep(0.01)
    assert "Reply with a number" in sms_replies(limited.sms("MENU"))[0]


def test_a_replayed_text_is_counted_once_and_gets_the_same_reply(limited):
    first = limited.sms("HEALTH", message_sid="SM" + "1" * 32)
    for _ in range(3):  # Twilio retries
        again = limited.sms("HEALTH", message_sid="SM" + "1" * 32)
        assert again.data == first.data
    use_up(limited, LIMIT - 1)  # still under: the replays were not counted
    polite = limited.sms("HEALTH", message_sid="SM" + "2" * 32)
    assert sms_replies(polite) == [SLOW_DOWN]
    assert sms_replies(limited.sms("HEALTH")) == []
    assert limited.sms("HEALTH", message_sid="SM" + "2" * 32).data == polite.data  # the cached reply wins


def test_risk_words_while_limited_still_get_the_emergency_numbers_and_a_flag(limited, redis_client):
    use_up(limited)
    (urgent, polite) = sms_replies(limited.sms("I am scared he will kill himself"))
    assert urgent.startswith(EMERGENCY) and polite == SLOW_DOWN
    (urgent,) = sms_replies(limited.sms("she said she wants to die"))
    assert urgent.startswith(EMERGENCY)
    assert redis_client.zcard("helpline:safety:open") == 1  # one concern for the line, with both texts
    assert sms_replies(limited.sms("MENU")) == []


def test_stop_and_start_while_limited_are_still_recorded(limited, settings, redis_client):
    use_up(limited, LIMIT + 1)
    assert sms_replies(limited.sms("STOP")) == []
    assert optouts.is_opted_out(redis_client, settings, PARENT)
    assert sms_replies(limited.sms("START")) == []
    assert not optouts.is_opted_out(redis_client, settings, PARENT)
    assert sms_replies(limited.sms("stop")) == []
    assert optouts.is_opted_out(redis_client, settings, PARENT)
    assert sms_replies(limited.sms("YES")) == []  # an opt-in at Twilio too, but not a menu answer now
    assert not optouts.is_opted_out(redis_client, settings, PARENT)


def test_stop_as_the_first_text_over_gets_no_please_wait(limited, settings, redis_client):
    use_up(limited)
    assert sms_replies(limited.sms("STOP")) == []
    assert optouts.is_opted_out(redis_client, settings, PARENT)


def test_numbers_are_limited_separately(limited):
    use_up(limited, LIMIT + 1)
    assert sms_replies(limited.sms("MENU")) == []
    assert "Reply with a number" in sms_replies(limited.sms("MENU", from_=OTHER_PARENT))[-1]


def test_the_log_names_the_number_masked_once(limited, caplog):
    use_up(limited)
    with caplog.at_level(logging.INFO, logger="helpline.sms"):
        for _ in range(3):
            limited.sms("MENU")
    assert caplog.text.count("one polite reply") == 1
    assert "+44 7700 900***" in caplog.text and PARENT not in caplog.text


def test_redis_down_means_no_limit(make_app):
    twilio = Twilio(make_app(redis_url="redis://127.0.0.1:1/0", sms_limit_per_window=1).test_client())
    for _ in range(3):
        assert "NHS complaints procedure" in sms_replies(twilio.sms("HEALTH"))[0]


def test_zero_turns_the_limit_off(make_app, redis_client):
    twilio = Twilio(make_app(sms_limit_per_window=0).test_client())
    use_up(twilio, 5)
    assert not list(redis_client.scan_iter("helpline:sms:rate:*"))


# Measured before the limit existed: load + save, and one more for an effect (opt-out, safety flag).
BEFORE = {"HEALTH": 2, "MENU": 2, "STOP": 3, "I think she might kill herself": 3}


def test_the_count_adds_no_round_trip(twilio, monkeypatch):
    twiml(twilio.sms("HOURS"))  # the connection is made (and its handshake done) outside the count
    trips = RoundTrips(monkeypatch)
    assert {body: trips.of(twilio, body) for body in BEFORE} == BEFORE


def test_a_silenced_text_costs_one_round_trip(limited, monkeypatch):
    use_up(limited, LIMIT + 1)
    trips = RoundTrips(monkeypatch)
    assert trips.of(limited, "MENU") == 1
    assert trips.of(limited, "I think she might kill herself") == 3  # still answered, flagged and saved


def test_settings_defaults_and_refusals(tmp_path):
    s = from_env({"HELPLINE_ENV": "local", "DATA_DIR": str(tmp_path)})
    assert (s.sms_limit_per_window, s.sms_limit_window_seconds) == (15, 300)
    s = from_env({"HELPLINE_ENV": "local", "DATA_DIR": str(tmp_path), "SMS_LIMIT_PER_WINDOW": "0", "SMS_LIMIT_WINDOW_SECONDS": "60"})
    assert (s.sms_limit_per_window, s.sms_limit_window_seconds) == (0, 60)
    refused = [("SMS_LIMIT_PER_WINDOW", "-1"), ("SMS_LIMIT_WINDOW_SECONDS", "0"), ("SMS_LIMIT_PER_WINDOW", "ten")]
    for name, value in refused:
        with pytest.raises(ConfigError, match=name):
            from_env({"HELPLINE_ENV": "local", "DATA_DIR": str(tmp_path), name: value})
