"""Managers' reports end to end: signed texts and calls in and out of hours, a callback worked by
staff, and the figures they make on the Reports page, in its CSV and in `flask report`; the
round trips the busiest webhooks make; the counts' expiry and what they hold."""

from __future__ import annotations

import csv
import datetime as dt
import html as html_lib
import io
import re
import time

import pytest

from store import events
from tests.conftest import CLOSED_SUNDAY, OPEN_MONDAY, Twilio
from tests.staff import log_in, add_adviser, token_of
from tests.web.webhook_checks import RoundTrips, sms_reply, voice_reply

A = "+447700900123"
B = "+447700900456"


def flushed(app) -> None:
    """Write the app's waiting counts, as its writer thread does every EVENTS_FLUSH_SECONDS."""
    assert events.flush(app.extensions["helpline"])


def figure(page: str, section: str, label: str) -> str:
    """The Total cell of one measure in one section's table on the Reports page."""
    table = page[page.index(f'data-section="{section}"'):]
    table = table[:table.index("</table>")]
    row = re.search(r'<th scope="row">' + re.escape(html_lib.escape(label)) + r"</th>\s*<td>([^<]*)</td>", table)
    assert row, f"no row {label!r} in {section}"
    return row.group(1)


@pytest.fixture
def november(make_app):
    """A Sunday (closed) and the Monday after (open): texts, calls, a callback asked and called back."""
    sunday = make_app(CLOSED_SUNDAY)
    text = Twilio(sunday.test_client())
    sms_reply(text.sms("hello", from_=A))  # a text conversation begun out of hours
    sms_reply(text.sms("EXCLUDED", from_=A))  # same conversation: guidance on exclusions
    call = "CA" + "b" * 32
    voice_reply(text.call(call_sid=call, from_=B))  # a call out of hours
    voice_reply(text.call("/ivr/menu-choice?node=main", call_sid=call, from_=B, Digits="4"))  # health guidance
    voice_reply(text.call("/ivr/callback/save?topic=health&phone=%2B447700900456&vm=1&txt=0", call_sid=call,
                          from_=B))  # a callback asked for by phone
    flushed(sunday)

    monday = make_app(OPEN_MONDAY)
    phone = Twilio(monday.test_client())
    voice_reply(phone.call(from_=A))  # a call in hours, from a line already in touch this year
    sms_reply(phone.sms("thanks", from_=A))  # the conversation is still kept: a text, not a new contact
    flushed(monday)
    add_adviser(monday, "sam")
    staff = monday.test_client()
    assert log_in(staff, "sam").status_code == 303
    claimed = staff.post("/staff/claim", data={"csrf_token": token_of(staff)})
    assert claimed.status_code == 303
    request_url = claimed.headers["Location"]
    done = staff.post(request_url.rstrip("/") + "/outcome",
                      data={"csrf_token": token_of(staff), "outcome": "reached", "note": ""})
    assert done.status_code == 303
    return monday, staff


EXPECTED = [  # (section, measure, total) for November 2026
    ("contacts", "All contacts (calls and text conversations)", "3"),
    ("contacts", "Calls in helpline hours", "1"),
    ("contacts", "Calls out of hours", "1"),
    ("contacts", "Text conversations begun out of hours", "1"),
    ("contacts", "Text conversations begun in helpline hours", "0"),
    ("contacts", "Texts received (every message)", "3"),
    ("contacts", "Contacts out of hours (share)", "67%"),
    ("repeats", "Contacts from a line already in touch this academic year", "1"),
    ("repeats", "Lines in touch for the first time this academic year", "2"),
    ("callbacks", "Callback requests by phone", "1"),
    ("callbacks", "Calls made to parents", "1"),
    ("callbacks", "Finished: Reached the parent", "1"),
    ("callbacks", "First call after 1 helpline day", "1"),
    ("callbacks", "Median wait for the first call (helpline days)", "1"),
    ("callbacks", "Average calls per finished request", "1"),
]


def test_the_page_shows_what_the_texts_calls_and_callback_made(november):
    app, staff = november
    response = staff.get("/staff/reports?period=month&which=2026-11")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "November 2026: Sunday 1 November 2026 to Monday 30 November 2026." in page
    for section, label, total in EXPECTED:
        assert figure(page, section, label) == total, label
    # guidance is named by its title, content staff edit: found by what it is about
    assert re.search(r'<th scope="row">Guidance: [^<]*exclu[^<]*</th>\s*<td>1</td>', page, re.I)
    assert re.search(r'<th scope="row">Guidance: [^<]*health[^<]*</th>\s*<td>1</td>', page, re.I)
    assert not any(digits in page for digits in ("900123", "900456"))  # no number on the page
    assert "<script" not in page.lower()
    # the week of Monday 23 November has the in-hours call; the week before it the Sunday's contacts
    assert 'role="img"' in page and "Contacts by week, in and out of helpline hours" in page
    assert "23 to 29 Nov: 1 (1 in hours, 0 out of hours)" in page
    assert "16 to 22 Nov: 2 (0 in hours, 2 out of hours)" in page


