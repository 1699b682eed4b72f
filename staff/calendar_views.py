"""The Calendar page: the school year at a glance, and the changes advisers make to it.

GET  /staff/calendar                    the year at a glance (terms, holidays, bank holidays,
                                         closure days, what is provisional), closure days, the
                                         forms, and the audit list (who changed what, when)
POST /staff/calendar/closures           add a closure day
POST /staff/calendar/closures/remove    open the line again on a closure day
POST /staff/calendar/close-today        close the line for the rest of today
POST /staff/calendar/confirm            confirm a provisional year's term dates
POST /staff/calendar/years              enter a school year's terms

Each change goes through store.calendar_changes.apply_change (checked by the data file's own
rules in flows/calendar_changes.py; refused with a plain message otherwise), takes effect at once
in this process (LiveCalendar.adopt; other processes within a few seconds), and, when it closes
a day, queues workers.calendar_jobs.move_callbacks for it. No JavaScript: plain forms, POST with
the CSRF token (staff/auth.py).
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import logging

from flask import flash, redirect, render_template, request, session, url_for
from redis import RedisError

import clock
import services
from flows.calendar_changes import TERM_NAMES, CalendarChangeError, closed_words, merged_raw, next_year_name
from flows.wording import clock_time, long_date
from staff.blueprint import bp
from store import calendar_changes as changes
from store import callbacks
from workers.calendar_jobs import queue_moves

log = logging.getLogger(__name__)

WEEKDAY_HEADINGS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# A day's kind on the year view: (CSS class, the word shown for it, its legend entry).
KINDS = {
    "open": ("day-open", "Open", "Open: the line is staffed"),
    "part": ("day-part", "Closes early", "Closes early (closed for the rest of the day)"),
    "extra_closure": ("day-closure", "Closed", "Closure day (training, absence)"),
    "bank_holiday": ("day-bank", "Bank holiday", "Bank holiday"),
    "half_term": ("day-holiday", "Half term", "Half term"),
    "school_holidays": ("day-holiday", "Holiday", "School holidays"),
    "not_staffed_day": ("day-off", "Not staffed", "Term time, but not a staffed day"),
    "weekend": ("day-weekend", "Weekend", "Weekend"),
    "unknown_dates": ("day-unknown", "Not known", "Term dates not known yet"),
}
MARKS = {"open": "", "part": "½", "extra_closure": "✖", "bank_holiday": "BH", "half_term": "H",
         "school_holidays": "H", "not_staffed_day": "–", "weekend": "", "unknown_dates": "?"}


def _svc():
    return services.current()


def _me() -> str:
    return session["staff"]


def _years(svc) -> list[dict]:
    """The school years known, as the file and staff changes list them (name, provisional, source, terms)."""
    live = svc.live_calendar
    return merged_raw(live.editor.raw, live.overlay).get("years", [])


def _year_bounds(year: dict) -> tuple[dt.date, dt.date]:
    first = int(year["name"][:4])
    return dt.date(first, 9, 1), dt.date(first + 1, 8, 31)


def _chosen_year(years: list[dict], wanted: str | None, today: dt.date) -> dict | None:
    by_name = {y["name"]: y for y in years}
    if wanted in by_name:
        return by_name[wanted]
    for year in years:
        start, end = _year_bounds(year)
        if start <= today <= end or today < start:
            return year
    return years[-1] if years else None


def _day(calendar, day: dt.date, today: dt.date) -> dict:
    status = calendar.day_status(day)
    kind = status.reason if status.reason in KINDS else "unknown_dates"
    if status.is_open:
        kind = "part" if day in calendar.data.closed_from else "open"
    term = calendar.term_for(day)
    words = KINDS[kind][1]
    detail = status.detail if kind in ("bank_holiday", "extra_closure") else ""
    if kind == "part":
        start, reason = calendar.data.closed_from[day]
        detail = f"from {clock_time(start)}, {reason}"
    label = f"{long_date(day)}: {words}" + (f" ({detail})" if detail else "")
    if term is not None and term.provisional:
        label += ", provisional dates"
    return {"day": day.day, "kind": kind, "css": KINDS[kind][0], "mark": MARKS[kind], "label": label,
            "provisional": term is not None and term.provisional, "today": day == today}


def _months(calendar, year: dict, today: dt.date) -> list[dict]:
    """Twelve months, September to August, as weeks of day cells (None outside the month)."""
    start, _ = _year_bounds(year)
    months = []
    for i in range(12):
        y, m = start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1
        weeks = [[_day(calendar, dt.date(y, m, d), today) if d else None for d in week]
                 for week in month_calendar.Calendar().monthdayscalendar(y, m)]
        months.append({"name": f"{month_calendar.month_name[m]} {y}", "id": f"m{y}-{m:02d}", "weeks": weeks})
    return months


def _closures(svc, today: dt.date) -> list[dict]:
    """Closure days from today on: date, reason, whole day or from a time, and who set it."""
    calendar = svc.calendar
    live = svc.live_calendar
    ours = {c.day for c in live.overlay.closures}
    rows = [{"day": d, "reason": r, "from": "", "by": "staff" if d in ours else "data file"}
            for d, r in calendar.data.extra_closures.items() if d >= today]
    rows += [{"day": d, "reason": r, "from": clock_time(t), "by": "staff" if d in ours else "data file"}
             for d, (t, r) in calendar.data.closed_from.items() if d >= today]
    return sorted(rows, key=lambda row: row["day"])


@bp.get("/calendar")
def calendar_page():
    """The year at a glance, closure days, the change forms and the audit list."""
    return _render(request.args)


def _render(form, status_code: int = 200):
    svc = _svc()
    calendar = svc.calendar
    now = calendar.local(clock.now())
    today = now.date()
    years = _years(svc)
    year = _chosen_year(years, form.get("year"), today)
    status = calendar.status(now)
    try:
        audit = changes.audit(svc.connections.redis, svc.settings)
    except RedisError:
        audit = None  # the page says the list cannot be shown
    html = render_template(
        "staff_calendar.html", now=now, today=today, today_words=long_date(today),
        status_words="Open now" if status.is_open else f"Closed now: {closed_words(status)}",
        hours=f"{clock_time(calendar.data.opens)} to {clock_time(calendar.data.closes)}",
        years=years, year=year, months=_months(calendar, year, today) if year else [],
        weekdays=WEEKDAY_HEADINGS, legend=[(css, words) for css, _, words in KINDS.values()],
        closures=_closures(svc, today), audit=audit,
        can_close_today=status.is_open or status.reason == "before_hours",
        next_name=next_year_name(years[-1]["name"]) if years else "", term_names=TERM_NAMES,
        problem=svc.live_calendar.problem, form=form, long_date=long_date)
    return html, status_code


# --- changes ---------------------------------------------------------------------------------


def _apply(make_change, *, year: str | None = None):
    """Make one change, use it at once, move callbacks off newly closed days, and say so."""
    svc = _svc()
    redis, settings = svc.connections.redis, svc.settings
    live = svc.live_calendar
    now = clock.now()
    try:
        version, change = changes.apply_change(redis, settings, live.editor, make_change, who=_me(), now=now)
    except CalendarChangeError as error:
        return _refused(error)
    except RedisError:
        log.exception("calendar change by %s: Redis did not answer", _me())
        flash("Not changed: the database is not answering. Please try again in a minute.", "error")
        return redirect(url_for("staff.calendar_page", year=year), code=303)
    live.adopt(version, change.overlay)
    moved = ""
    if change.newly_closed:
        booked = [r for r in callbacks.list_open(redis, settings)
                  if r["expected_on"] in {d.isoformat() for d in change.newly_closed}]
        queue_moves(svc, change.newly_closed, version)
        if booked:
            n = len(booked)
            moved = (f" {n} callback{'s' if n != 1 else ''} booked that day will move to the next open day "
                     "with room, and the parents will be texted the new day.")
    flash(f"Done: {change.what}.{moved}", "success")
    return redirect(url_for("staff.calendar_page", year=year), code=303)


def _date_field(name: str, what: str) -> dt.date:
    value = request.form.get(name, "").strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CalendarChangeError(f"Give {what} as a date (for example 2026-12-03).") from None


def _refused(error: CalendarChangeError):
    """The page again with the adviser's entries kept, and why nothing changed."""
    flash(f"Not changed. {error}", "error")
    return _render(request.form, 400)


