"""Deadline reminders: the right days at 09:30 London time, once each, stopped by REMIND OFF
or STOP, and still sent by a fresh worker process (the schedule lives in Redis)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from rq.registry import ScheduledJobRegistry

from clock import LONDON
from flows import gsm7
from store import optouts
from store import outbound as records
from tests.workers.support import run_worker, svc_at, worker_env
from workers.jobs import deliver_with
from workers.reminders import cancel_reminders, schedule_reminders
from store.outbox import list_outbox

PARENT = "+447700900123"
NOW = dt.datetime(2026, 11, 22, 10, 0, tzinfo=LONDON)  # Sunday
DEADLINE = dt.date(2026, 12, 14)  # Monday
WHAT = "Register your appeal with the SEND Tribunal, or ask us to help you."


@pytest.fixture
def svc(settings):
    return svc_at(settings, NOW)


def schedule(svc, **changes):
    args = dict(phone="07700 900123", deadline_date=DEADLINE, kind="appeal", what_to_do=WHAT, now=NOW) | changes
    return schedule_reminders(svc, **args)


def saved(svc, ids):
    return [records.get(svc.connections.redis, svc.settings, i) for i in ids]


def test_reminders_go_14_7_and_2_days_before_at_half_past_nine(svc):
    ids = schedule(svc)
    when = [dt.datetime.fromisoformat(r["not_before"]) for r in saved(svc, ids)]
    assert when == [dt.datetime(2026, 11, 30, 9, 30, tzinfo=LONDON), dt.datetime(2026, 12, 7, 9, 30, tzinfo=LONDON),
                    dt.datetime(2026, 12, 12, 9, 30, tzinfo=LONDON)]
    assert all(r["status"] == "scheduled" and r["purpose"] == "reminder" and r["to"] == PARENT
               for r in saved(svc, ids))
    registry = ScheduledJobRegistry(queue=svc.connections.queue)
    assert sorted(registry.get_job_ids()) == sorted(r["job_id"] for r in saved(svc, ids))


def test_each_reminder_says_the_deadline_what_to_do_and_how_to_stop(svc):
    bodies = [r["body"] for r in saved(svc, schedule(svc))]
    assert "Monday 14 December 2026" in bodies[0] and "That is 14 days from today." in bodies[0]
    assert "That is 2 days from today." in bodies[2]
    for body in bodies:
        assert WHAT in body
        assert body.endswith("Text REMIND OFF to stop reminders, or STOP to stop all texts.")
        assert gsm7.is_gsm7(body) and gsm7.segment_count(body) <= 3


def test_asking_twice_never_schedules_twice(svc, redis_client):
    first = schedule(svc)
    assert schedule(svc) == first
    assert len([k for k in redis_client.scan_iter("helpline:outbound:*") if redis_client.type(k) == "hash"]) == 3
    assert ScheduledJobRegistry(queue=svc.connections.queue).count == 3


def test_only_reminders_still_in_the_future_are_scheduled(svc):
    # 14 days before has passed; 7 days before is today at 09:30, passed too (it is 10:00).
    ids = schedule(svc, deadline_date=dt.date(2026, 11, 29))
    assert [r["not_before"][:10] for r in saved(svc, ids)] == ["2026-11-27"]
    assert schedule(svc, deadline_date=dt.date(2026, 11, 23)) == []


def test_summer_reminders_are_at_half_past_nine_british_summer_time(svc):
    ids = schedule(svc, deadline_date=dt.date(2027, 6, 21))
    first = dt.datetime.fromisoformat(saved(svc, ids)[0]["not_before"])
    assert first.astimezone(dt.timezone.utc).time() == dt.time(8, 30)


def test_a_reminder_goes_on_its_day_once(settings, svc):
    ids = schedule(svc)
    on_the_day = svc_at(settings, dt.datetime(2026, 11, 30, 9, 30, tzinfo=LONDON))
    assert deliver_with(svc, ids[0]) == "scheduled"  # early (a clock mix-up): held again, not sent
    assert deliver_with(on_the_day, ids[0]) == "sent"
    assert deliver_with(on_the_day, ids[0]) == "sent"
    assert [e["body"] for e in list_outbox(svc.connections.redis)] == [saved(svc, ids)[0]["body"]]


def test_remind_off_cancels_them_and_remind_can_set_them_up_again(settings, svc):
    ids = schedule(svc)
    assert cancel_reminders(svc, "07700900123") == 3
    assert [r["status"] for r in saved(svc, ids)] == ["cancelled"] * 3
    assert ScheduledJobRegistry(queue=svc.connections.queue).count == 0
    later = svc_at(settings, dt.datetime(2026, 12, 12, 9, 30, tzinfo=LONDON))
    assert [deliver_with(later, i) for i in ids] == ["cancelled"] * 3  # even if a job still fired
    assert list_outbox(svc.connections.redis) == []
    assert cancel_reminders(svc, PARENT) == 0

    again = schedule(svc)
    assert len(again) == 3 and set(again).isdisjoint(ids)


def test_stop_stops_reminders(settings, svc):
    ids = schedule(svc)
    optouts.set_opted_out(svc.connections.redis, svc.settings, PARENT, True, source="sms STOP", at=NOW)
    on_the_day = svc_at(settings, dt.datetime(2026, 11, 30, 9, 30, tzinfo=LONDON))
    assert deliver_with(on_the_day, ids[0]) == "refused"
    assert list_outbox(svc.connections.redis) == []


def test_a_too_long_instruction_is_refused_when_scheduling(svc):
    with pytest.raises(ValueError):
        schedule(svc, what_to_do="Do this. " * 60)


def test_a_fresh_worker_process_sends_a_reminder_scheduled_before_it_started(settings):
    # The service clock says 09:29:58 on the 14-days-before day; the reminder is due in 2 seconds.
    almost = dt.datetime(2026, 11, 30, 9, 29, 58, tzinfo=LONDON)
    svc = svc_at(settings, almost)
    ids = schedule_reminders(svc, phone=PARENT, deadline_date=DEADLINE, kind="appeal", what_to_do=WHAT, now=almost)
    assert len(ids) == 3
    time.sleep(2.5)
    run_worker(worker_env(settings, now=dt.datetime(2026, 11, 30, 9, 30, 5, tzinfo=LONDON)))
    [entry] = list_outbox(svc.connections.redis)
    assert "14 days from today" in entry["body"]
    assert [r["status"] for r in saved(svc, ids)] == ["sent", "scheduled", "scheduled"]


def test_reminders_set_before_dedupe_keys_were_tagged_are_not_set_twice(svc, redis_client):
    first = schedule(svc)
    settings = svc.settings
    for record in saved(svc, first):  # as they were: the dedupe key named by the number
        old_name = record["dedupe_key"].replace(record["dedupe_key"].split(":")[1], PARENT)
        redis_client.rename(records.dedupe_key(settings, record["dedupe_key"]), records.dedupe_key(settings, old_name))
    assert [k for k in redis_client.scan_iter("*900123*")]
    assert schedule(svc) == first
    assert ScheduledJobRegistry(queue=svc.connections.queue).count == 3