def test_the_csv_and_flask_report_have_the_same_figures(november):
    app, staff = november
    response = staff.get("/staff/reports.csv?period=month&which=2026-11")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="helpline-report-2026-11.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))
    by_label = {row[1]: row for row in rows[1:]}
    assert by_label["All contacts (calls and text conversations)"][2] == "3"
    assert by_label["Contacts out of hours (share) (%)"][2] == "66.7"
    assert by_label["Contacts from a line already in touch this academic year"][2] == "1"
    assert by_label["First call after 1 helpline day"][2] == "1"

    result = app.test_cli_runner().invoke(args=["report", "--period", "year", "--which", "2026/27"])
    assert result.exit_code == 0, result.output
    year = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"))))
    assert year[0][2] == "Academic year 2026/27: Tuesday 1 September 2026 to Tuesday 31 August 2027"
    assert year[0][3:] == [f"{m} {y}" for m, y in [("September", 2026), ("October", 2026), ("November", 2026),
                                                      ("December", 2026), ("January", 2027), ("February", 2027),
                                                      ("March", 2027), ("April", 2027), ("May", 2027),
                                                      ("June", 2027), ("July", 2027), ("August", 2027)]]
    contacts = next(r for r in year if r[1] == "All contacts (calls and text conversations)")
    assert contacts[2] == "3" and contacts[5] == "3" and contacts[4] == "0"  # all in November


def test_flask_report_refuses_a_period_it_cannot_read(november):
    app, _ = november
    runner = app.test_cli_runner()
    wrong = runner.invoke(args=["report", "--period", "month", "--which", "2026/27"])
    assert wrong.exit_code == 2 and "2026/27 is a year, not a month" in wrong.output
    junk = runner.invoke(args=["report", "--which", "=cmd"])
    assert junk.exit_code == 2 and "Write the period as" in junk.output


@pytest.mark.parametrize("query", ["which=2026-13", "which=%3Dcmd", "period=decade", "which=" + "9" * 5000,
                                   "period=week&which=2026-W99"])
def test_a_period_that_cannot_be_read_gets_a_plain_answer(make_app, query):
    app = make_app(OPEN_MONDAY)
    add_adviser(app, "sam")
    staff = app.test_client()
    log_in(staff, "sam")
    for path in ("/staff/reports", "/staff/reports.csv"):
        response = staff.get(f"{path}?{query}")
        assert response.status_code == 400
        assert "That period could not be shown." in response.get_data(as_text=True)


def test_changing_the_kind_shows_that_kind_within_the_period_shown(make_app):
    app = make_app(OPEN_MONDAY)
    add_adviser(app, "sam")
    staff = app.test_client()
    log_in(staff, "sam")
    page = staff.get("/staff/reports?period=month&which=2025/26").get_data(as_text=True)
    assert "August 2026: Saturday 1 August 2026 to Monday 31 August 2026." in page  # the last month of that year
    page = staff.get("/staff/reports?period=week&which=2026/27").get_data(as_text=True)
    assert "Week beginning Monday 23 November 2026:" in page  # this year: the week we are in


def test_the_busiest_webhooks_make_no_extra_round_trip(make_app, monkeypatch, redis_client):
    """/sms/incoming: 2 round trips, as before reports (the counts ride in its save pipeline);
    /ivr/incoming and /ivr/menu-choice: none (the counts wait in memory for the writer)."""
    app = make_app(CLOSED_SUNDAY)
    twilio = Twilio(app.test_client())
    sms_reply(twilio.sms("hello", from_=B))  # warm: the calendar's version check, the guidance
    voice_reply(twilio.call(from_=B))
    trips = RoundTrips(monkeypatch)
    assert trips.of(twilio, "hello") == 2  # a new line: a new conversation, with its yearly hash
    assert trips.of(twilio, "EXCLUDED") == 2  # a route given
    assert trips.during(lambda: twilio.call()) == 0
    assert trips.during(lambda: twilio.call("/ivr/menu-choice?node=main", Digits="4")) == 0
    waiting = app.extensions["helpline"].events.take()  # the calls' counts, in memory
    day = dt.date(2026, 11, 22)
    assert waiting.counts[(day, "contact:call:out")] == 1 and waiting.counts[(day, "route:health")] == 1
    counted = redis_client.hgetall(events.day_key(app.extensions["helpline"].settings, day))
    assert counted["texts:out"] == "3" and counted["route:exclusion"] == "1"  # the texts' counts: in Redis already


def test_the_writer_thread_writes_the_calls_counts(make_app, redis_client):
    app = make_app(CLOSED_SUNDAY, events_flush_seconds=0.05)
    voice_reply(Twilio(app.test_client()).call())
    key = events.day_key(app.extensions["helpline"].settings, dt.date(2026, 11, 22))
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not redis_client.hget(key, "contact:call:out"):
            time.sleep(0.02)
        assert redis_client.hget(key, "contact:call:out") == "1"
    finally:
        app.extensions["report_counts_stop"].set()


def test_the_counts_hold_no_personal_data_and_expire_after_the_years_kept(november, redis_client):
    app, _ = november
    settings = app.extensions["helpline"].settings
    keys = sorted(redis_client.scan_iter(match=settings.key("events", "*")))
    assert keys == [settings.key("events", kind, day) for kind in ("day", "lines")
                    for day in ("2026-11-22", "2026-11-23")]
    until = dt.datetime(2030, 9, 1, tzinfo=events.LONDON).timestamp()  # 2026/27 + 3 years can be reported
    for key in keys:
        assert abs(redis_client.ttl(key) - (until - time.time())) < 60
    fields = redis_client.hgetall(settings.key("events", "day", "2026-11-22"))
    everything = " ".join(list(fields) + list(fields.values()) + keys)
    assert not re.search(r"\d{6}", everything)  # no number, not even part of one
    assert not any(word in everything.lower() for word in ("hello", "excluded", "thanks"))
