"""Write flows/data/bank_holidays.toml: England & Wales bank holidays, from the holidays package.

    .venv/bin/python -m scripts.make_bank_holidays

The service reads the table (flows/calendar_data.py) instead of loading the holidays package in
every web process (it costs about 11 MiB there). A test checks the table still matches the
package, so a new release's corrections show up; years outside the table fall back to the package.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.calendar_data import BANK_HOLIDAYS_PATH, FIRST_TABLE_YEAR, LAST_TABLE_YEAR, package_bank_holidays  # noqa: E402


def render() -> str:
    """The table's text."""
    lines = [
        "# England & Wales bank holidays (substitute days included), written by",
        "# scripts/make_bank_holidays.py from the holidays package. Do not edit by hand: add a",
        "# one-off bank holiday to extra_bank_holidays in calendar.toml instead.",
        f"first_year = {FIRST_TABLE_YEAR}",
        f"last_year = {LAST_TABLE_YEAR}",
        "",
        "[days]",
    ]
    days = package_bank_holidays(range(FIRST_TABLE_YEAR, LAST_TABLE_YEAR + 1))
    lines += [f'{day.isoformat()} = "{name}"' for day, name in sorted(days.items())]
    return "\n".join(lines) + "\n"


def main() -> int:
    BANK_HOLIDAYS_PATH.write_text(render())
    print(f"wrote {BANK_HOLIDAYS_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
