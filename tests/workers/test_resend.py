"""workers.outbound.resend: staff send a text again as a new message, once, and only when it makes sense."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from clock import LONDON
from store import optouts
from store import outbound as records
from tests.workers.support import svc_at
from workers import outbound
from workers.jobs import deliver_with
from store.outbox import list_outbox

PARENT = "+447700900123"
DAY = dt.datetime(2026, 11, 23, 11, 0, tzinfo=LONDON)  # Monday, inside the sending window


@pytest.fixture
def svc(settings):
    return svc_at(settings, DAY)


def record(svc, message_id):
    return records.get(svc.connections.redis, svc.settings, message_id)


def undelivered(svc, *, purpose="guidance:school", immediate=True) -> str:
    """A text that went out and then came back undelivered (phone off: 30003)."""
    message_id = outbound.queue_text(svc, to=PARENT, body="Guidance for you.", purpose=purpose, immediate=immediate)
    assert deliver_with(svc, message_id) == "sent"
    records.finish(svc.connections.redis, svc.settings, message_id, records.UNDELIVERED, now=svc.clock(),
                   error_code="30003")
    return message_id


def all_ids(svc) -> list[str]:
    return svc.connections.redis.zrange(records.all_index(svc.settings), 0, -1)


def test_a_resend_is_a_new_message_and_the_original_keeps_its_story(svc):
    original = undelivered(svc)
    again = outbound.resend(svc, original, by="sam")
    assert again.first and again.message_id != original
    new = record(svc, again.message_id)
    assert (new["to"], new["body"], new["purpose"], new["status"]) == (PARENT, "Guidance for you.", "guidance:school",
                                                                        "queued")
    assert (new["resend_of"], new["resent_by"], new["first_due"]) == (original, "sam", "2026-11-23")
    old = record(svc, original)
    assert (old["status"], old["error_code"], old["resent_as"], old["resent_by"]) == ("undelivered", "30003",
                                                                                      again.message_id, "sam")
    assert deliver_with(svc, again.message_id) == "sent"
    assert [e["body"] for e in list_outbox(svc.connections.redis)] == ["Guidance for you."] * 2


def test_pressing_twice_gives_the_same_message_and_queues_nothing_more(svc):
    original = undelivered(svc)
    first = outbound.resend(svc, original, by="sam")
    ids, jobs = all_ids(svc), svc.connections.queue.job_ids
    second = outbound.resend(svc, original, by="alex")
    assert (second.message_id, second.first) == (first.message_id, False)
    assert all_ids(svc) == ids and svc.connections.queue.job_ids == jobs
    assert record(svc, original)["resent_by"] == "sam"


def test_resends_at_the_same_moment_make_one_message(settings):
    services = [svc_at(settings, DAY) for _ in range(6)]  # one connection each, like web processes
    original = undelivered(services[0])
    results, barrier = [], threading.Barrier(len(services))

    def press(svc):
        barrier.wait()
        results.append(outbound.resend(svc, original, by="sam"))

    threads = [threading.Thread(target=press, args=(s,)) for s in services]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r.message_id for r in results}) == 1 and sum(r.first for r in results) == 1
    assert len(all_ids(services[0])) == 2  # the original and one resend: the losers' records are gone
    new_id = results[0].message_id
    assert [deliver_with(services[0], i) for i in (new_id, new_id)] == ["sent", "sent"]
    assert len(list_outbox(services[0].connections.redis)) == 2


def test_a_late_report_about_the_first_try_does_not_touch_the_resend(svc):
    original = undelivered(svc)
    again = outbound.resend(svc, original, by="sam")
    deliver_with(svc, again.message_id)
    old_sid = record(svc, original)["sid"]
    records.record_delivery(svc.connections.redis, svc.settings, old_sid, "delivered", None, now=DAY)
    assert record(svc, again.message_id)["status"] == "sent"


def test_a_resend_at_night_waits_for_the_morning(settings):
    night = svc_at(settings, dt.datetime(2026, 11, 23, 22, 0, tzinfo=LONDON))
    original = undelivered(night)  # a reply at night may go at once; a resend is not a reply
    again = outbound.resend(night, original, by="sam")
    new = record(night, again.message_id)
    assert new["status"] == "scheduled" and new["not_before"] == "2026-11-24T09:00:00+00:00"


def test_an_unknown_fate_needs_the_parent_checked(svc):
    message_id = outbound.queue_text(svc, to=PARENT, body="Hello.", purpose="test")
    records.update(svc.connections.redis, svc.settings, message_id, now=DAY, status="sending")
    assert deliver_with(svc, message_id) == "unknown"
    with pytest.raises(outbound.CannotResend, match="check with the parent"):
        outbound.resend(svc, message_id, by="sam")
    assert outbound.resend(svc, message_id, by="sam", checked_with_parent=True).first


@pytest.mark.parametrize("status,fields", [
    ("refused", {"error": "opted_out"}), ("failed", {"error_code": "21610"}), ("failed", {"error_code": "21211"}),
    ("undelivered", {"error_code": "30005"}), ("sent", {}), ("cancelled", {})])
def test_what_must_not_go_again_raises_and_creates_nothing(svc, status, fields):
    message_id = outbound.queue_text(svc, to=PARENT, body="Hello.", purpose="test")
    records.finish(svc.connections.redis, svc.settings, message_id, status, now=DAY, **fields)
    before = all_ids(svc), svc.connections.queue.job_ids
    with pytest.raises(outbound.CannotResend):
        outbound.resend(svc, message_id, by="sam", checked_with_parent=True)
    assert (all_ids(svc), svc.connections.queue.job_ids) == before
    assert "resent_as" not in record(svc, message_id)


def test_an_opt_out_since_the_failure_stops_a_resend(svc):
    original = undelivered(svc)
    optouts.set_opted_out(svc.connections.redis, svc.settings, PARENT, True, source="sms", at=DAY)
    with pytest.raises(outbound.CannotResend, match="opted out"):
        outbound.resend(svc, original, by="sam")


def test_a_missing_message_cannot_be_resent(svc):
    with pytest.raises(outbound.CannotResend, match="no longer on record"):
        outbound.resend(svc, "m" + "0" * 20, by="sam")


def test_a_failed_resend_of_a_reminder_keeps_the_first_day(settings, svc):
    original = undelivered(svc, purpose="reminder", immediate=False)
    again = outbound.resend(svc, original, by="sam")
    records.finish(svc.connections.redis, svc.settings, again.message_id, records.UNDELIVERED, now=DAY)
    tuesday = svc_at(settings, DAY + dt.timedelta(days=1))
    with pytest.raises(outbound.CannotResend, match="wrong now"):
        outbound.resend(tuesday, again.message_id, by="sam")
    assert outbound.resend(svc, again.message_id, by="sam").first  # on the day itself it may go again
