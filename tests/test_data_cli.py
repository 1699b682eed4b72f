"""`flask data export` and `flask data erase`: everything held about one number, and only that number."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from commands import data as data_cli
from clock import LONDON
from store import conversations, optouts, safety, spool
from store import outbound as records
from tests.conftest import OPEN_MONDAY
from workers import outbound
from workers.jobs import deliver_with
from workers.reminders import schedule_reminders
from store.outbox import list_outbox

PARENT = "+447700900123"
OTHER = "+447700900456"
NOW = OPEN_MONDAY.replace(tzinfo=LONDON)


@pytest.fixture
def app(make_app):
    return make_app(OPEN_MONDAY)  # create_app registers `flask data` (commands.register)


@pytest.fixture
def svc(app):
    return app.extensions["helpline"]


@pytest.fixture
def hooks():
    saved = list(data_cli.EXPORT_HOOKS), list(data_cli.ERASE_HOOKS)
    yield data_cli.EXPORT_HOOKS, data_cli.ERASE_HOOKS
    data_cli.EXPORT_HOOKS[:], data_cli.ERASE_HOOKS[:] = saved


@pytest.fixture
def held(svc):
    """Data about PARENT (a sent text, a pending reminder, a conversation) and about OTHER."""
    redis, settings = svc.connections.redis, svc.settings
    sent = outbound.queue_text(svc, to=PARENT, body="Your call back is booked.", purpose="test", immediate=True)
    assert deliver_with(svc, sent) == "sent"
    [reminder, *_] = schedule_reminders(svc, phone=PARENT, deadline_date=dt.date(2026, 12, 14), kind="appeal",
                                        what_to_do="Register your appeal.", now=NOW)
    redis.set(conversations.conversation_key(settings, PARENT), json.dumps({"node": "appeal"}))
    redis.set(conversations.seen_key(settings, PARENT), "1")
    other = outbound.queue_text(svc, to=OTHER, body="Hello.", purpose="test", immediate=True)
    assert deliver_with(svc, other) == "sent"
    for phone in (PARENT, OTHER):
        safety.raise_concern(redis, settings, phone=phone, at=NOW, words=f"worried {phone[-3:]}", channel="sms",
                             category="child_harm", label="Child harmed or at risk", rank=2)
        spool.add(settings, requester=phone, now=NOW, request={"phone": phone, "channel": "sms",
                                                              "source_sid": f"SM{phone[-3:]}", "topic": "school"})
    return {"sent": sent, "reminder": reminder, "other": other}


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["data", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_export_prints_everything_held_about_the_number(app, svc, held, hooks):
    hooks[0].append(lambda svc, phone: {"callbacks": [{"phone": phone, "note": "wants a call"}]})
    optouts.set_opted_out(svc.connections.redis, svc.settings, PARENT, False, source="sms START", at=NOW)
    data = json.loads(run(app, "export", "07700 900123"))
    assert data["phone"] == PARENT
    assert {r["id"] for r in data["outbound"]} == {held["sent"], held["reminder"]} | set(
        records.ids_for_phone(svc.connections.redis, svc.settings, PARENT))
    assert all(r["to"] == PARENT for r in data["outbound"])
    assert data["opt_out"]["source"] == "sms START"
    assert data["sms_conversation"] == {"node": "appeal"}
    assert [e["body"] for e in data["outbox"]] == ["Your call back is booked."]
    assert data["callbacks"] == [{"phone": PARENT, "note": "wants a call"}]
    assert [[w["text"] for w in c["words"]] for c in data["safety_concerns"]] == [["worried 123"]]
    assert [row["id"] for row in data["callback_spool"]] == ["sms:SM123"]
    assert OTHER not in json.dumps(data)


def test_erase_removes_everything_about_the_number_and_nothing_else(app, svc, held, hooks, caplog):
    redis, settings = svc.connections.redis, svc.settings
    erased = []
    hooks[1].append(lambda svc, phone: erased.append(phone) or {"callbacks": 1})
    reminder_job = records.get(redis, settings, held["reminder"])["job_id"]

    with caplog.at_level(logging.INFO):
        output = run(app, "erase", "07700 900123", "--yes")

    assert "outbound: 4" in output and "callbacks: 1" in output
    assert erased == [PARENT]
    assert records.ids_for_phone(redis, settings, PARENT) == []
    assert records.get(redis, settings, held["reminder"]) is None
    assert deliver_with(svc, held["reminder"]) == "missing"  # its job, had it survived, finds nothing
    assert not redis.exists(f"rq:job:{reminder_job}")
    assert not redis.exists(conversations.conversation_key(settings, PARENT), conversations.seen_key(settings, PARENT))
    assert [e["to"] for e in list_outbox(redis)] == [OTHER]
    assert records.get(redis, settings, held["other"])["status"] == "sent"
    assert [k for k in redis.scan_iter("*900123*")] == []
    assert "safety_concerns: 1" in output and "callback_spool: 1" in output
    assert [f["phone"] for f in safety.for_phone(redis, settings, OTHER)] == [OTHER]
    assert safety.for_phone(redis, settings, PARENT) == []
    assert [row["id"] for row in spool.pending(settings)] == ["sms:SM456"]
    assert PARENT not in caplog.text and "data erased for +44 7700 900***" in caplog.text


def test_erase_keeps_an_active_opt_out_unless_told(app, svc, held):
    redis, settings = svc.connections.redis, svc.settings
    optouts.set_opted_out(redis, settings, PARENT, True, source="sms STOP", at=NOW)
    output = run(app, "erase", PARENT, "--yes")
    assert "opted out" in output
    assert optouts.is_opted_out(redis, settings, PARENT)
    run(app, "erase", PARENT, "--yes", "--forget-opt-out")
    assert not optouts.is_opted_out(redis, settings, PARENT)
    assert [k for k in redis.scan_iter("*900123*")] == []


def test_erase_asks_first(app, svc, held):
    result = app.test_cli_runner().invoke(args=["data", "erase", PARENT], input="n\n")
    assert result.exit_code != 0
    assert records.get(svc.connections.redis, svc.settings, held["sent"]) is not None


def test_a_number_that_is_not_uk_is_refused(app):
    result = app.test_cli_runner().invoke(args=["data", "export", "hello"])
    assert result.exit_code != 0 and "UK phone number" in result.output


# --- issue 15, item 5: erasure leaves nothing, and no key name holds a number -------------------


def _every_byte_in(url: str) -> bytes:
    """Every key name and value in the database as raw bytes, rq's job data unpacked (zlib)."""
    import zlib

    from redis import Redis

    raw = Redis.from_url(url)
    parts = []
    for key in raw.scan_iter():
        kind = raw.type(key)
        values = {b"string": lambda: [raw.get(key)], b"list": lambda: raw.lrange(key, 0, -1),
                  b"set": lambda: list(raw.smembers(key)), b"zset": lambda: raw.zrange(key, 0, -1),
                  b"hash": lambda: [x for item in raw.hgetall(key).items() for x in item],
                  b"stream": lambda: [x for _, fields in raw.xrange(key) for item in fields.items() for x in item],
                  }[kind]()
        for value in values:
            try:
                value = zlib.decompress(value)  # rq keeps a job's function and arguments compressed
            except zlib.error:
                pass
            parts.append(value)
        parts.append(key)
    return b"\n".join(parts)


