"""Safety concerns for advisers: claim one, see the number and the parent's words, record what was done.

Thin views over store.safety, which makes each change atomic and keeps its history (who, when).
The number is shown only to the adviser who claimed the concern; logs name concerns by id and
never hold the parent's words.
"""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, request, session, url_for

import clock
import services
from flows.phone import display_number, mask
from staff.blueprint import bp
from staff.contacts import linked_contacts
from staff.words import CONCERN_STATUS_WORDS
from store import callbacks
from store import safety

log = logging.getLogger(__name__)


def _me() -> str:
    return session["staff"]


def _store():
    svc = services.current()
    return svc.connections.redis, svc.settings


def _concern_or_404(concern_id: str) -> dict:
    redis, settings = _store()
    record = safety.get(redis, settings, concern_id)
    if record is None:
        abort(404)
    return record


def linked_request(record: dict) -> dict | None:
    """The callback request from the same number, if there is one (its preferences matter here)."""
    if not record.get("phone"):
        return None
    redis, settings = _store()
    request_id = redis.get(callbacks.phone_key(settings, record["phone"]))
    if not request_id:
        return None
    return callbacks.get(redis, settings, request_id.decode() if isinstance(request_id, bytes) else request_id)


def for_queue() -> list[dict]:
    """Open concerns for the queue page, numbers masked, each with its linked request's id."""
    out = []
    for record in safety.list_open(*_store()):
        linked = linked_request(record)
        out.append({**record, "phone": mask(record.get("phone")) if record.get("phone") else "",
                    "linked_id": linked["id"] if linked else None})
    return out


@bp.get("/safety/<concern_id>")
def concern(concern_id: str):
    """One safety concern: the parent's words, how to contact them safely, and (once claimed) the number."""
    record = _concern_or_404(concern_id)
    mine = record["status"] == "claimed" and record.get("claimed_by") == _me()
    others = linked_contacts(record, concern_id=record["id"]) if record.get("phone") else None
    return render_template(
        "staff_concern.html", c=record, mine=mine, now=clock.now(), linked=linked_request(record), others=others,
        phone=display_number(record["phone"]) if mine and record.get("phone") else None,
        tel=record["phone"] if mine and record.get("phone") else None,
        outcomes=safety.OUTCOMES, no_answer=safety.NO_ANSWER, concern_status=CONCERN_STATUS_WORDS)


def _change(concern_id: str, action, done_words: str, **kwargs):
    _concern_or_404(concern_id)
    redis, settings = _store()
    try:
        action(redis, settings, concern_id, staff_name=_me(), now=clock.now(), **kwargs)
    except safety.ConcernError as error:
        flash(str(error), "error")
        return redirect(url_for("staff.concern", concern_id=concern_id), code=303)
    log.info("staff %s: %s on safety concern %s", _me(), action.__name__, concern_id)
    flash(done_words, "success")
    return None


@bp.post("/safety/<concern_id>/claim")
def claim_concern(concern_id: str):
    """Take this concern: the number is shown to you only."""
    return _change(concern_id, safety.claim, "You have claimed this safety concern.") or \
        redirect(url_for("staff.concern", concern_id=concern_id), code=303)


@bp.post("/safety/<concern_id>/take-over")
def take_over_concern(concern_id: str):
    """Take a concern another adviser claimed (recorded in its history)."""
    return _change(concern_id, safety.take_over, "You have taken over this safety concern.") or \
        redirect(url_for("staff.concern", concern_id=concern_id), code=303)


@bp.post("/safety/<concern_id>/release")
def release_concern(concern_id: str):
    """Give the concern back for another adviser."""
    return _change(concern_id, safety.release, "Released: another adviser can claim it.") or \
        redirect(url_for("staff.queue"), code=303)


@bp.post("/safety/<concern_id>/outcome")
def concern_outcome(concern_id: str):
    """Record what was done (closes it), or a try that did not reach them (it stays open)."""
    chosen = request.form.get("outcome", "")
    note = request.form.get("note", "")
    words = safety.OUTCOMES.get(chosen, "Tried, could not reach them: it stays in the queue")
    failed = _change(concern_id, safety.record_outcome, f"Saved: {words}.", outcome=chosen, note=note)
    return failed or redirect(url_for("staff.queue"), code=303)


@bp.post("/safety/<concern_id>/note")
def concern_note(concern_id: str):
    """Add a note to the concern's history."""
    _concern_or_404(concern_id)
    text = " ".join(request.form.get("note", "").split())[:2000]
    if not text:
        flash("Write a note before saving it.", "error")
    else:
        redis, settings = _store()
        safety.add_note(redis, settings, concern_id, staff_name=_me(), note=text, now=clock.now())
        flash("Note saved.", "success")
    return redirect(url_for("staff.concern", concern_id=concern_id), code=303)
