"""The `flask` commands for staff and operators, one module per command group.

checks.py     flask calendar check, flask content check
simulator.py  flask phone call / flask phone text: a phone in the terminal
staff.py      flask staff add / remove / list: the advisers' logins
callbacks.py  flask callbacks list / show: the callback queue from a terminal
data.py       flask data export / erase: everything held about one number
report.py     flask report: the managers' report as CSV

create_app() calls register(), which adds each group to app.cli. These modules may import the rest
of the project; nothing outside commands/ imports them (tests/test_architecture.py).
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add every command group to the app."""
    from commands.callbacks import callbacks_cli
    from commands.checks import calendar_cli, content_cli
    from commands.data import data_cli
    from commands.report import report_command
    from commands.simulator import phone_cli
    from commands.staff import staff_cli

    for group in (calendar_cli, content_cli, phone_cli, callbacks_cli, staff_cli, data_cli, report_command):
        app.cli.add_command(group)
