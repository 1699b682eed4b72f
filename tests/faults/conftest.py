"""Fixtures for the fault tests: a dedicated redis-server, and the service's real processes around it."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import redis
from rq import Queue
from rq.registry import StartedJobRegistry

from config import Settings
from store import callbacks, spool
from tests.faults.stack import Phone, Process, RedisServer, free_port, service_env, start_web, start_worker
from tests.twilio_standin import TwilioStandin
from store.outbox import list_outbox


class Stack:
    """The service's processes for one test, all stopped when the test ends."""

    def __init__(self, tmp_path: Path, redis_url: str, twilio: TwilioStandin | None = None):
        self.logs = tmp_path
        self.port = free_port()
        self.env = service_env(redis_url, tmp_path / "data", self.port)
        self.settings = Settings(data_dir=tmp_path / "data", redis_url=redis_url)
        self.phone = Phone(self.port)
        if twilio is not None:  # texts really go out, to the local stand-in for Twilio's REST API
            self.env.update(TWILIO_ACCOUNT_SID=twilio.account_sid, TWILIO_AUTH_TOKEN=twilio.auth_token,
                            TWILIO_API_BASE_URL=twilio.base_url)
            self.phone = Phone(self.port, twilio.auth_token)
        self.processes: list[Process] = []

    def web(self) -> Process:
        """The web (gunicorn, as the Procfile runs it), once it answers."""
        return self._keep(start_web(self.env, self.logs))

    def worker(self, data_dir: Path | None = None) -> Process:
        """The worker (as the Procfile runs it), with its spool replay thread; `data_dir`: a DATA_DIR
        of its own, as on another machine (the web keeps tmp_path/data)."""
        env = self.env if data_dir is None else {**self.env, "DATA_DIR": str(data_dir)}
        return self._keep(start_worker(env, self.logs))

    def _keep(self, process: Process) -> Process:
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            process.stop()

    def logs_tail(self) -> str:
        """The end of every process's log, for a failing test's report."""
        return "\n".join(f"--- {p.name} ---\n{p.log()[-4000:]}" for p in self.processes)

    # what the service has done, read the way staff and the worker read it

    def spooled(self) -> list[str]:
        """Ids of the callback requests kept on disk, waiting for Redis."""
        return [row["id"] for row in spool.pending(self.settings)]

    def open_requests(self, client) -> list[dict]:
        """The staff queue."""
        return callbacks.list_open(client, self.settings)

    def outbox(self, client) -> list[dict]:
        """What the worker sent (kept in the outbox: no Twilio credentials)."""
        return list_outbox(client, self.settings.key_prefix, limit=200)

    def queue_idle(self, url: str) -> bool:
        """No job waiting or running."""
        queue = Queue(self.settings.queue_name, connection=redis.Redis.from_url(url))
        return queue.count == 0 and StartedJobRegistry(queue=queue).count == 0


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of this test's own (free port, append-only file fsynced on every write)."""
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.process.stop(signal.SIGKILL)


@pytest.fixture
def make_stack(tmp_path):
    """Build the service's processes around a Redis URL; they are stopped however the test ends."""
    stacks: list[Stack] = []

    def build(redis_url: str, twilio: TwilioStandin | None = None) -> Stack:
        stacks.append(Stack(tmp_path, redis_url, twilio))
        return stacks[-1]

    try:
        yield build
    finally:
        for stack in stacks:
            print(stack.logs_tail())  # shown by pytest only when the test failed
            stack.stop_all()
