"""`make bench`: the real stack under load, with figures printed beside the targets.

A fresh Redis (the embedded redis-server, in a temporary folder) serves only the bench. gunicorn
runs the Procfile's web line twice: the service, and bench/bare_app.py (a constant TwiML document)
as the baseline. The load generator is wrk. The worker is the Procfile's, started for the burst.
Local mode, outbox sender, and a fixed clock (HELPLINE_NOW) so every run does the same work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

import redis

from bench import burst, load, redis_stats, stack
from bench import twilio_requests as tr
from bench.bare_app import PATH as BARE_PATH
from config import Settings
from store import callbacks as callback_store

NOW = "2026-11-22T17:00"  # a Sunday: the line is closed, and texts may go (09:00-19:00 window)
CLIENTS = (8, 32, 128)
CELL_SECONDS = 6
CELL_PARTS = 6  # each cell is this many short wrk runs, in rotation with the other endpoints
OTHERS_RETRY_PERCENT = 10  # a shared machine: a run is made again if other work took this much CPU
CELL_TRIES = 3
WARM_SECONDS = 1
REDIS_PASS_REQUESTS = 200
BURST_REQUESTS = 1000
BURST_CLIENTS = 32
BURST_LIMIT_SECONDS = 120
EMPTY_JOBS = 1000
SMS_RATE_CAP = 3000  # texts per second the unique-MessageSid files are sized for
CALL_FILE_REQUESTS = 2000  # calls may reuse a CallSid: those steps keep nothing per call
PREFIX = Settings.key_prefix
QUEUE = Settings.queue_name
OPEN_KEY = callback_store.open_key(Settings())

TARGET_RATIO = 0.7
TARGET_P99_MS = 100
TARGET_P99_CLIENTS = 32
TARGET_ROUND_TRIPS = 3
TARGET_WEB_MIB = 80

WEBHOOKS = {
    "sms": ("/sms/incoming  SCHOOL", tr.sms_keyword),
    "call": ("/ivr/incoming", tr.call_incoming),
    "menu": ("/ivr/menu     school", tr.menu_step),
}
# Measured for Redis only (not for throughput): the busiest voice step that counts for the reports.
REDIS_ONLY = {"choice": ("/ivr/menu-choice 4", tr.menu_choice)}
REPORT_WRITER_WAIT_SECONDS = 3  # > EVENTS_FLUSH_SECONDS (2): a pass's report counts are written within it


@dataclass
class Bench:
    """One run: its folder, environment, servers and the figures collected."""

    tmp: Path
    env: dict
    web_port: int
    bare_port: int
    token: str
    run_id: int = field(default_factory=lambda: secrets.randbits(32))
    next_index: int = 0
    cells: dict = field(default_factory=dict)
    redis_use: dict = field(default_factory=dict)
    memory: list = field(default_factory=list)
    other_cpu: dict = field(default_factory=dict)
    load_before: float = field(default_factory=lambda: os.getloadavg()[0])
    notes: list = field(default_factory=list)

    @property
    def host(self) -> str:
        """Where the service listens (the Host header of every request)."""
        return f"127.0.0.1:{self.web_port}"

    def signer(self) -> tr.Signer:
        """Signs as Twilio would for this run's token and public URL."""
        return tr.Signer(self.token, self.env["PUBLIC_BASE_URL"])

    def requests(self, make, n: int) -> list[tr.Req]:
        """n requests of one kind, each with a sid never used before in this run."""
        signer, start = self.signer(), self.next_index
        self.next_index += n
        return [make(signer, self.run_id, i) for i in range(start, start + n)]

    def file(self, name: str, reqs: list[tr.Req]) -> Path:
        """Write requests for wrk into this run's folder."""
        return tr.write_requests(self.tmp / f"{name}.req", reqs, self.host)


