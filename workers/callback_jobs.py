"""rq jobs for callback requests (module-level functions taking ids only).

send_confirmation(request_id)   the "we will call you on 07700 900123 on Monday 23 November 2026"
                                text (the number and the day, and CALLBACK OFF / CALLBACK MOVE), for a
                                phone request whose parent agreed to texts and gave a UK mobile
send_closing_text(request_id)   after missed calls on three different days (queued by the staff
                                page when store.record_outcome says closing_text_due): we closed
                                the request; text CALLBACK to ask again
call_now(request_id)             ring the adviser's phone (STAFF_FORWARD_NUMBER, read when the job
                                runs); when they answer, /ivr/bridge?request=<id> dials the parent
                                with the helpline number as caller ID
queue_call_now(svc, request_id)  for the staff page: enqueue call_now
queue_confirmation(svc, request_id)         for the webhooks and the spool: enqueue send_confirmation
queue_closing_text(svc, request_id)         for the staff page: enqueue send_closing_text
queue_moved_text(svc, record, new_day, *, moved_at)
                                for the staff page, after an adviser moved a request: text the
                                parent the new day (if they said yes to texts, on a UK mobile)

Each goes out through workers.outbound (queue_text / queue_call) with a dedupe key, so running a
job twice sends once: one confirmation and one closing text per request, one bridging call per
attempt (the key carries the attempt count, so the next day's attempt can ring again).
Each returns a short word for rq's result: "queued", or why nothing was sent.
"""

from __future__ import annotations

import datetime as dt
import logging

import services
from flows import callbacks as rules
from flows.phone import display_number, is_uk_mobile, mask
from flows.wording import long_date
from store import callbacks as store
from workers.enqueue import CALL_NOW, SEND_CLOSING_TEXT, SEND_CONFIRMATION, enqueue
from workers.outbound import queue_call, queue_text

log = logging.getLogger(__name__)


def send_confirmation(request_id: str) -> str:
    """The rq job: text the day we will call (once per request)."""
    return send_confirmation_with(services.for_worker(), request_id)


def send_confirmation_with(svc, request_id: str) -> str:
    redis, settings = svc.connections.redis, svc.settings
    record = store.get(redis, settings, request_id)
    if record is None or record["status"] not in rules.LIVE:
        return "not_open"
    if record["text_ok"] is not True or not is_uk_mobile(record["phone"]):
        return "no_texts"
    if not record["expected_on"]:
        return "no_day"
    if record.get("for_other_line") and not _within_cap_for_others(svc, request_id):
        _note_once(svc, request_id, "confirmation-capped",
                   "no confirmation text: the number was given from another line, and today's texts to such numbers are used up")
        log.warning("callback %s: confirmation not sent (daily cap on texts to numbers that did not ask themselves)",
                    request_id)
        return "capped"
    day = dt.date.fromisoformat(record["expected_on"])
    start, end = rules.window_words(svc.calendar, record["part_of_day"])
    body = svc.copy.text("callbacks.confirmation_text", number=display_number(record["phone"]),
                         day=long_date(day, year=True), start=start, end=end, helpline=settings.helpline_number)
    message_id = queue_text(svc, to=record["phone"], body=body, purpose="callback_confirmation",
                            dedupe_key=f"callback-confirm-{request_id}")
    _note_once(svc, request_id, f"confirmation-{message_id}", "confirmation text queued")
    return "queued"


