"""The callback queue for advisers: what is due, claiming the next parent, recording outcomes,
moving a request to another helpline day, releasing a claim, and the number's other contacts.

Thin views over store.callbacks (which makes every change atomic and records it in the
request's history). Phone numbers appear only on the page of a request the adviser has
claimed; URLs carry request ids, never numbers (the other requests and safety concerns from
the same number are found through keyed-hash line indexes and linked by id), and logs name
requests by id. A moved request's parent is texted through workers.callback_jobs (enqueued).
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import Response, abort, flash, redirect, render_template, request, session, url_for

import clock
import services
from flows import callbacks as rules
from flows.phone import display_number, is_uk_mobile, mask
from flows.wording import long_date
from staff import concerns
from staff.contacts import linked_contacts
from staff.words import OUTCOME_WORDS, STATUS_WORDS
from staff.blueprint import bp
from staff.messages import needing_action
from store import callbacks, safety
from store.outbox import list_outbox
from workers import callback_jobs

log = logging.getLogger(__name__)

CONTACT_WORDS = {"voice": "Phone call", "text": "Texts only",
                 "relay": "Relay UK call (text phone user): dial 18002 then the number"}
MOVE_DAYS = 10  # helpline days offered when an adviser moves a request


# --- helpers for templates -----------------------------------------------------------------


def ago(then: str | dt.datetime | None, now: dt.datetime) -> str:
    """'just now', '5 minutes ago', '2 hours ago', '3 days ago'."""
    if not then:
        return "unknown"
    moment = clock.london(dt.datetime.fromisoformat(then) if isinstance(then, str) else then)
    seconds = max(0, int((now - moment).total_seconds()))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def when(value: str | None) -> str:
    """'Monday 23 November 2026, 11:05' for an ISO date-time (London time)."""
    if not value:
        return ""
    moment = clock.london(dt.datetime.fromisoformat(value))
    return f"{long_date(moment.date())}, {moment:%H:%M}"


def day_words(value: str | None) -> str:
    """'Monday 23 November 2026' for an ISO date."""
    return long_date(dt.date.fromisoformat(value)) if value else ""


def preferences(record: dict) -> list[str]:
    """The parent's contact needs in words: how (Relay UK: dial 18002 first), interpreter, when, voicemail, texts."""
    svc = services.current()
    start, end = rules.window_words(svc.calendar, record.get("part_of_day") or "any")
    part = {"morning": "Morning", "afternoon": "Afternoon"}.get(record.get("part_of_day"), "Any time")
    words = [CONTACT_WORDS.get(record.get("contact_by"), record.get("contact_by") or "Phone call"),
             f"{part} ({start} to {end})"]
    for field, yes, no in (("voicemail_ok", "Voicemail OK", "No voicemail (not safe to leave one)"), ("text_ok", "Texts OK", "No texts")):
        value = record.get(field)
        words.append(yes if value else no if value is False else f"{yes.split()[0]}: not asked")
    if record.get("interpreter"):
        from flows.conversations.content import language

        known = language(record["interpreter"])
        name = known.name if known is not None else record["interpreter"]
        words.insert(1, f"Interpreter: {name}" if record["interpreter"] != "other"
                     else "Interpreter: language not given (ask when you call)")
    return words


def notes(record: dict) -> list[dict]:
    """Staff notes from the request's history, oldest first."""
    return [{**e, "text": e["what"][len("note: "):]} for e in record.get("events", []) if e.get("what", "").startswith("note: ")]


def can_play(record: dict) -> bool:
    """True when the voice message is a real Twilio recording we can fetch for the adviser."""
    return bool(record.get("voice_message_url")) and services.current().settings.has_twilio_credentials


@bp.context_processor
def queue_helpers():
    """Formatting helpers and the calendar warnings for every staff template."""
    svc = services.current()
    return {
        "ago": ago, "when": when, "day_words": day_words, "preferences": preferences, "notes": notes,
        "can_play": can_play, "outcome_words": OUTCOME_WORDS, "status_words": STATUS_WORDS,
        "calendar_warnings": svc.calendar.warnings(svc.calendar.local(clock.now()).date()) if session.get("staff") else [],
    }


