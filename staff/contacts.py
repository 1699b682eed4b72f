"""Other contacts from one number, for a request's page and a concern's page: the number's other
callback requests and safety concerns, newest first, linked by id (never by number)."""

from __future__ import annotations

import datetime as dt

from flask import url_for

import clock
import services
from flows import callbacks as rules
from staff.words import CONCERN_STATUS_WORDS, OUTCOME_WORDS, STATUS_WORDS
from store import callbacks, safety


def linked_contacts(record: dict, *, concern_id: str | None = None) -> dict:
    """Other callback requests and the safety concerns from the same number, newest first (found
    through the keyed-hash line indexes; the page links them by id, never by number). For a
    request's page, leave out that request; for a concern's page (concern_id), that concern."""
    svc = services.current()
    redis, settings = svc.connections.redis, svc.settings
    requests = callbacks.for_line(redis, settings, record["phone"], leave_out=None if concern_id else record["id"])
    concerns_found = [c for c in safety.for_line(redis, settings, record["phone"]) if c["id"] != concern_id]
    items = [{"kind": "request", "id": r["id"], "at": r["first_requested_at"], "title": r["topic_title"],
              "status": STATUS_WORDS.get(r["status"], r["status"])
              + (f": {OUTCOME_WORDS.get(r['outcome'], r['outcome'])}" if r.get("outcome") and r["status"] not in rules.LIVE else ""),
              "url": url_for("staff.callback", request_id=r["id"])} for r in requests]
    items += [{"kind": "concern", "id": c["id"], "at": c.get("first_at"), "title": c.get("label") or "Safety concern",
               "status": CONCERN_STATUS_WORDS.get(c.get("status"), c.get("status") or "")
               + (f": {safety.OUTCOMES.get(c['outcome'], c['outcome'])}" if c.get("outcome") else ""),
               "url": url_for("staff.concern", concern_id=c["id"])} for c in concerns_found]
    items.sort(key=lambda item: clock.london(dt.datetime.fromisoformat(item["at"])) if item["at"]
               else dt.datetime.min.replace(tzinfo=clock.LONDON), reverse=True)
    return {"items": items, "requests": len(requests), "concerns": len(concerns_found)}
