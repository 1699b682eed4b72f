"""The Calendar page: the year at a glance and the changes advisers make, in effect at once everywhere."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from store import calendar_changes, callbacks
from tests.conftest import OPEN_MONDAY, Twilio, sms_replies, spoken, twiml
from tests.staff import csrf_from, logged_in, store_of
from tests.workers.support import run_worker, worker_env
from store.outbox import list_outbox

THURSDAY = dt.date(2026, 11, 26)


@pytest.fixture
def monday(make_app):
    """The app on Monday 23 November 2026 at 11am (open), one callback a day, and sam logged in."""
    app = make_app(OPEN_MONDAY, callbacks_per_day=1)
    return app, logged_in(app)


def post(client, path, **fields):
    token = csrf_from(client.get("/staff/calendar"))
    return client.post(path, data={"csrf_token": token, **fields})


def page(client, **args) -> str:
    response = client.get("/staff/calendar", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def cell(html: str, day: dt.date) -> str:
    """The label of one day on the year view."""
    match = re.search(r'<span class="visually-hidden">(%s[^<]*)</span>' % re.escape(f"{day:%A} {day.day} {day:%B %Y}"),
                      html)
    assert match, f"{day} is not on the page"
    return match.group(1)


def test_the_year_at_a_glance_shows_terms_holidays_bank_holidays_and_what_is_provisional(monday):
    _, sam = monday
    html = page(sam)
    assert "<h1>Calendar</h1>" in html and "Open now." in html
    assert "2026/27 at a glance" in html and "(provisional dates)" in html
    assert cell(html, dt.date(2026, 11, 23)) == "Monday 23 November 2026: Open, provisional dates"
    assert cell(html, dt.date(2026, 12, 25)) == "Friday 25 December 2026: Bank holiday (Christmas Day)"
    assert cell(html, dt.date(2027, 2, 16)) == "Tuesday 16 February 2027: Half term"
    assert cell(html, dt.date(2026, 12, 24)) == "Thursday 24 December 2026: Holiday"
    assert cell(html, dt.date(2026, 11, 27)) == "Friday 27 November 2026: Not staffed, provisional dates"
    assert "Confirm the 2026/27 dates" in html and "Confirm the 2025/26 dates" not in html
    assert "No changes yet: the calendar is the data file as shipped." in html
    assert 'value="2027/28"' in html  # the next year is offered in the form
    last_year = page(sam, year="2025/26")
    assert cell(last_year, dt.date(2026, 3, 2)) == "Monday 2 March 2026: Open"


def test_a_closure_day_takes_effect_for_calls_texts_and_bookings_and_is_audited(monday, make_app):
    app, sam = monday
    response = post(sam, "/staff/calendar/closures", day="2026-11-26", reason="staff training")
    assert response.status_code == 303
    html = sam.get(response.headers["Location"]).get_data(as_text=True)
    assert "Done: closed Thursday 26 November 2026 all day, for staff training." in html
    assert cell(html, THURSDAY) == "Thursday 26 November 2026: Closed (staff training), provisional dates"
    assert re.search(r"<td>sam</td><td>closed Thursday 26 November 2026 all day, for staff training</td>", html)
    assert "Open the line again on Thursday 26 November 2026" in html

    # Another process (a new app on the same Redis) on that Thursday: calls and texts hear it is closed.
    thursday = make_app(dt.datetime(2026, 11, 26, 11, 0))
    said = spoken(twiml(Twilio(thursday.test_client()).call()))
    assert "The helpline is closed today, for staff training." in said
    assert "We open again on Monday the 30th of November at 10am." in said
    assert "open again on Monday 30 November" in " ".join(sms_replies(Twilio(thursday.test_client()).sms("hours")))

    # Bookings skip it: Monday to Wednesday are full (one a day), so the next is Monday 30 November.
    redis, settings, calendar = store_of(app)
    for n, sid in enumerate(("CA1", "CA2", "CA3", "CA4")):
        saved = callbacks.save_request(redis, settings, calendar, phone=f"07700 90010{n}", topic="general",
                                       channel="voice", source_sid=sid, now=OPEN_MONDAY)
    assert saved.expected_on == dt.date(2026, 11, 30)


def test_closing_the_rest_of_today_closes_the_line_now(monday):
    app, sam = monday
    assert "Close the line for the rest of today" in page(sam)
    response = post(sam, "/staff/calendar/close-today", reason="staff illness")
    assert response.status_code == 303
    html = sam.get("/staff/calendar").get_data(as_text=True)
    assert "Done: closed the line for the rest of today (Monday 23 November 2026) from 11am, for staff illness." in html
    assert "Closed now: a closure day (staff illness)." in html
    assert "Close the line for the rest of today</button>" not in html
    said = spoken(twiml(Twilio(app.test_client()).call()))
    assert "The helpline is closed today, for staff illness." in said
    assert "We open again on Tuesday the 24th of November at 10am." in said


def test_removing_a_closure_opens_the_day_again(monday):
    app, sam = monday
    post(sam, "/staff/calendar/closures", day="2026-11-26", reason="staff training")
    response = post(sam, "/staff/calendar/closures/remove", day="2026-11-26")
    assert response.status_code == 303
    html = sam.get("/staff/calendar").get_data(as_text=True)
    assert "Done: removed the closure on Thursday 26 November 2026." in html
    assert cell(html, THURSDAY).startswith("Thursday 26 November 2026: Open")
    assert html.count("<td>sam</td>") == 2


def test_confirming_the_provisional_year_removes_the_warning(monday):
    _, sam = monday
    assert "Calendar data is provisional." in page(sam)
    refused = post(sam, "/staff/calendar/confirm", year="2026/27")
    assert refused.status_code == 400 and "Tick the box" in refused.get_data(as_text=True)
    response = post(sam, "/staff/calendar/confirm", year="2026/27", checked="yes")
    html = sam.get(response.headers["Location"]).get_data(as_text=True)
    assert "Done: confirmed the 2026/27 term dates (no longer provisional)." in html
    assert "Calendar data is provisional." not in html
    assert cell(html, dt.date(2026, 11, 23)) == "Monday 23 November 2026: Open"


def test_next_years_terms_are_entered_and_used(monday, make_app):
    _, sam = monday
    terms = {"term_1": "Autumn 1", "start_1": "2027-09-02", "end_1": "2027-10-22",
             "term_2": "Autumn 2", "start_2": "2027-11-01", "end_2": "2027-12-17"}
    response = post(sam, "/staff/calendar/years", name="2027/28", state="confirmed", source="council page", **terms)
    assert response.status_code == 303
    html = sam.get(response.headers["Location"]).get_data(as_text=True)
    assert "Done: entered the 2027/28 terms (2 terms, Thursday 2 September 2027 to Friday 17 December 2027, confirmed)." in html
    assert "2027/28 at a glance" in html
    assert cell(html, dt.date(2027, 9, 6)) == "Monday 6 September 2027: Open"
    september = make_app(dt.datetime(2027, 9, 6, 11, 0))
    assert "An adviser is available now." in spoken(twiml(Twilio(september.test_client()).call()))


@pytest.mark.parametrize("path,fields,message", [
    ("/staff/calendar/closures", {"day": "2026-13-45", "reason": "training"}, "Give the day to close as a date"),
    ("/staff/calendar/closures", {"day": "", "reason": "training"}, "Give the day to close as a date"),
    ("/staff/calendar/closures", {"day": "2026-11-28", "reason": "training"}, "is already closed: the weekend"),
    ("/staff/calendar/closures", {"day": "2026-11-26", "reason": ""}, "Say why the line is closed"),
    ("/staff/calendar/closures", {"day": "2026-11-26", "reason": "x" * 500}, "at most 60 characters"),
    ("/staff/calendar/closures/remove", {"day": "2026-11-26"}, "is not a closure day"),
    ("/staff/calendar/confirm", {"year": "1999/00", "checked": "yes"}, "There is no school year"),
    ("/staff/calendar/years", {"name": "2027/28", "start_1": "2027-10-22", "end_1": "2027-09-02"}, "is after the last"),
    ("/staff/calendar/years", {"name": "2027/28", "start_1": "02/09/2027", "end_1": "2027-10-22"},
     "Give the first day of Autumn 1 as a date"),
    ("/staff/calendar/years", {"name": "next", "start_1": "2027-09-02", "end_1": "2027-10-22"}, "like 2027/28"),
])
def test_bad_changes_get_a_clear_refusal_keep_the_entries_and_change_nothing(monday, path, fields, message):
    app, sam = monday
    response = post(sam, path, **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Not changed." in html and message in html
    if "name" in fields:
        assert f'value="{fields["name"]}"' in html  # what the adviser typed is still there
    redis, settings, _ = store_of(app)
    assert calendar_changes.load(redis, settings) == (0, calendar_changes.Overlay())
    assert calendar_changes.audit(redis, settings) == []


def test_changes_need_a_login_and_the_forms_token(monday, make_app):
    app, sam = monday
    assert sam.post("/staff/calendar/closures", data={"day": "2026-11-26", "reason": "x"}).status_code == 403
    stranger = app.test_client()
    response = stranger.post("/staff/calendar/closures", data={"day": "2026-11-26", "reason": "x"})
    assert response.status_code == 303 and "/staff/login" in response.headers["Location"]
    redis, settings, _ = store_of(app)
    assert calendar_changes.load(redis, settings)[0] == 0


def test_the_greeting_checks_for_changes_at_most_once_in_a_few_seconds(monday, redis_client):
    app, _ = monday
    twilio = Twilio(app.test_client())
    twiml(twilio.call())
    redis_client.config_resetstat()
    for _ in range(20):
        twiml(twilio.call())
    stats = redis_client.info("commandstats")
    calls = sum(v["calls"] for k, v in stats.items() if k not in ("cmdstat_config", "cmdstat_info"))
    assert calls <= 1  # at most one GET of the version in CHECK_SECONDS, whatever the traffic


def test_callbacks_on_a_newly_closed_day_move_to_the_next_open_day_with_room_and_parents_are_texted(monday, settings):
    app, sam = monday
    redis, cfg, calendar = store_of(app)
    booked = {}
    for n, (phone, text_ok) in enumerate((("07700 900101", True), ("07700 900102", True), ("07700 900103", None),
                                          ("07700 900104", True), ("01632 960123", True))):
        saved = callbacks.save_request(redis, cfg, calendar, phone=phone, topic="general", channel="sms",
                                       source_sid=f"SM{n}", now=OPEN_MONDAY, text_ok=text_ok, part_of_day="morning")
        booked[phone] = saved
    on_thursday = [p for p, s in booked.items() if s.expected_on == THURSDAY]
    assert on_thursday == ["07700 900104"]
    # Fill Monday 30 November so the move goes on to Tuesday 1 December.
    assert booked["01632 960123"].expected_on == dt.date(2026, 11, 30)

    response = post(sam, "/staff/calendar/closures", day="2026-11-26", reason="staff training")
    html = sam.get(response.headers["Location"]).get_data(as_text=True)
    assert ("1 callback booked that day will move to the next open day with room, and the parents will be "
            "texted the new day.") in html

    run_worker({**worker_env(cfg, now=OPEN_MONDAY), "CALLBACKS_PER_DAY": "1"})
    moved = callbacks.get(redis, cfg, booked["07700 900104"].id)
    assert moved["expected_on"] == "2026-12-01"
    assert any(e["what"] == "moved from Thursday 26 November 2026 to Tuesday 1 December 2026: the line is closed "
               "that day" for e in moved["events"])
    assert any(e["what"] == "text about the new day queued" for e in moved["events"])
    assert callbacks.booked_count(redis, cfg, THURSDAY) == 0
    assert callbacks.booked_count(redis, cfg, dt.date(2026, 12, 1)) == 1
    texts = [e for e in list_outbox(redis, cfg.key_prefix) if "now closed" in e.get("body", "")]
    assert [t["to"] for t in texts] == ["+447700900104"]
    assert texts[0]["body"] == ("SEND Partnership Service: sorry, the helpline is now closed on Thursday 26 November "
                                "2026. We will call you on Tuesday 1 December 2026 instead, between 10am and 12 noon, "
                                "from 01225 394382.")
    # Running it again moves nothing and sends nothing more.
    from workers.calendar_jobs import move_callbacks_with
    from tests.workers.support import svc_at
    assert move_callbacks_with(svc_at(cfg, OPEN_MONDAY), THURSDAY.isoformat()) == "moved 0"


def test_a_closure_taken_away_before_the_job_runs_moves_nothing(monday, settings):
    from tests.workers.support import svc_at
    from workers.calendar_jobs import move_callbacks_with

    app, sam = monday
    post(sam, "/staff/calendar/closures", day="2026-11-26", reason="staff training")
    post(sam, "/staff/calendar/closures/remove", day="2026-11-26")
    assert move_callbacks_with(svc_at(settings, OPEN_MONDAY), THURSDAY.isoformat()) == "open_again"


def test_parents_who_said_no_to_texts_are_moved_but_not_texted(monday, settings):
    from tests.workers.support import svc_at
    from workers.calendar_jobs import move_callbacks_with

    app, sam = monday
    redis, cfg, calendar = store_of(app)
    ids = [callbacks.save_request(redis, cfg, calendar, phone=f"07700 90020{n}", topic="general", channel="voice",
                                  source_sid=f"CA{n}", now=OPEN_MONDAY, text_ok=n != 3).id for n in range(4)]
    assert callbacks.get(redis, cfg, ids[3])["expected_on"] == THURSDAY.isoformat()
    post(sam, "/staff/calendar/closures", day="2026-11-26", reason="staff training")
    assert move_callbacks_with(svc_at(settings, OPEN_MONDAY), THURSDAY.isoformat()) == "moved 1"
    assert callbacks.get(redis, cfg, ids[3])["expected_on"] == "2026-11-30"
    assert not [e for e in list_outbox(redis, cfg.key_prefix) if "now closed" in e.get("body", "")]
