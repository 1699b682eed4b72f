"""Outbound texts and calls: records first, jobs with ids only, every sending rule through
deliver(), the night hold, retries, opt-outs, and real worker processes (one killed mid-send)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time

import pytest
from rq.job import Job
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

from clock import LONDON
from store import optouts
from store import outbound as records
from tests.twilio_standin import TwilioStandin
from tests.workers.support import run_worker, start_worker, svc_at, worker_env
from workers import outbound
from workers.jobs import deliver, deliver_with, sender_for
from store.outbox import list_outbox
from workers.senders import OutboxSender, TwilioSender

PARENT = "+447700900123"
DAY = dt.datetime(2026, 11, 23, 11, 0, tzinfo=LONDON)  # Monday, inside the sending window
NIGHT = dt.datetime(2026, 11, 23, 22, 0, tzinfo=LONDON)
NEXT_MORNING = dt.datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)


@pytest.fixture
def svc(settings):
    return svc_at(settings, DAY)


@pytest.fixture
def standin():
    with TwilioStandin() as running:
        yield running


def twilio_svc(settings, standin, at=DAY):
    return svc_at(settings, at, twilio_account_sid=standin.account_sid, twilio_auth_token=standin.auth_token,
                  twilio_api_base_url=standin.base_url, twilio_timeout_seconds=2)


def record(svc, message_id):
    return records.get(svc.connections.redis, svc.settings, message_id)


def message_posts(standin):
    return [r for r in standin.requests if r.method == "POST" and r.path.endswith("/Messages.json")]


# --- queueing ----------------------------------------------------------------------------


def test_queue_text_writes_the_record_and_a_job_that_carries_only_the_id(svc):
    message_id = outbound.queue_text(svc, to="07700 900123", body="Thank you.", purpose="callback_confirmation")

    saved = record(svc, message_id)
    assert {k: saved[k] for k in ("id", "kind", "to", "body", "purpose", "attempts", "status", "sid", "error")} == {
        "id": message_id, "kind": "sms", "to": PARENT, "body": "Thank you.", "purpose": "callback_confirmation",
        "attempts": "0", "status": "queued", "sid": "", "error": ""}
    assert saved["created_at"] == DAY.isoformat()
    job = Job.fetch(saved["job_id"], connection=svc.connections.queue.connection)
    assert job.func_name == "workers.jobs.deliver"
    assert job.args == (message_id,) and job.kwargs == {}
    assert PARENT not in (job.description or "") and "Thank you" not in (job.description or "")
    assert job.result_ttl > 0 and job.failure_ttl > 0
    assert svc.connections.queue.job_ids == [job.id]


def test_enqueueing_the_same_message_twice_is_a_no_op(svc):
    message_id = outbound.queue_text(svc, to=PARENT, body="Hello.", purpose="test")
    job_id = record(svc, message_id)["job_id"]
    assert outbound.enqueue_delivery(svc, message_id) == job_id
    assert svc.connections.queue.job_ids == [job_id]


def test_a_dedupe_key_gives_the_same_message_and_creates_nothing_new(svc, redis_client):
    first = outbound.queue_text(svc, to=PARENT, body="Hello.", purpose="test", dedupe_key="k1")
    second = outbound.queue_text(svc, to=PARENT, body="Hello again.", purpose="test", dedupe_key="k1")
    assert first == second
    assert len([k for k in redis_client.scan_iter("helpline:outbound:*") if redis_client.type(k) == "hash"]) == 1
    assert len(svc.connections.queue.job_ids) == 1
    assert record(svc, first)["body"] == "Hello."


# --- deliver(): sending once, and every rule ------------------------------------------------


def test_deliver_sends_to_the_outbox_once_even_when_run_again(svc):
    message_id = outbound.queue_text(svc, to=PARENT, body="Your call back is booked.", purpose="test")

    assert deliver_with(svc, message_id) == "sent"
    assert deliver_with(svc, message_id) == "sent"

    [entry] = list_outbox(svc.connections.redis)
    assert (entry["to"], entry["body"]) == (PARENT, "Your call back is booked.")
    assert entry["status_callback"] == "https://helpline.example.org/sms/status"
    saved = record(svc, message_id)
    assert (saved["status"], saved["sid"], saved["attempts"]) == ("sent", entry["sid"], "1")


def test_sender_for_picks_twilio_only_with_real_credentials(settings, standin):
    assert isinstance(sender_for(svc_at(settings, DAY)), OutboxSender)
    assert isinstance(sender_for(twilio_svc(settings, standin)), TwilioSender)
    generated = svc_at(settings, DAY, twilio_account_sid="AC" + "1" * 32, twilio_token_generated=True)
    assert isinstance(sender_for(generated), OutboxSender)


@pytest.mark.parametrize("to,body,reason", [
    ("+33612345678", "Hello.", "not_uk_number"),
    ("+441225394382", "Hello.", "not_mobile"),
    (PARENT, "   ", "empty_body"),
    (PARENT, "We\u2019ll call you", "not_gsm7"),
    (PARENT, "x" * 460, "too_long"),
])
def test_each_refusal_rule_is_applied_by_deliver_and_nothing_is_sent(svc, to, body, reason):
    message_id = outbound.queue_text(svc, to=to, body=body, purpose="test", immediate=True)
    assert deliver_with(svc, message_id) == "refused"
    assert (record(svc, message_id)["status"], record(svc, message_id)["error"]) == ("refused", reason)
    assert list_outbox(svc.connections.redis) == []


def test_opt_out_refuses_then_opt_in_allows(svc):
    redis, settings = svc.connections.redis, svc.settings
    optouts.set_opted_out(redis, settings, "07700 900123", True, source="sms STOP", at=DAY)
    assert optouts.is_opted_out(redis, settings, PARENT)
    stopped = outbound.queue_text(svc, to=PARENT, body="Hello.", purpose="test", immediate=True)
    assert deliver_with(svc, stopped) == "refused"
    assert record(svc, stopped)["error"] == "opted_out"

    optouts.set_opted_out(redis, settings, PARENT, False, source="sms START", at=DAY)
    assert not optouts.is_opted_out(redis, settings, PARENT)
    started = outbound.queue_text(svc, to=PARENT, body="Hello.", purpose="test", immediate=True)
    assert deliver_with(svc, started) == "sent"
    assert len(list_outbox(redis)) == 1


def test_a_text_queued_at_night_waits_for_nine_in_the_morning(settings):
    night = svc_at(settings, NIGHT)
    message_id = outbound.queue_text(night, to=PARENT, body="Reminder.", purpose="test")

    saved = record(night, message_id)
    assert (saved["status"], saved["not_before"]) == ("scheduled", NEXT_MORNING.isoformat())
    registry = ScheduledJobRegistry(queue=night.connections.queue)
    assert registry.get_job_ids() == [saved["job_id"]]
    due = registry.get_scheduled_time(saved["job_id"])  # rq's real clock, 11 hours on
    expected = dt.datetime.now(dt.timezone.utc) + (NEXT_MORNING - NIGHT)
    assert abs((due - expected).total_seconds()) < 60

    # If the job ran early (still night by the service clock) it is held again, not sent.
    assert deliver_with(night, message_id) == "scheduled"
    assert list_outbox(night.connections.redis) == []
    assert deliver_with(svc_at(settings, NEXT_MORNING), message_id) == "sent"
    assert len(list_outbox(night.connections.redis)) == 1


def test_a_reply_may_go_at_night(settings):
    night = svc_at(settings, NIGHT)
    message_id = outbound.queue_text(night, to=PARENT, body="Here is the guidance.", purpose="reply", immediate=True)
    assert record(night, message_id)["status"] == "queued"
    assert deliver_with(night, message_id) == "sent"


def test_a_cancelled_message_is_not_sent_even_if_its_job_runs(svc):
    message_id = outbound.queue_text(svc, to=PARENT, body="Hello.", purpose="test")
    assert outbound.cancel(svc, message_id, reason="test")
    assert svc.connections.queue.job_ids == []
    assert deliver_with(svc, message_id) == "cancelled"
    assert list_outbox(svc.connections.redis) == []


def test_queue_call_places_a_bridging_call(svc):
    call_id = outbound.queue_call(svc, to="+441632960001", caller_id="+441225394382",
                                  twiml_url="https://helpline.example.org/ivr/bridge/c1", purpose="callback")
    assert deliver_with(svc, call_id) == "sent"
    [entry] = list_outbox(svc.connections.redis)
    assert (entry["kind"], entry["to"], entry["caller_id"]) == ("call", "+441632960001", "+441225394382")
    barred = outbound.queue_call(svc, to="+449012345678", caller_id="+441225394382",
                                 twiml_url="https://helpline.example.org/ivr/bridge/c2", purpose="callback")
    assert deliver_with(svc, barred) == "refused"


# --- Twilio errors (the real twilio client against the local stand-in) ----------------------


def test_429_then_success_sends_once(settings, standin):
    svc = twilio_svc(settings, standin)
    standin.fail_next(status=429, code=20429, retry_after=90)
    message_id = outbound.queue_text(svc, to=PARENT, body="Hello.", purpose="test")

    assert deliver_with(svc, message_id) == "retrying"
    saved = record(svc, message_id)
    assert (saved["attempts"], saved["error_code"]) == ("1", "20429")
    retry_job = saved["job_id"]
    assert retry_job.endswith("-a1")
    due = ScheduledJobRegistry(queue=svc.connections.queue).get_scheduled_time(retry_job)
    assert 85 <= (due - dt.datetime.now(dt.timezone.utc)).total_seconds() <= 95  # Twilio's Retry-After

    assert deliver_with(svc, message_id) == "sent"  # the retry job runs
    assert deliver_with(svc, message_id) == "sent"
    assert len(message_posts(standin)) == 2 and len(standin.messages) == 1
    [message] = standin.messages.values()
    assert record(svc, message_id)["sid"] == message["sid"]
    assert message_posts(standin)[-1].form["StatusCallback"] == "https://helpline.example.org/sms/status"


def test_temporary_errors_give_up_after_five_attempts(settings, standin):
    svc = twilio_svc(settings, standin)
    standin.fail_next(status=503, times=5)
    message_id = outbound.queue_text(svc, to=PARENT, body="Hello.", purpose="test")
    results = [deliver_with(svc, message_id) for _ in range(5)]
    assert results == ["retrying"] * 4 + ["failed"]
    assert deliver_with(svc, message_id) == "failed"
    assert len(message_posts(standin)) == 5 and standin.messages == {}


def test_21610_is_not_retried_and_marks_the_number_opted_out(settings, standin):
    svc = twilio_svc(settings, standin)
    standin.fail_next(status=400, code=21610, message="Attempt to send to unsubscribed recipient")
    message_id = outbound.queue_text(svc, to=PARENT, body="Hello.", purpose="test")
    assert deliver_with(svc, message_id) == "failed"
    assert record(svc, message_id)["error_code"] == "21610"
    assert optouts.is_opted_out(svc.connections.redis, svc.settings, PARENT)
    assert optouts.get_optout(svc.connections.redis, svc.settings, PARENT)["source"] == "twilio-21610"
    later = outbound.queue_text(svc, to=PARENT, body="Hello again.", purpose="test")
    assert deliver_with(svc, later) == "refused"
    assert len(message_posts(standin)) == 1


def test_an_ambiguous_send_is_marked_unknown_and_never_resent(settings, standin):
    svc = twilio_svc(settings, standin)
    standin.drop_next()  # the request went out; the answer never came
    message_id = outbound.queue_text(svc, to=PARENT, body="Hello.", purpose="test")
    assert deliver_with(svc, message_id) == "unknown"
    assert deliver_with(svc, message_id) == "unknown"
    assert len(message_posts(standin)) == 1
    assert "ambiguous" in record(svc, message_id)["error"]
    # Staff checked: it did not arrive. They resend on purpose, as a new message.
    with pytest.raises(outbound.CannotResend):
        outbound.resend(svc, message_id, by="sam")  # not without checking with the parent
    again = outbound.resend(svc, message_id, by="sam", checked_with_parent=True)
    assert again.first and again.message_id != message_id
    assert deliver_with(svc, again.message_id) == "sent"
    assert len(message_posts(standin)) == 2
    assert record(svc, message_id)["status"] == "unknown"  # the original keeps what happened to it
    assert record(svc, message_id)["resent_as"] == again.message_id


def test_a_sending_record_with_a_sid_is_reconciled_with_twilio(settings, standin):
    svc = twilio_svc(settings, standin)
    sid = sender_for(svc).send_sms(PARENT, "Hello.").sid
    message_id = outbound.queue_text(svc, to=PARENT, body="Hello.", purpose="test")
    records.update(svc.connections.redis, svc.settings, message_id, now=DAY, status="sending", sid=sid)
    assert deliver_with(svc, message_id) == "sent"
    assert len(message_posts(standin)) == 1


# --- real worker processes --------------------------------------------------------------


def test_a_real_worker_delivers_a_queued_text_to_the_outbox(settings, svc):
    message_id = outbound.queue_text(svc, to=PARENT, body="Your call back is booked.", purpose="test")
    log = run_worker(worker_env(settings, now=DAY))
    [entry] = list_outbox(svc.connections.redis)
    assert (entry["to"], entry["body"]) == (PARENT, "Your call back is booked.")
    assert record(svc, message_id)["status"] == "sent"
    assert PARENT not in log and "900123" not in log  # numbers are masked in the worker's log


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_worker_killed_mid_send_and_run_again_sends_once(settings, standin):
    svc = twilio_svc(settings, standin)
    standin.hang_next(30)  # Twilio is slow to answer: the worker is inside the send call
    message_id = outbound.queue_text(svc, to=PARENT, body="Your call back is booked.", purpose="test")
    env = worker_env(settings, now=DAY, standin=standin)

    worker = start_worker(env)
    try:
        assert wait_for(lambda: len(message_posts(standin)) == 1), "the worker never called Twilio"
        assert record(svc, message_id)["status"] == "sending"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its work horse, mid-request
        worker.wait(timeout=10)

    # rq notices the abandoned job (normally a minute later) and re-runs it, as it would in
    # production; cleanup() with a later time is rq's own check, not a shortcut around it.
    queue = svc.connections.queue
    StartedJobRegistry(queue=queue).cleanup(timestamp=time.time() + 3600)
    assert queue.count == 1
    run_worker(env)

    assert record(svc, message_id)["status"] == "unknown"
    assert len(message_posts(standin)) == 1  # never sent twice
    deliver_with(svc, message_id)
    assert len(message_posts(standin)) == 1


def test_deliver_is_importable_as_the_job_function():
    assert deliver.__module__ == "workers.jobs"


def test_a_pending_message_that_lost_its_job_is_enqueued_again(settings, svc):
    message_id = outbound.queue_text(svc, to=PARENT, body="Hello.", purpose="test")
    outbound.delete_job(svc, record(svc, message_id)["job_id"])  # as if the process died before enqueueing
    later = svc_at(settings, DAY + dt.timedelta(hours=1))
    assert outbound.requeue_orphans(later) == 1
    assert outbound.requeue_orphans(later) == 0  # it has a job now
    assert len(svc.connections.queue.job_ids) == 1
    assert deliver_with(later, message_id) == "sent"
    assert outbound.requeue_orphans(later) == 0