def _me() -> str:
    return session["staff"]


def _store():
    svc = services.current()
    return svc.connections.redis, svc.settings


def _record_or_404(request_id: str) -> dict:
    if not request_id.isdigit():
        abort(404)
    redis, settings = _store()
    record = callbacks.get(redis, settings, request_id)
    if record is None:
        abort(404)
    return record


# --- pages -----------------------------------------------------------------------------------


@bp.get("/")
def queue():
    """The queue: safety concerns, Claim next, then Due today, Later and Done."""
    redis, settings = _store()
    svc = services.current()
    now = svc.calendar.local(clock.now())
    today = now.date()
    due = callbacks.list_due(redis, settings, today)
    mine = [r for r in callbacks.list_open(redis, settings) if r["status"] == "claimed" and r["claimed_by"] == _me()]
    return render_template(
        "staff_queue.html", now=now, today=long_date(today), due=due,
        later=callbacks.list_later(redis, settings, today), done=callbacks.list_done(redis, settings, limit=30),
        mine=mine, waiting=sum(1 for r in due if r["status"] == "open"),
        concerns=concerns.for_queue(), line_open=svc.calendar.is_open(now),
        not_through=needing_action(redis, settings, now))


@bp.post("/claim")
def claim_next():
    """Give this adviser the next parent to call (atomic in the store)."""
    redis, settings = _store()
    record = callbacks.claim_next(redis, settings, _me(), clock.now())
    if record is None:
        flash("Nobody is waiting for a call that you can take right now.", "info")
        return redirect(url_for("staff.queue"), code=303)
    log.info("staff %s claimed callback %s", _me(), record["id"])
    return redirect(url_for("staff.callback", request_id=record["id"]), code=303)


def claimed_by_other(record: dict, now: dt.datetime) -> bool:
    """Another adviser holds an unexpired claim on it (they may be on the phone to the parent)."""
    if record["status"] != "claimed" or record["claimed_by"] == _me():
        return False
    until = record.get("claimed_until")
    return bool(until) and clock.london(dt.datetime.fromisoformat(until)) > clock.london(now)


def move_days(record: dict, now: dt.datetime) -> list[dict]:
    """The next MOVE_DAYS helpline days a request could move to, with room, each with how many are
    booked: [{day, value, label}] ("Tuesday 24 November 2026 (3 of 8 booked)"); not the day it is on."""
    redis, settings = _store()
    svc = services.current()
    days = rules.candidate_days(svc.calendar, now, limit=MOVE_DAYS, cutoff_minutes=settings.callback_cutoff_minutes)
    counts = callbacks.booked_counts(redis, settings, days)
    return [{"day": d, "value": d.isoformat(), "label": f"{long_date(d)} ({counts[d]} of {settings.callbacks_per_day} booked)"}
            for d in days if counts[d] < settings.callbacks_per_day and d.isoformat() != record.get("expected_on")]


@bp.get("/requests/<request_id>")
def callback(request_id: str):
    """One request: its details, history and other contacts from the number; the phone number,
    outcome form and Release for its claimant; Move to another day while it is waiting or yours."""
    record = _record_or_404(request_id)
    now = clock.now()
    mine = record["status"] == "claimed" and record["claimed_by"] == _me()
    movable = record["status"] in rules.LIVE and not claimed_by_other(record, now)
    return render_template("staff_request.html", r=record, mine=mine, now=now,
                           phone=display_number(record["phone"]) if mine else None,
                           tel=record["phone"] if mine else None, outcomes=OUTCOME_WORDS,
                           concern_id=safety.open_for_line(*_store(), record["phone"]),
                           call_now=call_now_available(), movable=movable,
                           move_days=move_days(record, now) if movable else [],
                           per_day=services.current().settings.callbacks_per_day, linked=linked_contacts(record),
                           will_text=record["text_ok"] is True and is_uk_mobile(record["phone"]))


