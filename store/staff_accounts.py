"""Staff accounts and login throttling, kept in Redis.

Accounts are created by an operator with `flask staff add NAME` (never from the web page).
Passwords are stored only as werkzeug hashes: PBKDF2-SHA256 with 600,000 iterations (OWASP's
figure). Not werkzeug's default scrypt, which takes 32 MiB for each check and so would lift a web
process past its 80 MB budget the first time anyone logs in; hashes made with it still check. Failed logins are counted per name and per
client address; too many and logins are refused for a while, with a clear message.

A password has at least MIN_PASSWORD_LENGTH characters, is not blank, and is not a common or
easily guessed one (zxcvbn, whose lists of common passwords, words and names ship with the
package: score at least MIN_PASSWORD_SCORE of 4).

Sessions live on the server: the signed cookie only names a session, which exists in Redis
until it expires, the adviser logs out, logs out everywhere, has their password changed or
their account removed. So a copy of a cookie stops working when its session ends.

Keys (with the settings' prefix):
  staff:account:<name>            hash {name, password_hash, created_at}
  staff:failures:name:<name>      failed-login counter, expires LOCK_SECONDS after the last failure
  staff:failures:ip:<address>     the same per client address
  staff:session:<sha256 of id>    the adviser's name, expiring with the session
  staff:sessions:<name>           set of that adviser's session keys (to end them all)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

MAX_FAILURES_PER_NAME = 5
# An office may share one public address, so the per-address limit is looser than the per-name one.
MAX_FAILURES_PER_IP = 20
LOCK_SECONDS = 15 * 60
HASH_METHOD = "pbkdf2:sha256:600000"  # the production cost; settings.staff_password_iterations sets it


def hash_method(settings) -> str:
    """PBKDF2-SHA256 at the configured rounds (600,000 in production; tests choose fewer for speed)."""
    return f"pbkdf2:sha256:{getattr(settings, 'staff_password_iterations', 600_000)}"
MIN_PASSWORD_LENGTH = 12
MIN_PASSWORD_SCORE = 3  # zxcvbn: 3 is "safely unguessable" for an online attack that is throttled

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,39}")


@cache
def _dummy_hash(method: str = HASH_METHOD) -> str:
    """Checked when no such account exists, so a wrong name costs as long as a wrong password.

    Made on first use, not at import (a tenth of a second each process start would otherwise pay).
    """
    return generate_password_hash("not-a-real-password", method=method)


class AccountError(ValueError):
    """The name or password cannot be used; the message says why."""


def normalise_name(name: str) -> str:
    """Names are case-insensitive: 'Sam.Jones ' -> 'sam.jones'."""
    return (name or "").strip().lower()


def valid_name(name: str) -> bool:
    """True if this (normalised) text could be a login name."""
    return bool(_NAME.fullmatch(normalise_name(name)))


def check_name(name: str) -> str:
    """The normalised name, or AccountError if it is not a usable login name."""
    cleaned = normalise_name(name)
    if not _NAME.fullmatch(cleaned):
        raise AccountError("a name is 1 to 40 letters, digits, dots, dashes or underscores, starting with a letter or digit")
    return cleaned


def _account_key(settings, name: str) -> str:
    return settings.key("staff", "account", normalise_name(name))


def add_account(redis, settings, name: str, password: str, *, now: dt.datetime) -> str:
    """Create or replace an account (replacing resets the password). Returns the stored name."""
    cleaned = check_name(name)
    check_password(password, cleaned)
    redis.hset(_account_key(settings, cleaned), mapping={
        "name": cleaned, "password_hash": generate_password_hash(password, method=hash_method(settings)), "created_at": now.isoformat()})
    end_all_sessions(redis, settings, cleaned)  # a new password ends every session of the old one
    return cleaned


def check_password(password: str, name: str = "") -> None:
    """AccountError unless the password is long enough, not blank and not common or guessable."""
    password = password or ""
    if not password.strip():
        raise AccountError("a password cannot be blank or only spaces")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    from zxcvbn import zxcvbn  # a few MB of word lists: loaded only where passwords are set (the CLI)

    verdict = zxcvbn(password[:100], user_inputs=[name, "send", "helpline", "bathnes", "partnership"])
    if verdict["score"] < MIN_PASSWORD_SCORE:
        hint = " ".join(verdict.get("feedback", {}).get("suggestions") or [])
        raise AccountError("that password is too common or easy to guess (for example a common password, a word "
                           "with a few digits, or a keyboard pattern); a few unrelated words work well" +
                           (f". {hint}" if hint else ""))


def remove_account(redis, settings, name: str) -> bool:
    """Delete an account and end every session of it; True if there was one."""
    end_all_sessions(redis, settings, name)
    return bool(redis.delete(_account_key(settings, name)))


# --- sessions ------------------------------------------------------------------------------


def _session_key(settings, session_id: str) -> str:
    return settings.key("staff", "session", hashlib.sha256(session_id.encode()).hexdigest())


def _sessions_key(settings, name: str) -> str:
    return settings.key("staff", "sessions", normalise_name(name))


def start_session(redis, settings, name: str) -> str:
    """A new server-side session for this adviser; returns its id (kept in the signed cookie)."""
    session_id = secrets.token_urlsafe(32)
    ttl = settings.staff_session_minutes * 60
    key = _session_key(settings, session_id)
    pipe = redis.pipeline()
    pipe.set(key, normalise_name(name), ex=ttl)
    pipe.sadd(_sessions_key(settings, name), key)
    pipe.expire(_sessions_key(settings, name), ttl)  # the newest session keeps the list alive
    pipe.execute()
    return session_id


def session_alive(redis, settings, name: str, session_id: str) -> bool:
    """True while this session exists and belongs to this adviser, whose account still exists (one round trip)."""
    if not name or not session_id:
        return False
    pipe = redis.pipeline(transaction=False)
    pipe.get(_session_key(settings, session_id))
    pipe.exists(_account_key(settings, name))
    owner, account = pipe.execute()
    owner = owner.decode() if isinstance(owner, bytes) else owner
    return owner == normalise_name(name) and bool(account)


def end_session(redis, settings, name: str, session_id: str) -> None:
    """End one session (logging out)."""
    key = _session_key(settings, session_id or "")
    pipe = redis.pipeline()
    pipe.delete(key)
    pipe.srem(_sessions_key(settings, name), key)
    pipe.execute()


def end_all_sessions(redis, settings, name: str) -> int:
    """End every session of this adviser (log out everywhere, new password, removal); how many."""
    keys = list(redis.smembers(_sessions_key(settings, name)))
    if not keys:
        return 0
    ended = int(redis.delete(*keys))
    redis.delete(_sessions_key(settings, name))
    return ended


def exists(redis, settings, name: str) -> bool:
    """True while the account exists (checked on every staff request)."""
    return bool(name) and bool(redis.exists(_account_key(settings, name)))


def list_names(redis, settings) -> list[str]:
    """Every account name, sorted."""
    prefix = settings.key("staff", "account", "")
    return sorted(k[len(prefix):] if isinstance(k, str) else k.decode()[len(prefix):]
                  for k in redis.scan_iter(match=prefix + "*"))


def verify_password(redis, settings, name: str, password: str) -> bool:
    """True if the name exists and the password matches its hash."""
    stored = redis.hget(_account_key(settings, name), "password_hash") if normalise_name(name) else None
    if stored is None:
        check_password_hash(_dummy_hash(hash_method(settings)), password or "")
        return False
    if isinstance(stored, bytes):
        stored = stored.decode()
    return check_password_hash(stored, password or "")


# --- throttling --------------------------------------------------------------------------


@dataclass(frozen=True)
class Lock:
    """Why logins are refused just now, and for how long."""

    by: str  # "name" or "address"
    seconds_left: int

    @property
    def minutes_left(self) -> int:
        return max(1, -(-self.seconds_left // 60))


def _failure_keys(settings, name: str, address: str) -> list[tuple[str, str, int]]:
    return [("name", settings.key("staff", "failures", "name", normalise_name(name) or "-"), MAX_FAILURES_PER_NAME),
            ("address", settings.key("staff", "failures", "ip", address or "unknown"), MAX_FAILURES_PER_IP)]


def login_lock(redis, settings, name: str, address: str) -> Lock | None:
    """A Lock if this name or address has failed too often recently, else None."""
    for by, key, limit in _failure_keys(settings, name, address):
        count = redis.get(key)
        if count is not None and int(count) >= limit:
            return Lock(by, max(1, redis.ttl(key)))
    return None


def record_failure(redis, settings, name: str, address: str) -> Lock | None:
    """Count a failed login for the name and the address; returns the Lock if this one locks it."""
    pipe = redis.pipeline()
    for _, key, _ in _failure_keys(settings, name, address):
        pipe.incr(key)
        pipe.expire(key, LOCK_SECONDS)  # the lock lasts LOCK_SECONDS after the latest failure
    pipe.execute()
    return login_lock(redis, settings, name, address)


def record_success(redis, settings, name: str) -> None:
    """Forget the name's failures (the address's stay: one good login must not reset a guesser)."""
    redis.delete(_failure_keys(settings, name, "")[0][1])