_CAP = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], 172800)
return 1
"""


def _within_cap_for_others(svc, request_id: str) -> bool:
    """Count this request against today's cap on confirmations to numbers that did not contact us
    (CONFIRMATIONS_FOR_OTHERS_PER_DAY, the whole service): SMS pumping is bounded whoever sends it.
    A request is counted once however often its job runs."""
    settings = svc.settings
    key = settings.key("callbacks", "confirmed_for_others", svc.clock().date().isoformat())
    return bool(svc.connections.redis.eval(_CAP, 1, key, request_id, settings.confirmations_for_others_per_day))


def send_closing_text(request_id: str) -> str:
    """The rq job: after three missed days, tell the parent we closed the request (once)."""
    return send_closing_text_with(services.for_worker(), request_id)


def send_closing_text_with(svc, request_id: str) -> str:
    redis, settings = svc.connections.redis, svc.settings
    record = store.get(redis, settings, request_id)
    if record is None or not record["closing_text_due"]:
        return "not_due"
    if record["text_ok"] is False or not is_uk_mobile(record["phone"]):
        return "no_texts"
    body = svc.copy.text("callbacks.closing_text", helpline=settings.helpline_number)
    message_id = queue_text(svc, to=record["phone"], body=body, purpose="callback_closing",
                            dedupe_key=f"callback-closing-{request_id}")
    _note_once(svc, request_id, f"closing-{message_id}", "closing text queued")
    return "queued"


def call_now(request_id: str, *_queued_before: object) -> str:
    """The rq job: ring the adviser, then bridge them to the parent (once per attempt).

    Ids only: the adviser's phone is read from the settings when the job runs, never carried in
    Redis. (Jobs queued by earlier releases carried a second argument, always None: accepted.)
    """
    return call_now_with(services.for_worker(), request_id)


def call_now_with(svc, request_id: str) -> str:
    redis, settings = svc.connections.redis, svc.settings
    record = store.get(redis, settings, request_id)
    if record is None or record["status"] not in rules.LIVE:
        return "not_open"
    adviser = settings.staff_forward_number
    if not adviser:
        return "no_staff_number"
    url = f"{settings.public_base_url}/ivr/bridge?request={request_id}"
    call_id = queue_call(svc, to=adviser, caller_id=settings.helpline_e164, twiml_url=url, purpose="callback_bridge",
                         dedupe_key=f"callback-bridge-{request_id}-{record['attempts']}")
    _note_once(svc, request_id, f"bridge-{call_id}", "call placed: ringing the adviser, then the parent")
    log.info("callback %s: bridging call %s to the parent %s", request_id, call_id, mask(record["phone"]))
    return "queued"


def queue_confirmation(svc, request_id: str) -> None:
    """For the webhooks and the spool replay: enqueue send_confirmation, in one round trip.

    No check that the job exists first (a round trip more on a webhook): if it runs twice, the
    text's dedupe key still sends it once.
    """
    queue = svc.connections.queue
    with queue.connection.pipeline() as pipe:
        enqueue(queue, SEND_CONFIRMATION, request_id, job_id=f"callback-confirm-{request_id}", pipeline=pipe)
        pipe.execute()


def queue_closing_text(svc, request_id: str) -> None:
    """For the staff page, when an outcome closed a request after three missed days: enqueue
    send_closing_text (once per request; the text's dedupe key would also keep it to one)."""
    enqueue(svc.connections.queue, SEND_CLOSING_TEXT, request_id, job_id=f"callback-closing-{request_id}")


def queue_moved_text(svc, record: dict, new_day: dt.date, *, moved_at: dt.datetime) -> str:
    """For the staff page, after an adviser moved a request (`record`, as it was): text the parent
    the new day through queue_text, so the sending rules apply (daytime window, opt-outs, GSM-7).

    Only to a parent who said yes to texts, on a UK mobile: "queued", "no_texts" or "not_mobile".
    """
    if record["text_ok"] is not True:
        return "no_texts"
    if not is_uk_mobile(record["phone"]):
        return "not_mobile"
    start, end = rules.window_words(svc.calendar, record["part_of_day"] or "any")
    body = svc.copy.text("callbacks.moved_by_adviser_text", day=long_date(new_day), start=start, end=end,
                         helpline=svc.settings.helpline_number)
    message_id = queue_text(svc, to=record["phone"], body=body, purpose="callback_moved_by_adviser",
                            dedupe_key=f"callback-staff-move-{record['id']}-{new_day}-{int(moved_at.timestamp())}")
    _note_once(svc, record["id"], f"moved-{message_id}", "text about the new day queued")
    log.info("callback %s: text about the new day queued for %s", record["id"], mask(record["phone"]))
    return "queued"


def queue_call_now(svc, request_id: str) -> str:
    """For the staff page: enqueue call_now (the job id makes a double click one call)."""
    record = store.get(svc.connections.redis, svc.settings, request_id) or {}
    job_id = f"callback-call-{request_id}-{record.get('attempts', 0)}"
    enqueue(svc.connections.queue, CALL_NOW, request_id, job_id=job_id)
    return job_id


def _note_once(svc, request_id: str, marker: str, what: str) -> None:
    """Add an event the first time only (a job that runs twice notes it once)."""
    redis, settings = svc.connections.redis, svc.settings
    key = settings.key("callback", request_id, "noted", marker)
    if redis.set(key, "1", nx=True, ex=(settings.retention_days + 1) * 86400):
        store.add_event(redis, settings, request_id, who="system", what=what, now=svc.clock())
