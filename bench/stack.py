"""The real stack for the bench: a fresh Redis, the Procfile's web and worker, their memory."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_SPEC = '"app:create_app()"'
BARE_SPEC = '"bench.bare_app:create_app()"'


def procfile_command(name: str) -> str:
    """The Procfile's command for a process type, exactly as written."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        kind, _, command = line.partition(":")
        if kind.strip() == name:
            return command.strip()
    raise KeyError(f"no {name!r} process in the Procfile")


def web_command(app_spec: str = APP_SPEC) -> str:
    """The Procfile's web line, serving `app_spec` instead of the service when asked."""
    command = procfile_command("web")
    if APP_SPEC not in command:
        raise RuntimeError(f"the Procfile's web line no longer serves {APP_SPEC}; update bench/stack.py")
    return command.replace(APP_SPEC, app_spec)


def expand(command: str, env: dict) -> str:
    """${VAR:-default} and $VAR as the shell expands them (for printing the settings used)."""
    def value(m: re.Match) -> str:
        name = m.group(1) or m.group(3)
        return env.get(name) or (m.group(2) or "")
    return re.sub(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)", value, command)


def free_port() -> int:
    """A TCP port nobody is listening on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: str, env: dict, log: Path) -> subprocess.Popen:
    """Run a Procfile command the way honcho does (sh -c), exec'd so the pid is the process itself."""
    out = log.open("ab")
    return subprocess.Popen(["/bin/sh", "-c", "exec " + command], cwd=ROOT, env=env, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)


def wait_for_http(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    """Wait until something answers HTTP at url (any status), or fail if the process died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {proc.returncode}; see its log")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def wait_for_children(pid: int, count: int, seconds: float = 30) -> list[int]:
    """The gunicorn workers of a master, once `count` of them are running."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        kids = children(pid)
        if len(kids) >= count:
            return kids
        time.sleep(0.1)
    raise RuntimeError(f"only {len(children(pid))} of {count} workers started")


def stop(proc: subprocess.Popen, seconds: float = 20) -> None:
    """SIGTERM (gunicorn and rq shut down gracefully), then SIGKILL if it takes too long."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def children(pid: int) -> list[int]:
    """Direct children of a process, from /proc/PID/task/*/children (cheap enough to poll often)."""
    kids = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                kids += [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
    except OSError:
        return []
    return sorted(kids)


def tree(roots: list[int]) -> list[int]:
    """These processes and all their descendants, each once."""
    pids, todo = [], list(roots)
    while todo:
        pid = todo.pop()
        if pid not in pids:
            pids.append(pid)
            todo += children(pid)
    return pids


def status_kib(pid: int, field: str) -> int | None:
    """A memory figure from /proc/PID/status in KiB (VmHWM, VmRSS), None once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def peak_kib(pid: int) -> int | None:
    """VmHWM: the most resident memory the process has had."""
    return status_kib(pid, "VmHWM")


class PeakWatcher:
    """Samples VmHWM of a process and all its descendants (rq's short-lived work horses too)."""

    def __init__(self, pid: int, every_seconds: float = 0.01):
        import threading

        self.pid, self.every = pid, every_seconds
        self.peaks: dict[int, int] = {}
        self.seen: dict[int, tuple[float, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "PeakWatcher":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            time.sleep(self.every)

    def sample(self) -> None:
        """Record the current VmHWM of the process tree."""
        now = time.monotonic()
        for pid in tree([self.pid]):
            kib = peak_kib(pid)
            if kib is not None:
                self.peaks[pid] = max(kib, self.peaks.get(pid, 0))
                first = self.seen.get(pid, (now, now))[0]
                self.seen[pid] = (first, now)


def busy_ticks() -> int:
    """Clock ticks the whole machine spent busy (idle and disk waits left out), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return user + nice + system + irq + softirq + steal


def process_ticks(pid: int) -> int:
    """Clock ticks a process has used, with those of the children it has waited for (wrk's, for us)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return sum(int(f) for f in fields[11:15])


class OtherCpu:
    """How much of the machine other work used while we measured (a shared machine skews figures)."""

    def __init__(self, roots: list[int]):
        self.roots = roots + [os.getpid()]
        self.start = self._now()

    def _now(self) -> tuple[float, int, int]:
        return time.monotonic(), busy_ticks(), sum(process_ticks(p) for p in tree(self.roots))

    def percent(self) -> float:
        """Share of all CPUs used by processes other than ours since the meter started."""
        (t0, busy0, ours0), (t1, busy1, ours1) = self.start, self._now()
        capacity = (t1 - t0) * os.sysconf("SC_CLK_TCK") * os.cpu_count()
        return max(0.0, 100 * ((busy1 - busy0) - (ours1 - ours0)) / capacity) if capacity else 0.0
