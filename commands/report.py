"""`flask report`: the managers' report for a period as CSV (the Reports page's figures).

    flask report                                    this academic year, to standard output
    flask report --period month                     this month
    flask report --period year --which 2025/26 > report.csv
    flask report --which 2026-W48 --output week.csv

--which names a period as flows/report_periods.py writes them (2026/27, 2026/27-autumn,
2026/27-q1, 2026-11, 2026-W48); --period alone means the one we are in now. The CSV is the one
the staff page offers: cells a spreadsheet could take for a formula are made plain text.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

import services
from flows import report_periods as periods
from flows.reports import to_csv


@click.command("report")
@click.option("--period", "kind", type=click.Choice(periods.KINDS), default=None,
              help="year, term, quarter, month or week (default: year, or the kind --which is written as).")
@click.option("--which", default="", help="Which one, e.g. 2026/27, 2026/27-autumn, 2026/27-q1, 2026-11, 2026-W48 "
                                          "(default: the current one).")
@click.option("--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="A file to write (default: standard output).")
@with_appcontext
def report_command(kind: str | None, which: str, output) -> None:
    """Write the managers' report for a period as CSV."""
    from staff.reports import build_report, choose

    svc = services.current()
    try:
        period = choose(svc, kind, which, follow_kind=False)
    except periods.PeriodError as error:
        raise click.UsageError(str(error)) from None
    text = to_csv(build_report(svc, period))
    output.write(text)  # with the byte-order mark, so `> report.csv` opens as UTF-8 in a spreadsheet
    click.echo(f"{period.label}: {periods.long_date(period.start)} to {periods.long_date(period.end)}", err=True)
