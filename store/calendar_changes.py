"""Staff changes to the helpline calendar in Redis, the audit list, and the live calendar.

The rules are flows/calendar_changes.py (an Overlay on the shipped file, checked by the file's
own rules); this module keeps the overlay and makes each change atomic:

apply_change(redis, settings, editor, make_change, *, who, now) -> (version, Change)
    WATCH the version; read the overlay; make_change(overlay) -> Change (may raise
    CalendarChangeError, nothing is written); then in one MULTI: the new overlay, version + 1,
    and an audit entry. A concurrent change makes it start again with the newer overlay.
audit(redis, settings, limit) -> [{at, who, what}]   newest first (kept: the last AUDIT_KEEP)

LiveCalendar is what every request and job uses as `svc.calendar` (services.py). It keeps the
calendar built from the file and the overlay, and checks the overlay's version at most once
every CHECK_SECONDS per process: one GET of a small integer, so a webhook costs no Redis round
trip at all except in the one request per process every few seconds that does the check, and
two (the version, then the overlay) in the request that first sees a change. The process that
makes a change uses it at once; every other web and worker process within CHECK_SECONDS.
With Redis away it keeps the calendar it has (the shipped file if it never reached Redis) and
tries again after CHECK_SECONDS; an overlay the file's rules now refuse (a new release's file
clashes with a staff change) is logged and set aside: the file alone is used.

Keys (under settings.key): calendar:overlay (JSON), calendar:version (integer),
calendar:audit (list of JSON, newest first). None expire: they are the service's settings.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from pathlib import Path
from typing import Callable

from redis import RedisError, WatchError

from flows.calendar_changes import CalendarEditor, Change, Overlay
from flows.calendar_data import CalendarDataError, bank_holidays, read_raw
from flows.hours import HelplineCalendar

log = logging.getLogger(__name__)

CHECK_SECONDS = 3.0  # how stale another process's change may be on a webhook
AUDIT_KEEP = 1000


def overlay_key(settings) -> str:
    return settings.key("calendar", "overlay")


def version_key(settings) -> str:
    return settings.key("calendar", "version")


def audit_key(settings) -> str:
    return settings.key("calendar", "audit")


def _s(value) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")


def load(redis, settings) -> tuple[int, Overlay]:
    """The overlay and its version (0 and empty for a new install), in one round trip."""
    version, raw = redis.mget(version_key(settings), overlay_key(settings))
    return int(_s(version) or 0), Overlay.from_json(json.loads(_s(raw)) if raw else None)


def read_version(redis, settings) -> int:
    """The overlay's version alone (the cheap check)."""
    return int(_s(redis.get(version_key(settings))) or 0)


def apply_change(redis, settings, editor: CalendarEditor, make_change: Callable[[Overlay], Change], *,
                 who: str, now: dt.datetime) -> tuple[int, Change]:
    """Make one staff change atomically and note it in the audit list (see the module docstring)."""
    vkey, okey = version_key(settings), overlay_key(settings)
    while True:
        with redis.pipeline() as pipe:
            try:
                pipe.watch(vkey, okey)
                version, raw = pipe.mget(vkey, okey)
                overlay = Overlay.from_json(json.loads(_s(raw)) if raw else None)
                change = make_change(overlay)
                entry = json.dumps({"at": now.isoformat(), "who": who, "what": change.what})
                pipe.multi()
                pipe.set(okey, json.dumps(change.overlay.to_json()))
                pipe.incr(vkey)
                pipe.lpush(audit_key(settings), entry)
                pipe.ltrim(audit_key(settings), 0, AUDIT_KEEP - 1)
                results = pipe.execute()
            except WatchError:
                continue
        log.info("calendar changed by %s: %s (version %s)", who, change.what, results[1])
        return int(results[1]), change


def audit(redis, settings, limit: int = 200) -> list[dict]:
    """Who changed the calendar, when and how: newest first."""
    out = []
    for raw in redis.lrange(audit_key(settings), 0, max(limit, 1) - 1):
        try:
            out.append(json.loads(raw))
        except (TypeError, ValueError):
            continue
    return out


class LiveCalendar:
    """The calendar requests use: the shipped file plus staff changes, re-read when they change."""

    def __init__(self, path: Path | None, settings, get_redis: Callable[[], object], *, background: bool = False):
        self.editor = CalendarEditor(read_raw(path), bank_holidays(path) if path else bank_holidays())
        self.base = HelplineCalendar.load(path)
        self.settings = settings
        self._get_redis = get_redis
        self._lock = threading.Lock()
        self._version = 0
        self._overlay = Overlay()
        self._calendar = self.base
        self._checked_at = float("-inf")
        self._background = background  # check in a thread: a request never waits on Redis for this
        self._checking = False
        self.problem = ""  # why staff changes are set aside, if they are (shown on the Calendar page)

    @property
    def overlay(self) -> Overlay:
        self.current()
        return self._overlay

    @property
    def version(self) -> int:
        self.current()
        return self._version

    def current(self) -> HelplineCalendar:
        """The calendar now: cached, with the version checked at most every CHECK_SECONDS."""
        if time.monotonic() - self._checked_at < CHECK_SECONDS:
            return self._calendar
        if self._background:
            self._check_in_background()
            return self._calendar
        with self._lock:
            if time.monotonic() - self._checked_at >= CHECK_SECONDS:
                self._check()
        return self._calendar

    def _check_in_background(self) -> None:
        """One check at a time, in a daemon thread; meanwhile requests use the copy they have."""
        with self._lock:
            if self._checking or time.monotonic() - self._checked_at < CHECK_SECONDS:
                return
            self._checking = True

        def run() -> None:
            try:
                with self._lock:
                    self._check()
            finally:
                self._checking = False

        threading.Thread(target=run, name="calendar-check", daemon=True).start()

    def refresh(self) -> HelplineCalendar:
        """Read Redis now (after a change made elsewhere, or in a test)."""
        with self._lock:
            self._check()
        return self._calendar

    def _check(self) -> None:
        self._checked_at = time.monotonic()
        try:
            redis = self._get_redis()
            if read_version(redis, self.settings) == self._version:
                return
            version, overlay = load(redis, self.settings)
        except (RedisError, OSError) as error:
            log.warning("calendar: staff changes not checked (%s); using the calendar already loaded",
                        type(error).__name__)
            return
        self._use(version, overlay)

    def adopt(self, version: int, overlay: Overlay) -> None:
        """Use a change this process has just made, at once."""
        with self._lock:
            self._checked_at = time.monotonic()
            if version >= self._version:
                self._use(version, overlay)

    def _use(self, version: int, overlay: Overlay) -> None:
        try:
            calendar, problem = self.editor.calendar(overlay), ""
        except CalendarDataError as error:
            calendar, problem = self.base, f"staff changes set aside: {error}"
            log.error("calendar: %s", problem)
        self._version, self._overlay, self._calendar, self.problem = version, overlay, calendar, problem