def test_erase_finds_the_reply_cache_asks_and_rate_limits_and_no_key_name_holds_the_number(app, svc):
    from tests.conftest import Twilio

    twilio = Twilio(app.test_client())
    for spelling in ("07700 900123", "447700900123", "+44 7700 900123"):
        assert twilio.sms("HOURS", from_=spelling).status_code == 200
    assert twilio.sms("CALLBACK", from_=PARENT).status_code == 200
    call = {"CallSid": "CA" + "7" * 32, "From": PARENT}
    assert twilio.post("/ivr/callback/save?phone=%2B447700900123&topic=appeal&txt=0", call).status_code == 200
    redis, settings = svc.connections.redis, svc.settings
    assert b"900123" in _every_byte_in(settings.redis_url)  # held in values (the reply cache, the request)
    assert not [key for key in redis.scan_iter() if "900123" in key]  # never in a key name
    result = app.test_cli_runner().invoke(args=["data", "erase", "07700 900123", "--yes"])
    assert result.exit_code == 0, result.output
    assert b"900123" not in _every_byte_in(settings.redis_url)
    assert "disk_rewrite_started: 1" in result.output


def test_text_rate_limits_count_a_number_however_it_is_written(make_app):
    app = make_app(OPEN_MONDAY, sms_limit_per_window=3)
    from tests.conftest import Twilio, sms_replies

    twilio = Twilio(app.test_client())
    replies = [sms_replies(twilio.sms("HOURS", from_=spelling))
               for spelling in ("07700 900123", "447700900123", "+44 7700 900123", "+447700900123", "07700900123")]
    assert replies[3] and not replies[4]  # the fourth is the one polite "please wait"; the fifth gets nothing


