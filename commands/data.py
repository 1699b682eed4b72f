"""`flask data export PHONE` / `flask data erase PHONE`: everything we hold about one number.

For subject access requests and erasure requests. Covers outbound records (and their
scheduled jobs), the opt-out, the SMS conversation, the local outbox, and whatever the
hooks add: EXPORT_HOOKS entries are called as hook(svc, phone) -> dict of named sections;
ERASE_HOOKS as hook(svc, phone) -> dict of counts (callback requests and their recordings
are added there: workers.callback_data's export and erase).
Erasure then starts a rewrite of Redis's append-only file (connections.rewrite_append_only_file),
so the number leaves the disk too. Every use is logged, with the number masked.
"""

from __future__ import annotations

import json
import logging
from typing import Callable

import click
from flask.cli import AppGroup

import services
from connections import rewrite_append_only_file
from flows.phone import mask, normalise_uk_number
from store import conversations, optouts, safety, spool
from store import outbound as records
from store import outbox
from workers import callback_data

log = logging.getLogger("helpline.data")

EXPORT_HOOKS: list[Callable] = [callback_data.export]
ERASE_HOOKS: list[Callable] = [callback_data.erase]

data_cli = AppGroup("data", help="Export or erase everything held about a phone number.")


@data_cli.command("export")
@click.argument("phone")
def export_command(phone: str) -> None:
    """Print everything held about PHONE as JSON."""
    svc = services.current()
    number = _number(phone)
    click.echo(json.dumps(export_number(svc, number), indent=2, sort_keys=True))
    log.info("data export for %s", mask(number))


@data_cli.command("erase")
@click.argument("phone")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--forget-opt-out", is_flag=True,
              help="Also delete an active opt-out (we could then text this number again).")
def erase_command(phone: str, yes: bool, forget_opt_out: bool) -> None:
    """Delete everything held about PHONE (an active opt-out is kept unless --forget-opt-out)."""
    svc = services.current()
    number = _number(phone)
    if not yes:
        click.confirm(f"Erase everything held about {number}?", abort=True)
    counts = erase_number(svc, number, forget_opt_out=forget_opt_out)
    for name, count in counts.items():
        click.echo(f"{name}: {count}")
    if counts.get("opt_out_kept"):
        click.echo("This number has opted out of texts: that opt-out is kept so we never text it again. "
                   "Use --forget-opt-out to delete it too.")
    log.info("data erased for %s: %s", mask(number), counts)


def export_number(svc, phone: str) -> dict:
    """Everything held about one number, as plain data."""
    redis, settings = svc.connections.redis, svc.settings
    data = {
        "phone": phone,
        "exported_at": svc.clock().isoformat(),
        "outbound": [r for i in records.ids_for_phone(redis, settings, phone)
                     if (r := records.get(redis, settings, i)) is not None],
        "opt_out": optouts.get_optout(redis, settings, phone),
        "sms_conversation": _dump(redis, conversations.conversation_key(settings, phone)),
        "sms_seen": _dump(redis, conversations.seen_key(settings, phone)),
        "outbox": [e for e in outbox.list_outbox(redis, settings.key_prefix, limit=10_000) if e.get("to") == phone],
        "safety_concerns": safety.for_phone(redis, settings, phone),
        "callback_spool": [row for row in spool.pending(settings) if row["request"].get("phone") == phone],
    }
    for hook in EXPORT_HOOKS:
        data.update(hook(svc, phone) or {})
    return data


def erase_number(svc, phone: str, *, forget_opt_out: bool = False) -> dict[str, int]:
    """Delete everything held about one number; returns what went, by kind."""
    from workers.outbound import delete_job

    redis, settings = svc.connections.redis, svc.settings
    counts = {"outbound": 0}
    for message_id in records.ids_for_phone(redis, settings, phone):
        record = records.get(redis, settings, message_id) or {}
        delete_job(svc, record.get("job_id"))  # its job would find nothing anyway; tidy up
        counts["outbound"] += records.delete(redis, settings, message_id, phone=phone)
    redis.delete(records.phone_index(settings, phone), records.legacy_phone_index(settings, phone))
    counts["sms_conversation"] = conversations.erase(redis, settings, phone)  # replies cache and rate counts too
    counts["outbox"] = outbox.erase_phone(redis, settings.key_prefix, phone)
    counts["safety_concerns"] = safety.erase_phone(redis, settings, phone)
    counts["callback_spool"] = spool.erase_phone(settings, phone)
    from store import callbacks

    counts["callback_asks"] = int(redis.delete(callbacks.asks_key(settings, phone)))  # its calling-line count
    counts["callback_asked_from"] = int(redis.delete(callbacks.asked_from_key(settings, phone)))
    if optouts.is_opted_out(redis, settings, phone) and not forget_opt_out:
        counts["opt_out_kept"] = 1
    else:
        counts["opt_out"] = optouts.forget_optout(redis, settings, phone)
    for hook in ERASE_HOOKS:
        counts.update(hook(svc, phone) or {})
    counts["disk_rewrite_started"] = int(rewrite_append_only_file(redis))
    return counts


def _dump(redis, key: str):
    """Any Redis value as plain data (None when absent); JSON strings are decoded."""
    kind = redis.type(key)
    kind = kind.decode() if isinstance(kind, bytes) else kind
    if kind == "string":
        value = redis.get(key)
        try:
            return json.loads(value)
        except ValueError:
            return value
    if kind == "hash":
        return redis.hgetall(key)
    if kind == "list":
        return redis.lrange(key, 0, -1)
    if kind in ("set", "zset"):
        return sorted(redis.smembers(key)) if kind == "set" else redis.zrange(key, 0, -1)
    return None


def _number(phone: str) -> str:
    number = normalise_uk_number(phone)
    if number is None:
        raise click.BadParameter("give a UK phone number, e.g. 07700 900123", param_hint="PHONE")
    return number
