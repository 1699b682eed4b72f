"""Move callback requests and safety concerns kept in the local spool (Redis was away) into Redis, exactly once.

replay_spool(svc) is called at start-up by the web and the worker, and by the worker every
REPLAY_SECONDS while it runs (a thread of its own, so it works even when no rq job can run).
"""

from __future__ import annotations

import logging
import threading

from store import callbacks, safety, spool
from workers.callback_jobs import queue_confirmation

log = logging.getLogger("helpline.spool")

REPLAY_SECONDS = 15


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


def replay_once(svc) -> None:
    """Replay if anything is spooled; with Redis still away, log it and leave the rows for later."""
    try:
        if spool.pending(svc.settings):
            replay_spool(svc)
    except Exception:  # noqa: BLE001 - start-up must go on; the spool keeps the rows
        log.exception("spool replay failed; will try again")


def replay_in_background(svc, every: float = REPLAY_SECONDS) -> threading.Event:
    """Replay now and then every `every` seconds until the returned event is set."""
    stop = threading.Event()

    def loop() -> None:
        while True:
            replay_once(svc)
            if stop.wait(every):
                return

    threading.Thread(target=loop, name="spool-replay", daemon=True).start()
    return stop
