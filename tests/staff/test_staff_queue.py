"""The callback queue page: sections, rows, claiming, outcomes, notes, history and outbox (concerns: test_staff_concerns)."""

import datetime as dt
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from clock import LONDON
from store import callbacks
from tests.conftest import OPEN_MONDAY
from tests.staff import add_adviser, log_in, logged_in, store_of, token_of
from workers.senders import OutboxSender

PARENT_A = "+447700900123"
PARENT_B = "+447700900456"
PARENT_C = "+447700900789"
DIGITS = ("900123", "900456", "900789")  # any sign of the numbers


@pytest.fixture
def app(make_app):
    return make_app(OPEN_MONDAY, callbacks_per_day=2)


def save(app, phone, *, at, topic="general", sid=None, **fields):
    redis, settings, calendar = store_of(app)
    return callbacks.save_request(redis, settings, calendar, phone=phone, topic=topic, channel="voice",
                                  source_sid=sid or f"CA{phone[-6:]}{at:%H%M}".ljust(34, "0"), now=at, **fields)


@pytest.fixture
def queue(app):
    """Three requests: A (asked Monday 9am, morning, voicemail and texts OK), B (urgent, asked
    Sunday), C (booked for Tuesday: two a day)."""
    a = save(app, PARENT_A, at=dt.datetime(2026, 11, 23, 9, 0), voicemail_ok=True, text_ok=True,
             part_of_day="morning")
    b = save(app, PARENT_B, at=dt.datetime(2026, 11, 22, 20, 0), urgent=True, voicemail_ok=False)
    c = save(app, PARENT_C, at=dt.datetime(2026, 11, 23, 9, 30))
    assert c.expected_on == dt.date(2026, 11, 24)
    return a.id, b.id, c.id


def section(html: str, heading: str) -> str:
    """The HTML of one queue section, from its heading to the next section."""
    start = html.index(f'id="{heading}-heading"')
    end = html.find("</section>", start)
    return html[start:end]


def post(client, url, **data):
    return client.post(url, data={"csrf_token": token_of(client), **data})


def test_the_queue_shows_due_later_and_done_with_each_row_described(sam, queue):
    a, b, c = queue
    html = sam.get("/staff/").get_data(as_text=True)
    due, later, done = section(html, "due"), section(html, "later"), section(html, "done")
    assert "Due today <span class=\"count\">(2)</span>" in due
    assert due.index(f'data-request="{b}"') < due.index(f'data-request="{a}"')  # urgent first
    assert f'data-request="{c}"' in later and "Tuesday 24 November 2026" in later
    assert "Nothing finished yet." in done
    row_a = due[due.index(f'data-request="{a}"'):]
    row_a = row_a[:row_a.index("</li>")]
    assert "A general question" in row_a
    assert "2 hours ago" in row_a
    assert re.search(r"<dt>Attempts</dt><dd>0</dd>", row_a)
    assert "Not urgent" in row_a
    assert "Phone call · Morning (10am to 12 noon) · Voicemail OK · Texts OK" in row_a
    row_b = due[due.index(f'data-request="{b}"'):]
    assert "⚠ </span>Urgent" in row_b[:row_b.index("</li>")]  # a word and an icon, not colour alone
    assert "No voicemail" in row_b and "Texts: not asked" in row_b
    assert "15 hours ago" in row_b


def test_no_phone_number_appears_on_the_queue(sam, queue):
    html = sam.get("/staff/").get_data(as_text=True)
    assert not any(d in html for d in DIGITS)


def test_claim_next_gives_the_most_urgent_and_shows_the_number_only_there(sam, queue):
    a, b, c = queue
    response = post(sam, "/staff/claim")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/requests/{b}"
    page = sam.get(response.headers["Location"]).get_data(as_text=True)
    assert '<a href="tel:+447700900456">07700 900456</a>' in page
    assert "sam</strong>: claimed to call" in page  # the history says who, what and when
    assert "Monday 23 November 2026, 11:00" in page
    queue_page = sam.get("/staff/").get_data(as_text=True)
    assert "You are calling" in queue_page and "Claimed by sam" in queue_page
    assert not any(d in queue_page for d in DIGITS)


