"""How fast and how big the safety detector is: ms per text and memory added to a process.

    .venv/bin/python -m bench.safety

Times flows.safety.assess() on every text of tests/corpus (median and worst, first read and again),
on a 1,600-character text with the crisis in the middle, and on one with none; then, in a fresh
Python, the memory that importing flows.safety and loading safety.toml and the model (flows/safety_model.py)
adds (RSS and tracemalloc).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

LONG_PAD = ("We had the annual review last week and the school still has not sent the paperwork, "
            "so I would like some advice on what to do next about his plan and the transport. ")
ROUNDS = 5


def _ms(fn, text: str) -> float:
    start = time.perf_counter()
    fn(text)
    return (time.perf_counter() - start) * 1000


def _long_text(crisis: str) -> str:
    pad = LONG_PAD * 5
    return (pad[:780] + " " + crisis + " " + pad)[:1600]


def timings() -> list[str]:
    from flows.safety import assess, load_safety
    from flows.safety_eval import read_corpora

    started = time.perf_counter()
    config = load_safety()
    load_ms = (time.perf_counter() - started) * 1000
    crisis, everyday = read_corpora(config=config)
    texts = [item.text for item in crisis] + everyday

    def run(text):
        return assess(text, config)

    first = [_ms(run, t) for t in texts]  # words not yet in the per-config cache
    again = [min(_ms(run, t) for _ in range(ROUNDS)) for t in texts]
    lines = [
        f"load and compile safety.toml: {load_ms:.0f} ms ({len(config.patterns)} patterns, "
        f"{len(config.exceptions)} exceptions)",
        f"corpus texts ({len(texts)}), first read: median {statistics.median(first):.3f} ms, "
        f"worst {max(first):.3f} ms",
        f"corpus texts ({len(texts)}), read again: median {statistics.median(again):.3f} ms, "
        f"worst {max(again):.3f} ms",
    ]
    for name, text in (("with a crisis in the middle", _long_text("and last night he said he wants to kill himself.")),
                       ("with no crisis", _long_text("and he is looking forward to the trip."))):
        assert len(text) == 1600
        once = _ms(run, text)
        best = min(_ms(run, text) for _ in range(ROUNDS * 4))
        lines.append(f"1,600-character text {name}: {once:.2f} ms first, {best:.2f} ms again")
    return lines


def _rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _measure_memory() -> None:
    """Run in a fresh Python: RSS and traced allocations before and after loading the detector."""
    import tracemalloc

    import flows.gsm7  # noqa: F401  (already loaded by any web process)

    before = _rss_kib()
    tracemalloc.start()
    from flows import safety

    safety.assess("I can't cope anymore, I want to end it")
    safety.assess("we had the annual review today and the school has still not sent the paperwork")  # the model too
    traced, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = _rss_kib()
    print(f"memory added by importing flows.safety, loading safety.toml and the model: RSS +{(after - before) / 1024:.1f} MiB, "
          f"Python allocations {traced / 2**20:.1f} MiB (peak {peak / 2**20:.1f} MiB), process RSS {after / 1024:.1f} MiB")


def memory() -> str:
    out = subprocess.run([sys.executable, "-m", "bench.safety", "--memory"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def main() -> None:
    if "--memory" in sys.argv:
        _measure_memory()
        return
    for line in timings():
        print(line)
    print(memory())


if __name__ == "__main__":
    main()
