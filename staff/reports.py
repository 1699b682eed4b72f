"""The Reports page for managers: the helpline's figures for a year, term, quarter, month or week.

GET /staff/reports?period=<kind>&which=<period>    the figures as tables, with charts
GET /staff/reports.csv?period=<kind>&which=<period> the same figures as a CSV file

`which` names a period (flows/report_periods.py: 2026/27, 2026/27-autumn, 2026/27-q1, 2026-11,
2026-W48); without it, the period of that kind we are in now. If `which` is of another kind than
`period` (the chooser's kind was changed), the page shows the period of the new kind within the
one shown before (the latest up to today). A period that cannot be read gets the page with a
plain message (400), never an error page.

The figures come from the report counts (store/events.py; flows/reports.py says what each one
is); this process's waiting counts are written first. Charts are SVG drawn here (flows/charts.py):
no JavaScript, each with a table of the same figures beside it.
"""

from __future__ import annotations

import datetime as dt

from flask import Response, render_template, request, url_for
from markupsafe import Markup

import clock
import services
from flows import charts, deadline_kinds
from flows import report_periods as periods
from flows import reports
from flows.guidance import load_guidance
from flows.safety import categories
from staff.blueprint import bp
from store import events
from store import safety as concerns

TOP_ROUTES = 10


def names() -> reports.Names:
    """The words for route ids, deadline kinds, safety categories and outcomes."""
    tree = load_guidance()
    return reports.Names(
        routes={node_id: node.title for node_id, node in tree.nodes.items()},
        deadlines={kind.name: kind.text for kind in deadline_kinds.kinds()},
        safety_categories=categories(),
        safety_outcomes=dict(concerns.OUTCOMES),
    )


def terms(svc):
    """The calendar's terms (for term reports)."""
    return svc.calendar.data.terms


def today_of(svc) -> dt.date:
    return svc.calendar.local(clock.now()).date()


def choose(svc, kind: str | None, which: str | None, *, follow_kind: bool = True) -> periods.Period:
    """The period asked for (see the module docstring); PeriodError in plain words otherwise."""
    kind = (kind or "").strip().lower()
    if kind and kind not in periods.KINDS:
        raise periods.PeriodError("Choose the kind of period: academic year, term, quarter, month or week.")
    today, known = today_of(svc), terms(svc)
    if not (which or "").strip():
        return periods.containing(kind or "year", today, known)
    period = periods.parse(which, known)
    if period.kind not in periods.KINDS:
        raise periods.PeriodError("Reports are by academic year, term, quarter, month or week.")
    if kind and kind != period.kind:
        if not follow_kind:
            raise periods.PeriodError(f"{period.which} is a {period.kind}, not a {kind}.")
        anchor = min(today, period.end) if period.start <= today else period.start
        return periods.containing(kind, anchor, known)
    return period


def build_report(svc, period: periods.Period) -> reports.Report:
    """The report for a period, from Redis (two round trips: the days' counts, the new lines)."""
    events.flush(svc)  # this process's counts first, so the page includes what it has just seen
    redis, settings = svc.connections.redis, svc.settings
    columns = periods.columns(period, terms(svc))
    counts = events.read_days(redis, settings, period.days())
    fresh = events.new_lines(redis, settings, [period, *columns])
    return reports.build(period, columns, counts, fresh, names())


def _bars_for(section: reports.Section, labels=None, top: int | None = None) -> list[charts.Bar]:
    rows = [r for r in section.rows if (labels is None or r.label in labels) and r.style == "count"]
    if top is not None:
        rows = [r for r in rows if r.total][:top]
    return [charts.Bar(r.label.split(": ", 1)[-1], (r.total,)) for r in rows]


def chart_specs(report: reports.Report) -> list[dict]:
    """Each chart: its id, title, SVG, and the rows of the table beside it."""
    contacts = report.section("contacts")
    by = {"week": "day", "month": "week"}.get(report.period.kind, "month")

    def col(label: str, i: int) -> int:
        return contacts.row(label).values[i + 1]

    split = [charts.Bar(c.short, (col("Calls in helpline hours", i) + col("Text conversations begun in helpline hours", i),
                                  col("Calls out of hours", i) + col("Text conversations begun out of hours", i)))
             for i, c in enumerate(report.columns)]
    looked = report.section("looked_for")
    waits = [r for r in report.section("callbacks").rows if r.label.startswith("First call ")]
    ended = [r for r in report.section("callbacks").rows if r.label.startswith("Finished: ")]
    specs = [
        ("chart-contacts", f"Contacts by {by}, in and out of helpline hours", split, ("in hours", "out of hours")),
        ("chart-looked-for", "What parents looked for (the most asked)", _bars_for(looked, top=TOP_ROUTES), ()),
        ("chart-wait", "Wait from a callback request to the first call",
         [charts.Bar(r.label.removeprefix("First call "), (r.total,)) for r in waits], ()),
        ("chart-ended", "How callback requests ended",
         [charts.Bar(r.label.removeprefix("Finished: "), (r.total,)) for r in ended], ()),
    ]
    out = []
    for chart_id, title, bars, series in specs:
        out.append({"id": chart_id, "title": title, "series": series, "bars": bars,
                    "svg": Markup(charts.bar_chart(chart_id, title, bars, series=series))})
    return out


def _page(svc, period: periods.Period, *, error: str = "", status: int = 200):
    today = today_of(svc)
    first_year = periods.academic_year_start(today) - svc.settings.report_years
    report = build_report(svc, period)
    before = periods.step(period, -1, terms(svc))
    after = periods.step(period, +1, terms(svc))
    html = render_template(
        "staff_reports.html", report=report, period=period, error=error, kinds=periods.KINDS,
        kind_words=periods.KIND_WORDS, options=periods.choices(period.kind, today, first_year, terms(svc)),
        charts=chart_specs(report), shown=reports.shown, long_date=periods.long_date,
        before=before if before.end.year >= first_year else None, after=after if after.start <= today else None,
        years=svc.settings.report_years, csv_url=url_for("staff.reports_csv", period=period.kind, which=period.which))
    return html, status


@bp.get("/reports")
def reports_page():
    """The figures for the chosen period, as tables and charts."""
    svc = services.current()
    try:
        period = choose(svc, request.args.get("period"), request.args.get("which"))
    except periods.PeriodError as error:
        return _page(svc, periods.containing("year", today_of(svc), terms(svc)), error=str(error), status=400)
    return _page(svc, period)


@bp.get("/reports.csv")
def reports_csv():
    """The same figures as a CSV file for a spreadsheet."""
    svc = services.current()
    try:
        period = choose(svc, request.args.get("period"), request.args.get("which"))
    except periods.PeriodError as error:
        return _page(svc, periods.containing("year", today_of(svc), terms(svc)), error=str(error), status=400)
    name = "helpline-report-" + period.which.replace("/", "-").lower() + ".csv"
    return Response(reports.to_csv(build_report(svc, period)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
