"""create_app(): the one place the web service is wired together."""

from __future__ import annotations

import logging
import os
import threading

from flask import Flask

import logsafe
import services
from clock import Clock
from config import Settings
from flows.guidance import load_guidance
from flows.safety import load_safety
from flows.safety_model import load_model
from twilio_webhooks import WebhookSessions

log = logging.getLogger("helpline")


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Flask:
    """Build the Flask app: settings, clock, calendar, connections, blueprints and CLI."""
    logsafe.install()  # before anything is logged: no log line can be forged (logsafe.py)
    svc = services.build(settings, clock=clock)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=svc.settings.secret_key,
        MAX_CONTENT_LENGTH=64 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not svc.settings.is_local,
    )
    app.extensions["helpline"] = svc
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from ivr import bp as ivr_bp
    from sms import bp as sms_bp

    app.register_blueprint(ivr_bp)
    app.register_blueprint(sms_bp)
    app.session_interface = WebhookSessions((ivr_bp.url_prefix, sms_bp.url_prefix))
    from staff import bp as staff_bp
    app.register_blueprint(staff_bp)

    @app.get("/healthz")
    def healthz():
        """Liveness for the platform and the simulator: the web process answers."""
        return {"status": "ok"}

    import commands

    commands.register(app)
    load_guidance()  # refuses to start on broken content (ContentError lists every problem)
    load_safety()  # the risk patterns and their model are read now (each regex compiles on first use)
    load_model()
    for warning in svc.calendar.warnings(svc.clock().date()):
        log.warning("calendar: %s", warning)
    from workers.spool_replay import replay_once

    replay_once(svc)  # callback requests kept on disk while Redis was away (the worker also does this)
    _replay_spool_while_running(app, svc)
    _write_report_counts_while_running(app, svc)
    return app


def _write_report_counts_while_running(app: Flask, svc: services.Services) -> None:
    """Each web process writes the report counts its webhooks noted every EVENTS_FLUSH_SECONDS
    (store/events.py): a thread started by the first request a process handles, as for the spool."""
    every = svc.settings.events_flush_seconds
    if not every:
        return  # Settings built in code (the tests): counts go with a text's save, or events.flush()
    from store.events import flush_in_background

    started_in = {"pid": 0}
    guard = threading.Lock()

    @app.before_request
    def start_report_counts() -> None:
        if started_in["pid"] == os.getpid():
            return
        with guard:
            if started_in["pid"] != os.getpid():
                app.extensions["report_counts_stop"] = flush_in_background(svc, every)  # set() stops it
                started_in["pid"] = os.getpid()


def _replay_spool_while_running(app: Flask, svc: services.Services) -> None:
    """Each web process moves its host's spool into Redis every SPOOL_REPLAY_SECONDS while it runs.

    A web host's spool is a file only it can read: with the worker on another machine, nothing
    else would bring back what was spooled there. The thread starts with the first request a
    process handles (nothing at import, none in `flask` commands, and one in each process that
    gunicorn forks); workers/spool_replay.py keeps it to one replayer per host at a time.
    """
    every = svc.settings.spool_replay_seconds
    if not every:
        return  # Settings built in code (the tests) leave it off
    from workers.spool_replay import replay_in_background

    started_in = {"pid": 0}
    guard = threading.Lock()

    @app.before_request
    def start_spool_replay() -> None:
        if started_in["pid"] == os.getpid():
            return
        with guard:
            if started_in["pid"] != os.getpid():
                app.extensions["spool_replay_stop"] = replay_in_background(svc, every)  # set() stops it
                started_in["pid"] = os.getpid()
