"""The shipped bank-holiday table: the same days as the holidays package, which is loaded only outside it."""

import datetime as dt
import subprocess
import sys

from flows.calendar_data import (BANK_HOLIDAYS_PATH, FIRST_TABLE_YEAR, LAST_TABLE_YEAR, BankHolidays,
                                 package_bank_holidays)
from scripts.make_bank_holidays import render


def test_the_table_is_what_the_package_says_today():
    assert BANK_HOLIDAYS_PATH.read_text() == render()  # if this fails: run python -m scripts.make_bank_holidays


def test_known_days_including_substitutes_and_one_offs():
    bh = BankHolidays({dt.date(2026, 12, 24): "Staff training"})
    assert bh.name(dt.date(2026, 12, 28)) == "Boxing Day (substitute day)"
    assert dt.date(2023, 5, 8) in bh  # the coronation
    assert dt.date(2022, 9, 19) in bh  # the Queen's funeral
    assert bh.name(dt.date(2026, 12, 24)) == "Staff training"
    assert dt.date(2026, 12, 23) not in bh


def test_a_year_outside_the_table_comes_from_the_package():
    bh = BankHolidays()
    year = LAST_TABLE_YEAR + 5
    assert {d for d in package_bank_holidays([year])} == {d for d in map(
        lambda n: dt.date(year, 1, 1) + dt.timedelta(days=n), range(366)) if d.year == year and d in bh}
    assert dt.date(FIRST_TABLE_YEAR - 1, 12, 25) in bh


def test_a_web_process_never_loads_the_holidays_package():
    code = ("import os; os.environ.update(HELPLINE_ENV='local', DATA_DIR=os.environ['TMPDIR_FOR_TEST']);"
            "import sys, datetime as dt; from flows import deadlines, hours;"
            "deadlines.appeal_deadline(dt.date(2026, 10, 1), today=dt.date(2026, 11, 23));"
            "hours.HelplineCalendar.load().is_open(dt.datetime(2026, 11, 23, 11));"
            "print('holidays' in sys.modules)")
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={**os.environ, "TMPDIR_FOR_TEST": tmp})
    assert out.stdout.strip() == "False"