MOVE_REFUSED = {
    callbacks.FULL: "{day} is full. Choose another day.",
    callbacks.SAME: "This request is already booked for {day}.",
    callbacks.TAKEN: "Another adviser has claimed this request, so it was not moved. Ask them first.",
    callbacks.FINISHED: "This request has already been finished, so it cannot be moved.",
    callbacks.MISSING: "This request no longer exists.",
    callbacks.CHANGED: "This request was being changed by someone else. Check it and try again.",
}


@bp.post("/requests/<request_id>/move")
def move(request_id: str):
    """Move a waiting request (or one you claimed) to another helpline day with room; text the parent."""
    record = _record_or_404(request_id)
    back = redirect(url_for("staff.callback", request_id=request_id), code=303)
    svc = services.current()
    now = clock.now()
    try:
        day = dt.date.fromisoformat(request.form.get("day", "").strip()[:10])
    except ValueError:
        flash("Choose a day from the list before moving the request.", "error")
        return back
    offered = rules.candidate_days(svc.calendar, now, limit=MOVE_DAYS,
                                   cutoff_minutes=svc.settings.callback_cutoff_minutes)
    if day not in offered:
        if day < svc.calendar.local(now).date():
            why = f"{long_date(day)} has passed."
        elif not svc.calendar.day_status(day).is_open:
            why = f"The helpline is closed on {long_date(day)}."
        else:
            why = f"{long_date(day)} is not one of the next {MOVE_DAYS} helpline days we can book."
        flash(f"{why} Choose a day from the list.", "error")
        return back
    redis, settings = _store()
    kind, was = callbacks.move_by_staff(redis, settings, request_id, day=day, staff_name=_me(), now=now)
    if kind != callbacks.MOVED:
        flash(MOVE_REFUSED[kind].format(day=long_date(day)), "error")
        return back
    log.info("staff %s moved callback %s to %s", _me(), request_id, day)
    texted = callback_jobs.queue_moved_text(svc, record, day, moved_at=now)
    told = {"queued": " The parent will get a text with the new day.",
            "no_texts": " The parent did not say yes to texts, so they have not been told: tell them when you call.",
            "not_mobile": " The number cannot take texts, so the parent has not been told: tell them when you call.",
            }[texted]
    if texted != "queued":
        callbacks.add_event(redis, settings, request_id, who="system", now=now,
                            what="no text about the new day (" + ("no texts" if texted == "no_texts"
                                                                   else "not a mobile") + ")")
    flash(f"Moved to {long_date(day)}{f' (from {long_date(was)})' if was else ''}.{told}", "success")
    return back


@bp.post("/requests/<request_id>/release")
def release(request_id: str):
    """Give a request you claimed back to the queue (only its claimant can)."""
    _record_or_404(request_id)
    redis, settings = _store()
    kind = callbacks.release_claim(redis, settings, request_id, staff_name=_me(), now=clock.now())
    if kind == callbacks.RELEASED:
        log.info("staff %s released callback %s", _me(), request_id)
        flash("Released: the request is back in the queue for another adviser.", "success")
        return redirect(url_for("staff.queue"), code=303)
    flash({callbacks.NOT_YOURS: "Only the adviser who claimed this request can release it.",
           callbacks.NOT_CLAIMED: "Nobody has claimed this request: it is already in the queue.",
           callbacks.FINISHED: "This request has already been finished."}.get(kind, "This request no longer exists."),
          "error")
    return redirect(url_for("staff.callback", request_id=request_id), code=303)


