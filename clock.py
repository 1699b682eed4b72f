"""The one place the service reads the time: real, or fixed by HELPLINE_NOW.

One clock, two doors: in a request, `now()` (on a webhook in local mode it honours the
simulator's chosen time; otherwise it is the app's clock); outside one (rq jobs, the command
line, start-up), `svc.clock()`, the same clock without a request to look at.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
SIMULATED_NOW_HEADER = "X-Helpline-Simulated-Now"

Clock = Callable[[], dt.datetime]


def london(value: dt.datetime) -> dt.datetime:
    """The same instant in London time; a naive value is taken to be London time already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=LONDON)
    return value.astimezone(LONDON)


def fixed_clock(at: dt.datetime) -> Clock:
    """A clock that always says `at` (for demos, acceptance runs and tests)."""
    frozen = london(at)
    return lambda: frozen


def real_clock() -> dt.datetime:
    """Now, in London time."""
    return dt.datetime.now(LONDON)


def make_clock(settings) -> Clock:
    """HELPLINE_NOW if set, else the real clock."""
    return fixed_clock(settings.helpline_now) if settings.helpline_now else real_clock


# Only the simulator's webhooks may move the clock; staff pages never (claims and sessions depend on it).
SIMULATED_NOW_BLUEPRINTS = frozenset({"ivr", "sms"})


def now() -> dt.datetime:
    """Now for this request: the app's clock, or in local mode on a webhook the simulator's chosen time."""
    from flask import current_app, has_request_context, request

    helpline = current_app.extensions["helpline"]
    if has_request_context() and helpline.settings.is_local and request.blueprint in SIMULATED_NOW_BLUEPRINTS:
        simulated = request.headers.get(SIMULATED_NOW_HEADER)
        if simulated:
            try:
                return london(dt.datetime.fromisoformat(simulated))
            except ValueError:
                pass
    return helpline.clock()
