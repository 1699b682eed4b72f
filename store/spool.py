"""Callback requests that could not be written to Redis, kept on local disk until Redis is back.

A parent who asks for a call back while Redis is down still hears "we have your request": the
request goes into a small SQLite file in DATA_DIR (synchronous, written before the reply), and
replay() moves it into Redis later: at start-up, and every SPOOL_REPLAY_SECONDS from each web
process and the worker (workers/spool_replay.py).

Exactly once: a spooled request's id is its channel and CallSid / MessageSid, so Twilio's retry
of the same webhook cannot add a second row (INSERT OR IGNORE); and replay() goes through
store.callbacks.save_request, which saves one request per sid however often it is called, so a
replay interrupted after the save (or two replays at once) cannot make a second request.
A row is deleted once Redis has it: the spool never keeps phone numbers longer than it must.

The file is the host's own: the processes on the host that wrote it replay it, so a web host and a
worker on different machines (different DATA_DIRs) lose nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import logging
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from redis import RedisError

from flows.phone import mask

log = logging.getLogger("helpline.spool")

FILENAME = "callback-spool.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS spool (
    id TEXT PRIMARY KEY,
    requester TEXT NOT NULL,
    spooled_at TEXT NOT NULL,
    request TEXT NOT NULL
)"""


@dataclass
class ReplayReport:
    """What one replay did: requests saved to Redis, ones Redis already had, and ones left for later."""

    saved: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    left: int = 0
    unreadable: list[str] = field(default_factory=list)


def path(settings) -> Path:
    """Where the spool file lives."""
    return Path(settings.data_dir) / FILENAME


def _connect(settings) -> sqlite3.Connection:
    """A fresh connection (one per call: web threads and processes share the file, not connections)."""
    Path(settings.data_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
    file = path(settings)
    if not file.exists():  # private from the start: the spool holds parents' numbers
        os.close(os.open(file, os.O_WRONLY | os.O_CREAT, 0o600))
    db = sqlite3.connect(file, timeout=5, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    for extra in (file.with_name(file.name + "-wal"), file.with_name(file.name + "-shm")):
        if extra.exists() and extra.stat().st_mode & 0o077:
            extra.chmod(0o600)  # SQLite gives these the main file's mode; make sure
    db.execute("PRAGMA synchronous=FULL")  # the parent has been told we have it: it must survive a power cut
    db.execute(_SCHEMA)
    return db


def spool_id(channel: str, source_sid: str) -> str:
    """The deterministic id of a spooled request: one per webhook, however often Twilio sends it."""
    return f"{channel}:{source_sid}"


def add(settings, *, requester: str, now: dt.datetime, request: dict, kind: str = "") -> tuple[str, bool]:
    """Keep a request for later; (spool id, False if this webhook was already spooled).

    `request` is save_request's keyword arguments (dates as ISO strings), plus "confirm": True
    when a confirmation text should be queued once Redis has it. Other kinds of record (a safety
    concern: kind="safety", with request["kind"] the same) share the file under their own ids.
    """
    row_id = (f"{kind}:" if kind else "") + spool_id(request["channel"], request["source_sid"])
    with closing(_connect(settings)) as db:
        cursor = db.execute("INSERT OR IGNORE INTO spool (id, requester, spooled_at, request) VALUES (?, ?, ?, ?)",
                            (row_id, requester, now.isoformat(), json.dumps(request)))
    added = cursor.rowcount == 1
    log.warning("Redis unavailable: %s from %s kept in the local spool (%s)",
                "safety concern" if kind == "safety" else "callback request", mask(request.get("phone", "")),
                "new" if added else "already spooled")
    return row_id, added


def asks_since(settings, requester: str, since: dt.datetime) -> int:
    """How many requests this number has spooled since a moment (the rate limit while Redis is down)."""
    if not path(settings).exists():
        return 0
    with closing(_connect(settings)) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM spool WHERE requester = ? AND spooled_at >= ?",
                              (requester, since.isoformat())).fetchone()
    return count


def pending(settings) -> list[dict]:
    """The spooled requests, oldest first (each: id, spooled_at, request)."""
    if not path(settings).exists():
        return []
    with closing(_connect(settings)) as db:
        rows = db.execute("SELECT id, spooled_at, request FROM spool ORDER BY spooled_at, id").fetchall()
    return [{"id": row_id, "spooled_at": at, "request": json.loads(raw)} for row_id, at, raw in rows]


def replay(settings, save: Callable[[dict], object]) -> ReplayReport:
    """Hand each spooled request to `save` (oldest first) and forget it once saved.

    `save(request)` returns True if it made or updated a request, False if Redis already had
    this webhook's request; a RedisError (Redis still away) stops the replay with the rest kept
    for next time. A row that fails any other way is kept (for staff to see in the log) and
    skipped, so one bad row cannot hold up the others.
    """
    report = ReplayReport()
    rows = pending(settings)
    for position, row in enumerate(rows):
        try:
            made = save(row["request"])
        except RedisError as error:
            report.left = len(rows) - position
            log.warning("spool replay stopped with %d left: %s", report.left, type(error).__name__)
            break
        except Exception:  # noqa: BLE001 - kept on disk, never lost; the log says which row
            log.exception("spooled callback request %s could not be saved; kept in the spool", row["id"])
            report.unreadable.append(row["id"])
            continue
        with closing(_connect(settings)) as db:
            db.execute("DELETE FROM spool WHERE id = ?", (row["id"],))
        (report.saved if made else report.already_there).append(row["id"])
    if report.saved or report.already_there:
        log.info("spool replay: %d saved to Redis, %d already there, %d left",
                 len(report.saved), len(report.already_there), report.left + len(report.unreadable))
    return report


def erase_phone(settings, phone: str) -> int:
    """Delete the spooled requests for one number (a request to erase their data); how many went."""
    ids = [row["id"] for row in pending(settings) if row["request"].get("phone") == phone]
    with closing(_connect(settings)) as db:
        for row_id in ids:
            db.execute("DELETE FROM spool WHERE id = ?", (row_id,))
    return len(ids)
