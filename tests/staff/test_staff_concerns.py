"""Safety concerns on the staff page: their own item at the top, claimed to see the number, closed with an outcome."""

import datetime as dt
import logging

import pytest

from store import callbacks, safety
from tests.conftest import OPEN_MONDAY
from tests.staff import store_of, token_of

PARENT = "+447700900123"
WORDS = "I can't keep him safe, he hit him again"


@pytest.fixture
def app(make_app):
    return make_app(OPEN_MONDAY)


@pytest.fixture
def concern(app):
    redis, settings, _ = store_of(app)
    concern_id, _ = safety.raise_concern(redis, settings, phone=PARENT, channel="sms", category="child_harm",
                                         label="Child harmed or at risk", rank=2, words=WORDS,
                                         at=dt.datetime(2026, 11, 23, 10, 30))
    return concern_id


def post(client, url, **form):
    return client.post(url, data={"csrf_token": token_of(client), **form})


def test_a_concern_is_its_own_item_above_the_queue_with_the_words_and_kind_but_no_number(app, sam, concern):
    redis, settings, calendar = store_of(app)
    callbacks.save_request(redis, settings, calendar, phone="+447700900456", topic="general", channel="voice",
                           source_sid="CA" + "d" * 32, now=OPEN_MONDAY, urgent=True,
                           deadline=dt.date(2026, 11, 30))
    html = sam.get("/staff/").get_data(as_text=True)
    assert html.index("Safety concerns") < html.index("Claim next") < html.index("Due today")
    top = html[html.index('id="safety-heading"'):html.index("Claim next")]
    assert "Safety concern</span>" in top and "Child harmed or at risk" in top
    assert "I can&#39;t keep him safe, he hit him again" in top
    assert "+44 7700 900***" in top and "900123" not in html
    due = html[html.index('id="due-heading"'):]
    assert "Deadline soon" in due and "Safety concern" not in due  # a close deadline is labelled as such


def test_claiming_shows_the_number_only_to_that_adviser_and_an_outcome_closes_it(app, sam, alex, concern):
    page = sam.get(f"/staff/safety/{concern}").get_data(as_text=True)
    assert "900123" not in page and "Claim this safety concern" in page
    assert "Contacting them safely" in page and "do not leave a voicemail" in page
    assert post(sam, f"/staff/safety/{concern}/claim").status_code == 303
    mine = sam.get(f"/staff/safety/{concern}").get_data(as_text=True)
    assert 'href="tel:+447700900123"' in mine and "07700 900123" in mine
    theirs = alex.get(f"/staff/safety/{concern}").get_data(as_text=True)
    assert "900123" not in theirs and "sam is dealing with this" in theirs
    refused = post(alex, f"/staff/safety/{concern}/outcome", outcome="called", note="")
    assert "Claim this concern first" in alex.get(refused.headers["Location"]).get_data(as_text=True)

    empty = post(sam, f"/staff/safety/{concern}/outcome", outcome="no_action", note="")
    assert "Say in the note why no action is needed." in sam.get(empty.headers["Location"]).get_data(as_text=True)
    done = post(sam, f"/staff/safety/{concern}/outcome", outcome="referred_police", note="Police informed")
    assert done.headers["Location"].endswith("/staff/")
    queue = sam.get("/staff/").get_data(as_text=True)
    assert "Saved: Referred to the police." in queue and 'id="safety-heading"' not in queue
    history = sam.get(f"/staff/safety/{concern}").get_data(as_text=True)
    assert "sam</strong>: outcome: Referred to the police: Police informed" in history
    assert "Monday 23 November 2026, 11:00" in history


def test_a_try_that_did_not_reach_them_keeps_it_in_the_queue_and_take_over_is_recorded(app, sam, alex, concern):
    post(sam, f"/staff/safety/{concern}/claim")
    post(sam, f"/staff/safety/{concern}/outcome", outcome="no_answer", note="rang, no answer")
    assert "Claim this concern" in alex.get("/staff/").get_data(as_text=True)
    post(alex, f"/staff/safety/{concern}/claim")
    post(sam, f"/staff/safety/{concern}/take-over")
    page = sam.get(f"/staff/safety/{concern}").get_data(as_text=True)
    assert "took over from alex" in page and "tried, could not reach them; still open: rang, no answer" in page
    post(sam, f"/staff/safety/{concern}/release")
    assert safety.get(*store_of(app)[:2], concern)["status"] == "open"


def test_a_callback_request_from_the_same_number_is_linked_both_ways(app, sam, concern):
    redis, settings, calendar = store_of(app)
    saved = callbacks.save_request(redis, settings, calendar, phone="07700 900123", topic="general", channel="sms",
                                   source_sid="SM" + "c" * 32, now=OPEN_MONDAY, urgent=True, voicemail_ok=False)
    queue = sam.get("/staff/").get_data(as_text=True)
    assert f'/staff/requests/{saved.id}">Yes, see the request' in queue
    request_page = sam.get(f"/staff/requests/{saved.id}").get_data(as_text=True)
    assert "This number raised a safety concern." in request_page and f"/staff/safety/{concern}" in request_page
    concern_page = sam.get(f"/staff/safety/{concern}").get_data(as_text=True)
    assert "Not safe: do not leave a voicemail" in concern_page


def test_bad_ids_are_404_and_changes_need_csrf(sam, concern):
    assert sam.get("/staff/safety/999").status_code == 404
    assert sam.get("/staff/safety/abc").status_code == 404
    assert sam.post(f"/staff/safety/{concern}/claim").status_code in (400, 403)


def test_the_logs_never_hold_the_parents_words(app, sam, concern, caplog):
    with caplog.at_level(logging.DEBUG):
        post(sam, f"/staff/safety/{concern}/claim")
        post(sam, f"/staff/safety/{concern}/outcome", outcome="called", note="talked it through")
    assert "keep him safe" not in caplog.text and "900123" not in caplog.text
    assert f"safety concern {concern}" in caplog.text


def test_the_concern_page_lists_every_other_contact_from_the_number(app, sam, concern):
    redis, settings, calendar = store_of(app)
    saved = callbacks.save_request(redis, settings, calendar, phone="07700 900123", topic="general", channel="sms",
                                   source_sid="SM" + "e" * 32, now=OPEN_MONDAY)
    page = sam.get(f"/staff/safety/{concern}").get_data(as_text=True)
    section = page[page.index('id="linked-heading"'):]
    assert f'data-linked="request-{saved.id}"' in section and f'data-linked="concern-{concern}"' not in section
    assert "900123" not in section
