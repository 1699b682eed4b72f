"""SEND deadlines: pure date arithmetic from the rules R1-R14 in shared/reference/deadline-rules.md.

Dates in, results out; `today` is always passed in (never read from the clock). Each calculator
returns a frozen `Deadline`. The domain logic records WHAT happened as `Phrase`s (a message key
plus values); the words live in flows/content/messages/deadlines.toml and are filled in only when
a channel asks (`text_summary()` for SMS, `spoken_parts()` for the phone).

Readings where the rules are open (also in the project README / report):

* Appeals (R1-R5): the later of the two raw end dates is taken first ("whichever is later"),
  then R5 (August / 25 Dec-1 Jan: first working day after 31 August / 1 January), then R4
  (non-working day: next working day). If R4 lands in August or the Christmas window (raw end
  Sat 31 July -> Mon 2 August), we also apply R5 but give the R4 day as a safe target, because
  a strict reading would not extend it.
* Regulation steps (R7-R9, R12-R14) never move; on a non-working day we show a safe target of
  the working day before.
* "Before 15 February" (R14) means the last day is 14 February; post-16 is "by 31 March".
* Discrimination claims (R11): 6 months "starting with" the conduct date ends the day before the
  corresponding date; where that month has no such day, the corresponding date is the month's
  last day (R2) and the claim ends the day before it (the earlier, safer of the two readings).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from flows.calendar_data import BankHolidays, bank_holidays
from flows.copy import Copy, load_copy
from flows.wording import long_date, ordinal, spoken_date
from flows.workingdays import (
    add_working_days,
    first_working_day_after,
    is_working_day,
    last_working_day_before,
    non_working_reason,
    on_or_next_working_day,
)

SMS_MAX_CHARS = 459  # three concatenated GSM-7 segments
TRIBUNAL_TIME = "5pm"  # R3: "on or by" a day means by 5pm


# ---------------------------------------------------------------------------------------------
# Words: a message key plus values, filled in per channel


@dataclass(frozen=True)
class Bare:
    """A date written without its weekday: "28 February 2026" / "the 28th of February 2026"."""

    day: dt.date


@dataclass(frozen=True)
class NoSuchDay:
    """A day a month does not have, e.g. 30 February 2026 (for R2's month-end clamp)."""

    day: int
    month: int
    year: int


def _written(value: object) -> object:
    if isinstance(value, NoSuchDay):
        return f"{value.day} {calendar.month_name[value.month]} {value.year}"
    if isinstance(value, Bare):
        return f"{value.day.day} {value.day:%B} {value.day.year}"
    if isinstance(value, dt.date):
        return long_date(value)
    return value


def _spoken(value: object) -> object:
    if isinstance(value, NoSuchDay):
        return f"the {ordinal(value.day)} of {calendar.month_name[value.month]} {value.year}"
    if isinstance(value, Bare):
        return f"the {ordinal(value.day.day)} of {value.day:%B} {value.day.year}"
    if isinstance(value, dt.date):
        return spoken_date(value, year=True)
    return value


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


@dataclass(frozen=True)
class Phrase:
    """One sentence to show a parent: a key in deadlines.toml and the values to fill in."""

    key: str
    values: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **values: object) -> Phrase:
        return cls(key, tuple(values.items()))

    def text(self, copy: Copy | None = None) -> str:
        """The SMS wording, dates written like "Monday 2 March 2026"."""
        copy = copy or load_copy()
        return _capital(copy.text(f"deadlines.{self.key}", **{k: _written(v) for k, v in self.values}))

    def say(self, copy: Copy | None = None) -> str:
        """The spoken wording, dates like "Monday the 2nd of March 2026"."""
        copy = copy or load_copy()
        return _capital(copy.say(f"deadlines.{self.key}", **{k: _spoken(v) for k, v in self.values}))


