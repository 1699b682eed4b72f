"""Managers' reports (pure): what the service counts, and the report and CSV made from the counts.

The counts are kept per London day as named fields (store/events.py keeps them in Redis). A
field says what happened, never who: no number, no words, no ids. The names are made here, so
the webhooks that count and the report that reads agree:

    contact:call:in | contact:call:out      a call, in or out of helpline hours
    contact:text:in | contact:text:out      a text conversation begun (a text from a line with no
                                            conversation kept: SMS_SESSION_TTL_SECONDS, a day)
    contact:known_line                      a contact from a line that is not withheld (repeat contacts)
    texts:in | texts:out                    every text received, in or out of hours
    route:<guidance node>                   a piece of guidance given (by phone or text)
    deadline:<kind>                         a deadline worked out (flows/content/deadline_kinds.toml)
    callback:asked:<call|text>              a new callback request; callback:again:<...> an ask added to one
    callback:outcome:<outcome>              a call made to a parent, by how it went
    callback:ended:<how>                    a request finished: reached, resolved_by_text, wrong_number,
                                            not_reached (no answer on three different helpline days)
    callback:wait:<n>                       helpline days from the request to its first call (20: 20 or more)
    callback:attempts:<n>                   calls a finished request took (10: 10 or more)
    safety:raised:<category>                a new safety concern; safety:outcome:<outcome> one closed,
                                            safety:outcome:no_answer a try that did not reach them
    optout:stop | optin:start               STOP or START texted; optout:carrier a text refused because
                                            the parent opted out with the phone company (Twilio 21610)
    not_through:<sms|call>:<status>         a message that did not get through (failed, undelivered,
                                            refused by our sending rules, unknown)

Each is counted on the day it happened: a request made in August and finished in September
counts as asked in August and finished in September. Repeat contacts are counted without
keeping numbers (store/events.py): "new lines" is how many lines got in touch for the first time
in the academic year within the period, so repeat contacts = contacts from known lines - new lines.

to_csv() writes a report for a spreadsheet: a cell that starts with = + - @, a tab or a carriage
return is prefixed with an apostrophe, so a word from the content files can never run as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Mapping

from flows.report_periods import Period, long_date

WAIT_CAP = 20
ATTEMPTS_CAP = 10
_SLUG = re.compile(r"[^a-z0-9_]+")


def slug(value: object) -> str:
    """A field part: lower case letters, digits and _ only (anything else could not be trusted)."""
    text = _SLUG.sub("_", str(value or "").strip().lower()).strip("_")[:40]
    return text or "other"


def _hours(in_hours: bool) -> str:
    return "in" if in_hours else "out"


# --- the fields ------------------------------------------------------------------------------

LINE_KNOWN = "contact:known_line"


def contact(channel: str, in_hours: bool) -> str:
    """A call ('call') or a text conversation begun ('text')."""
    return f"contact:{slug(channel)}:{_hours(in_hours)}"


def text_received(in_hours: bool) -> str:
    """Any text that reaches us."""
    return f"texts:{_hours(in_hours)}"


def route(node_id: str) -> str:
    """A piece of guidance given."""
    return f"route:{slug(node_id)}"


def deadline(kind: str) -> str:
    """A deadline worked out."""
    return f"deadline:{slug(kind)}"


def callback_asked(channel: str, *, again: bool = False) -> str:
    """A callback request by 'call' or 'text' (again: added to the line's open request)."""
    return f"callback:{'again' if again else 'asked'}:{slug(channel)}"


def callback_outcome(outcome: str, *, finished: bool, closing_text: bool, attempts: int,
                     waited: int | None) -> list[str]:
    """The fields for one outcome an adviser records: the call, the wait if it was the first,
    and how the request ended if it did."""
    fields = [f"callback:outcome:{slug(outcome)}"]
    if waited is not None:
        fields.append(f"callback:wait:{min(max(waited, 0), WAIT_CAP)}")
    if finished:
        fields.append(f"callback:ended:{'not_reached' if closing_text else slug(outcome)}")
        fields.append(f"callback:attempts:{min(max(attempts, 1), ATTEMPTS_CAP)}")
    return fields


def safety_raised(category: str) -> str:
    """A new safety concern of this kind."""
    return f"safety:raised:{slug(category)}"


def safety_outcome(outcome: str) -> str:
    """What was done about a concern (no_answer: a try that did not reach them)."""
    return f"safety:outcome:{slug(outcome)}"


def opt_change(opted_out: bool, source: str) -> str:
    """STOP, START, or an opt-out the phone company told us about."""
    if not opted_out:
        return "optin:start"
    return "optout:carrier" if "21610" in (source or "") else "optout:stop"


def not_through(kind: str, status: str) -> str:
    """A text or call that did not get through, by what happened."""
    return f"not_through:{slug(kind)}:{slug(status)}"


# --- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One measure: its total over the period, then one value per column (None: nothing to measure)."""

    label: str
    values: tuple
    style: str = "count"  # count | share (a fraction) | days | number (an average)

    @property
    def total(self):
        return self.values[0]


@dataclass(frozen=True)
class Section:
    """A part of the report (contacts, callbacks...), with a note on how it is counted."""

    key: str
    title: str
    rows: tuple[Row, ...]
    note: str = ""

    def row(self, label: str) -> Row:
        return next(r for r in self.rows if r.label == label)


@dataclass(frozen=True)
class Report:
    """A period's figures: the whole period, then its columns (months, weeks or days)."""

    period: Period
    columns: tuple[Period, ...]
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def total(self, key: str, label: str):
        """The period's figure for one measure (for tests and summaries)."""
        return self.section(key).row(label).total


@dataclass(frozen=True)
class Names:
    """Words for the fields whose last part comes from content (route ids, kinds, categories)."""

    routes: Mapping[str, str] = field(default_factory=dict)
    deadlines: Mapping[str, str] = field(default_factory=dict)
    safety_categories: Mapping[str, str] = field(default_factory=dict)
    safety_outcomes: Mapping[str, str] = field(default_factory=dict)


CALLBACK_OUTCOMES = {"reached": "Reached the parent", "no_answer": "No answer",
                     "left_voicemail": "Left a voicemail", "wrong_number": "Wrong number",
                     "resolved_by_text": "Resolved by text"}
ENDINGS = {"reached": "Reached the parent", "resolved_by_text": "Resolved by text",
           "wrong_number": "Wrong number", "not_reached": "Not reached: no answer on three different helpline days"}
NOT_THROUGH = {"failed": "failed", "undelivered": "not delivered by the phone company",
               "refused": "stopped by our sending rules", "unknown": "may not have been sent (fate unknown)"}
WAIT_BANDS = (("on the day they asked", 0, 0), ("after 1 helpline day", 1, 1),
              ("after 2 helpline days", 2, 2), ("after 3 to 5 helpline days", 3, 5),
              ("after more than 5 helpline days", 6, WAIT_CAP))


def totals(counts: Mapping[dt.date, Mapping[str, int]], start: dt.date, end: dt.date) -> Counter:
    """Every field summed over the days from start to end (inclusive)."""
    found: Counter = Counter()
    for day, fields in counts.items():
        if start <= day <= end:
            found.update({k: int(v) for k, v in fields.items()})
    return found


def _sum(c: Counter, prefix: str) -> int:
    return sum(v for k, v in c.items() if k.startswith(prefix))


def _histogram(c: Counter, prefix: str) -> Counter:
    found: Counter = Counter()
    for key, n in c.items():
        if key.startswith(prefix) and key[len(prefix):].isdigit():
            found[int(key[len(prefix):])] += n
    return found


def _mean(h: Counter) -> float | None:
    n = sum(h.values())
    return round(sum(k * v for k, v in h.items()) / n, 1) if n else None


def _median(h: Counter) -> float | None:
    values = sorted(h.elements())
    return float(statistics.median(values)) if values else None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


Measure = tuple[str, Callable[[Counter, int], object], str]


def _contacts() -> tuple[str, str, list[Measure], str]:
    return ("contacts", "Calls and texts", [
        ("All contacts (calls and text conversations)", lambda c, _: _sum(c, "contact:call:") + _sum(c, "contact:text:"), "count"),
        ("Calls in helpline hours", lambda c, _: c["contact:call:in"], "count"),
        ("Calls out of hours", lambda c, _: c["contact:call:out"], "count"),
        ("Text conversations begun in helpline hours", lambda c, _: c["contact:text:in"], "count"),
        ("Text conversations begun out of hours", lambda c, _: c["contact:text:out"], "count"),
        ("Texts received (every message)", lambda c, _: c["texts:in"] + c["texts:out"], "count"),
        ("Contacts out of hours (share)", lambda c, _: _share(c["contact:call:out"] + c["contact:text:out"],
                                                             _sum(c, "contact:call:") + _sum(c, "contact:text:")), "share"),
    ], "A text conversation is a text from a line with no conversation in progress (one is kept for a day). "
       "In hours means the line was staffed at that moment, by the helpline calendar.")


def _repeats() -> tuple[str, str, list[Measure], str]:
    return ("repeats", "Repeat contacts", [
        ("Contacts from a line already in touch this academic year", lambda c, new: max(c[LINE_KNOWN] - new, 0), "count"),
        ("Lines in touch for the first time this academic year", lambda c, new: new, "count"),
        ("Contacts from withheld numbers (not counted above)",
         lambda c, _: max(_sum(c, "contact:call:") + _sum(c, "contact:text:") - c[LINE_KNOWN], 0), "count"),
    ], "Counted without keeping numbers: each line is reduced to a keyed hash that changes every academic "
       "year, and only an estimate of how many different hashes were seen is kept (accurate to about 1%). "
       "Lines are never linked across academic years.")


def _looked_for(total: Counter, names: Names) -> tuple[str, str, list[Measure], str]:
    measures: list[Measure] = []
    for prefix, words, lead in (("route:", names.routes, "Guidance"), ("deadline:", names.deadlines, "Deadline")):
        keys = sorted((k for k in total if k.startswith(prefix)), key=lambda k: (-total[k], k))
        for key in keys:
            name = words.get(key[len(prefix):], key[len(prefix):].replace("_", " "))
            measures.append((f"{lead}: {name}", lambda c, _, key=key: c[key], "count"))
    if not measures:
        measures.append(("Guidance given or deadlines worked out", lambda c, _: 0, "count"))
    return ("looked_for", "What parents looked for", measures,
            "Guidance counts each route's page given, by phone or by text; deadlines count each answer worked out.")


def _callbacks() -> tuple[str, str, list[Measure], str]:
    measures: list[Measure] = [
        ("Callback requests by phone", lambda c, _: c["callback:asked:call"], "count"),
        ("Callback requests by text", lambda c, _: c["callback:asked:text"], "count"),
        ("Asked again (added to a request already waiting)", lambda c, _: _sum(c, "callback:again:"), "count"),
        ("Calls made to parents", lambda c, _: _sum(c, "callback:outcome:"), "count"),
    ]
    measures += [(f"Call outcome: {words}", lambda c, _, k=k: c[f"callback:outcome:{k}"], "count")
                 for k, words in CALLBACK_OUTCOMES.items()]
    measures.append(("Requests finished", lambda c, _: _sum(c, "callback:ended:"), "count"))
    measures += [(f"Finished: {words}", lambda c, _, k=k: c[f"callback:ended:{k}"], "count") for k, words in ENDINGS.items()]
    measures += [(f"First call {words}",
                  lambda c, _, lo=lo, hi=hi: sum(n for d, n in _histogram(c, "callback:wait:").items() if lo <= d <= hi),
                  "count") for words, lo, hi in WAIT_BANDS]
    measures += [
        ("Median wait for the first call (helpline days)", lambda c, _: _median(_histogram(c, "callback:wait:")), "days"),
        ("Average wait for the first call (helpline days)", lambda c, _: _mean(_histogram(c, "callback:wait:")), "days"),
        ("Average calls per finished request", lambda c, _: _mean(_histogram(c, "callback:attempts:")), "number"),
        ("Finished after one call", lambda c, _: _histogram(c, "callback:attempts:")[1], "count"),
        ("Finished after two calls", lambda c, _: _histogram(c, "callback:attempts:")[2], "count"),
        ("Finished after three or more calls",
         lambda c, _: sum(n for k, n in _histogram(c, "callback:attempts:").items() if k >= 3), "count"),
    ]
    return ("callbacks", "Callback requests", measures,
            "Each is counted on the day it happened. The wait is in helpline days (days the line is staffed): "
            "a call on the day of asking is 0, on the next helpline day 1.")


def _safety(total: Counter, names: Names) -> tuple[str, str, list[Measure], str]:
    measures: list[Measure] = [("Safety concerns raised", lambda c, _: _sum(c, "safety:raised:"), "count")]
    categories = list(names.safety_categories) + sorted(
        k[len("safety:raised:"):] for k in total if k.startswith("safety:raised:")
        and k[len("safety:raised:"):] not in names.safety_categories)
    measures += [(f"Raised: {names.safety_categories.get(cat, cat.replace('_', ' '))}",
                  lambda c, _, cat=cat: c[f"safety:raised:{cat}"], "count") for cat in categories]
    outcomes = list(names.safety_outcomes) + sorted(
        k[len("safety:outcome:"):] for k in total if k.startswith("safety:outcome:")
        and k[len("safety:outcome:"):] not in names.safety_outcomes and k != "safety:outcome:no_answer")
    measures += [(f"Outcome: {names.safety_outcomes.get(o, o.replace('_', ' '))}",
                  lambda c, _, o=o: c[f"safety:outcome:{o}"], "count") for o in outcomes]
    measures.append(("Tried, could not reach them (the concern stayed open)",
                     lambda c, _: c["safety:outcome:no_answer"], "count"))
    return ("safety", "Safety concerns", measures,
            "Raised when a parent's words suggest someone may be at risk (one concern per line while it is open).")


def _optouts() -> tuple[str, str, list[Measure], str]:
    return ("optouts", "Opt-outs", [
        ("Texted STOP (no more texts)", lambda c, _: c["optout:stop"], "count"),
        ("Texted START (texts again)", lambda c, _: c["optin:start"], "count"),
        ("Times a text found the parent opted out with the phone company", lambda c, _: c["optout:carrier"], "count"),
    ], "")


def _not_through() -> tuple[str, str, list[Measure], str]:
    measures: list[Measure] = [("Messages that did not get through", lambda c, _: _sum(c, "not_through:"), "count")]
    for kind, noun in (("sms", "Texts"), ("call", "Calls")):
        measures += [(f"{noun} {words}", lambda c, _, key=f"not_through:{kind}:{status}": c[key], "count")
                     for status, words in NOT_THROUGH.items()]
    return ("not_through", "Messages that did not get through", measures,
            "Texts and calls we sent to parents (confirmations, reminders, guidance) and to advisers' phones.")


def build(period: Period, columns: list[Period], counts: Mapping[dt.date, Mapping[str, int]],
          new_lines: Mapping[str, int], names: Names = Names()) -> Report:
    """The report: every measure for the whole period and for each column.

    `counts` holds each day's fields; `new_lines` the lines new this academic year within each
    period, by its `which` (the whole period's and each column's).
    """
    spans = [period, *columns]
    counters = [totals(counts, p.start, p.end) for p in spans]
    news = [int(new_lines.get(p.which, 0)) for p in spans]
    sections = []
    for key, title, measures, note in (_contacts(), _repeats(), _looked_for(counters[0], names), _callbacks(),
                                       _safety(counters[0], names), _optouts(), _not_through()):
        rows = tuple(Row(label, tuple(fn(c, n) for c, n in zip(counters, news)), style)
                     for label, fn, style in measures)
        sections.append(Section(key, title, rows, note))
    return Report(period, tuple(columns), tuple(sections))


# --- showing figures -------------------------------------------------------------------------


def shown(value, style: str = "count") -> str:
    """A figure as the page shows it: 12, 38%, 1.5; 'no data' when there is nothing to measure."""
    if value is None:
        return "no data"
    if style == "share":
        return f"{round(value * 100)}%"
    if style in ("days", "number"):
        return f"{value:g}"
    return f"{int(value):,}"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> object:
    """A value for a CSV cell: numbers as numbers; text that a spreadsheet could take for a
    formula (starting = + - @, tab or carriage return) prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_rows(report: Report) -> list[list]:
    """The report as rows: Section, Measure, the period's total, then one column per part."""
    p = report.period
    header = ["Section", "Measure", f"{p.label}: {long_date(p.start)} to {long_date(p.end)}",
              *(c.label for c in report.columns)]
    rows = [header]
    for section in report.sections:
        for row in section.rows:
            values = [round(v * 100, 1) if row.style == "share" and v is not None else v for v in row.values]
            label = row.label + (" (%)" if row.style == "share" else "")
            rows.append([section.title, label, *values])
    return [[safe_cell(cell) for cell in row] for row in rows]


def to_csv(report: Report) -> str:
    """The CSV text (with a byte-order mark, so a spreadsheet reads it as UTF-8)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)  # quotes any cell with a comma, quote or line break; CRLF line ends
    writer.writerows(csv_rows(report))
    return out.getvalue()
