"""Callback requests are deleted after the retention period, and can be exported or erased by number."""

import datetime as dt

from commands import data as data_cli
import services
from clock import LONDON, fixed_clock
from store import callbacks as store
from workers import callback_data
from workers.retention import PURGE_HOOKS, purge_with
from store.outbox import list_outbox

PARENT = "+447700900123"
OTHER = "+447700900456"
ASKED = dt.datetime(2026, 11, 22, 20, 0, tzinfo=LONDON)
CALLED = dt.datetime(2026, 11, 23, 11, 0, tzinfo=LONDON)


def make(settings, at=CALLED):
    return services.build(settings, clock=fixed_clock(at))


def request(svc, phone, sid, *, recording=None, finish=True):
    redis, settings = svc.connections.redis, svc.settings
    saved = store.save_request(redis, settings, svc.calendar, phone=phone, topic="appeal", channel="voice",
                               source_sid=sid, now=ASKED, voice_message_url=recording)
    if finish:
        store.claim_next(redis, settings, "sam", CALLED)
        store.record_outcome(redis, settings, svc.calendar, saved.id, staff_name="sam", outcome="reached",
                             note="", now=CALLED)
    return saved.id


def test_the_hooks_are_wired_by_default():
    assert callback_data.purge in PURGE_HOOKS
    assert callback_data.export in data_cli.EXPORT_HOOKS
    assert callback_data.erase in data_cli.ERASE_HOOKS


def test_finished_requests_and_their_recordings_go_after_the_retention_period(settings):
    svc = make(settings)
    recording = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE" + "1" * 32
    done = request(svc, PARENT, "CA" + "1" * 32, recording=recording)
    live = request(svc, OTHER, "CA" + "2" * 32, finish=False)
    redis = svc.connections.redis
    purge_with(make(settings, CALLED + dt.timedelta(days=29)))
    assert store.get(redis, settings, done) is not None  # not yet 30 days
    counts = purge_with(make(settings, CALLED + dt.timedelta(days=31)))
    assert store.get(redis, settings, done) is None
    assert store.get(redis, settings, live) is not None  # open requests are never purged
    assert sum(v for k, v in counts.items() if "purge" in k) == 2  # the request and its recording
    assert any("RE" + "1" * 32 in str(entry) for entry in list_outbox(redis, settings.key_prefix))


def test_export_and_erase_cover_every_request_for_the_number_only(settings):
    svc = make(settings)
    request(svc, PARENT, "SM" + "1" * 32)
    request(svc, PARENT, "SM" + "2" * 32, finish=False)
    other = request(svc, OTHER, "SM" + "3" * 32, finish=False)
    exported = callback_data.export(svc, "07700 900123")["callback_requests"]
    assert len(exported) == 2 and {r["phone"] for r in exported} == {PARENT}
    assert callback_data.erase(svc, PARENT) == {"callback_requests": 2}
    assert callback_data.export(svc, PARENT) == {"callback_requests": []}
    assert store.get(svc.connections.redis, svc.settings, other) is not None
    assert [r["id"] for r in store.list_open(svc.connections.redis, svc.settings)] == [other]


def test_the_parents_words_and_texts_are_exported_erased_and_kept_only_for_the_retention_period(settings):
    svc = make(settings)
    redis = svc.connections.redis
    words, text = "my son was excluded on friday", "he needs a polish speaker"
    kept = store.save_request(redis, settings, svc.calendar, phone=PARENT, topic="school", channel="sms",
                              source_sid="SM" + "1" * 32, now=ASKED, interpreter="pl", problem_words=words,
                              conversation_texts=["yes", text])
    [exported] = data_cli.export_number(svc, PARENT)["callback_requests"]
    assert exported["problem_words"] == words and exported["conversation_texts"] == ["yes", text]
    assert exported["interpreter"] == "pl"
    store.cancel_by_parent(redis, settings, kept.id, now=CALLED, channel="sms")  # finished: kept for retention
    purge_with(svc, now=CALLED + dt.timedelta(days=settings.retention_days - 1))
    assert store.get(redis, settings, kept.id)["problem_words"] == words
    purge_with(svc, now=CALLED + dt.timedelta(days=settings.retention_days + 1))
    assert store.get(redis, settings, kept.id) is None
    store.save_request(redis, settings, svc.calendar, phone=PARENT, topic="school", channel="sms",
                       source_sid="SM" + "2" * 32, now=CALLED, problem_words=words, conversation_texts=[text])
    data_cli.erase_number(svc, PARENT)
    assert not [k for k in redis.scan_iter("*") if words.encode() in (redis.dump(k) or b"")]