# ---------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True)
class Deadline:
    """One deadline: the date, how it was reached, and how to tell a parent about it.

    `actor` is who must act by the date: "you" (the parent) or "council" (the council or the
    mediation adviser). `tribunal` is True for Tribunal time limits (appeal, claim).
    """

    kind: str
    start: dt.date | None
    raw_date: dt.date
    date: dt.date
    actor: str
    headline_phrase: Phrase
    rule_phrase: Phrase
    counted_phrase: Phrase | None = None
    steps: tuple[Phrase, ...] = ()
    safe_target: dt.date | None = None
    safe_phrase: Phrase | None = None
    by_time: str | None = None
    today: dt.date | None = None
    late_key: str = "late_you"
    notes: tuple[Phrase, ...] = ()
    weekday: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekday", f"{self.date:%A}")

    # --- facts -------------------------------------------------------------------------------

    @property
    def has_passed(self) -> bool | None:
        """None when today was not given; otherwise True once the last day is over."""
        return None if self.today is None else self.today > self.date

    @property
    def days_left(self) -> int | None:
        """Calendar days from today to the date (negative once passed); None without today."""
        return None if self.today is None else (self.date - self.today).days

    # --- words (SMS versions) ----------------------------------------------------------------

    @property
    def rule(self) -> str:
        """Which rule, in plain words."""
        return self.rule_phrase.text()

    @property
    def adjustments(self) -> tuple[str, ...]:
        """Each change made to the date, and why, as plain sentences."""
        return tuple(p.text() for p in self.steps)

    @property
    def late_advice(self) -> str | None:
        """What to do now the date has passed (None if it has not, or today was not given)."""
        return Phrase.of(self.late_key).text() if self.has_passed else None

    @property
    def guide_note(self) -> str:
        """The standing note: a guide, not legal advice, and how to check it."""
        return Phrase.of("guide_note").text()

    def _status_phrase(self) -> Phrase | None:
        left = self.days_left
        if left is None:
            return None
        if left < 0:
            return Phrase.of("status_passed")
        if left == 0:
            return Phrase.of("status_today_by", time=self.by_time) if self.by_time else Phrase.of("status_today")
        if left == 1:
            return Phrase.of("status_tomorrow")
        return Phrase.of("status_days_left", days=left)

    def _pieces(self) -> list[tuple[int, Phrase]]:
        """(keep-priority, phrase) in reading order; lower priority is dropped first from a text."""
        pieces: list[tuple[int, Phrase]] = [(100, self.headline_phrase)]
        # The last step explains the final date, so it is the last to be dropped from a text.
        pieces.extend((40 + i, p) for i, p in enumerate(self.steps))
        if self.safe_phrase is not None:
            pieces.append((90, self.safe_phrase))
        status = self._status_phrase()
        if status is not None:
            pieces.append((60, status))
        if self.has_passed:
            pieces.append((95, Phrase.of(self.late_key)))
        if self.counted_phrase is not None:
            pieces.append((30, self.counted_phrase))
        pieces.append((20, self.rule_phrase))
        pieces.extend((10, p) for p in self.notes)
        pieces.append((100, Phrase.of("guide_note")))
        return pieces

    def text_summary(self, limit: int = SMS_MAX_CHARS) -> str:
        """A plain SMS (GSM-7, at most `limit` characters); least important sentences dropped first."""
        return _fit([(prio, p.text()) for prio, p in self._pieces()], limit, " ")

    def spoken_parts(self) -> list[str]:
        """Short sentences to read out on the phone, in order."""
        return [p.say() for _, p in self._pieces() if p != self.rule_phrase]


def _fit(pieces: list[tuple[int, str]], limit: int, sep: str) -> str:
    """Join pieces, dropping the lowest-priority (latest first) until the text fits `limit`."""
    kept = list(pieces)
    while len(sep.join(t for _, t in kept)) > limit:
        droppable = [i for i, (prio, _) in enumerate(kept) if prio < 100]
        if not droppable:
            raise ValueError("the essential sentences alone are longer than one text allows")
        lowest = min(kept[i][0] for i in droppable)
        drop = max(i for i in droppable if kept[i][0] == lowest)
        del kept[drop]
    return sep.join(t for _, t in kept)


# ---------------------------------------------------------------------------------------------
# Arithmetic


