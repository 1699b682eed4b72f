"""Settings: the one place that reads the environment."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from flows.phone import normalise_uk_number

LOCAL = "local"
PRODUCTION = "production"


class ConfigError(RuntimeError):
    """The service cannot start with these settings; the message says what to set."""


@dataclass(frozen=True)
class Settings:
    """Everything the service can be told, with units in the names."""

    env: str = LOCAL
    data_dir: Path = Path(".data")
    redis_url: str | None = None
    redis_timeout_seconds: float = 0.5
    redis_maxmemory_mb: int = 256  # the embedded Redis's cap (noeviction)
    key_prefix: str = "helpline:"
    queue_name: str = "helpline"
    twilio_account_sid: str | None = None
    twilio_auth_token: str = ""
    twilio_token_generated: bool = False
    twilio_api_base_url: str | None = None
    twilio_timeout_seconds: float = 10.0
    twilio_number: str = "+447700900000"
    helpline_number: str = "01225 394382"
    textphone_number: str = "07530 263401"
    staff_forward_number: str | None = None
    dial_timeout_seconds: int = 25
    public_base_url: str = "http://127.0.0.1:5000"
    secret_key: str = ""
    key_hash_secret: str = ""  # empty: derived from secret_key (store/keys.py)
    helpline_now: dt.datetime | None = None
    voice: str = "Polly.Amy-Neural"
    voice_language: str = "en-GB"
    sms_session_ttl_seconds: int = 24 * 3600
    callbacks_per_day: int = 12
    callback_cutoff_minutes: int = 30  # asked this near closing time: booked on the next helpline day
    callback_asks_per_day: int = 5
    callback_asks_per_day_withheld: int = 10  # all withheld callers together
    confirmations_for_others_per_day: int = 20  # texts to numbers that did not ask themselves, whole service
    retention_days: int = 30
    send_window_start: dt.time = dt.time(9)
    send_window_end: dt.time = dt.time(19)
    staff_session_minutes: int = 480
    staff_password_iterations: int = 600_000  # PBKDF2-SHA256 rounds for new hashes (OWASP); fewer only in local mode
    sms_limit_per_window: int = 15  # 0 turns the limit off
    sms_limit_window_seconds: int = 300
    # How often each web process moves its host's spool into Redis while it runs (from_env: 15).
    # 0, the default for Settings built in code (tests), starts no background replay in the web.
    spool_replay_seconds: float = 0
    # How often each web process writes the report counts it holds (store/events.py; from_env: 2).
    # 0, the default for Settings built in code (tests), starts no writer thread: counts are then
    # written with a text's own save, or by store.events.flush().
    events_flush_seconds: float = 0
    report_years: int = 3  # report counts are kept for the current academic year and this many before it
    calendar_path: Path | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_local(self) -> bool:
        """True on a laptop or in tests: outbox sender, development token, simulated clock header."""
        return self.env == LOCAL

    @property
    def has_twilio_credentials(self) -> bool:
        """True when real Twilio REST calls can be made (otherwise messages go to the outbox)."""
        return bool(self.twilio_account_sid and self.twilio_auth_token and not self.twilio_token_generated)

    @property
    def helpline_e164(self) -> str:
        """The helpline number as Twilio wants it for caller ID: 01225 394382 -> +441225394382."""
        return normalise_uk_number(self.helpline_number) or "+" + "".join(c for c in self.helpline_number if c.isdigit())

    def key(self, *parts: object) -> str:
        """A namespaced Redis key: key('callback', 42) -> 'helpline:callback:42'."""
        return self.key_prefix + ":".join(str(p) for p in parts)

    def with_changes(self, **changes) -> "Settings":
        """A copy with some fields changed (for tests and the simulator)."""
        return replace(self, **changes)


def _time(name: str, value: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{name} must be a time like 09:00, not {value!r}") from None


def _int(name: str, value: str, minimum: int | None = None) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {number}")
    return number


def _now(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"HELPLINE_NOW must be an ISO date-time like 2026-11-23T11:00, not {value!r}") from None


def development_token(data_dir: Path) -> str:
    """A generated auth token for local mode, shared by the service and the simulator."""
    path = data_dir / "dev-twilio-auth-token"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    data_dir.chmod(0o700)  # the data folder is private (README, Security)
    token = secrets.token_hex(16)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others, even briefly
    with os.fdopen(descriptor, "w") as out:
        out.write(token + "\n")
    return token


# Commands that are local by nature: `flask phone` is the simulator (a laptop's phone), so it runs
# in local mode unless HELPLINE_ENV says otherwise. Everything else must choose local mode explicitly.
LOCAL_COMMANDS = frozenset({"phone"})


def _local_command(argv: list[str]) -> bool:
    """True for `flask phone ...`, with or without flask's own options (`flask --app app phone call`)."""
    if not argv or Path(argv[0]).name != "flask":
        return False
    args = iter(argv[1:])
    for arg in args:
        if arg in ("--app", "-A", "--env-file", "-e"):
            next(args, None)  # the option's value
        elif not arg.startswith("-"):
            return arg in LOCAL_COMMANDS
    return False


