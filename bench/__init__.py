"""`make bench`: throughput, latency, Redis use and memory of the real stack (see bench/run.py)."""
