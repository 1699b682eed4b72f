"""`flask callbacks`: the callback queue from a terminal (for operators; staff use the web page).

    flask callbacks list [--json]   open requests in staff order (urgent first, then oldest);
                                    --json: one JSON object a line with keys id, phone, topic,
                                    channel, requested_at, expected_on, urgent, status, attempts,
                                    has_voice_message
    flask callbacks show ID         every field of one request and its events
"""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

import services
from store import callbacks as store

callbacks_cli = AppGroup("callbacks", help="See the callback requests waiting for an adviser.")

LIST_KEYS = ("id", "phone", "topic", "channel", "requested_at", "expected_on", "urgent", "status", "attempts")


def _summary(record: dict) -> dict:
    out = {k: record.get(k) for k in LIST_KEYS}
    out["has_voice_message"] = bool(record.get("voice_message_url"))
    return out


@callbacks_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_command(as_json: bool) -> None:
    """List open requests, most urgent first, then oldest first."""
    svc = services.current()
    records = store.list_open(svc.connections.redis, svc.settings)
    for record in records:
        if as_json:
            click.echo(json.dumps(_summary(record)))
        else:
            flags = ("URGENT " if record["urgent"] else "") + ("[voice message] " if record["voice_message_url"] else "")
            click.echo(f"{record['id']:>5}  {record['expected_on'] or '?':10}  {record['status']:7}  "
                       f"{record['phone']}  {record['channel']:5}  {flags}{record['topic_title']}")
    if not records and not as_json:
        click.echo("No open callback requests.")


@callbacks_cli.command("show")
@click.argument("request_id")
def show_command(request_id: str) -> None:
    """Show one request: every field, then its events."""
    svc = services.current()
    record = store.get(svc.connections.redis, svc.settings, request_id)
    if record is None:
        raise click.ClickException(f"no callback request {request_id}")
    events = record.pop("events")
    for key in sorted(record):
        click.echo(f"{key}: {'' if record[key] is None else record[key]}")
    click.echo("events:")
    for event in events:
        click.echo(f"  {event['at']}  {event['who']}: {event['what']}")