def test_two_advisers_never_get_the_same_parent(sam, alex, queue):
    first = post(sam, "/staff/claim").headers["Location"]
    second = post(alex, "/staff/claim").headers["Location"]
    third = post(sam, "/staff/claim").headers["Location"]
    assert len({first, second, third}) == 3
    nobody = post(alex, "/staff/claim")
    assert nobody.headers["Location"] == "/staff/"
    assert "Nobody is waiting for a call that you can take right now." in alex.get("/staff/").get_data(as_text=True)


def test_claims_are_atomic_under_concurrency(app, queue):
    clients = []
    for n in range(6):
        add_adviser(app, f"adviser{n}")
        client = app.test_client()
        log_in(client, f"adviser{n}")
        clients.append((client, token_of(client)))
    results, barrier = [], threading.Barrier(len(clients))

    def claim(client, token):
        barrier.wait()
        results.append(client.post("/staff/claim", data={"csrf_token": token}).headers["Location"])

    threads = [threading.Thread(target=claim, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = [r for r in results if r.startswith("/staff/requests/")]
    assert len(claimed) == 3 and len(set(claimed)) == 3


def test_only_the_claimant_sees_the_number_and_records_the_outcome(sam, alex, queue):
    url = post(sam, "/staff/claim").headers["Location"]
    other_view = alex.get(url).get_data(as_text=True)
    assert "sam is calling this parent" in other_view
    assert not any(d in other_view for d in DIGITS) and "tel:" not in other_view
    refused = post(alex, url + "/outcome", outcome="reached", note="")
    assert refused.status_code == 303
    redis, settings, _ = store_of(sam.application)
    assert callbacks.get(redis, settings, url.rsplit("/", 1)[1])["status"] == "claimed"


def test_recording_an_outcome_moves_the_request_to_done_with_its_history(sam, queue):
    a, b, c = queue
    url = post(sam, "/staff/claim").headers["Location"]
    saved = post(sam, url + "/outcome", outcome="reached", note="Explained mediation; sending the leaflet")
    assert saved.headers["Location"] == "/staff/"
    html = sam.get("/staff/").get_data(as_text=True)
    assert "Saved: Reached the parent (done)." in html
    done = section(html, "done")
    assert f'data-request="{b}"' in done and "Reached the parent" in done and "✔ </span>Done" in done
    assert f'data-request="{b}"' not in section(html, "due")
    page = sam.get(url).get_data(as_text=True)
    assert "sam</strong>: outcome: reached (Explained mediation; sending the leaflet)" in page
    assert "tel:" not in page  # finished: the number is no longer shown


def test_no_answer_puts_the_request_back_with_an_attempt(sam, queue):
    url = post(sam, "/staff/claim").headers["Location"]
    post(sam, url + "/outcome", outcome="no_answer", note="")
    html = sam.get("/staff/").get_data(as_text=True)
    request_id = url.rsplit("/", 1)[1]
    due = section(html, "due")
    row = due[due.index(f'data-request="{request_id}"'):]
    assert re.search(r"<dt>Attempts</dt><dd>1</dd>", row[:row.index("</li>")])


def test_the_third_missed_day_closes_the_request_and_queues_the_closing_text(make_app):
    app = make_app(dt.datetime(2026, 11, 26, 11, 0))  # Thursday, in hours
    redis, settings, calendar = store_of(app)
    a = save(app, PARENT_A, at=dt.datetime(2026, 11, 23, 9, 0))
    for day in (23, 24):  # no answer on Monday and Tuesday
        callbacks.record_outcome(redis, settings, calendar, a.id, staff_name="alex", outcome="no_answer", note="",
                                 now=dt.datetime(2026, 11, day, 11, 0, tzinfo=LONDON))
    sam = logged_in(app, "sam")
    url = post(sam, "/staff/claim").headers["Location"]
    assert url.endswith(f"/{a.id}")
    saved = post(sam, url + "/outcome", outcome="no_answer", note="")
    assert saved.status_code == 303
    assert "we tried three times" in sam.get("/staff/").get_data(as_text=True)
    assert callbacks.get(redis, settings, a.id)["status"] == "closed"
    assert app.extensions["helpline"].connections.queue.job_ids == [f"callback-closing-{a.id}"]


def test_an_outcome_must_be_chosen(sam, queue):
    url = post(sam, "/staff/claim").headers["Location"]
    post(sam, url + "/outcome", outcome="", note="hello")
    assert "Choose what happened on the call" in sam.get(url).get_data(as_text=True)


def test_notes_are_kept_in_the_history_and_shown_on_the_queue(sam, queue):
    a, b, c = queue
    post(sam, f"/staff/requests/{a}/note", note="Mum works mornings; try after 11")
    page = sam.get(f"/staff/requests/{a}").get_data(as_text=True)
    assert "sam</strong>: note: Mum works mornings; try after 11" in page
    html = sam.get("/staff/").get_data(as_text=True)
    assert "Mum works mornings; try after 11 <span class=\"muted\">— sam, just now</span>" in html


def test_unknown_request_ids_are_404(sam):
    assert sam.get("/staff/requests/999").status_code == 404
    assert sam.get("/staff/requests/abc").status_code == 404


def test_a_banner_says_when_the_calendar_is_provisional(sam, make_app):
    assert "Calendar data is provisional." in sam.get("/staff/").get_data(as_text=True)
    confirmed = make_app(dt.datetime(2026, 3, 2, 11, 0))
    add_adviser(confirmed, "kim")
    client = confirmed.test_client()
    log_in(client, "kim")
    assert "Calendar data is provisional." not in client.get("/staff/").get_data(as_text=True)


def test_the_outbox_page_marks_everything_not_sent(app, sam):
    redis, settings, _ = store_of(app)
    OutboxSender(redis, settings.key_prefix).send_sms(PARENT_A, "We will call you on Monday.")
    html = sam.get("/staff/outbox").get_data(as_text=True)
    assert "<h1>Outbox: NOT SENT</h1>" in html
    assert "Nothing on this page was sent." in html
    assert "We will call you on Monday." in html and "+44 7700 900***" in html
    assert "900123" not in html
    assert html.count("NOT SENT</td>") == 1


def test_in_local_mode_a_voice_message_is_a_notice_not_a_player(app, sam):
    saved = save(app, PARENT_A, at=OPEN_MONDAY, voice_message_url="https://api.twilio.com/2010-04-01/Accounts/"
                 "AC00/Recordings/REfake")
    html = sam.get("/staff/").get_data(as_text=True)
    assert "Simulated recording in local mode" in html and "<audio" not in html
    assert sam.get(f"/staff/requests/{saved.id}/voice-message").status_code == 404


class _Recordings(BaseHTTPRequestHandler):
    """A stand-in for Twilio's recording media: checks Basic auth, returns a few MP3 bytes."""

    seen: list = []

    def do_GET(self):
        self.seen.append((self.path, self.headers.get("Authorization")))
        if not self.headers.get("Authorization", "").startswith("Basic "):
            self.send_response(401)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "audio/mpeg")
        self.end_headers()
        self.wfile.write(b"ID3fake-mp3")

    def log_message(self, *args):
        pass


def test_with_twilio_a_voice_message_plays_through_the_staff_proxy(make_app):
    server = HTTPServer(("127.0.0.1", 0), _Recordings)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        app = make_app(OPEN_MONDAY, twilio_account_sid="AC" + "1" * 32, twilio_api_base_url=base)
        recording = f"{base}/2010-04-01/Accounts/AC{'1' * 32}/Recordings/RE{'2' * 32}"
        saved = save(app, PARENT_A, at=OPEN_MONDAY, voice_message_url=recording)
        add_adviser(app)
        client = app.test_client()
        log_in(client)
        html = client.get("/staff/").get_data(as_text=True)
        player = f'<audio controls preload="none" src="/staff/requests/{saved.id}/voice-message"'
        assert player in html and recording not in html
        audio = client.get(f"/staff/requests/{saved.id}/voice-message")
        assert audio.status_code == 200 and audio.mimetype == "audio/mpeg"
        assert audio.get_data() == b"ID3fake-mp3"
        assert _Recordings.seen[-1][0].endswith(".mp3")
        # A recording URL that is not Twilio's (or the configured stand-in) is never fetched.
        other = save(app, PARENT_B, at=OPEN_MONDAY, voice_message_url="http://169.254.169.254/latest")
        assert client.get(f"/staff/requests/{other.id}/voice-message").status_code == 404
        assert not any("169.254" in path for path, _ in _Recordings.seen)
    finally:
        server.shutdown()


def test_phone_numbers_never_reach_the_logs_or_urls(sam, queue, caplog):
    caplog.set_level(logging.DEBUG)
    urls = []
    for _ in range(3):
        response = post(sam, "/staff/claim")
        urls.append(response.headers["Location"])
        sam.get(response.headers["Location"])
        post(sam, response.headers["Location"] + "/note", note="tried")
        post(sam, response.headers["Location"] + "/outcome", outcome="left_voicemail", note="")
    sam.get("/staff/")
    assert not any(d in caplog.text for d in DIGITS)
    assert not any(d in u for u in urls for d in DIGITS)


def test_every_action_is_in_the_history(sam, queue):
    url = post(sam, "/staff/claim").headers["Location"]
    post(sam, url + "/note", note="first try")
    post(sam, url + "/outcome", outcome="left_voicemail", note="asked her to ring back")
    history = sam.get(url).get_data(as_text=True)
    history = history[history.index('id="history-heading"'):]
    for words in ("sam</strong>: claimed to call", "sam</strong>: note: first try",
                  "sam</strong>: outcome: left voicemail (asked her to ring back)",
                  "parent</strong>: asked for a call back by phone"):
        assert words in history


def test_call_now_enqueues_the_bridging_call_and_notes_it(app, sam, queue):
    from rq import Queue

    url = post(sam, "/staff/claim").headers["Location"]
    request_id = url.rsplit("/", 1)[1]
    page = sam.get(url).get_data(as_text=True)
    assert "Call now (rings the staff phone, then the parent)" in page
    response = post(sam, url + "/call")
    assert response.headers["Location"] == url
    page = sam.get(url).get_data(as_text=True)
    assert "Calling: the staff phone will ring first" in page
    assert "sam</strong>: asked for a call now" in page
    rq_queue = Queue(app.extensions["helpline"].settings.queue_name,
                     connection=app.extensions["helpline"].connections.queue.connection)
    jobs = rq_queue.get_jobs()
    assert [(j.func_name, j.args[0]) for j in jobs] == [("workers.callback_jobs.call_now", request_id)]
    post(sam, url + "/call")  # a double click is one call
    assert len(rq_queue.get_jobs()) == 1


def test_call_now_needs_a_claim_and_a_staff_phone(make_app, queue):
    app = make_app(OPEN_MONDAY, callbacks_per_day=2, staff_forward_number=None)
    add_adviser(app, "sam")
    client = app.test_client()
    log_in(client)
    a, b, c = queue
    refused = post(client, f"/staff/requests/{a}/call")
    assert "Claim this request before calling." in client.get(refused.headers["Location"]).get_data(as_text=True)
    url = post(client, "/staff/claim").headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "Call now" not in page  # no staff phone: the button is not offered
    post(client, url + "/call")
    assert "Call now is not set up" in client.get(url).get_data(as_text=True)
    assert app.extensions["helpline"].connections.queue.count == 0


def test_the_parents_words_and_contact_needs_are_on_the_card_and_the_request_page(make_app):
    """Relay UK (dial 18002 first), the interpreter's language, voicemail safe or not, their own words and texts."""
    from store import callbacks as store
    from tests.staff import logged_in

    app = make_app(OPEN_MONDAY)
    svc = app.extensions["helpline"]
    result = store.save_request(
        svc.connections.redis, svc.settings, svc.calendar, phone="+447700900123", topic="disagree", channel="sms",
        source_sid="SM" + "9" * 32, now=OPEN_MONDAY, contact_by="relay", voicemail_ok=False, text_ok=True,
        interpreter="pl", problem_words="the council refused the assessment", decision_date="2026-11-10",
        conversation_texts=["yes", "the council refused the assessment"])
    sam = logged_in(app)
    queue = sam.get("/staff/").get_data(as_text=True)
    assert "dial 18002 then the number" in queue and "Interpreter: Polish" in queue
    assert "the council refused the assessment" in queue and "No voicemail (not safe" in queue
    page = sam.get(f"/staff/requests/{result.id}").get_data(as_text=True)
    assert "In their words" in page and "Their texts" in page and "Decision letter" in page
    assert page.count("the council refused the assessment") >= 2