def add_months(day: dt.date, months: int) -> tuple[dt.date, bool]:
    """The corresponding date `months` later (R2) and whether it was clamped to the month end.

    add_months(31 Dec 2025, 2) == (28 Feb 2026, True).
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last)), day.day > last


def _in_appeal_break(day: dt.date) -> bool:
    """R5: August, or 25 December to 1 January inclusive."""
    return day.month == 8 or (day.month == 12 and day.day >= 25) or (day.month == 1 and day.day == 1)


def _after_appeal_break(day: dt.date, bh: BankHolidays) -> tuple[dt.date, str]:
    """The first working day after the break `day` is in, and which break ("august"/"christmas")."""
    if day.month == 8:
        return first_working_day_after(dt.date(day.year, 8, 31), bh), "august"
    new_year = day.year + 1 if day.month == 12 else day.year
    return first_working_day_after(dt.date(new_year, 1, 1), bh), "christmas"


def _month_end_step(asked_day: int, clamped: dt.date, key: str = "step_month_end") -> Phrase:
    when = NoSuchDay(asked_day, clamped.month, clamped.year)
    return Phrase.of(key, when=when, month=f"{clamped:%B}", date=clamped)


def tribunal_end(raw: dt.date, bh: BankHolidays) -> tuple[dt.date, tuple[Phrase, ...], dt.date | None]:
    """Move a Tribunal appeal's raw end date by R5, then R4: (date, steps, safe target or None)."""
    if _in_appeal_break(raw):
        date, which = _after_appeal_break(raw, bh)
        return date, (Phrase.of(f"step_{which}", day=raw, date=date),), None
    if is_working_day(raw, bh):
        return raw, (), None
    reason = non_working_reason(raw, bh)
    nxt = on_or_next_working_day(raw, bh)
    if _in_appeal_break(nxt):
        date, which = _after_appeal_break(nxt, bh)
        step = Phrase.of(f"step_rolled_into_{which}", day=Bare(raw), reason=reason, next=nxt, date=date)
        return date, (step,), nxt
    return nxt, (Phrase.of("step_next_working_day", day=Bare(raw), reason=reason, date=nxt),), None


def _bh(bh: BankHolidays | None) -> BankHolidays:
    return bank_holidays() if bh is None else bh


_SAFE_KEYS = {"you": "safe_target_you", "council": "safe_target_council", "claim": "safe_target_claim"}


def _regulation_date(
    kind: str,
    start: dt.date | None,
    raw: dt.date,
    *,
    actor: str,
    headline: str,
    rule: str,
    counted: Phrase | None,
    today: dt.date | None,
    bh: BankHolidays,
    steps: tuple[Phrase, ...] = (),
    notes: tuple[Phrase, ...] = (),
    late_key: str | None = None,
    by_time: str | None = None,
    safe_key: str | None = None,
) -> Deadline:
    """A date that never rolls forward: on a non-working day, add a safe target the day before."""
    safe = safe_phrase = None
    if not is_working_day(raw, bh):
        steps = steps + (Phrase.of("step_no_move", day=Bare(raw), reason=non_working_reason(raw, bh)),)
        safe = last_working_day_before(raw, bh)
        safe_phrase = Phrase.of(safe_key or _SAFE_KEYS[actor], date=safe)
    return Deadline(
        kind=kind,
        start=start,
        raw_date=raw,
        date=raw,
        actor=actor,
        headline_phrase=Phrase.of(headline, date=raw, time=by_time),
        rule_phrase=Phrase.of(rule),
        counted_phrase=counted,
        steps=steps,
        safe_target=safe,
        safe_phrase=safe_phrase,
        by_time=by_time,
        today=today,
        late_key=late_key or ("late_council" if actor == "council" else "late_you"),
        notes=notes,
    )


# ---------------------------------------------------------------------------------------------
# The calculators


