"""Retention: the purge deletes finished outbound records past RETENTION_DAYS (with their
indexes), keeps what is pending or recent, runs the hooks, and is booked daily at 03:15."""

from __future__ import annotations

import datetime as dt

import pytest
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from clock import LONDON
from store import outbound as records
from tests.twilio_standin import TwilioStandin
from tests.workers.support import svc_at
from workers import outbound, retention
from workers.jobs import deliver_with
from workers.retention import (PURGE_HOOKS, delete_recording, purge_safety_concerns, purge_with,
                               schedule_housekeeping)

PARENT = "+447700900123"
OLD = dt.datetime(2026, 10, 1, 11, 0, tzinfo=LONDON)
RECENT = dt.datetime(2026, 11, 20, 11, 0, tzinfo=LONDON)
NOW = dt.datetime(2026, 11, 22, 4, 0, tzinfo=LONDON)  # retention 30 days: cutoff 23 October


@pytest.fixture(autouse=True)
def no_hooks():
    saved = list(PURGE_HOOKS)
    PURGE_HOOKS.clear()
    yield saved
    PURGE_HOOKS[:] = saved


def sent_text(settings, at, **kwargs):
    svc = svc_at(settings, at)
    message_id = outbound.queue_text(svc, to=PARENT, body="Hello.", purpose="test", immediate=True, **kwargs)
    assert deliver_with(svc, message_id) == "sent"
    return message_id


def test_purge_deletes_old_finished_records_and_keeps_pending_and_recent_ones(settings, redis_client):
    old = sent_text(settings, OLD, dedupe_key="old-one")
    old_sid = records.get(redis_client, settings, old)["sid"]
    recent = sent_text(settings, RECENT)
    # Queued long ago for a date still ahead (e.g. a reminder for a far deadline): not sent yet, kept.
    pending = outbound.queue_text(svc_at(settings, OLD), to=PARENT, body="Later.", purpose="reminder",
                                  not_before=dt.datetime(2026, 12, 1, 9, 30, tzinfo=LONDON))

    counts = purge_with(svc_at(settings, NOW))

    assert counts == {"outbound": 1, "disk_rewrite_started": 1}  # the deleted record leaves the disk too
    assert records.get(redis_client, settings, old) is None
    assert records.id_for_sid(redis_client, settings, old_sid) is None
    assert not redis_client.exists(records.dedupe_key(settings, "old-one"))
    assert records.ids_for_phone(redis_client, settings, PARENT) == sorted([recent, pending])
    assert redis_client.zscore(records.all_index(settings), old) is None
    assert records.get(redis_client, settings, recent)["status"] == "sent"
    assert records.get(redis_client, settings, pending)["status"] == "scheduled"


def test_finished_records_also_expire_on_their_own(settings, redis_client):
    message_id = sent_text(settings, RECENT)
    ttl = redis_client.ttl(records.record_key(settings, message_id))
    assert 30 * 86400 < ttl <= 31 * 86400


def test_purge_runs_the_hooks_with_the_cutoff(settings):
    seen = []

    def closed_callbacks(svc, cutoff):
        seen.append(cutoff)
        return 2

    PURGE_HOOKS.append(closed_callbacks)
    PURGE_HOOKS.append(_another_hook)
    counts = purge_with(svc_at(settings, NOW))
    assert seen == [NOW - dt.timedelta(days=30)]
    assert counts["outbound"] == 0 and 2 in counts.values() and 5 in counts.values()


def _another_hook(svc, cutoff):
    return 5


def test_delete_recording_reaches_twilio(settings):
    with TwilioStandin() as standin:
        svc = svc_at(settings, NOW, twilio_account_sid=standin.account_sid, twilio_auth_token=standin.auth_token,
                     twilio_api_base_url=standin.base_url)
        sid = standin.add_recording()
        delete_recording(svc, f"https://api.twilio.com/2010-04-01/Accounts/{standin.account_sid}/Recordings/{sid}")
        assert standin.deleted_recordings == [sid]
        delete_recording(svc, sid)  # already gone is fine


