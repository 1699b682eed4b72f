"""The request page: move a request to another helpline day, release a claim, and every other contact
from the same number linked (issue 14 item 5). Test client against the real Redis; the browser test is
test_staff_move_browser.py."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from store import callbacks, safety
from store import outbound as records
from tests.conftest import OPEN_MONDAY
from tests.staff import logged_in, store_of, token_of

PARENT = "+447700900123"
OTHER = "+447700900456"
MONDAY, TUESDAY, WEDNESDAY = dt.date(2026, 11, 23), dt.date(2026, 11, 24), dt.date(2026, 11, 25)


@pytest.fixture
def app(make_app):
    return make_app(OPEN_MONDAY, callbacks_per_day=2)


def save(app, phone=PARENT, *, at=OPEN_MONDAY, sid=None, **fields):
    redis, settings, calendar = store_of(app)
    fields.setdefault("topic", "general")
    return callbacks.save_request(redis, settings, calendar, phone=phone, channel="voice",
                                  source_sid=sid or f"CA{phone[-6:]}{at:%d%H%M}".ljust(34, "0"), now=at, **fields)


def record(app, request_id):
    redis, settings, _ = store_of(app)
    return callbacks.get(redis, settings, request_id)


def post(client, url, **data):
    return client.post(url, data={"csrf_token": token_of(client), **data})


def page(client, request_id) -> str:
    return client.get(f"/staff/requests/{request_id}").get_data(as_text=True)


def move_options(html: str) -> list[tuple[str, str]]:
    select = html[html.index('<select id="move-day"'):]
    return re.findall(r'<option value="([^"]+)">([^<]+)</option>', select[:select.index("</select>")])


def texts_to(app, phone):
    redis, settings, _ = store_of(app)
    return [records.get(redis, settings, i) for i in records.ids_for_phone(redis, settings, phone)]


# --- move ------------------------------------------------------------------------------------------


def test_the_move_list_offers_the_next_helpline_days_with_room_and_how_full_each_is(app, sam):
    mine = save(app, text_ok=True)
    save(app, OTHER)  # Monday is now full (two a day)
    save(app, "+447700900789")  # ... so this one is on Tuesday: 1 of 2
    html = page(sam, mine.id)
    assert '<label for="move-day">New day' in html  # the label is tied to the select
    options = move_options(html)
    assert options[0] == ("2026-11-24", "Tuesday 24 November 2026 (1 of 2 booked)")
    assert options[1] == ("2026-11-25", "Wednesday 25 November 2026 (0 of 2 booked)")
    assert "2026-11-23" not in dict(options)  # its own day (and full)
    assert len(options) == 9  # the next 10 helpline days, less the full one
    assert all(dt.date.fromisoformat(v).weekday() < 4 for v, _ in options)  # Monday to Thursday only
    assert "The parent will get a text with the new day." in html


def test_a_move_is_recorded_and_the_parent_is_texted_the_new_day(app, sam):
    request = save(app, text_ok=True, part_of_day="morning")
    moved = post(sam, f"/staff/requests/{request.id}/move", day="2026-11-25")
    assert moved.status_code == 303 and moved.headers["Location"] == f"/staff/requests/{request.id}"
    html = page(sam, request.id)
    assert ("Moved to Wednesday 25 November 2026 (from Monday 23 November 2026). "
            "The parent will get a text with the new day.") in html
    after = record(app, request.id)
    assert after["expected_on"] == "2026-11-25"
    assert {"who": "sam", "what": "moved from Monday 23 November 2026 to Wednesday 25 November 2026"}.items() \
        <= after["events"][-2].items()
    assert after["events"][-1]["what"] == "text about the new day queued"
    redis, settings, _ = store_of(app)
    assert callbacks.booked_counts(redis, settings, [MONDAY, WEDNESDAY]) == {MONDAY: 0, WEDNESDAY: 1}
    [text] = texts_to(app, PARENT)
    assert text["purpose"] == "callback_moved_by_adviser" and text["status"] == "queued"
    assert text["body"] == ("SEND Partnership Service: an adviser has moved your call back to Wednesday 25 November "
                            f"2026, between 10am and 12 noon, from {settings.helpline_number}. To cancel, text "
                            "CALLBACK OFF. To change the day, text CALLBACK MOVE.")


def test_a_parent_who_did_not_say_yes_to_texts_is_not_texted_and_the_adviser_is_told(app, sam):
    request = save(app, text_ok=False)
    assert "The parent did not say yes to texts, so tell them yourself." in page(sam, request.id)
    post(sam, f"/staff/requests/{request.id}/move", day="2026-11-24")
    html = page(sam, request.id)
    assert "The parent did not say yes to texts, so they have not been told: tell them when you call." in html
    assert record(app, request.id)["events"][-1]["what"] == "no text about the new day (no texts)"
    assert texts_to(app, PARENT) == []


def test_a_full_day_is_refused_with_a_clear_message(app, sam):
    request = save(app)
    save(app, OTHER)
    save(app, "+447700900789")
    save(app, "+447700900111")  # Tuesday now full too
    assert "2026-11-24" not in dict(move_options(page(sam, request.id)))
    refused = post(sam, f"/staff/requests/{request.id}/move", day="2026-11-24")  # an old form, or a race
    assert refused.status_code == 303
    assert "Tuesday 24 November 2026 is full. Choose another day." in page(sam, request.id)
    assert record(app, request.id)["expected_on"] == "2026-11-23"


@pytest.mark.parametrize("day, words", [
    ("2026-11-28", "The helpline is closed on Saturday 28 November 2026. Choose a day from the list."),
    ("2026-11-27", "The helpline is closed on Friday 27 November 2026. Choose a day from the list."),
    ("2026-12-24", "The helpline is closed on Thursday 24 December 2026. Choose a day from the list."),
    ("2026-11-19", "Thursday 19 November 2026 has passed. Choose a day from the list."),
    ("2027-03-01", "Monday 1 March 2027 is not one of the next 10 helpline days we can book."),
    ("", "Choose a day from the list before moving the request."),
    ("next tuesday", "Choose a day from the list before moving the request."),
    ("2026-02-30", "Choose a day from the list before moving the request."),
    ("9" * 5000, "Choose a day from the list before moving the request."),
])
def test_a_closed_unlisted_or_unreadable_day_is_refused_never_a_500(app, sam, day, words):
    request = save(app)
    response = post(sam, f"/staff/requests/{request.id}/move", day=day)
    assert response.status_code == 303
    assert words in page(sam, request.id)
    assert record(app, request.id)["expected_on"] == "2026-11-23"


def test_the_same_day_again_is_refused(app, sam):
    request = save(app)
    post(sam, f"/staff/requests/{request.id}/move", day="2026-11-24")
    post(sam, f"/staff/requests/{request.id}/move", day="2026-11-24")  # pressed twice
    assert "This request is already booked for Tuesday 24 November 2026." in page(sam, request.id)
    redis, settings, _ = store_of(app)
    assert callbacks.booked_count(redis, settings, TUESDAY) == 1


def test_a_request_another_adviser_is_calling_cannot_be_moved(app, sam, alex):
    request = save(app)
    post(alex, "/staff/claim")
    html = page(sam, request.id)
    assert "alex is calling this parent" in html and 'id="move-day"' not in html
    post(sam, f"/staff/requests/{request.id}/move", day="2026-11-24")
    assert "Another adviser has claimed this request, so it was not moved." in page(sam, request.id)
    assert record(app, request.id)["expected_on"] == "2026-11-23"


def test_the_claimant_moving_a_request_gives_it_back_to_the_queue(app, sam):
    request = save(app)
    post(sam, "/staff/claim")
    assert "Moving it gives it back to the queue for that day." in page(sam, request.id)
    post(sam, f"/staff/requests/{request.id}/move", day="2026-11-24")
    after = record(app, request.id)
    assert (after["status"], after["claimed_by"]) == ("open", None)
    assert "tel:" not in page(sam, request.id)


def test_a_finished_request_has_no_move_form_and_a_move_is_refused(app, sam):
    request = save(app)
    url = post(sam, "/staff/claim").headers["Location"]
    post(sam, url + "/outcome", outcome="reached", note="")
    assert 'id="move-day"' not in page(sam, request.id)
    post(sam, f"/staff/requests/{request.id}/move", day="2026-11-24")
    assert "This request has already been finished, so it cannot be moved." in page(sam, request.id)


def test_moving_and_releasing_need_the_csrf_token(app, sam):
    request = save(app)
    assert sam.post(f"/staff/requests/{request.id}/move", data={"day": "2026-11-24"}).status_code == 403
    post(sam, "/staff/claim")
    assert sam.post(f"/staff/requests/{request.id}/release", data={"csrf_token": "forged"}).status_code == 403
    after = record(app, request.id)
    assert (after["expected_on"], after["status"]) == ("2026-11-23", "claimed")
    assert sam.post("/staff/requests/999/move", data={"csrf_token": token_of(sam), "day": "2026-11-24"}) \
        .status_code == 404


# --- release -----------------------------------------------------------------------------------------


def test_the_claimant_releases_a_claim_and_it_is_back_in_the_queue(app, sam):
    request = save(app)
    post(sam, "/staff/claim")
    assert "Release this request" in page(sam, request.id)
    released = post(sam, f"/staff/requests/{request.id}/release")
    assert released.headers["Location"] == "/staff/"
    assert "Released: the request is back in the queue for another adviser." in sam.get("/staff/").get_data(
        as_text=True)
    after = record(app, request.id)
    assert (after["status"], after["claimed_by"], after["attempts"]) == ("open", None, 0)
    assert {"who": "sam", "what": "released the claim: back in the queue"}.items() <= after["events"][-1].items()
    assert "sam</strong>: released the claim: back in the queue" in page(sam, request.id)


def test_only_the_claimant_can_release(app, sam, alex):
    request = save(app)
    post(alex, "/staff/claim")
    assert "Release this request" not in page(sam, request.id)
    refused = post(sam, f"/staff/requests/{request.id}/release")
    assert refused.headers["Location"] == f"/staff/requests/{request.id}"
    assert "Only the adviser who claimed this request can release it." in page(sam, request.id)
    assert record(app, request.id)["claimed_by"] == "alex"
    post(alex, f"/staff/requests/{request.id}/release")
    post(sam, f"/staff/requests/{request.id}/release")
    assert "Nobody has claimed this request: it is already in the queue." in page(sam, request.id)


# --- every contact from the same number ------------------------------------------------------------


def test_other_requests_and_safety_concerns_from_the_number_are_linked_newest_first(app, sam):
    redis, settings, _ = store_of(app)
    earlier = save(app, at=dt.datetime(2026, 11, 16, 11, 0), topic="appeal")
    url = post(sam, "/staff/claim").headers["Location"]
    post(sam, url + "/outcome", outcome="reached", note="")
    concern_id, _ = safety.raise_concern(redis, settings, phone="07700 900123", channel="sms", category="child_harm",
                                         label="Child harmed or at risk", rank=2, words="he hurt my son",
                                         at=dt.datetime(2026, 11, 20, 18, 0))
    safety.raise_concern(redis, settings, phone=OTHER, channel="sms", category="child_harm",
                         label="Someone else's worry", rank=2, words="not this parent", at=OPEN_MONDAY)
    now = save(app, topic="health")
    save(app, OTHER)

    alex = logged_in(app, "alex")  # not the claimant: the number is never shown, only the links
    html = page(alex, now.id)
    linked = html[html.index('id="linked-heading"'):]
    linked = linked[:linked.index("</section>")]
    assert "1 other call back request and 1 safety concern, newest first." in linked
    items = re.findall(r'<li data-linked="([a-z]+-\d+)">', linked)
    assert items == [f"concern-{concern_id}", f"request-{earlier.id}"]
    assert f'href="/staff/safety/{concern_id}"' in linked and f'href="/staff/requests/{earlier.id}"' in linked
    assert "Safety concern:</strong>" in linked and "Child harmed or at risk" in linked
    assert "Friday 20 November 2026, 18:00" in linked and "Waiting for an adviser" in linked
    assert "Appeals to the Tribunal" in linked and "Monday 16 November 2026, 11:00" in linked
    assert "Done: Reached the parent" in linked
    assert "Someone else" not in linked and f"request-{now.id}" not in linked
    assert "900123" not in html and "900456" not in html

    # ... and from the earlier request, the later one is linked back
    back = page(alex, earlier.id)
    assert f'<li data-linked="request-{now.id}">' in back


def test_a_number_with_nothing_else_says_so(app, sam):
    request = save(app)
    assert "No other call back requests or safety concerns from this number." in page(sam, request.id)


def test_a_landline_is_not_texted_even_when_the_parent_said_yes(app, sam):
    request = save(app, "01632 960123", text_ok=True)  # Ofcom's drama range for landlines
    assert "Their number cannot take texts, so tell them yourself." in page(sam, request.id)
    post(sam, f"/staff/requests/{request.id}/move", day="2026-11-24")
    assert "The number cannot take texts, so the parent has not been told: tell them when you call." \
        in page(sam, request.id)
    assert texts_to(app, "+441632960123") == []