def appeal_deadline(
    sent: dt.date,
    certificate: dt.date | None = None,
    school_only: bool = False,
    *,
    today: dt.date | None = None,
    bh: BankHolidays | None = None,
) -> Deadline:
    """SEND appeal to the Tribunal (R1-R5, R10): received by 5pm on the returned date.

    sent: the date the decision letter was sent (usually the date on it).
    certificate: the date the mediation certificate was issued, if any.
    school_only: the appeal is only about the school/institution named (no certificate needed,
    so a certificate date given is ignored and the result says so).
    """
    bh = _bh(bh)
    steps: list[Phrase] = []
    decision_end, clamped = add_months(sent, 2)
    if clamped:
        steps.append(_month_end_step(sent.day, decision_end))
    raw = decision_end
    if certificate is not None and school_only:
        steps.append(Phrase.of("step_certificate_ignored"))
    elif certificate is not None:
        cert_end, cert_clamped = add_months(certificate, 1)
        if cert_clamped:
            steps.append(_month_end_step(certificate.day, cert_end))
        if cert_end > decision_end:
            raw = cert_end
            steps.append(Phrase.of("step_certificate_later", cert_end=cert_end, decision_end=decision_end))
        elif cert_end < decision_end:
            steps.append(Phrase.of("step_decision_later", cert_end=cert_end, decision_end=decision_end))
        else:
            steps.append(Phrase.of("step_both_same", date=decision_end))
    date, moves, safe = tribunal_end(raw, bh)
    return Deadline(
        kind="appeal",
        start=sent,
        raw_date=raw,
        date=date,
        actor="you",
        headline_phrase=Phrase.of("headline_appeal", date=date, time=TRIBUNAL_TIME),
        rule_phrase=Phrase.of("rule_appeal_school_only" if school_only else "rule_appeal"),
        counted_phrase=Phrase.of("counted_from_decision", start=sent),
        steps=tuple(steps) + moves,
        safe_target=safe,
        safe_phrase=Phrase.of("safe_target_appeal_strict", date=safe) if safe else None,
        by_time=TRIBUNAL_TIME,
        today=today,
        late_key="late_appeal",
    )


def mediation_adviser_deadline(
    sent: dt.date, *, today: dt.date | None = None, bh: BankHolidays | None = None
) -> Deadline:
    """R7: contact the mediation adviser within 2 months after the decision was sent (never moves)."""
    bh = _bh(bh)
    raw, clamped = add_months(sent, 2)
    steps = (_month_end_step(sent.day, raw),) if clamped else ()
    return _regulation_date(
        "mediation_adviser", sent, raw, actor="you", headline="headline_mediation_adviser",
        rule="rule_mediation_adviser", counted=Phrase.of("counted_from_decision", start=sent),
        today=today, bh=bh, steps=steps,
    )


def mediation_certificate_deadline(
    event_date: dt.date, *, today: dt.date | None = None, bh: BankHolidays | None = None
) -> Deadline:
    """R8: certificate within 3 working days of declining mediation, mediation ending, or the LA
    saying it could not arrange it in time. Always a working day, so no safe target."""
    bh = _bh(bh)
    date = add_working_days(event_date, 3, bh)
    steps = []
    day = event_date + dt.timedelta(days=1)
    while day < date:
        if day.weekday() < 5 and day in bh:  # name skipped bank holidays; weekends need no word
            steps.append(Phrase.of("step_not_counted", day=Bare(day), reason=non_working_reason(day, bh)))
        day += dt.timedelta(days=1)
    return _regulation_date(
        "mediation_certificate", event_date, date, actor="council",
        headline="headline_mediation_certificate", rule="rule_mediation_certificate",
        counted=Phrase.of("counted_from_event", start=event_date), today=today, bh=bh, steps=tuple(steps),
    )


def mediation_meeting_deadline(
    told: dt.date, *, today: dt.date | None = None, bh: BankHolidays | None = None
) -> Deadline:
    """R9: the council must arrange mediation within 30 calendar days of being told."""
    return _regulation_date(
        "mediation_meeting", told, told + dt.timedelta(days=30), actor="council",
        headline="headline_mediation_meeting", rule="rule_mediation_meeting",
        counted=Phrase.of("counted_from_event", start=told), today=today, bh=_bh(bh),
    )


def ehc_assessment_deadlines(
    request_received: dt.date, *, today: dt.date | None = None, bh: BankHolidays | None = None
) -> tuple[Deadline, Deadline, Deadline]:
    """R12: (decide whether to assess: 6 weeks, decide not to issue a plan: 16, final plan: 20)."""
    bh = _bh(bh)
    counted = Phrase.of("counted_from_request", start=request_received)
    notes = (Phrase.of("ehc_exceptions"),)
    return tuple(  # type: ignore[return-value]
        _regulation_date(
            f"ehc_{name}", request_received, request_received + dt.timedelta(weeks=weeks),
            actor="council", headline=f"headline_ehc_{name}", rule=f"rule_ehc_{name}",
            counted=counted, today=today, bh=bh, notes=notes,
        )
        for name, weeks in (("assess", 6), ("no_plan", 16), ("final_plan", 20))
    )