def test_housekeeping_is_booked_once_a_day_at_quarter_past_three(settings):
    queue = svc_at(settings, NOW).connections.queue
    evening = dt.datetime(2026, 11, 22, 20, 0, tzinfo=LONDON)
    job_id = schedule_housekeeping(queue, after=evening)
    assert schedule_housekeeping(queue, after=evening) == job_id  # every worker start: still one job
    registry = ScheduledJobRegistry(queue=queue)
    assert registry.get_job_ids() == [job_id]
    assert registry.get_scheduled_time(job_id) == dt.datetime(2026, 11, 23, 3, 15, tzinfo=LONDON)
    job = Job.fetch(job_id, connection=queue.connection)
    assert job.func_name == "workers.retention.purge_expired" and job.args == ()
    early = schedule_housekeeping(queue, after=dt.datetime(2026, 11, 22, 1, 0, tzinfo=LONDON))
    assert early.endswith("2026-11-22")


def test_the_purge_job_is_a_module_level_function():
    assert retention.purge_expired.__module__ == "workers.retention"


def test_a_real_worker_runs_the_purge_and_books_the_next_one(settings, redis_client):
    from tests.workers.support import run_worker, worker_env

    from store import callbacks

    old = sent_text(settings, OLD)
    svc = svc_at(settings, OLD)  # asked in October, when 4 December was far off
    waiting = callbacks.save_request(redis_client, settings, svc.calendar, phone="+447700900123", topic="appeal",
                                     channel="sms", source_sid="SM1", now=OLD, deadline=dt.date(2026, 12, 4))
    assert callbacks.get(redis_client, settings, waiting.id)["urgent"] is False
    queue = svc_at(settings, NOW).connections.queue
    queue.enqueue(retention.purge_expired)
    run_worker(worker_env(settings, now=NOW))
    assert records.get(redis_client, settings, old) is None
    assert callbacks.get(redis_client, settings, waiting.id)["urgent"] is True  # 4 December is now close
    [booked] = ScheduledJobRegistry(queue=queue).get_job_ids()
    assert booked.startswith("housekeeping-purge-")


def test_the_purge_removes_old_closed_safety_concerns_and_keeps_recent_ones(settings, redis_client, no_hooks):
    import services
    from clock import fixed_clock
    from store import safety
    from workers.retention import purge_with

    now = dt.datetime(2026, 11, 23, 3, 15, tzinfo=LONDON)
    for days_ago, phone in ((31, "+447700900123"), (29, "+447700900456")):
        then = now - dt.timedelta(days=days_ago)
        concern_id, _ = safety.raise_concern(redis_client, settings, phone=phone, at=then, words="worried",
                                             channel="sms", category="child_harm", label="Child at risk", rank=2)
        safety.claim(redis_client, settings, concern_id, staff_name="sam", now=then)
        safety.record_outcome(redis_client, settings, concern_id, staff_name="sam", outcome="called", note="",
                              now=then)
    assert purge_safety_concerns in no_hooks  # shipped (the fixture empties the list)
    PURGE_HOOKS.append(purge_safety_concerns)
    counts = purge_with(services.build(settings, clock=fixed_clock(now)))
    assert counts["purge_safety_concerns"] == 1
    assert [f["phone"] for f in safety.for_phone(redis_client, settings, "+447700900456")] == ["+447700900456"]
    assert safety.for_phone(redis_client, settings, "+447700900123") == []


def test_the_purge_moves_a_phone_index_named_by_the_number_under_its_tag(settings, redis_client):
    recent = sent_text(settings, RECENT)
    legacy = records.legacy_phone_index(settings, PARENT)
    redis_client.rename(records.phone_index(settings, PARENT), legacy)  # as indexes were before key names were tagged
    assert records.ids_for_phone(redis_client, settings, PARENT) == [recent]
    purge_with(svc_at(settings, NOW))
    assert not redis_client.exists(legacy)
    assert redis_client.smembers(records.phone_index(settings, PARENT)) == {recent}
    assert [k for k in redis_client.scan_iter("*900123*")] == []
