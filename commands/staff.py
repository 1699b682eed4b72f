"""`flask staff`: create and remove the advisers' logins for the staff page (operators only)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

import services
from store import staff_accounts

staff_cli = AppGroup("staff", help="Manage staff logins for the callback queue page.")


@staff_cli.command("add")
@click.argument("name")
@click.password_option("--password", prompt="Password", confirmation_prompt="Repeat the password",
                       help="Asked for twice when not given (never put it on the command line in real use).")
def add(name: str, password: str) -> None:
    """Create a login NAME, or set a new password for an existing one."""
    svc = services.current()
    redis, settings = svc.connections.redis, svc.settings
    try:
        existed = staff_accounts.exists(redis, settings, name)
        stored = staff_accounts.add_account(redis, settings, name, password, now=svc.clock())
    except staff_accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{'Password changed for' if existed else 'Added'} {stored}.")


@staff_cli.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Delete the login NAME (their open sessions end on their next click)."""
    svc = services.current()
    if not staff_accounts.remove_account(svc.connections.redis, svc.settings, name):
        raise click.ClickException(f"there is no login called {staff_accounts.normalise_name(name)}")
    click.echo(f"Removed {staff_accounts.normalise_name(name)}.")


@staff_cli.command("list")
def list_accounts() -> None:
    """Show every login name."""
    svc = services.current()
    for name in staff_accounts.list_names(svc.connections.redis, svc.settings):
        click.echo(name)
