"""Move callback requests and safety concerns kept in the local spool (Redis was away) into Redis, exactly once.

The spool is a file in DATA_DIR, so only processes on the host that wrote it can replay it.
replay_once(svc) runs at start-up in the web and the worker; replay_in_background(svc) runs it
every SPOOL_REPLAY_SECONDS (15) in a thread of its own while the process runs: in the worker
(so it works even when no rq job can run) and in each web process from its first request (so a
web host whose worker runs on another machine, with another DATA_DIR, still loses nothing).

One replayer per host at a time: a replay holds an exclusive lock (fcntl.flock) on
DATA_DIR/spool-replay.lock; a background round that finds it taken skips, and the holder does
the work. The lock only saves work: a replay is exactly once per sid even without it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path

from store import callbacks, safety, spool
from workers.callback_jobs import queue_confirmation

log = logging.getLogger("helpline.spool")

REPLAY_SECONDS = 15
LOCK_FILE = "spool-replay.lock"


def replay_spool(svc) -> spool.ReplayReport:
    """Save every spooled request to Redis (and queue its confirmation text if one was promised)."""

    def save(request: dict) -> bool:
        if request.get("kind") == "safety":
            return safety.save_spooled(svc.connections.redis, svc.settings, request)
        result = callbacks.save_spooled(svc.connections.redis, svc.settings, svc.calendar, request, now=svc.clock())
        if request.get("confirm") and result.id:
            queue_confirmation(svc, result.id)  # also after a repeat: an earlier replay may have stopped here
        return result.created or result.merged

    return spool.replay(svc.settings, save)


def replay_once(svc, *, wait: bool = True) -> None:
    """Replay if anything is spooled; with Redis still away, log it and leave the rows for later.

    Holds the host's replay lock; `wait=False` skips when another process (or thread) has it.
    """
    try:
        if not spool.path(svc.settings).exists():
            return  # nothing was ever spooled on this host: not even a lock file
        with host_lock(svc.settings, wait=wait) as mine:
            if mine and spool.pending(svc.settings):
                replay_spool(svc)
    except Exception:  # noqa: BLE001 - start-up must go on; the spool keeps the rows
        log.exception("spool replay failed; will try again")


@contextmanager
def host_lock(settings, *, wait: bool = True):
    """Yield True while this process holds DATA_DIR's replay lock (False: another has it and wait=False).

    flock locks belong to an open file, so two threads of one process exclude each other too,
    and the lock goes with the process if it dies mid-replay.
    """
    path = Path(settings.data_dir) / LOCK_FILE
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # DATA_DIR exists: the spool is in it
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(descriptor)  # releases the lock


def replay_in_background(svc, every: float = REPLAY_SECONDS) -> threading.Event:
    """Replay now and then every `every` seconds (a daemon thread) until the returned event is set."""
    stop = threading.Event()

    def loop() -> None:
        while True:
            replay_once(svc, wait=False)
            if stop.wait(every):
                return

    threading.Thread(target=loop, name="spool-replay", daemon=True).start()
    return stop