DIGITS = "7700900123"  # PARENT's digits, in every spelling of the number


def test_after_a_day_of_activity_no_key_name_holds_the_number_and_erasure_leaves_nothing(app, svc, settings):
    from tests.conftest import Twilio, sms_replies
    from tests.workers.support import run_worker, worker_env

    redis = svc.connections.redis
    twilio = Twilio(app.test_client())
    for spelling in ("07700 900123", "447700900123", "+44 7700 900123"):  # texts, however the number is written
        assert sms_replies(twilio.sms("HOURS", from_=spelling))
    for body in ("CALLBACK", "YES", "1", "ANY", "1", "YES", "he needs help"):  # a call back by text, each question
        assert sms_replies(twilio.sms(body, from_="07700 900123"))
    call = {"CallSid": "CA" + "6" * 32, "From": PARENT}  # ... and by phone, with a confirmation text
    assert twilio.post("/ivr/callback/save?phone=%2B447700900123&topic=appeal&vm=1&txt=1", call).status_code == 200
    assert sms_replies(twilio.sms("DEADLINE 20/11/2026", from_=PARENT))
    assert "reminder" in " ".join(sms_replies(twilio.sms("REMIND", from_=PARENT)))  # three texts for later
    safety.raise_concern(redis, settings, phone=PARENT, at=NOW, words="I am scared for my son", channel="sms",
                         category="child_harm", label="Child harmed or at risk", rank=2)
    run_worker(worker_env(settings, now=OPEN_MONDAY))  # confirmations sent (to the outbox), reminders booked
    assert DIGITS.encode() in _every_byte_in(settings.redis_url)  # held, in values
    assert [e["to"] for e in list_outbox(redis)].count(PARENT) >= 1
    assert len(records.ids_for_phone(redis, settings, PARENT)) >= 4  # the confirmation and the reminders

    assert not [key for key in redis.scan_iter() if DIGITS in key]  # but never in a key name

    result = app.test_cli_runner().invoke(args=["data", "erase", "07700 900123", "--yes"])
    assert result.exit_code == 0, result.output
    assert DIGITS.encode() not in _every_byte_in(settings.redis_url)


def test_a_phone_index_named_by_the_number_is_still_found_and_erased(app, svc, held):
    """Messages indexed before key names were tagged (helpline:outbound:phone:+447700900123)."""
    redis, settings = svc.connections.redis, svc.settings
    old = outbound.queue_text(svc, to=PARENT, body="From before the change.", purpose="test", immediate=True)
    redis.srem(records.phone_index(settings, PARENT), old)
    redis.sadd(records.legacy_phone_index(settings, PARENT), old)
    assert records.legacy_phone_index(settings, PARENT).endswith(PARENT)
    assert old in records.ids_for_phone(redis, settings, PARENT)
    assert old in {r["id"] for r in data_cli.export_number(svc, PARENT)["outbound"]}
    run(app, "erase", PARENT, "--yes")
    assert records.get(redis, settings, old) is None
    assert [k for k in redis.scan_iter("*900123*")] == []
