"""`make run`: start an embedded Redis if REDIS_URL is unset, then the Procfile's web and worker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import config  # noqa: E402
import connections  # noqa: E402


def main() -> int:
    """Run until Ctrl-C; stop the embedded Redis (saving its data) on the way out."""
    os.chdir(ROOT)
    env = dict(os.environ)
    env.setdefault("HELPLINE_ENV", "local")  # `make run` is the laptop's service: local mode, chosen here
    settings = config.from_env(env)
    started_redis = False
    if not settings.redis_url:
        env["REDIS_URL"] = connections.start_embedded_redis(settings.data_dir, maxmemory_mb=settings.redis_maxmemory_mb)
        started_redis = True
    env.setdefault("HOST", "127.0.0.1")
    env.setdefault("PORT", "5000")
    env["PATH"] = str(ROOT / ".venv" / "bin") + os.pathsep + env.get("PATH", "")
    mode = "real Twilio" if settings.has_twilio_credentials else "outbox (nothing is really sent; no Twilio credentials)"
    print(f"""
SEND helpline responder
  web:     http://{env['HOST']}:{env['PORT']}   (webhooks: /ivr/incoming, /sms/incoming)
  redis:   {'embedded, data in ' + str(settings.data_dir) if started_redis else 'REDIS_URL'}
  sending: {mode}

Try it from another terminal in this folder:
  .venv/bin/flask phone call                      # an interactive call
  .venv/bin/flask phone text "MENU"               # one text and its reply
  .venv/bin/flask phone call --at 2026-11-23T11:00   # pretend it is a time the line is open
  .venv/bin/flask calendar check                  # is the line open, and any warnings
Press Ctrl-C to stop.
""", flush=True)
    try:
        return subprocess.call([sys.executable, "-m", "honcho", "start", "-f", "Procfile"], env=env)
    except KeyboardInterrupt:
        return 0
    finally:
        if started_redis:
            connections.stop_embedded_redis(settings.data_dir)


if __name__ == "__main__":
    sys.exit(main())
