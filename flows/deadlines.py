"""SEND deadlines: pure date arithmetic from the rules R1-R14 in shared/reference/deadline-rules.md.

Dates in, results out; `today` is always passed in (never read from the clock). Each calculator
returns a frozen `Deadline` (or a tuple of them, for a set of related dates). The domain logic
records WHAT happened as `Phrase`s (a message key plus values); the words live in
flows/content/messages/deadlines.toml and are filled in only when a channel asks
(`text_summary()` for SMS, `spoken_parts()` for the phone; `text_of()` and `spoken_of()` take
either a single result or a tuple).

Key fact first: an appeal's headline says the last day AND the mediation step in one go (in the
first 153 characters of the text, one spoken sentence): mediation advice and a certificate from
the mediation adviser are needed first, unless the appeal is only about the school or college
named (R10), or a certificate is already in hand. Every appeal result says a late appeal may
still be possible, whether or not the date has passed (a letter is often sent earlier than its
date suggests).

Readings where the rules are open (also in the project README / report):

* Appeals (R1-R5): the later of the two raw end dates is taken first ("whichever is later").
  R5 looks at the day the time ENDS ON: in August or 25 December-1 January, the appeal is in
  time on the first working day after 31 August / 1 January. Otherwise R4 alone: the next
  working day, even if that is in August or the Christmas break (Sat 31 July 2027 -> Mon 2
  August 2027; Sun 24 December 2028 -> Wed 27 December 2028). No further move, no safe target.
* Regulation steps (R7-R9, R12-R14 and the four below) never move; on a non-working day we show
  a safe target of the working day before.
* "Before 15 February" / "before 31 March" (R14, reg 18(1)) mean the last day is 14 February /
  30 March.
* Discrimination claims (R11): 6 months "starting with" the conduct date ends the day before the
  corresponding date; where that month has no such day, the corresponding date is the month's
  last day (R2) and the claim ends the day before it (the earlier, safer of the two readings).

Timescales the reference file does not cover, worked from the SEND Regulations 2014 (our
reading, marked [U]; the content says so for staff to confirm):

* [U] Final plan after a re-assessment: within 14 weeks of the council's notice that it will
  re-assess (reg 27(2), notice under reg 25(1)); counted from the date of that notice, usually
  the date on the council's letter. Same exceptions as R12 (reg 27(3)).
* [U] Comments on proposed amendments after a review: "at least 15 days, beginning with the day
  on which" they were served (reg 22(2)(c)): the day counts, so +14, as R12's draft plan. The
  final amended plan is then due 8 weeks after the proposed amendments were sent (R13, reg 22(3)).
* [U] Annual review notice and papers: at least 2 weeks' notice of the meeting, and the advice
  and information sent out at least 2 weeks before it (reg 20(3), (4); reg 21 the same): the
  last day is the meeting day minus 14 days (same weekday, two weeks earlier).
* [U] Post-16 to post-16 transfer at another time of year: the plan reviewed and amended "at
  least five months before" the move (reg 18(2)): the corresponding date 5 months before, or
  that month's last day if it has no such day. For a move on the last day of a short month
  (28 February) counting forward could allow a day or two later (30 September); we give the
  earlier day, as for R11.
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


def _written(value: object) -> object:
    if isinstance(value, Bare):
        return f"{value.day.day} {value.day:%B} {value.day.year}"
    if isinstance(value, dt.date):
        return long_date(value)
    return value


def _spoken(value: object) -> object:
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

    `actor` is who must act by the date: "you" (the parent), "claim" (the parent, a claim) or
    "council" (the council, the school or the mediation adviser). `lead` holds the sentences that
    belong with the headline (an appeal's mediation step); `explained` what its terms mean; `also` other dates worth knowing (the
    final amended plan after the parent's comments). `late_always`: say what to do if it is
    missed on every result, not only once the date has passed (appeals).
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
    lead: tuple[Phrase, ...] = ()
    explained: tuple[Phrase, ...] = ()
    also: tuple[Phrase, ...] = ()
    late_always: bool = False
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
    def shows_late(self) -> bool:
        """True when the result says what to do if the date is missed (always, for appeals)."""
        return self.late_always or bool(self.has_passed)

    @property
    def late_advice(self) -> str | None:
        """What to do if the date is missed: on every appeal, otherwise once it has passed."""
        return Phrase.of(self.late_key).text() if self.shows_late else None

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
        pieces.extend((96 - i, p) for i, p in enumerate(self.lead))
        pieces.extend((70, p) for p in self.explained)
        status = self._status_phrase()
        if status is not None:  # today, tomorrow or passed: as important as the date itself
            pieces.append((98 if self.days_left is not None and self.days_left <= 1 else 75, status))
        # The last step explains the final date, so it is the last to be dropped from a text.
        pieces.extend((40 + i, p) for i, p in enumerate(self.steps))
        if self.safe_phrase is not None:
            pieces.append((90, self.safe_phrase))
        if self.shows_late:
            pieces.append((97, Phrase.of(self.late_key)))
        pieces.extend((85 - i, p) for i, p in enumerate(self.also))
        if self.counted_phrase is not None:
            pieces.append((30, self.counted_phrase))
        pieces.append((20, self.rule_phrase))
        pieces.extend((10, p) for p in self.notes)
        pieces.append((100, Phrase.of("guide_note")))
        return pieces

    def text_summary(self, limit: int = SMS_MAX_CHARS, extras: tuple[tuple[int, str], ...] = ()) -> str:
        """A plain SMS (GSM-7, at most `limit` characters); least important sentences dropped first.

        extras: (priority, sentence) pairs a channel adds at the end (e.g. "Send REMIND ..."),
        dropped in turn with the rest by priority.
        """
        return _fit([(prio, p.text()) for prio, p in self._pieces()] + list(extras), limit, " ")

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
    """The corresponding date `months` later (R2; earlier if negative) and whether it was
    clamped to the month end.

    add_months(31 Dec 2025, 2) == (28 Feb 2026, True); add_months(31 Jul 2027, -5) == (28 Feb 2027, True).
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
    """ "February 2026 has no 30th day, so ...": reads the same written and spoken."""
    return Phrase.of(key, month=f"{clamped:%B %Y}", nth=ordinal(asked_day), date=clamped)


