"""Redis's own statistics (INFO), turned into commands and round trips per webhook.

Commands: INFO commandstats, which also counts the commands a Lua script runs inside Redis.
Round trips: INFO stats total_reads_processed, the read events Redis handled. A client waits
for the answer after each write (a pipeline or MULTI/EXEC is one write), so on warm
connections one round trip is one read. Our own INFO calls are taken off both figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Snapshot:
    """Counters at one moment."""

    commands: Counter
    reads: int
    connections: int


@dataclass(frozen=True)
class Usage:
    """What happened between two snapshots, less our own INFO calls."""

    commands: Counter
    reads: int
    connections: int

    def without(self, command: str, calls: int) -> "Usage":
        """Take off our own calls made in between (one command and one read each)."""
        commands = self.commands - Counter({command: calls})
        return Usage(commands, self.reads - calls, self.connections)

    def per(self, n: int) -> tuple[float, float]:
        """(commands, round trips) per request."""
        return sum(self.commands.values()) / n, self.reads / n

    def breakdown(self, n: int) -> str:
        """'GET 2, SET 3, EXISTS 1' per request, most used first."""
        return ", ".join(f"{name.upper()} {calls / n:g}" for name, calls in self.commands.most_common()) or "none"


def snapshot(redis) -> Snapshot:
    """One INFO call: command counts, reads processed, connections accepted."""
    info = redis.info("all")
    commands = Counter({k.removeprefix("cmdstat_"): v["calls"] for k, v in info.items() if k.startswith("cmdstat_")})
    return Snapshot(commands, info["total_reads_processed"], info["total_connections_received"])


def usage(before: Snapshot, after: Snapshot) -> Usage:
    """The difference; the first INFO is in `after`'s counts and the second one's read too."""
    commands = after.commands - before.commands
    commands.pop("info", None)
    return Usage(commands, after.reads - before.reads - 1, after.connections - before.connections)
