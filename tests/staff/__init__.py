"""Helpers for the staff page tests: accounts, logging in, CSRF tokens from forms."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
import re

from store import staff_accounts


@contextmanager
def served_app(settings, at: dt.datetime):
    """The app on a real local port at a fixed time, with adviser "sam": yields (base URL, app)."""
    from app import create_app
    from clock import fixed_clock
    from commands.simulator import serve

    apps = []

    def factory(base):
        apps.append(create_app(settings.with_changes(public_base_url=base), clock=fixed_clock(at)))
        return apps[-1]

    with serve(factory) as base:
        add_adviser(apps[0], "sam")
        yield base, apps[0]

PASSWORD = "correct horse battery"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_adviser(app, name: str = "sam", password: str = PASSWORD) -> str:
    """Create a staff login in the app's Redis (as `flask staff add` does)."""
    svc = app.extensions["helpline"]
    return staff_accounts.add_account(svc.connections.redis, svc.settings, name, password,
                                      now=dt.datetime(2026, 11, 1, 9, 0))


def csrf_from(response) -> str:
    """The CSRF token in a page's forms."""
    match = CSRF_INPUT.search(response.get_data(as_text=True))
    assert match, "no CSRF field on the page"
    return match.group(1)


def log_in(client, name: str = "sam", password: str = PASSWORD, **extra):
    """Load the login form and submit it (with its CSRF token); returns the POST response."""
    token = csrf_from(client.get("/staff/login"))
    return client.post("/staff/login", data={"csrf_token": token, "name": name, "password": password, **extra})


def logged_in(app, name: str = "sam"):
    """A test client of a new adviser who has logged in."""
    add_adviser(app, name)
    client = app.test_client()
    assert log_in(client, name).status_code == 303
    return client


def token_of(client) -> str:
    """The CSRF token of the client's session (from the queue page)."""
    return csrf_from(client.get("/staff/"))


def store_of(app):
    """(redis, settings, calendar) of an app."""
    svc = app.extensions["helpline"]
    return svc.connections.redis, svc.settings, svc.calendar
