"""The load generator: wrk (C, one thread, keep-alive) replaying pre-signed requests via bench/wrk.lua."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

LUA = Path(__file__).with_name("wrk.lua")
THREADS = 1  # the machine is small: one wrk thread leaves the cores to the server under test
TIMEOUT_SECONDS = 10  # a slow answer is a slow answer, not a socket time-out


@dataclass(frozen=True)
class LoadResult:
    """What wrk measured for one cell (latencies in milliseconds)."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    laps: int
    sent: int = 0
    other_cpu: float = 0.0  # % of the machine used by processes that are not the bench's
    quantiles: list = field(default_factory=list, repr=False)  # (percentile, microseconds), ascending

    @property
    def rps(self) -> float:
        """Requests answered per second."""
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_version() -> str:
    """wrk's own banner, e.g. 'wrk 4.1.0 [epoll]'."""
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    match = re.search(r"wrk \S+ \[\w+\]", out)
    return match.group(0) if match else out.split("\n")[0].strip()


def require_wrk() -> None:
    """Fail early with the fix when wrk is missing (`make bench` installs it)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run `make bench`, or apt-get install wrk")


def wrk_command(base_url: str, request_file: Path, clients: int, seconds: float, start: int = 0) -> list[str]:
    """wrk with bench/wrk.lua replaying request_file, from request `start`, over `clients` connections."""
    return ["wrk", "-t", str(THREADS), "-c", str(clients), "-d", f"{seconds:g}s", "--timeout", f"{TIMEOUT_SECONDS}s",
            "-s", str(LUA), base_url, "--", str(request_file), str(THREADS), str(start)]


def run_wrk(base_url: str, request_file: Path, clients: int, seconds: float, start: int = 0) -> LoadResult:
    """Replay the file with `clients` keep-alive connections for `seconds`."""
    cmd = wrk_command(base_url, request_file, clients, seconds, start)
    out = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, BENCH_ONCE="0"),
                         check=True).stdout
    return parse(out)


def merge(results: list[LoadResult]) -> LoadResult:
    """One result from several runs: counts added, percentiles of the runs' latencies taken together."""
    return LoadResult(requests=sum(r.requests for r in results), seconds=sum(r.seconds for r in results),
                      p50_ms=mixed_percentile(results, 50) / 1e3, p99_ms=mixed_percentile(results, 99) / 1e3,
                      max_ms=max(r.max_ms for r in results), errors=sum(r.errors for r in results),
                      laps=sum(r.laps for r in results), sent=sum(r.sent for r in results))


def mixed_percentile(results: list[LoadResult], p: float) -> float:
    """A percentile of all answers of several runs, each run's latencies known at fine percentiles."""
    mass = []
    for r in results:
        previous = 0.0
        for q, us in r.quantiles:
            mass.append((us, r.requests * (q - previous) / 100))
            previous = q
    mass.sort()
    rank, seen = sum(m for _, m in mass) * p / 100, 0.0
    for us, m in mass:
        seen += m
        if seen >= rank - 1e-9:
            return us
    return 0.0


def start_once(base_url: str, request_file: Path, clients: int, limit_seconds: float) -> subprocess.Popen:
    """Send every request in the file exactly once; stop_wrk() ends it and reads its figures."""
    cmd = wrk_command(base_url, request_file, clients, limit_seconds)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, BENCH_ONCE="1"))


def stop_wrk(proc: subprocess.Popen) -> LoadResult:
    """Interrupt wrk (it sleeps out its whole duration otherwise) and parse what it printed."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    return parse(out)


def parse(out: str) -> LoadResult:
    """The BENCH line that wrk.lua's done() prints."""
    line = next((l for l in out.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    v = {k: int(n) for k, n in (pair.split("=") for pair in line.split()[1:])}
    errors = v["connect"] + v["read"] + v["write"] + v["status"] + v["timeout"]
    quantile_line = next((l for l in out.splitlines() if l.startswith("QUANTILES ")), "QUANTILES")
    quantiles = [(float(q), int(us)) for q, us in (pair.split(":") for pair in quantile_line.split()[1:])]
    return LoadResult(requests=v["requests"], seconds=v["duration_us"] / 1e6, p50_ms=v["p50_us"] / 1e3,
                      p99_ms=v["p99_us"] / 1e3, max_ms=v["max_us"] / 1e3, errors=errors, laps=v["laps"],
                      sent=v["sent"], quantiles=quantiles)
