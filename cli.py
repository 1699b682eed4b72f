"""Flask CLI commands for staff and operators: `flask phone`, `flask calendar`."""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask
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
def content_check() -> None:
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


def register(app: Flask) -> None:
    """Add every command group to the app."""
    from callbacks_cli import callbacks_cli
    from data_cli import data_cli
    from simulator import phone_cli
    from staff_cli import staff_cli

    for group in (calendar_cli, content_cli, phone_cli, callbacks_cli, staff_cli, data_cli):
        app.cli.add_command(group)
