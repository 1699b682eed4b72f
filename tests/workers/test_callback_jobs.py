"""Callback jobs through a REAL rq worker (python -m workers.run --burst): each sends once into the outbox."""

import datetime as dt

from clock import london
from store import callbacks as store
from workers import callback_jobs
from store.outbox import list_outbox
from tests.workers.support import run_worker, svc_at, worker_env

MONDAY = london(dt.datetime(2026, 11, 23, 11))


def outbox(svc):
    return list_outbox(svc.connections.redis, svc.settings.key_prefix, limit=50)


def save(svc, **kw):
    fields = dict(phone="+447700900123", topic="appeal", channel="voice", source_sid="CA" + "5" * 32, now=MONDAY,
                  text_ok=True, voicemail_ok=True)
    fields.update(kw)
    return store.save_request(svc.connections.redis, svc.settings, svc.calendar, **fields)


def test_the_confirmation_text_is_sent_once_even_if_the_job_runs_twice(settings):
    svc = svc_at(settings, MONDAY)
    result = save(svc)
    for n in range(2):
        svc.connections.queue.enqueue(callback_jobs.send_confirmation, result.id, job_id=f"confirm-{n}")
    log = run_worker(worker_env(settings, now=MONDAY))
    [text] = [e for e in outbox(svc) if e["kind"] == "sms"]
    assert text["to"] == "+447700900123"
    assert "we will call you on 07700 900123 on Monday 23 November 2026, between 10am and 3pm, from 01225 394382" in text["body"]
    assert "7700900123" not in log and "900123" not in log
    events = [e["what"] for e in store.get(svc.connections.redis, svc.settings, result.id)["events"]]
    assert events.count("confirmation text queued") == 1


def test_no_confirmation_without_agreement_or_to_a_landline(settings):
    svc = svc_at(settings, MONDAY)
    no = save(svc, text_ok=False)
    landline = save(svc, phone="+441225394000", source_sid="CA" + "6" * 32)
    assert callback_jobs.send_confirmation_with(svc, no.id) == "no_texts"
    assert callback_jobs.send_confirmation_with(svc, landline.id) == "no_texts"
    assert outbox(svc) == []


def test_three_missed_days_send_the_closing_text_once(settings):
    svc = svc_at(settings, MONDAY)
    redis = svc.connections.redis
    result = save(svc, channel="sms", source_sid="SM" + "7" * 32)
    for days in (0, 1, 3):
        store.record_outcome(redis, svc.settings, svc.calendar, result.id, staff_name="Sam", outcome="no_answer",
                             note="", now=MONDAY + dt.timedelta(days=days))
    callback_jobs.queue_closing_text(svc, result.id)  # as the staff page does when the outcome closed it
    callback_jobs.queue_closing_text(svc, result.id)  # a double click
    svc.connections.queue.enqueue(callback_jobs.send_closing_text, result.id, job_id="closing-again")
    run_worker(worker_env(settings, now=MONDAY + dt.timedelta(days=3)))
    [text] = [e for e in outbox(svc) if e["kind"] == "sms"]
    assert "could not reach you" in text["body"] and "CALLBACK" in text["body"]


def test_call_now_rings_the_adviser_once_and_bridges_to_the_parent(settings):
    svc = svc_at(settings, MONDAY)
    result = save(svc, text_ok=False)
    callback_jobs.queue_call_now(svc, result.id)
    callback_jobs.queue_call_now(svc, result.id)  # a double click
    svc.connections.queue.enqueue(callback_jobs.call_now, result.id, None, job_id="call-again")  # an older release's job
    env = worker_env(settings, now=MONDAY)
    env["STAFF_FORWARD_NUMBER"] = settings.staff_forward_number  # the adviser's phone, from settings
    run_worker(env)
    [call] = [e for e in outbox(svc) if e["kind"] == "call"]
    assert call["to"] == settings.staff_forward_number and call["caller_id"] == "+441225394382"
    assert call["twiml_url"] == f"{settings.public_base_url}/ivr/bridge?request={result.id}"


def test_call_now_for_a_finished_request_does_nothing(settings):
    svc = svc_at(settings, MONDAY)
    result = save(svc)
    store.record_outcome(svc.connections.redis, svc.settings, svc.calendar, result.id, staff_name="Sam",
                         outcome="reached", note="", now=MONDAY)
    assert callback_jobs.call_now_with(svc, result.id) == "not_open"


def test_call_now_jobs_carry_the_request_id_only(settings):
    svc = svc_at(settings, MONDAY)
    result = save(svc, text_ok=False)
    callback_jobs.queue_call_now(svc, result.id)
    [job_id] = svc.connections.queue.job_ids
    job = svc.connections.queue.fetch_job(job_id)
    assert job.args == (result.id,) and not job.kwargs  # no phone number kept in Redis with the job
    env = worker_env(settings, now=MONDAY)
    env["STAFF_FORWARD_NUMBER"] = "+441632960077"  # the adviser's phone: read when the job runs
    run_worker(env)
    [call] = [e for e in outbox(svc) if e["kind"] == "call"]
    assert call["to"] == "+441632960077"