def environment(tmp: Path, redis_url: str, web_port: int, token: str) -> dict:
    """The service's settings for the bench: local mode, outbox, fresh Redis, fixed clock."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "HELPLINE_", "REDIS_"))}
    env.update(HELPLINE_ENV="local", DATA_DIR=str(tmp / "data"), REDIS_URL=redis_url, HOST="127.0.0.1",
               PORT=str(web_port), PUBLIC_BASE_URL=f"http://127.0.0.1:{web_port}", TWILIO_AUTH_TOKEN=token,
               HELPLINE_NOW=NOW, PYTHONDONTWRITEBYTECODE="1",
               PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    return env


# --- phases ----------------------------------------------------------------------------


def warm_up(b: Bench) -> None:
    """Load every code path in every worker before anything is measured."""
    for name, (_, make) in WEBHOOKS.items():
        load.run_wrk(f"http://{b.host}", b.file(f"warm-{name}", b.requests(make, 3000)), 32, WARM_SECONDS)
    load.run_wrk(f"http://127.0.0.1:{b.bare_port}", bare_file(b, "warm-bare", 3000), 32, WARM_SECONDS)


def bare_file(b: Bench, name: str, n: int) -> Path:
    """Texts as the service gets them (signed, unique sids), posted to the bare endpoint instead."""
    reqs = [tr.Req(BARE_PATH, q.form, q.headers) for q in b.requests(tr.sms_keyword, n)]
    return b.file(name, reqs)


def post_all(port: int, reqs: list[tr.Req]) -> None:
    """Send requests one after another on one keep-alive connection; each must get 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for req in reqs:
        conn.request("POST", req.path, body=tr.urlencode(req.form), headers=req.headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{req.path} answered {response.status}")
    conn.close()


def measure_redis(b: Bench, r: redis.Redis) -> None:
    """Commands and round trips per webhook: a fixed number, one at a time, nothing else running."""
    for name, (_, make) in {**WEBHOOKS, **REDIS_ONLY}.items():
        reqs = b.requests(make, REDIS_PASS_REQUESTS)
        before = redis_stats.snapshot(r)
        post_all(b.web_port, reqs)
        time.sleep(REPORT_WRITER_WAIT_SECONDS)  # the report counts a webhook keeps in memory count too
        b.redis_use[name] = (redis_stats.usage(before, redis_stats.snapshot(r)), REDIS_PASS_REQUESTS)


def throughput(b: Bench, seconds: float, pids: list[int]) -> None:
    """Every webhook and the bare endpoint at each number of clients, in short turns.

    The machine's speed drifts (other virtual machines on the host take turns), so each cell is
    CELL_PARTS short runs taken in rotation with the other endpoints, and the ratio to the bare
    endpoint compares runs made over the same stretch of time. Every run opens new connections
    (gunicorn's workers split keep-alive connections unevenly, fixed for a run) and gets new
    requests, so no MessageSid is ever sent twice.
    """
    part = max(1, round(seconds / CELL_PARTS))
    files = {"bare": lambda: bare_file(b, "part-bare", CALL_FILE_REQUESTS)}
    files |= {name: part_file(b, name, make, part) for name, (_, make) in WEBHOOKS.items()}
    for clients in CLIENTS:
        parts = {name: [] for name in files}
        for _ in range(CELL_PARTS):
            for name, make_file in files.items():
                port = b.bare_port if name == "bare" else b.web_port
                parts[name].append(measured(f"http://127.0.0.1:{port}", make_file, clients, part, pids))
        for name, runs in parts.items():
            b.cells[(name, clients)] = replace(load.merge(runs), other_cpu=max(r.other_cpu for r in runs))
        progress(f"  {clients} clients done")


def part_file(b: Bench, name: str, make, seconds: int):
    """Makes the request file for one short run: texts need one MessageSid per request sent."""
    n = SMS_RATE_CAP * seconds if name == "sms" else CALL_FILE_REQUESTS
    return lambda: b.file(f"part-{name}", b.requests(make, n))


def measured(url: str, make_file, clients: int, seconds: int, pids: list[int]) -> load.LoadResult:
    """One run with the share of the machine other processes took meanwhile; again if that was a lot."""
    tries = []
    while len(tries) < CELL_TRIES and (not tries or tries[-1].other_cpu > OTHERS_RETRY_PERCENT):
        path = make_file()
        meter = stack.OtherCpu(pids)
        result = load.run_wrk(url, path, clients, seconds)
        tries.append(replace(result, other_cpu=meter.percent()))
    return min(tries, key=lambda r: r.other_cpu)


def callback_burst(b: Bench, r: redis.Redis):
    """1,000 callback requests through /ivr/callback/save with the worker stopped; what was stored.

    1,000 consecutive indices give each of the 1,000 drama-range mobile numbers exactly once.
    Time to store: from starting wrk until Redis's open queue holds all of them.
    """
    path = b.file("burst", b.requests(tr.callback_save, BURST_REQUESTS))
    before = redis_stats.snapshot(r)
    start = time.monotonic()
    wrk = load.start_once(f"http://{b.host}", path, BURST_CLIENTS, BURST_LIMIT_SECONDS)
    stored_in, polls = wait_until(lambda: r.zcard(OPEN_KEY) >= BURST_REQUESTS, BURST_LIMIT_SECONDS, start)
    result = load.stop_wrk(wrk)
    use = redis_stats.usage(before, redis_stats.snapshot(r)).without("zcard", polls)
    b.redis_use["save"] = (use, BURST_REQUESTS)
    return result, stored_in, burst.stored_requests(r, PREFIX, QUEUE)


def wait_until(done, limit_seconds: float, start: float) -> tuple[float, int]:
    """Poll every 5 ms: (seconds since `start` when done() first held, or the limit; polls made)."""
    polls = 1
    while not done() and time.monotonic() - start < limit_seconds:
        time.sleep(0.005)
        polls += 1
    return time.monotonic() - start, polls


def confirmations(r: redis.Redis, raw: redis.Redis, stored: burst.Stored) -> burst.Sent:
    """Wait for the worker to send one confirmation per stored request (it was started just now)."""
    sent, waited = burst.wait_for_confirmations(r, PREFIX, stored.requests, timeout=600)
    return burst.sent_summary(r, raw, PREFIX, stored.ids, sent, waited)


def peaks(label: str, pids: list[int]) -> list[tuple[str, int, int | None]]:
    """(label, VmHWM KiB, VmRSS KiB) for processes still running."""
    return [(f"{label} pid {pid}", kib, stack.status_kib(pid, "VmRSS")) for pid in pids
            if (kib := stack.peak_kib(pid)) is not None]


def web_memory(label: str, master: int) -> list[tuple[str, int, int | None]]:
    """The gunicorn master and each of its workers."""
    return peaks(f"{label} master", [master]) + peaks(f"{label} worker", stack.children(master))


def worker_memory(watch: stack.PeakWatcher, worker_pid: int) -> list[tuple[str, int, int | None]]:
    """The rq worker, its scheduler (long-lived child) and its work horses (one short-lived fork per job)."""
    rows = [(f"rq worker pid {worker_pid}", watch.peaks.get(worker_pid, 0), stack.status_kib(worker_pid, "VmRSS"))]
    kids = {p: k for p, k in watch.peaks.items() if p != worker_pid}
    lived = {p: watch.seen[p][1] - watch.seen[p][0] for p in kids}
    longest = max(lived, key=lived.get, default=None)
    if longest is not None and lived[longest] > 5:
        rows.append((f"rq scheduler pid {longest}", kids.pop(longest), stack.status_kib(longest, "VmRSS")))
    if kids:
        rows.append((f"rq work horses (max of {len(kids)} sampled)", max(kids.values()), None))
    return rows


# --- report ----------------------------------------------------------------------------


def machine() -> str:
    """CPUs, CPU model, RAM and Python version."""
    model = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                  if l.startswith("model name")), platform.processor() or "?")
    mem_kib = int(next(l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")))
    return (f"{os.cpu_count()} CPUs ({model}), {mem_kib / 1024 / 1024:.1f} GiB RAM, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def verdict(ok: bool) -> str:
    """MET or NOT MET."""
    return "MET" if ok else "NOT MET"


def print_header(b: Bench, r: redis.Redis, seconds: float) -> None:
    """What ran, where, and how it was loaded."""
    import gunicorn
    import rq

    print(f"\nSEND helpline responder: make bench, {dt.date.today().isoformat()}")
    print(f"machine   {machine()}")
    print(f"server    {stack.expand(stack.procfile_command('web'), b.env)}")
    print(f"          gunicorn {gunicorn.__version__}; the bare endpoint is bench/bare_app.py on the same line")
    print(f"redis     {r.info('server')['redis_version']}, fresh for this run (unix socket, no persistence); "
          f"worker: rq {rq.__version__}, `{stack.procfile_command('worker')}`")
    print(f"load      {load.wrk_version()}, {load.THREADS} thread, keep-alive, closed loop; {seconds:g} s per cell: "
          f"{CELL_PARTS} runs with new connections, in turn with the other endpoints; {WARM_SECONDS} s warm-up each")
    print(f"clock     HELPLINE_NOW={NOW} (Sunday: line closed, inside the sending window); outbox sender")
    print(f"machine load before the run: {b.load_before:.2f} (1-minute load average)")


def print_throughput(b: Bench) -> None:
    """One row per endpoint and number of clients, beside the bare endpoint."""
    print("\nThroughput and latency (every request has its own sid; texts rotate over 16,000 drama-range numbers)")
    print(f"  {'endpoint':<24}{'clients':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'x bare':>8}"
          f"{'others':>8}")
    for clients in CLIENTS:
        bare = b.cells[("bare", clients)]
        rows = [("bare constant TwiML", bare)] + [(WEBHOOKS[n][0], b.cells[(n, clients)]) for n in WEBHOOKS]
        for label, got in rows:
            ratio = got.rps / bare.rps if bare.rps else 0
            print(f"  {label:<24}{clients:>8}{got.rps:>9.0f}{got.p50_ms:>9.1f}{got.p99_ms:>9.1f}"
                  f"{got.errors:>8}{ratio:>8.2f}{got.other_cpu:>7.0f}%")
            if got.laps and label == WEBHOOKS["sms"][0]:
                b.notes.append(f"{label} at {clients} clients reused request ids ({got.laps} laps)")
    print(f"  (others: the most CPU that processes outside the bench used during one of the cell's runs, as a "
          f"share of the machine; a run over {OTHERS_RETRY_PERCENT}% is made again, up to {CELL_TRIES} times)")


def print_redis(b: Bench) -> None:
    """Commands and round trips per webhook, with the commands named."""
    print("\nRedis per webhook (INFO commandstats / total_reads_processed; worker stopped)")
    print(f"  {'webhook':<24}{'n':>6}{'commands':>10}{'round trips':>13}  commands per request")
    labels = {**{n: label for n, (label, _) in {**WEBHOOKS, **REDIS_ONLY}.items()}, "save": "/ivr/callback/save"}
    for name, (use, n) in b.redis_use.items():
        cmds, trips = use.per(n)
        how = "one at a time" if name != "save" else f"burst, {BURST_CLIENTS} clients"
        extra = f"; {use.connections} new connections" if use.connections else ""
        print(f"  {labels[name]:<24}{n:>6}{cmds:>10.2f}{trips:>13.2f}  {use.breakdown(n)} ({how}{extra})")
    print("  (commands include those a Lua script runs inside Redis; a pipeline is one round trip)")
    print("  (and the managers' report counts, HINCRBY/PFADD/EXPIREAT: for texts and calls alike, each web process's\n"
          f"   writer thread every EVENTS_FLUSH_SECONDS, within the {REPORT_WRITER_WAIT_SECONDS} s each pass waits)")


def print_memory(b: Bench) -> None:
    """Peak and current resident memory of every process."""
    print("\nPeak memory (VmHWM from /proc/PID/status at the end of the run; VmRSS then)")
    print(f"  {'process':<44}{'peak MiB':>9}{'now MiB':>9}")
    for label, kib, now in b.memory:
        print(f"  {label:<44}{kib / 1024:>9.1f}{'' if now is None else f'{now / 1024:.1f}':>9}")


def print_burst(result: load.LoadResult, stored_in: float, stored: burst.Stored, sent: burst.Sent,
                empty: tuple[float, float], others: dict) -> None:
    """The burst: stored, duplicates, time to store; then the worker's sending beside rq's own rate."""
    span, wall = empty
    send = sent.first_start_to_last_end
    print(f"\nCallback burst: {BURST_REQUESTS} requests to /ivr/callback/save (texts welcome, so each queues a "
          f"confirmation), {BURST_CLIENTS} clients, worker stopped")
    print(f"  stored               {stored.requests}  (distinct numbers {stored.distinct_phones}, "
          f"distinct CallSids {stored.distinct_sids}, jobs queued {stored.queued_jobs})")
    print(f"  duplicates           {stored.duplicates}")
    print(f"  time to store        {stored_in:.2f} s  ({stored.requests / stored_in:.0f}/s; p50 {result.p50_ms:.1f} ms, "
          f"p99 {result.p99_ms:.1f} ms, errors {result.errors}; others {others['burst']:.0f}%)")
    print("Then the Procfile's worker started (rq's Worker: one forked work horse per job):")
    print(f"  texts sent           {sent.texts}  (to {sent.distinct_phones} numbers, duplicates {sent.duplicates}; "
          f"the outbox list keeps the newest {sent.outbox_entries})")
    print(f"  time to send         {send:.1f} s from rq's first job start to its last job end: {sent.jobs} jobs "
          f"(confirmation, then delivery), {sent.jobs / send:.0f} jobs/s, {1000 * send / sent.jobs:.0f} ms a job; "
          f"{sent.wall_seconds:.1f} s from worker start; others {others['send']:.0f}%")
    print(f"  rq, empty job        {EMPTY_JOBS} jobs in {span:.1f} s: {EMPTY_JOBS / span:.0f} jobs/s, "
          f"{1000 * span / EMPTY_JOBS:.0f} ms a job, same worker; others {others['empty']:.0f}%")


def targets(b: Bench, stored: burst.Stored, sent: burst.Sent) -> list[tuple[str, str, bool]]:
    """(target, measured, met?) for each target of the issue."""
    rows = []
    for name, (label, _) in WEBHOOKS.items():
        ratios = [b.cells[(name, c)].rps / b.cells[("bare", c)].rps for c in CLIENTS]
        rows.append((f"{label.split()[0]}: >= {TARGET_RATIO} x bare req/s",
                     " / ".join(f"{x:.2f}" for x in ratios) + f" at {'/'.join(map(str, CLIENTS))}",
                     min(ratios) >= TARGET_RATIO))
    for name, (label, _) in WEBHOOKS.items():
        p99 = b.cells[(name, TARGET_P99_CLIENTS)].p99_ms
        rows.append((f"{label.split()[0]}: p99 < {TARGET_P99_MS} ms at {TARGET_P99_CLIENTS}", f"{p99:.1f} ms",
                     p99 < TARGET_P99_MS))
    labels = {**{n: label.split()[0] for n, (label, _) in {**WEBHOOKS, **REDIS_ONLY}.items()},
              "save": "/ivr/callback/save"}
    for name, (use, n) in b.redis_use.items():
        trips = use.per(n)[1]
        rows.append((f"{labels[name]}: <= {TARGET_ROUND_TRIPS} Redis round trips", f"{trips:.2f}",
                     trips <= TARGET_ROUND_TRIPS))
    web = [kib for label, kib, _ in b.memory if label.startswith("web ")]
    rows.append((f"each web process < {TARGET_WEB_MIB} MB (VmHWM)", f"largest {max(web) / 1024:.1f} MiB",
                 max(web) / 1024 < TARGET_WEB_MIB))
    rows.append((f"burst: {BURST_REQUESTS} stored", str(stored.requests), stored.requests == BURST_REQUESTS))
    rows.append(("burst: 0 duplicates (requests, texts)", f"{stored.duplicates}, {sent.duplicates}",
                 stored.duplicates == 0 and sent.duplicates == 0))
    rows.append((f"burst: {BURST_REQUESTS} confirmations sent", str(sent.texts), sent.texts == BURST_REQUESTS))
    return rows


def print_targets(rows: list[tuple[str, str, bool]]) -> None:
    """Each target with what was measured and MET / NOT MET."""
    print("\nTargets")
    for target, measured, ok in rows:
        print(f"  {target:<44}{measured:<32}{verdict(ok)}")
    missed = sum(not ok for *_, ok in rows)
    print(f"\n{len(rows) - missed} of {len(rows)} targets met" + (f"; {missed} NOT MET" if missed else ""))


# --- main ------------------------------------------------------------------------------


def progress(message: str) -> None:
    """Where the run is (stderr, so stdout is only the figures)."""
    print(message, file=sys.stderr, flush=True)


def redis_pid(tmp: Path) -> int:
    """The bench's redis-server (it writes its pid file in its folder)."""
    return int((tmp / "redis" / "redis.pid").read_text())


def start_web(b: Bench, stack_: ExitStack, spec: str, port: int, name: str) -> subprocess.Popen:
    """gunicorn with the Procfile's web line, all its workers up."""
    env = dict(b.env, PORT=str(port))
    proc = stack.start(stack.web_command(spec), env, b.tmp / f"{name}.log")
    stack_.callback(stack.stop, proc)
    stack.wait_for_http(f"http://127.0.0.1:{port}/healthz", proc)
    stack.wait_for_children(proc.pid, int(b.env.get("WEB_CONCURRENCY") or 2))
    return proc


def main(argv: list[str] | None = None) -> int:
    """Run every phase and print the figures beside the targets."""
    import connections

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=CELL_SECONDS, help="length of each throughput cell")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, request files)")
    args = parser.parse_args(argv)
    load.require_wrk()
    tmp = Path(tempfile.mkdtemp(prefix="helpline-bench-"))
    token = secrets.token_hex(16)
    with ExitStack() as stack_:
        if not args.keep:
            stack_.callback(shutil.rmtree, tmp, ignore_errors=True)
        # No snapshots or append-only file: in production Redis has a host of its own, so its disk
        # work would only steal this machine's two cores from the service under test.
        redis_url = connections.start_embedded_redis(tmp / "redis", persist=False)
        stack_.callback(connections.stop_embedded_redis, tmp / "redis")
        web_port, bare_port = stack.free_port(), stack.free_port()
        b = Bench(tmp, environment(tmp, redis_url, web_port, token), web_port, bare_port, token)
        r = redis.Redis.from_url(redis_url, decode_responses=True)
        raw = redis.Redis.from_url(redis_url)

        progress("starting gunicorn twice (the service, the bare endpoint) ...")
        web = start_web(b, stack_, stack.APP_SPEC, web_port, "web")
        bare = start_web(b, stack_, stack.BARE_SPEC, bare_port, "bare")
        progress("warming up ...")
        warm_up(b)
        progress("counting Redis commands per webhook ...")
        measure_redis(b, r)
        progress(f"throughput: {len(CLIENTS)} x 4 cells of {args.seconds:g} s ...")
        ours = [web.pid, bare.pid, redis_pid(tmp)]
        throughput(b, args.seconds, ours)

        progress("callback burst ...")
        meter = stack.OtherCpu(ours)
        result, stored_in, stored = callback_burst(b, r)
        b.other_cpu["burst"] = meter.percent()
        progress("worker: sending the confirmations ...")
        worker = stack.start(stack.procfile_command("worker"), b.env, tmp / "worker.log")
        stack_.callback(stack.stop, worker)
        with stack.PeakWatcher(worker.pid) as watch:
            meter = stack.OtherCpu(ours + [worker.pid])
            sent = confirmations(r, raw, stored)
            b.other_cpu["send"] = meter.percent()
            progress("worker: empty jobs ...")
            meter = stack.OtherCpu(ours + [worker.pid])
            empty = burst.empty_jobs(raw, QUEUE, EMPTY_JOBS)
            b.other_cpu["empty"] = meter.percent()
        b.memory = (web_memory("web", web.pid) + web_memory("bare", bare.pid) + worker_memory(watch, worker.pid)
                    + peaks("redis-server", [redis_pid(tmp)]))

        print_header(b, r, args.seconds)
        print_throughput(b)
        print_redis(b)
        print_memory(b)
        print_burst(result, stored_in, stored, sent, empty, b.other_cpu)
        print_targets(targets(b, stored, sent))
        for note in b.notes:
            print(f"note: {note}")
        if args.keep:
            print(f"\nlogs and request files kept in {tmp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