@bp.post("/requests/<request_id>/outcome")
def outcome(request_id: str):
    """Record how the call went, with a note."""
    record = _record_or_404(request_id)
    chosen = request.form.get("outcome", "")
    note = request.form.get("note", "").strip()[:2000]
    if chosen not in OUTCOME_WORDS:
        flash("Choose what happened on the call before saving.", "error")
        return redirect(url_for("staff.callback", request_id=request_id), code=303)
    if not (record["status"] == "claimed" and record["claimed_by"] == _me()):
        flash("Only the adviser who claimed this request can record an outcome. Claim it first.", "error")
        return redirect(url_for("staff.callback", request_id=request_id), code=303)
    redis, settings = _store()
    svc = services.current()
    try:
        updated = callbacks.record_outcome(redis, settings, svc.calendar, request_id, staff_name=_me(),
                                           outcome=chosen, note=note, now=clock.now())
    except (ValueError, KeyError):
        flash("This request has already been finished.", "error")
        return redirect(url_for("staff.callback", request_id=request_id), code=303)
    log.info("staff %s recorded %s on callback %s", _me(), chosen, request_id)
    if updated.get("closing_text_due"):
        callback_jobs.queue_closing_text(svc, request_id)
    closing = " The parent will get a text saying we tried three times." if updated.get("closing_text_due") else ""
    flash(f"Saved: {OUTCOME_WORDS[chosen]} ({STATUS_WORDS.get(updated['status'], updated['status']).lower()}).{closing}",
          "success")
    return redirect(url_for("staff.queue"), code=303)


@bp.post("/requests/<request_id>/note")
def note(request_id: str):
    """Add a note to the request's history."""
    _record_or_404(request_id)
    text = request.form.get("note", "").strip()[:2000]
    if not text:
        flash("Write a note before saving it.", "error")
    else:
        redis, settings = _store()
        callbacks.add_note(redis, settings, request_id, staff_name=_me(), note=text, now=clock.now())
        flash("Note saved.", "success")
    return redirect(url_for("staff.callback", request_id=request_id), code=303)


def call_now_available() -> bool:
    """Call now rings STAFF_FORWARD_NUMBER first, so it needs one."""
    return bool(services.current().settings.staff_forward_number)


@bp.post("/requests/<request_id>/call")
def call_now(request_id: str):
    """Ask a worker to ring the adviser's phone and then connect the parent (never inline)."""
    record = _record_or_404(request_id)
    if not (record["status"] == "claimed" and record["claimed_by"] == _me()):
        flash("Claim this request before calling.", "error")
        return redirect(url_for("staff.callback", request_id=request_id), code=303)
    if not call_now_available():
        flash("Call now is not set up (no staff phone number): please dial the number shown.", "error")
        return redirect(url_for("staff.callback", request_id=request_id), code=303)
    svc = services.current()
    callback_jobs.queue_call_now(svc, request_id)  # the staff page enqueues; it never sends
    callbacks.add_event(svc.connections.redis, svc.settings, request_id, who=_me(),
                        what="asked for a call now (ring the adviser, then the parent)", now=clock.now())
    log.info("staff %s asked for a bridging call on callback %s", _me(), request_id)
    flash("Calling: the staff phone will ring first; when it is answered we connect the parent.", "success")
    return redirect(url_for("staff.callback", request_id=request_id), code=303)


@bp.get("/requests/<request_id>/voice-message")
def voice_message(request_id: str):
    """The parent's recorded message, fetched from Twilio by its SID with our credentials (staff only)."""
    from staff import recordings

    record = _record_or_404(request_id)
    back = url_for("staff.callback", request_id=request_id)
    sid = recordings.recording_sid(record.get("voice_message_url"))
    try:
        if not record.get("voice_message_url") or not can_play(record):
            raise recordings.FetchError("There is no voice message to play for this request.", 404)
        if sid is None:
            raise recordings.FetchError("This voice message has no valid recording reference.", 404)
        audio = recordings.fetch(services.current().settings, sid)
    except recordings.FetchError as problem:
        log.warning("voice message for callback %s not played: %s", request_id, problem)
        return render_template("staff_problem.html", heading="Voice message not available",
                               message=str(problem), back=back), problem.status
    return Response(audio.content, mimetype=audio.mimetype)


@bp.get("/outbox")
def outbox():
    """Texts and calls kept in outbox mode: NOT SENT (no Twilio credentials)."""
    redis, settings = _store()
    entries = [{**e, "to": mask(e.get("to"))} for e in list_outbox(redis, settings.key_prefix, 50)]
    return render_template("staff_outbox.html", entries=entries,
                           outbox_mode=not settings.has_twilio_credentials)