def from_env(environ: Mapping[str, str] | None = None, argv: list[str] | None = None) -> Settings:
    """Build Settings from environment variables (see the README table).

    HELPLINE_ENV unset means production (which refuses to start without its secrets): local mode
    is an explicit choice, made by `make run`, the tests and the simulator (`flask phone`, seen in argv).
    """
    env = dict(os.environ if environ is None else environ)
    get = lambda name, default=None: env.get(name) or default  # noqa: E731 (empty means unset)
    argv = sys.argv if argv is None and environ is None else (argv or [])

    mode = get("HELPLINE_ENV", LOCAL if _local_command(argv) else PRODUCTION)
    if mode not in (LOCAL, PRODUCTION):
        raise ConfigError(f"HELPLINE_ENV must be 'local' or 'production', not {mode!r}")
    data_dir = Path(get("DATA_DIR", ".data")).resolve()

    token = get("TWILIO_AUTH_TOKEN", "")
    secret_key = get("SECRET_KEY", "")
    if mode == PRODUCTION:
        missing = [n for n, v in [("TWILIO_AUTH_TOKEN", token), ("SECRET_KEY", secret_key),
                                  ("PUBLIC_BASE_URL", get("PUBLIC_BASE_URL")), ("REDIS_URL", get("REDIS_URL"))] if not v]
        if missing:
            raise ConfigError(f"production mode needs {', '.join(missing)}; refusing to start")
    generated = not token
    if mode == LOCAL:
        token = token or development_token(data_dir)
        secret_key = secret_key or "local-only-" + token

    settings = Settings(
        env=mode,
        data_dir=data_dir,
        redis_url=get("REDIS_URL"),
        redis_maxmemory_mb=_int("REDIS_MAXMEMORY_MB", get("REDIS_MAXMEMORY_MB", "256"), minimum=16),
        twilio_account_sid=get("TWILIO_ACCOUNT_SID"),
        twilio_auth_token=token,
        twilio_token_generated=generated,
        twilio_api_base_url=get("TWILIO_API_BASE_URL"),
        twilio_number=get("TWILIO_NUMBER", Settings.twilio_number),
        helpline_number=get("HELPLINE_NUMBER", Settings.helpline_number),
        textphone_number=get("TEXTPHONE_NUMBER", Settings.textphone_number),
        staff_forward_number=get("STAFF_FORWARD_NUMBER"),
        public_base_url=get("PUBLIC_BASE_URL", f"http://127.0.0.1:{get('PORT', '5000')}").rstrip("/"),
        secret_key=secret_key,
        key_hash_secret=get("KEY_HASH_SECRET", ""),
        helpline_now=_now(get("HELPLINE_NOW")) if get("HELPLINE_NOW") else None,
        voice=get("TWILIO_VOICE", Settings.voice),
        sms_session_ttl_seconds=_int("SMS_SESSION_TTL_SECONDS", get("SMS_SESSION_TTL_SECONDS", "86400")),
        callbacks_per_day=_int("CALLBACKS_PER_DAY", get("CALLBACKS_PER_DAY", "12")),
        callback_cutoff_minutes=_int("CALLBACK_CUTOFF_MINUTES", get("CALLBACK_CUTOFF_MINUTES", "30"), minimum=0),
        callback_asks_per_day=_int("CALLBACK_ASKS_PER_DAY", get("CALLBACK_ASKS_PER_DAY", "5")),
        callback_asks_per_day_withheld=_int("CALLBACK_ASKS_PER_DAY_WITHHELD",
                                            get("CALLBACK_ASKS_PER_DAY_WITHHELD", "10"), minimum=0),
        confirmations_for_others_per_day=_int("CONFIRMATIONS_FOR_OTHERS_PER_DAY",
                                              get("CONFIRMATIONS_FOR_OTHERS_PER_DAY", "20"), minimum=0),
        retention_days=_int("RETENTION_DAYS", get("RETENTION_DAYS", "30")),
        dial_timeout_seconds=_int("DIAL_TIMEOUT_SECONDS", get("DIAL_TIMEOUT_SECONDS", "25")),
        staff_session_minutes=_int("STAFF_SESSION_MINUTES", get("STAFF_SESSION_MINUTES", "480")),
        staff_password_iterations=_int("STAFF_PASSWORD_ITERATIONS", get("STAFF_PASSWORD_ITERATIONS", "600000"),
                                       minimum=600_000 if mode == PRODUCTION else 1),
        send_window_start=_time("SEND_WINDOW_START", get("SEND_WINDOW_START", "09:00")),
        send_window_end=_time("SEND_WINDOW_END", get("SEND_WINDOW_END", "19:00")),
        sms_limit_per_window=_int("SMS_LIMIT_PER_WINDOW", get("SMS_LIMIT_PER_WINDOW", "15"), minimum=0),
        sms_limit_window_seconds=_int("SMS_LIMIT_WINDOW_SECONDS", get("SMS_LIMIT_WINDOW_SECONDS", "300"), minimum=1),
        spool_replay_seconds=_int("SPOOL_REPLAY_SECONDS", get("SPOOL_REPLAY_SECONDS", "15"), minimum=0),
        events_flush_seconds=_int("EVENTS_FLUSH_SECONDS", get("EVENTS_FLUSH_SECONDS", "2"), minimum=0),
        report_years=_int("REPORT_YEARS", get("REPORT_YEARS", "3"), minimum=1),
        calendar_path=Path(get("CALENDAR_PATH")) if get("CALENDAR_PATH") else None,
    )
    return settings
