"""Test helpers for the outbound work: services at a fixed time, and real worker processes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import services
from clock import fixed_clock

ROOT = Path(__file__).resolve().parents[2]
# Variables a developer's shell may set that would change what the worker does.
_OURS = ("REDIS_URL", "DATA_DIR", "HELPLINE_NOW", "HELPLINE_ENV", "PUBLIC_BASE_URL", "TWILIO_ACCOUNT_SID",
         "TWILIO_AUTH_TOKEN", "TWILIO_API_BASE_URL", "TWILIO_NUMBER", "RETENTION_DAYS", "SECRET_KEY",
         "KEY_HASH_SECRET")


def svc_at(settings, at: dt.datetime, **changes) -> services.Services:
    """Services whose clock always says `at` (London time)."""
    return services.build(settings.with_changes(**changes) if changes else settings, clock=fixed_clock(at))


def worker_env(settings, *, now: dt.datetime | None = None, standin=None) -> dict[str, str]:
    """The environment for `python -m workers.run`: the test Redis, a data folder, maybe a fixed
    time, and (with a stand-in) Twilio credentials that make it send through the stand-in."""
    env = {k: v for k, v in os.environ.items() if k not in _OURS}
    env.update(HELPLINE_ENV="local", REDIS_URL=settings.redis_url, DATA_DIR=str(settings.data_dir),
               PUBLIC_BASE_URL=settings.public_base_url, TWILIO_NUMBER=settings.twilio_number)
    if settings.secret_key:  # the app's: phone tags in key names (store/keys.py) must match the worker's
        env["SECRET_KEY"] = settings.secret_key
    if now is not None:
        env["HELPLINE_NOW"] = now.isoformat()
    if standin is not None:
        env.update(TWILIO_ACCOUNT_SID=standin.account_sid, TWILIO_AUTH_TOKEN=standin.auth_token,
                   TWILIO_API_BASE_URL=standin.base_url)
    return env


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    """A real burst worker in its own process group (so a test can kill it and its work horse)."""
    return subprocess.Popen([sys.executable, "-m", "workers.run", "--burst"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def run_worker(env: dict[str, str], timeout: float = 60) -> str:
    """Run a burst worker until the queue is empty; returns its log."""
    proc = start_worker(env)
    out, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, out
    return out
