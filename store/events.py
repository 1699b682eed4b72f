"""The counts behind the managers' reports, in Redis, written without slowing a webhook.

What is counted, and the field names, are flows/reports.py's: no field holds a number, words or
an id. Keys (no key name holds a phone number):

    events:day:<YYYY-MM-DD>     hash: field -> count, for one London day
    events:lines:<YYYY-MM-DD>   HyperLogLog of the lines that got in touch that day (repeat contacts)

Repeat contacts without keeping numbers: each contact's line (not withheld) is reduced to
HMAC-SHA256 under a secret for its academic year (store.keys.derived_secret, from the key-hash
secret and the year's name), so the hashes of one year cannot be matched with another's. Only a
HyperLogLog of them is kept: Redis keeps registers, not the hashes, and can only estimate how
many different lines there were (about 1% off; exact for a handful). The lines new in a period
are PFCOUNT over the year's days up to the period's end, less PFCOUNT up to the day before it.

Kept as long as a report needs them: every key expires on 1 September after the academic year
that is REPORT_YEARS (3) after its own, so the current year and the 3 before it can be reported.
Erasing a parent (flask data erase) has nothing to remove here.

Written without slowing a webhook: a webhook adds its counts to its process's Recorder (memory,
no Redis), and they reach Redis
  - from a thread each web process runs every EVENTS_FLUSH_SECONDS (2) while it has counts, and
    once more when the process exits, or
  - with no such thread (EVENTS_FLUSH_SECONDS 0, and Settings built in code, as in the tests), in
    the round trip a text's webhook already makes (sms/views.py: conversations.save).
So /sms/incoming and every voice webhook make no extra round trip. A process killed outright
loses at most the last 2 seconds of its counts. Staff actions and worker jobs, where a round trip
does not matter, write at once (write_now) or inside their own transaction (write).
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import hmac
import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from redis import RedisError

from flows import reports
from flows.report_periods import Period, academic_parts, academic_year_start, year_of
from flows.phone import WITHHELD, normalise_line
from store.keys import derived_secret

log = logging.getLogger("helpline.events")
LONDON = ZoneInfo("Europe/London")
MAX_PENDING_LINES = 20_000  # while Redis is away: beyond this, repeat-contact hashes are dropped (counts are not)
LINE_HASH_HEX = 16


def day_of(at: dt.datetime) -> dt.date:
    """The London day of a moment (naive moments are London time, as the clock gives them)."""
    return at.astimezone(LONDON).date() if at.tzinfo else at.date()


def day_key(settings, day: dt.date) -> str:
    return settings.key("events", "day", day.isoformat())


def lines_key(settings, day: dt.date) -> str:
    return settings.key("events", "lines", day.isoformat())


def expires_at(settings, day: dt.date) -> int:
    """When a day's counts go: 1 September after the academic year REPORT_YEARS after the day's own."""
    end = dt.datetime(academic_year_start(day) + settings.report_years + 1, 9, 1, tzinfo=LONDON)
    return int(end.timestamp())


def line_hash(settings, day: dt.date, phone: str) -> str | None:
    """The line as a hash for that academic year (None for a withheld number: not counted as a line)."""
    line = normalise_line(phone)
    if line == WITHHELD:
        return None
    secret = derived_secret(settings, "helpline repeat contacts " + year_of(day))
    return hmac.new(secret, line.encode(), hashlib.sha256).hexdigest()[:LINE_HASH_HEX]


@dataclass
class Pending:
    """Counts not yet in Redis: (day, field) -> n, and day -> line hashes."""

    counts: Counter = field(default_factory=Counter)
    lines: dict = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.counts) or bool(self.lines)

    def add(self, day: dt.date, fields, line: str | None = None) -> None:
        for name in fields:
            self.counts[(day, name)] += 1
        if line:
            self.lines.setdefault(day, set()).add(line)

    def merge(self, other: "Pending") -> None:
        self.counts.update(other.counts)
        for day, lines in other.lines.items():
            if sum(len(v) for v in self.lines.values()) < MAX_PENDING_LINES:
                self.lines.setdefault(day, set()).update(lines)


class Recorder:
    """One process's counts waiting for Redis (thread-safe; gunicorn's threads share it)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending = Pending()

    def add(self, day: dt.date, fields, line: str | None = None) -> None:
        with self._lock:
            self._pending.add(day, fields, line)

    def take(self) -> Pending:
        """Everything waiting (now the caller's to write, or to give back)."""
        with self._lock:
            pending, self._pending = self._pending, Pending()
        return pending

    def give_back(self, pending: Pending) -> None:
        """Counts whose write failed: kept for the next try."""
        with self._lock:
            self._pending.merge(pending)