def tribunal_end(raw: dt.date, bh: BankHolidays) -> tuple[dt.date, tuple[Phrase, ...]]:
    """Move a Tribunal appeal's raw end date: R5 if the time ENDS ON a break day, else R4.

    R5 looks only at the day the time ends on, so a Saturday 31 July moves by R4 to Monday 2
    August and stays there: (date, steps that explain the move).
    """
    if _in_appeal_break(raw):
        date, which = _after_appeal_break(raw, bh)
        return date, (Phrase.of(f"step_{which}", day=raw, date=date),)
    if is_working_day(raw, bh):
        return raw, ()
    nxt = on_or_next_working_day(raw, bh)
    steps = [Phrase.of("step_next_working_day", day=Bare(raw), reason=non_working_reason(raw, bh), date=nxt)]
    if _in_appeal_break(nxt):  # say why the break does not move it again
        steps.append(Phrase.of("step_no_august" if nxt.month == 8 else "step_no_christmas"))
    return nxt, tuple(steps)


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
    also: tuple[Phrase, ...] = (),
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
        also=also,
    )


# ---------------------------------------------------------------------------------------------
# The calculators


def appeal_deadline(
    sent: dt.date,
    certificate: dt.date | None = None,
    school_only: bool | None = None,
    *,
    today: dt.date | None = None,
    bh: BankHolidays | None = None,
) -> Deadline:
    """SEND appeal to the Tribunal (R1-R5, R7, R10): received by 5pm on the returned date.

    sent: the date the decision letter was sent (usually the date on it).
    certificate: the date the mediation certificate was issued, if any.
    school_only: True if the appeal is only about the school or college named, its type, or
    that none is named (no certificate needed, so a certificate date given is ignored and the
    result says so); False if it is about more; None if the parent has not said (a one-shot
    "DEADLINE 1/10/2026"): the result then says when the mediation step is not needed.

    The headline says the last day and the mediation step together; without a certificate, the
    next sentence gives the day to contact the mediation adviser by (R7, which never moves).
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
    date, moves = tribunal_end(raw, bh)
    headline, lead, explained = _mediation_step(sent, certificate, school_only, bh,
                                                passed=today is not None and today > date)
    return Deadline(
        kind="appeal",
        start=sent,
        raw_date=raw,
        date=date,
        actor="you",
        headline_phrase=Phrase.of(headline, date=date, time=TRIBUNAL_TIME),
        rule_phrase=Phrase.of("rule_appeal_school_only" if school_only else "rule_appeal"),
        counted_phrase=Phrase.of("counted_from_decision", start=sent),
        steps=tuple(steps) + moves,
        by_time=TRIBUNAL_TIME,
        today=today,
        late_key="late_appeal",
        lead=lead,
        explained=explained,
        late_always=True,
    )


def _mediation_step(
    sent: dt.date, certificate: dt.date | None, school_only: bool | None, bh: BankHolidays, *, passed: bool
) -> tuple[str, tuple[Phrase, ...], tuple[Phrase, ...]]:
    """The appeal's headline key, the sentences after it and what its terms mean, for what is
    known about mediation. Once the appeal date has passed, the day to contact the mediation
    adviser (never later) is left out: the late-appeal advice is what helps then."""
    if school_only:
        return "headline_appeal_school_only", (), ()
    if certificate is not None:
        return "headline_appeal_certificate", (), ()
    adviser = mediation_adviser_deadline(sent, bh=bh)
    lead: tuple[Phrase, ...] = () if passed else (Phrase.of("mediation_contact", date=adviser.date),)
    if school_only is None:
        lead += (Phrase.of("mediation_unless_school"),)
    if adviser.safe_target is not None and not passed:  # R7 never moves: give the day before
        lead += (Phrase.of("mediation_contact_safe", safe=adviser.safe_target),)
    return "headline_appeal_mediation", lead, (Phrase.of("mediation_explained"),)


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
) -> tuple[Deadline, Deadline, Deadline]:
    """Reg 20-21 and R13: (notice of the meeting and its papers at least 2 weeks before it [U],
    review report within 2 weeks of the meeting, council decision within 4 weeks)."""
    bh = _bh(bh)
    before = Phrase.of("counted_back_from_meeting", start=meeting)
    after = Phrase.of("counted_from_meeting", start=meeting)
    return tuple(  # type: ignore[return-value]
        _regulation_date(
            f"review_{name}", meeting, meeting + dt.timedelta(weeks=weeks), actor="council",
            headline=f"headline_review_{name}", rule=f"rule_review_{name}",
            counted=after if weeks > 0 else before, today=today, bh=bh,
        )
        for name, weeks in (("notice", -2), ("report", 2), ("decision", 4))
    )


def amendment_comments_deadline(
    served: dt.date, *, today: dt.date | None = None, bh: BankHolidays | None = None
) -> Deadline:
    """[U] Reg 22(2)(c): comments on proposed amendments after a review within at least 15 days
    beginning with the day they were served (+14); also says when the final amended plan is due
    (R13, reg 22(3): 8 weeks after the proposed amendments were sent)."""
    bh = _bh(bh)
    final = amended_plan_deadline(served, bh=bh)
    return _regulation_date(
        "amendment_comments", served, served + dt.timedelta(days=14), actor="you",
        headline="headline_amendment_comments", rule="rule_amendment_comments",
        counted=Phrase.of("counted_from_proposals", start=served), today=today, bh=bh,
        also=(Phrase.of("also_amended_plan", date=final.date),),
    )


def reassessment_plan_deadline(
    notified: dt.date, *, today: dt.date | None = None, bh: BankHolidays | None = None
) -> Deadline:
    """[U] Reg 27(2): the final plan after a re-assessment within 14 weeks of the council's
    notice that it will re-assess (reg 25(1)), counted from the date of that notice."""
    return _regulation_date(
        "reassessment_plan", notified, notified + dt.timedelta(weeks=14), actor="council",
        headline="headline_reassessment_plan", rule="rule_reassessment_plan",
        counted=Phrase.of("counted_from_reassess", start=notified), today=today, bh=_bh(bh),
        notes=(Phrase.of("ehc_exceptions"),),
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
    """R14 (reg 18(1)): plan reviewed and amended before 15 February of the calendar year of the
    move (last day 14 February); for secondary school to post-16, before 31 March (last day 30
    March): "before" governs both dates."""
    date = dt.date(year_of_transfer, 3, 30) if post16 else dt.date(year_of_transfer, 2, 14)
    return _regulation_date(
        "phase_transfer", None, date, actor="council", headline="headline_phase_transfer",
        rule="rule_phase_transfer_post16" if post16 else "rule_phase_transfer",
        counted=Phrase.of("counted_for_year", year=str(year_of_transfer)), today=today, bh=_bh(bh),
    )


def post16_move_deadline(
    move: dt.date, *, today: dt.date | None = None, bh: BankHolidays | None = None
) -> Deadline:
    """[U] Reg 18(2): a move from one post-16 institution to another at any other time: plan
    reviewed and amended at least 5 months before the move. The last day is the corresponding
    date 5 months earlier, or that month's last day if it has no such day (R2 backwards)."""
    date, clamped = add_months(move, -5)
    steps = (_month_end_step(move.day, date, "step_month_end_back"),) if clamped else ()
    return _regulation_date(
        "post16_move", move, date, actor="council", headline="headline_post16_move",
        rule="rule_post16_move", counted=Phrase.of("counted_back_from_move", start=move),
        today=today, bh=_bh(bh), steps=steps,
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
Result = Deadline | tuple[Deadline, ...]


def _list_heading(results: tuple[Deadline, ...] | list[Deadline]) -> Phrase:
    first = results[0]
    return Phrase.of(_LIST_HEADINGS[first.kind.split("_", 1)[0]], start=first.start)


def list_text_summary(results: tuple[Deadline, ...] | list[Deadline], limit: int = SMS_MAX_CHARS) -> str:
    """One SMS for a set of related dates (ehc_assessment_deadlines, annual_review_deadlines)."""
    lines = [(100, _list_heading(results).text())]
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


def list_spoken_parts(results: tuple[Deadline, ...] | list[Deadline]) -> list[str]:
    """The same set of dates, as short sentences to read out: each date's headline in turn."""
    parts = [_list_heading(results).say()]
    for r in results:
        parts.append(r.headline_phrase.say())
        if r.safe_phrase is not None:
            parts.append(r.safe_phrase.say())
    if any(r.has_passed for r in results):
        parts.append(Phrase.of("list_some_passed").say())
    parts.extend(dict.fromkeys(n.say() for r in results for n in r.notes))
    parts.append(Phrase.of("guide_note").say())
    return parts


def text_of(result: Result, limit: int = SMS_MAX_CHARS) -> str:
    """The SMS for one result or a set of related dates."""
    return list_text_summary(result, limit) if isinstance(result, tuple) else result.text_summary(limit)


def spoken_of(result: Result) -> list[str]:
    """The sentences to read out for one result or a set of related dates."""
    return list_spoken_parts(result) if isinstance(result, tuple) else result.spoken_parts()
