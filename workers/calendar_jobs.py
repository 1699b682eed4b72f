"""rq job: when staff close a day, move the callbacks booked on it and text the parents.

move_callbacks(day) is enqueued by the staff Calendar page for each day a change closes (a
closure day, or the rest of today). For every live request booked on that day it books the
first open day AFTER it with room (store.callbacks.rebook: the same per-day counters as a new
request; moving to an earlier day would call parents sooner than they were told and plan for),
notes the move in the request's history, and texts the parent the new day through
workers.outbound.queue_text, so the sending rules apply (daytime window, opt-outs, UK mobiles,
GSM-7). The text goes unless the parent said no to texts (as the closing text: the day we
promised has changed, which they need to know).

Safe to run twice: a request already moved is booked elsewhere and left alone, and the text's
dedupe key (request, closed day, new day) sends it once. If the day is open again by the time
the job runs (staff took the closure away), nothing moves.
"""

from __future__ import annotations

import datetime as dt
import logging

import services
from flows import callbacks as rules
from flows.phone import is_uk_mobile, mask
from flows.wording import long_date
from store import callbacks as store
from workers.callback_jobs import _note_once
from workers.enqueue import MOVE_CALLBACKS, enqueue
from workers.outbound import queue_text

log = logging.getLogger(__name__)


def move_callbacks(day: str) -> str:
    """The rq job: move the live callbacks booked on `day` (ISO date) if that day is now closed."""
    return move_callbacks_with(services.for_worker(), day)


def move_callbacks_with(svc, day: str) -> str:
    """The job's work with the services given; returns what it did in a few words."""
    closed = dt.date.fromisoformat(day)
    svc.live_calendar.refresh()  # the change may be newer than this process's last check
    calendar = svc.calendar
    if calendar.day_status(closed).is_open and closed not in calendar.data.closed_from:
        return "open_again"
    redis, settings = svc.connections.redis, svc.settings
    now = svc.clock()
    days = [d for d in rules.candidate_days(calendar, now) if d > closed]
    moved = 0
    for record in store.list_open(redis, settings):
        if record["expected_on"] != closed.isoformat():
            continue
        kind, new_day = store.rebook(redis, settings, record["id"], from_day=closed, days=days)
        if kind != "moved":
            continue
        moved += 1
        where = long_date(new_day) if new_day else "no day yet (the next term's dates are not known)"
        store.add_event(redis, settings, record["id"], who="system", now=now,
                        what=f"moved from {long_date(closed)} to {where}: the line is closed that day")
        if new_day:
            _text_new_day(svc, record, closed, new_day)
    log.info("calendar: %d callbacks moved from %s", moved, closed)
    return f"moved {moved}"


def _text_new_day(svc, record: dict, closed: dt.date, new_day: dt.date) -> None:
    if record["text_ok"] is False or not is_uk_mobile(record["phone"]):
        return
    start, end = rules.window_words(svc.calendar, record["part_of_day"] or "any")
    body = svc.copy.text("callbacks.moved_text", closed=long_date(closed), day=long_date(new_day), start=start,
                         end=end, helpline=svc.settings.helpline_number)
    message_id = queue_text(svc, to=record["phone"], body=body, purpose="callback_moved",
                            dedupe_key=f"callback-moved-{record['id']}-{closed}-{new_day}")
    _note_once(svc, record["id"], f"moved-{message_id}", "text about the new day queued")
    log.info("callback %s: text about the new day queued for %s", record["id"], mask(record["phone"]))


def queue_moves(svc, days, version: int) -> list[str]:
    """For the staff page: enqueue move_callbacks for each newly closed day; returns the job ids.

    The job id carries the calendar version, so each change moves its day once, and a later
    change (closing the day again after reopening it) moves it again.
    """
    queue = svc.connections.queue
    ids = []
    for day in days:
        job_id = f"calendar-move-{day.isoformat()}-v{version}"
        enqueue(queue, MOVE_CALLBACKS, day.isoformat(), job_id=job_id)
        ids.append(job_id)
    return ids