def note(svc, at: dt.datetime, *fields: str) -> None:
    """Count something a webhook saw (kept in memory: no Redis now)."""
    svc.events.add(day_of(at), fields)


def contact(svc, at: dt.datetime, channel: str, phone: str) -> None:
    """Count a contact ('call', or 'text' for a conversation begun), in or out of hours, and its line."""
    day = day_of(at)
    line = line_hash(svc.settings, day, phone)
    fields = [reports.contact(channel, svc.calendar.is_open(at))] + ([reports.LINE_KNOWN] if line else [])
    svc.events.add(day, fields, line)


def write(pipe, settings, pending: Pending) -> None:
    """Add the commands that store `pending` to a pipeline (or MULTI) the caller sends."""
    days = set()
    for (day, name), n in sorted(pending.counts.items()):
        pipe.hincrby(day_key(settings, day), name, n)
        days.add(day)
    for day in sorted(days):
        pipe.expireat(day_key(settings, day), expires_at(settings, day))
    for day, lines in sorted(pending.lines.items()):
        if lines:
            pipe.pfadd(lines_key(settings, day), *sorted(lines))
            pipe.expireat(lines_key(settings, day), expires_at(settings, day))


def write_now(redis, settings, at: dt.datetime, *fields: str) -> None:
    """Count at once, in one round trip (staff actions and worker jobs)."""
    pending = Pending()
    pending.add(day_of(at), fields)
    pipe = redis.pipeline(transaction=False)
    write(pipe, settings, pending)
    pipe.execute()


def flush(svc) -> bool:
    """Write this process's waiting counts in one round trip; False (kept for later) if Redis is away."""
    pending = svc.events.take()
    if not pending:
        return True
    try:
        pipe = svc.connections.redis.pipeline(transaction=False)
        write(pipe, svc.settings, pending)
        pipe.execute()
        return True
    except RedisError as error:
        svc.events.give_back(pending)
        log.warning("report counts not written yet (Redis: %s); kept for the next try", type(error).__name__)
        return False


def flush_in_background(svc, every: float) -> threading.Event:
    """A daemon thread writing the counts every `every` seconds, and once more at exit; set() stops it."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            try:
                flush(svc)
            except Exception:  # never let the writer die: the next round tries again
                log.exception("writing report counts failed")

    threading.Thread(target=run, name="report-counts", daemon=True).start()
    atexit.register(flush, svc)
    return stop


# --- reading ---------------------------------------------------------------------------------


def read_days(redis, settings, days: list[dt.date]) -> dict[dt.date, dict[str, int]]:
    """Each day's counts (days with none are left out), in one round trip."""
    pipe = redis.pipeline(transaction=False)
    for day in days:
        pipe.hgetall(day_key(settings, day))
    found = {}
    for day, raw in zip(days, pipe.execute()):
        if raw:
            found[day] = {_s(k): int(v) for k, v in raw.items()}
    return found


def new_lines(redis, settings, periods: list[Period]) -> dict[str, int]:
    """How many lines got in touch for the first time in their academic year within each period,
    by the period's `which` (a period across 31 August adds up each year's part)."""
    asks: list[tuple[str, int, list[str]]] = []
    for period in periods:
        for _, start, end in academic_parts(period):
            year_start = dt.date(academic_year_start(start), 9, 1)
            upto = [lines_key(settings, year_start + dt.timedelta(days=i)) for i in range((end - year_start).days + 1)]
            before = upto[:(start - year_start).days]
            asks.append((period.which, 1, upto))
            if before:
                asks.append((period.which, -1, before))
    pipe = redis.pipeline(transaction=False)
    for _, _, keys in asks:
        pipe.pfcount(*keys)
    found: Counter = Counter({p.which: 0 for p in periods})
    for (which, sign, _), n in zip(asks, pipe.execute()):
        found[which] += sign * int(n)
    return {which: max(n, 0) for which, n in found.items()}


def _s(value) -> str:
    return value.decode() if isinstance(value, bytes) else value
