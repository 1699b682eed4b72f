"""Staff calendar changes in a real Redis: atomic, audited, and seen by every process's LiveCalendar."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
import redis

from connections import make_redis
from flows.calendar_changes import CalendarChangeError, Overlay
from flows.hours import EXTRA_CLOSURE, OPEN
from store import calendar_changes as store

NOW = dt.datetime(2026, 11, 23, 11, 0)
TODAY = NOW.date()
THURSDAY = dt.date(2026, 11, 26)
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def live(settings, client) -> store.LiveCalendar:
    return store.LiveCalendar(None, settings, lambda: client)


def close(editor, day, reason="staff training"):
    return lambda overlay: editor.add_closure(overlay, day, reason, today=TODAY)


def test_a_change_is_kept_with_a_new_version_and_an_audit_entry(settings, redis_client):
    calendar = live(settings, redis_client)
    version, change = store.apply_change(redis_client, settings, calendar.editor, close(calendar.editor, THURSDAY),
                                         who="sam", now=NOW)
    assert version == 1
    assert store.load(redis_client, settings) == (1, change.overlay)
    assert store.audit(redis_client, settings) == [
        {"at": NOW.isoformat(), "who": "sam", "what": "closed Thursday 26 November 2026 all day, for staff training"}]


def test_a_refused_change_writes_nothing(settings, redis_client):
    calendar = live(settings, redis_client)
    with pytest.raises(CalendarChangeError):
        store.apply_change(redis_client, settings, calendar.editor, close(calendar.editor, dt.date(2026, 11, 28)),
                           who="sam", now=NOW)
    assert store.load(redis_client, settings) == (0, Overlay())
    assert store.audit(redis_client, settings) == []


def test_two_advisers_at_once_both_changes_are_kept(settings, redis_url):
    clients = [redis.Redis.from_url(redis_url, decode_responses=True) for _ in range(2)]
    calendar = live(settings, clients[0])
    days = [THURSDAY, dt.date(2026, 11, 25)]
    threads = [threading.Thread(target=store.apply_change, args=(c, settings, calendar.editor, close(calendar.editor, d)),
                                kwargs={"who": f"adviser{i}", "now": NOW}) for i, (c, d) in enumerate(zip(clients, days))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    version, overlay = store.load(clients[0], settings)
    assert version == 2 and {c.day for c in overlay.closures} == set(days)
    assert len(store.audit(clients[0], settings)) == 2


def test_other_processes_see_a_change_after_their_short_check_interval(settings, redis_client, monkeypatch):
    web, worker = live(settings, redis_client), live(settings, redis_client)
    assert worker.current().day_status(THURSDAY).reason == OPEN
    version, change = store.apply_change(redis_client, settings, web.editor, close(web.editor, THURSDAY), who="sam", now=NOW)
    web.adopt(version, change.overlay)
    assert web.current().day_status(THURSDAY).reason == EXTRA_CLOSURE  # this process: at once
    assert worker.current().day_status(THURSDAY).reason == OPEN  # another: still its cached copy...
    monkeypatch.setattr(store, "CHECK_SECONDS", 0.0)
    assert worker.current().day_status(THURSDAY).reason == EXTRA_CLOSURE  # ...until its next check
    assert worker.version == 1


def test_with_redis_away_the_calendar_already_loaded_is_used(settings):
    dead = make_redis(settings.with_changes(redis_url=DEAD_REDIS))  # the app's own client: no retries, no back-off
    calendar = live(settings, dead)
    assert calendar.current().is_open(NOW)
    assert calendar.version == 0 and calendar.problem == ""


def test_staff_changes_the_file_no_longer_allows_are_set_aside_and_said(settings, redis_client):
    clash = Overlay(years=({"name": "2024/25", "provisional": False, "source": "",
                            "terms": [{"name": "A", "start": dt.date(2024, 9, 3), "end": dt.date(2024, 10, 25)}]},))
    redis_client.set(store.overlay_key(settings), json.dumps(clash.to_json()))
    redis_client.set(store.version_key(settings), 7)
    calendar = live(settings, redis_client)
    assert calendar.current().data == calendar.base.data
    assert "staff changes set aside: terms out of order or overlapping" in calendar.problem


def test_a_running_service_checks_for_changes_without_making_a_request_wait(settings, redis_client, monkeypatch):
    import threading
    import time

    started = threading.Event()
    release = threading.Event()

    class SlowRedis:
        """Answers the version only when released: a request must not wait for it."""

        def get(self, key):
            started.set()
            release.wait(5)
            return redis_client.get(key)

        def __getattr__(self, name):
            return getattr(redis_client, name)

    calendar = store.LiveCalendar(None, settings, lambda: SlowRedis(), background=True)
    before = time.monotonic()
    assert calendar.current().is_open(NOW) in (True, False)
    assert time.monotonic() - before < 0.5 and started.wait(2)  # the check runs, elsewhere
    release.set()
