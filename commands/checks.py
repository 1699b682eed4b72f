"""`flask calendar check` and `flask content check` (content problems, reading grades, facts for staff
to confirm, the routing corpus replayed): the checks staff run after editing the data files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask.cli import AppGroup

import services

calendar_cli = AppGroup("calendar", help="Check the helpline calendar (term dates, closures).")


@calendar_cli.command("check")
@click.option("--at", "at", default=None, help="A London date-time, e.g. 2026-11-23T11:00 (default: now).")
def calendar_check(at: str | None) -> None:
    """Say whether the line is open, when it next opens, and any warnings about the data file."""
    svc = services.current()
    moment = dt.datetime.fromisoformat(at) if at else svc.clock()
    moment = svc.calendar.local(moment)
    status = svc.calendar.status(moment)
    click.echo(f"At {moment:%A %d %B %Y %H:%M}: {'open' if status.is_open else 'closed (' + status.reason.replace('_', ' ') + ')'}")
    opening = svc.calendar.next_opening(moment)
    click.echo(f"Next opening: {opening:%A %d %B %Y %H:%M}" if opening else "Next opening: unknown (beyond the term dates)")
    warnings = svc.calendar.warnings(moment.date())
    for warning in warnings:
        click.echo(f"WARNING: {warning}", err=True)
    if not warnings:
        click.echo("Calendar data: confirmed for this date.")


content_cli = AppGroup("content", help="Check the words and the guidance tree staff edit.")


@content_cli.command("check")
@click.option("--safety", is_flag=True, help="Also score the safety patterns on tests/corpus (recall, false alarms).")
def content_check(safety: bool = False) -> None:
    """Check every content file; print each problem and exit 1 if there are any."""
    from flows.guidance import check_content, load_guidance

    svc = services.current()
    problems = check_content(today=svc.clock().date())
    for problem in problems:
        click.echo(f"PROBLEM: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    tree = load_guidance()
    click.echo(f"Content OK: {len(tree.nodes)} guidance nodes, {len(svc.copy.messages)} messages, "
               f"last reviewed {tree.last_reviewed:%d %B %Y}.")
    _report_reading_and_routing(tree)
    if safety:
        _report_safety()


def _report_safety() -> None:
    """Safety recall and false alarms on each corpus, every miss, and numbers to confirm (exit 1 off target)."""
    from flows.safety import to_confirm
    from flows.safety_eval import CORPORA, CorpusError, read_corpora, report, score
    from flows import safety_eval

    CORPUS_DIR = safety_eval.CORPUS_DIR

    failed = False
    for n, (name, crisis_file, everyday_file, targets) in enumerate(CORPORA):
        if n and not (CORPUS_DIR / crisis_file).exists():
            continue  # only the first pair is required
        try:
            result = score(*read_corpora(crisis_file=crisis_file, everyday_file=everyday_file))
        except CorpusError as e:
            click.echo(f"PROBLEM: safety: {e}", err=True)
            raise SystemExit(1) from None
        click.echo(f"Safety, {name} ({crisis_file}, {everyday_file}):")
        for line in report(result, targets=targets):
            click.echo("  " + line)
        failed = failed or (targets and not result.meets_targets)
    for note in to_confirm():
        click.echo(f"TO CONFIRM (safety.toml): {note}")
    if failed:
        click.echo("PROBLEM: safety: every crisis text must be caught and at most 2% of everyday texts flagged", err=True)
        raise SystemExit(1)


ROUTING_CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "routing.txt"
ROUTING_SHARE_NEEDED = 0.95


def _report_reading_and_routing(tree) -> None:
    """Reading grades, facts for staff to confirm, and the routing corpus replayed (a share
    under 95% or any text sent to a wrong route fails the check)."""
    from flows.guidance import reading_report
    from flows.matching import evaluate

    for line in reading_report(tree).lines():
        click.echo(line)
    for node in tree.nodes.values():
        if node.staff_to_confirm:
            click.echo(f"TO CONFIRM ({node.id}): {node.staff_to_confirm}")
    if not ROUTING_CORPUS.exists():
        click.echo("Free-text routing: no corpus here (tests/corpus/routing.txt is in the source tree).")
        return
    report = evaluate(ROUTING_CORPUS.read_text(encoding="utf-8").splitlines(), tree)
    click.echo(report.line())
    for expected, got, text in report.wrong:
        click.echo(f"PROBLEM: routing: {text!r} went to {got}, not {expected}", err=True)
    if report.wrong or report.share < ROUTING_SHARE_NEEDED:
        click.echo(f"PROBLEM: routing: at least {ROUTING_SHARE_NEEDED:.0%} right and none wrong are needed", err=True)
        raise SystemExit(1)