def draft_plan_comments_deadline(
    served: dt.date, *, today: dt.date | None = None, bh: BankHolidays | None = None
) -> Deadline:
    """R12: comments on a draft plan within 15 days beginning with the day it was served (+14)."""
    return _regulation_date(
        "draft_comments", served, served + dt.timedelta(days=14), actor="you",
        headline="headline_draft_comments", rule="rule_draft_comments",
        counted=Phrase.of("counted_from_event", start=served), today=today, bh=_bh(bh),
    )


def annual_review_deadlines(
    meeting: dt.date, *, today: dt.date | None = None, bh: BankHolidays | None = None
) -> tuple[Deadline, Deadline]:
    """R13: (review report within 2 weeks of the meeting, council decision within 4 weeks)."""
    bh = _bh(bh)
    counted = Phrase.of("counted_from_meeting", start=meeting)
    return tuple(  # type: ignore[return-value]
        _regulation_date(
            f"review_{name}", meeting, meeting + dt.timedelta(weeks=weeks), actor="council",
            headline=f"headline_review_{name}", rule=f"rule_review_{name}", counted=counted,
            today=today, bh=bh,
        )
        for name, weeks in (("report", 2), ("decision", 4))
    )


def amended_plan_deadline(
    proposed_amendments: dt.date, *, today: dt.date | None = None, bh: BankHolidays | None = None
) -> Deadline:
    """R13: final amended plan within 8 weeks of the proposed amendments being sent."""
    return _regulation_date(
        "amended_plan", proposed_amendments, proposed_amendments + dt.timedelta(weeks=8),
        actor="council", headline="headline_amended_plan", rule="rule_amended_plan",
        counted=Phrase.of("counted_from_event", start=proposed_amendments), today=today, bh=_bh(bh),
    )


def phase_transfer_deadline(
    year_of_transfer: int, post16: bool = False, *, today: dt.date | None = None,
    bh: BankHolidays | None = None,
) -> Deadline:
    """R14: plan reviewed and amended before 15 February (last day 14 February) of the calendar
    year of the move; for secondary to post-16, by 31 March (31 March itself counts)."""
    date = dt.date(year_of_transfer, 3, 31) if post16 else dt.date(year_of_transfer, 2, 14)
    return _regulation_date(
        "phase_transfer", None, date, actor="council", headline="headline_phase_transfer",
        rule="rule_phase_transfer_post16" if post16 else "rule_phase_transfer", counted=None,
        today=today, bh=_bh(bh),
    )


def discrimination_claim_deadline(
    conduct: dt.date, *, today: dt.date | None = None, bh: BankHolidays | None = None
) -> Deadline:
    """R11: disability discrimination claim within 6 months starting with the conduct date.

    The last day is the day before the corresponding date (clamped to the month end when that
    month is shorter). It never rolls forward; on a non-working day the safe target is the
    working day before.
    """
    bh = _bh(bh)
    corresponding, clamped = add_months(conduct, 6)
    raw = corresponding - dt.timedelta(days=1)
    steps = (_month_end_step(conduct.day, raw, "step_month_end_claim"),) if clamped else ()
    return _regulation_date(
        "discrimination_claim", conduct, raw, actor="claim", headline="headline_discrimination",
        rule="rule_discrimination", counted=Phrase.of("counted_from_conduct", start=conduct),
        today=today, bh=bh, steps=steps, late_key="late_claim", by_time=TRIBUNAL_TIME,
    )


# ---------------------------------------------------------------------------------------------
# Several dates in one text


_LIST_HEADINGS = {"ehc": "list_heading_ehc", "review": "list_heading_review"}


def list_text_summary(results: tuple[Deadline, ...] | list[Deadline], limit: int = SMS_MAX_CHARS) -> str:
    """One SMS for a set of related dates (ehc_assessment_deadlines, annual_review_deadlines)."""
    first = results[0]
    group = first.kind.split("_", 1)[0]
    lines = [(100, Phrase.of(_LIST_HEADINGS[group], start=first.start).text())]
    for r in results:
        lines.append((100, "- " + Phrase.of(f"list_item_{r.kind}", date=r.date).text()))
        if r.safe_phrase is not None:
            lines.append((40, "  " + r.safe_phrase.text()))
    if any(r.has_passed for r in results):
        lines.append((95, Phrase.of("list_some_passed").text()))
    for note in dict.fromkeys(n for r in results for n in r.notes):
        lines.append((10, note.text()))
    lines.append((100, Phrase.of("guide_note").text()))
    return _fit(lines, limit, "\n")
