"""create_app(): the one place the web service is wired together."""

from __future__ import annotations

import logging

from flask import Flask

import logsafe
import services
from clock import Clock
from config import Settings
from flows.guidance import load_guidance

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
    app.extensions["connections"] = svc.connections
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from ivr import bp as ivr_bp
    from sms import bp as sms_bp

    app.register_blueprint(ivr_bp)
    app.register_blueprint(sms_bp)
    from staff import bp as staff_bp
    app.register_blueprint(staff_bp)

    @app.get("/healthz")
    def healthz():
        """Liveness for the platform and the simulator: the web process answers."""
        return {"status": "ok"}

    import cli

    cli.register(app)
    load_guidance()  # refuses to start on broken content (ContentError lists every problem)
    for warning in svc.calendar.warnings(svc.clock().date()):
        log.warning("calendar: %s", warning)
    from workers.spool_replay import replay_once

    replay_once(svc)  # callback requests kept on disk while Redis was away (the worker also does this)
    return app
