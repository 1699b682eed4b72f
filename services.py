"""What a request or a job needs: settings, clock, calendar (file + staff changes), words, connections
and the report counts waiting to be written."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from clock import Clock, make_clock
from config import Settings, from_env
from connections import Connections
from flows.copy import Copy, load_copy
from flows.hours import HelplineCalendar
from store.calendar_changes import LiveCalendar
from store.events import Recorder


@dataclass
class Services:
    """One per app or worker process; built once, read everywhere."""

    settings: Settings
    clock: Clock
    live_calendar: LiveCalendar
    copy: Copy
    connections: Connections
    events: Recorder = field(default_factory=Recorder)  # report counts waiting for Redis (store/events.py)

    @property
    def calendar(self) -> HelplineCalendar:
        """The helpline calendar now: the data file plus staff changes (store/calendar_changes.py)."""
        return self.live_calendar.current()


def build(settings: Settings | None = None, *, clock: Clock | None = None) -> Services:
    """Wire the services from settings (the environment when none are given)."""
    settings = settings or from_env()
    connections = Connections(settings)
    return Services(
        settings=settings,
        clock=clock or make_clock(settings),
        # A running service (settings from the environment) checks for staff changes in a thread,
        # so a slow Redis never holds up a call; Settings built in code (tests) check in line.
        live_calendar=LiveCalendar(settings.calendar_path, settings, lambda: connections.redis,
                                   background=bool(settings.spool_replay_seconds)),
        copy=load_copy(),
        connections=connections,
    )


def current() -> Services:
    """The services of the Flask app handling this request."""
    from flask import current_app

    return current_app.extensions["helpline"]


@lru_cache(maxsize=1)
def for_worker() -> Services:
    """The services of this worker process (rq jobs call this; built once per process)."""
    return build()