@bp.post("/calendar/closures")
def add_closure():
    """Close the line all day on a date."""
    editor = _svc().live_calendar.editor
    try:
        day = _date_field("day", "the day to close")
    except CalendarChangeError as error:
        return _refused(error)
    reason, today = request.form.get("reason", ""), _svc().calendar.local(clock.now()).date()
    return _apply(lambda overlay: editor.add_closure(overlay, day, reason, today=today))


@bp.post("/calendar/closures/remove")
def remove_closure():
    """Open the line again on a closure day."""
    editor = _svc().live_calendar.editor
    try:
        day = _date_field("day", "the closure day")
    except CalendarChangeError as error:
        return _refused(error)
    today = _svc().calendar.local(clock.now()).date()
    return _apply(lambda overlay: editor.remove_closure(overlay, day, today=today))


@bp.post("/calendar/close-today")
def close_today():
    """Close the line from now until closing time today."""
    editor, now, reason = _svc().live_calendar.editor, clock.now(), request.form.get("reason", "")
    return _apply(lambda overlay: editor.close_rest_of_today(overlay, now, reason))


@bp.post("/calendar/confirm")
def confirm_year():
    """Mark a year's term dates as checked against the council's page."""
    editor, name = _svc().live_calendar.editor, request.form.get("year", "")
    if request.form.get("checked") != "yes":
        return _refused(CalendarChangeError("Tick the box to say you have checked the dates against the "
                                            "council's 'School term and holiday dates' page."))
    return _apply(lambda overlay: editor.confirm_year(overlay, name), year=name)


@bp.post("/calendar/years")
def add_year():
    """Enter a school year's terms."""
    editor = _svc().live_calendar.editor
    name = request.form.get("name", "").strip()[:20]
    try:
        terms = []
        for i, default in enumerate(TERM_NAMES, start=1):
            start = request.form.get(f"start_{i}", "").strip()
            end = request.form.get(f"end_{i}", "").strip()
            term_name = request.form.get(f"term_{i}", default)[:40]
            terms.append((term_name, _date_field(f"start_{i}", f"the first day of {term_name or 'each term'}")
                          if start else None,
                          _date_field(f"end_{i}", f"the last day of {term_name or 'each term'}") if end else None))
    except CalendarChangeError as error:
        return _refused(error)
    provisional = request.form.get("state") != "confirmed"
    source = request.form.get("source", "")
    return _apply(lambda overlay: editor.add_year(overlay, name, terms, provisional=provisional, source=source),
                  year=name)
