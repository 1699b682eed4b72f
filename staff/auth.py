"""Who is using the staff pages: login, logout, session expiry, CSRF and security headers.

Every request to the blueprint passes `guard()`: a POST must carry the session's CSRF token,
and every endpoint except the login page and the stylesheet needs a logged-in adviser whose
session is younger than STAFF_SESSION_MINUTES, still exists on the server (store/staff_accounts.py:
logging out, "log out everywhere", a new password and removing the account end sessions there,
so a copied cookie stops working) and whose account still exists. Staff pages always use the
service's clock: the simulator's clock header is for the webhooks only (clock.py).
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import re
import secrets

from flask import abort, flash, redirect, render_template, request, session, url_for

import clock
import services
from staff.blueprint import bp
from store import staff_accounts

log = logging.getLogger(__name__)

# The only staff endpoints open to someone not logged in (tests check this list stays short).
PUBLIC_ENDPOINTS = frozenset({"staff.login", "staff.static"})
CSRF_FIELD = "csrf_token"
# A post-login destination: a path of ours in plain printable characters (no CR/LF, spaces or backslashes).
_SAFE_NEXT = re.compile(r"[A-Za-z0-9/._~%?=&+-]+")

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def csrf_token() -> str:
    """This session's CSRF token (made on first use); forms carry it in a hidden field."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def _csrf_ok() -> bool:
    expected = session.get(CSRF_FIELD)
    given = request.form.get(CSRF_FIELD, "")
    return bool(expected) and hmac.compare_digest(str(expected), given)


def current_staff() -> str | None:
    """The logged-in adviser's name, or None (ending the session if it is too old or the account is gone)."""
    name = session.get("staff")
    if not name:
        return None
    svc = services.current()
    try:
        since = dt.datetime.fromisoformat(session.get("since", ""))
    except ValueError:
        since = None
    age = clock.now() - since if since else None
    if age is None or age > dt.timedelta(minutes=svc.settings.staff_session_minutes) or age < -dt.timedelta(minutes=5):
        _end_session()
        flash("Your session has ended. Please log in again.", "info")
        return None
    if not staff_accounts.session_alive(svc.connections.redis, svc.settings, name, session.get("sid", "")):
        _end_session()
        flash("Your session has ended. Please log in again.", "info")
        return None
    return name


def _end_session() -> None:
    svc = services.current()
    if session.get("staff") and session.get("sid"):
        staff_accounts.end_session(svc.connections.redis, svc.settings, session["staff"], session["sid"])
    session.clear()


def _safe_next(target: str | None) -> str:
    """Only our own staff pages may be a post-login destination (no open redirects)."""
    if (target and len(target) <= 200 and _SAFE_NEXT.fullmatch(target)
            and (target == "/staff" or target.startswith("/staff/")) and "//" not in target):
        return target
    return url_for("staff.queue")


@bp.before_request
def guard():
    """A login on every endpoint but the public ones; the CSRF token on every POST.

    The login check comes first so that an adviser whose session ended while a form was open
    is sent to log in again (nothing is changed) rather than shown a bare refusal.
    """
    if request.endpoint not in PUBLIC_ENDPOINTS and current_staff() is None:
        return redirect(url_for("staff.login", next=request.path if request.method == "GET" else None), code=303)
    if request.method not in ("GET", "HEAD", "OPTIONS") and not _csrf_ok():
        abort(403, description="This form has expired or did not come from this site. Go back, reload the page and try again.")
    return None


@bp.after_request
def security_headers(response):
    """Lock down every staff response: no framing, no sniffing, no caching, no referrer."""
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


@bp.context_processor
def template_helpers():
    """csrf_token() and the adviser's name in every staff template."""
    return {"csrf_token": csrf_token, "staff_name": session.get("staff"), "csrf_field": CSRF_FIELD}


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; on POST, check the password (throttled per name and per address)."""
    svc = services.current()
    redis, settings = svc.connections.redis, svc.settings
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_staff():
            return redirect(next_url, code=303)
        return render_template("staff_login.html", next_url=next_url, name="")

    name = staff_accounts.normalise_name(request.form.get("name", ""))
    password = request.form.get("password", "")
    address = request.remote_addr or "unknown"
    lock = staff_accounts.login_lock(redis, settings, name, address)
    if lock is None and staff_accounts.verify_password(redis, settings, name, password):
        staff_accounts.record_success(redis, settings, name)
        session.clear()  # a fresh session (and CSRF token) at login: no fixation
        session["staff"] = name
        session["sid"] = staff_accounts.start_session(redis, settings, name)
        session["since"] = clock.now().isoformat()
        csrf_token()
        log.info("staff login: %s", name)
        return redirect(next_url, code=303)
    if lock is None:
        lock = staff_accounts.record_failure(redis, settings, name, address)
        shown = name if staff_accounts.valid_name(name) else "(not a valid name)"  # never log stray input
        log.warning("staff login failed for name %r%s", shown, " (now locked)" if lock else "")
        if lock is None:
            return render_template("staff_login.html", next_url=next_url, name=name,
                                   error="That name and password do not match. Please try again."), 401
    return render_template("staff_login.html", next_url=next_url, name=name, error=_lock_message(lock)), 429


def _lock_message(lock: staff_accounts.Lock) -> str:
    what = "this name" if lock.by == "name" else "this network address"
    minutes = f"{lock.minutes_left} minute{'s' if lock.minutes_left != 1 else ''}"
    return (f"Too many failed logins for {what}. For safety, logging in is paused: "
            f"try again in {minutes}. If you have forgotten your password, ask the service "
            "administrator to set a new one.")


@bp.post("/logout")
def logout():
    """End this session, on the server too (a copy of the cookie no longer works)."""
    log.info("staff logout: %s", session.get("staff"))
    _end_session()
    flash("You have logged out.", "info")
    return redirect(url_for("staff.login"), code=303)


@bp.post("/logout-everywhere")
def logout_everywhere():
    """End every session of this adviser: other browsers, other devices, any copied cookie."""
    svc = services.current()
    name = session.get("staff")
    ended = staff_accounts.end_all_sessions(svc.connections.redis, svc.settings, name)
    log.info("staff logout everywhere: %s (%d sessions)", name, ended)
    session.clear()
    flash("You have logged out everywhere: every session of yours has ended.", "info")
    return redirect(url_for("staff.login"), code=303)
