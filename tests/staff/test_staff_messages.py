"""The page of texts and calls that did not get through: what is listed, the words, Send again and Dismiss."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest

from store import optouts
from store import outbound as records
from tests.conftest import OPEN_MONDAY, Twilio
from tests.staff import add_adviser, log_in, store_of, token_of
from tests.workers.support import svc_at
from workers.jobs import deliver_with
from workers.outbound import queue_text
from store.outbox import list_outbox

NUMBERS = {name: f"+4477009001{n:02d}" for n, name in enumerate(
    ("unknown", "optout", "invalid", "landline", "off", "gone", "busy", "rules_optout", "rules_landline",
     "sent", "delivered", "cancelled", "blocked"))}
NUMBERS["rules_landline"] = "+441225394101"  # a Bath landline: our rules never text it
DIGITS = tuple(number[-6:] for number in NUMBERS.values())  # any sign of the numbers
UNKNOWN_WORDS = ("We could not tell whether it was sent: it may have arrived. "
                 "Check with the parent before sending again.")


@pytest.fixture
def app(make_app):
    return make_app(OPEN_MONDAY)


def svc_of(app):
    return app.extensions["helpline"]


def text(svc, who: str, purpose: str = "callback_confirmation", body: str = "We will call you on Monday.") -> str:
    return queue_text(svc, to=NUMBERS[who], body=body, purpose=purpose)


def fail(svc, message_id: str, status: str, **fields) -> None:
    """Finish a record as the worker does when Twilio refuses or gives up."""
    records.finish(svc.connections.redis, svc.settings, message_id, status, now=svc.clock(), **fields)


def twilio_reports(app, svc, message_id: str, status: str, code: str | None = None) -> None:
    """Send it through the outbox, then a signed delivery report from "Twilio" moves it on."""
    assert deliver_with(svc, message_id) == "sent"
    sid = record(app, message_id)["sid"]
    form = {"MessageSid": sid, "MessageStatus": status, **({"ErrorCode": code} if code else {})}
    assert Twilio(app.test_client()).post("/sms/status", form).status_code == 204


def record(app, message_id: str) -> dict:
    redis, settings, _ = store_of(app)
    return records.get(redis, settings, message_id)


@pytest.fixture
def messages(app):
    """One message per way of not getting through (each through the path that really gets it
    there where the service has one), and three that did get through or were stopped on purpose."""
    svc = svc_of(app)
    redis, settings = svc.connections.redis, svc.settings
    ids = {name: text(svc, name) for name in NUMBERS}
    records.update(redis, settings, ids["unknown"], now=svc.clock(), status="sending")
    assert deliver_with(svc, ids["unknown"]) == "unknown"  # a worker died mid-send: fate unknown
    fail(svc, ids["optout"], "failed", error="Twilio said 400 (error 21610)", error_code="21610")
    fail(svc, ids["invalid"], "failed", error="Twilio said 400 (error 21211)", error_code="21211")
    fail(svc, ids["landline"], "failed", error="Twilio said 400 (error 21614)", error_code="21614")
    twilio_reports(app, svc, ids["off"], "undelivered", "30003")
    twilio_reports(app, svc, ids["gone"], "undelivered", "30005")
    twilio_reports(app, svc, ids["blocked"], "failed", "30007")
    fail(svc, ids["busy"], "failed", error="gave up: send text: Twilio said 503", error_code="503")
    optouts.set_opted_out(redis, settings, NUMBERS["rules_optout"], True, source="sms", at=svc.clock())
    assert deliver_with(svc, ids["rules_optout"]) == "refused"
    assert deliver_with(svc, ids["rules_landline"]) == "refused"
    assert deliver_with(svc, ids["sent"]) == "sent"
    twilio_reports(app, svc, ids["delivered"], "delivered")
    fail(svc, ids["cancelled"], "cancelled", error="REMIND OFF")
    return ids


def card(html: str, message_id: str) -> str:
    """The HTML of one message's card."""
    start = html.index(f'data-message="{message_id}"')
    return html[start:html.index("</li>", start)]


def section(html: str, name: str) -> str:
    start = html.index(f'id="{name}-heading"')
    return html[start:html.index("</section>", start)]


def post(client, url, **data):
    return client.post(url, data={"csrf_token": token_of(client), **data})


def jobs_and_records(app) -> tuple[list, list]:
    redis, settings, _ = store_of(app)
    return list(svc_of(app).connections.queue.job_ids), redis.zrange(records.all_index(settings), 0, -1)


def drain(app) -> list[str]:
    """Run every queued delivery job as a worker would (deliver_with); returns the outcomes."""
    queue = svc_of(app).connections.queue
    outcomes = []
    for job in queue.get_jobs():
        outcomes.append(deliver_with(svc_of(app), job.args[0]))
        job.delete()
    return outcomes


# --- what is listed ----------------------------------------------------------------------


def test_each_message_that_did_not_get_through_is_listed_with_what_it_means(sam, messages):
    html = sam.get("/staff/messages").get_data(as_text=True)
    needs = section(html, "needs")
    assert "<h1>Messages that did not get through</h1>" in html
    assert 'Needs action <span class="count">(10)</span>' in needs
    for name in ("sent", "delivered", "cancelled"):
        assert f'data-message="{messages[name]}"' not in html
    expected = {
        "unknown": UNKNOWN_WORDS,
        "optout": "The parent has opted out of our texts (they replied STOP). Never send it again.",
        "invalid": "The number is not a valid phone number.",
        "landline": "The number is not a mobile, so it cannot get texts.",
        "off": "The phone was switched off or out of signal.",
        "gone": "The phone company says this number does not exist or is no longer in use.",
        "blocked": "The phone company blocked it, probably as suspected spam.",
        "busy": "Twilio was busy or could not be reached, even after 5 tries.",
        "rules_optout": "The parent has asked us not to text them (they sent STOP).",
        "rules_landline": "The number is not a UK mobile, so we do not text it.",
    }
    for name, words in expected.items():
        row = card(needs, messages[name])
        flat = " ".join(row.replace("<dd>", " ").replace("</dd>", " ").split())
        for part in words.split(". "):
            assert part.rstrip(".") in flat, (name, part)
        assert "Call back confirmation" in row
        assert "Monday 23 November 2026, 11:00" in row
    assert "+44 7700 900***" in card(needs, messages["off"]) and "(error 30003)" in card(needs, messages["off"])
    assert "+44 1225 394***" in card(needs, messages["rules_landline"])
    assert not any(d in html for d in DIGITS)


def test_the_label_says_which_kind_of_problem_it_was(sam, messages):
    needs = section(sam.get("/staff/messages").get_data(as_text=True), "needs")
    labels = {"unknown": "Not sure if it was sent", "off": "Not delivered",
              "optout": "Failed: Twilio could not send it", "rules_optout": "Not sent: our rules stopped it"}
    for name, label in labels.items():
        assert f"✖ </span>{label}</span>" in card(needs, messages[name])


def test_newest_first_and_only_within_the_retention_period(app, sam, settings):
    for at, who in ((OPEN_MONDAY - dt.timedelta(hours=2), "off"), (OPEN_MONDAY - dt.timedelta(minutes=5), "gone"),
                    (OPEN_MONDAY - dt.timedelta(days=31), "busy")):
        svc = svc_at(settings, at)
        fail(svc, text(svc, who, purpose="guidance:school"), "undelivered")
    html = sam.get("/staff/messages").get_data(as_text=True)
    assert html.count('data-message="') == 2  # the 31-day-old one is past RETENTION_DAYS (30)
    assert html.index("5 minutes ago") < html.index("2 hours ago")
    assert "Guidance text" in html


def test_sent_again_is_offered_only_where_it_makes_sense(sam, messages):
    needs = section(sam.get("/staff/messages").get_data(as_text=True), "needs")
    for name in ("unknown", "off", "busy"):
        assert f'action="/staff/messages/{messages[name]}/resend"' in card(needs, messages[name]), name
    for name in ("optout", "invalid", "landline", "gone", "blocked", "rules_optout", "rules_landline"):
        row = card(needs, messages[name])
        assert "/resend" not in row and "Send again" not in row, name
        assert f'action="/staff/messages/{messages[name]}/dismiss"' in row  # but it can be dismissed
    unknown = card(needs, messages["unknown"])
    assert 'name="checked_with_parent" value="yes" required' in unknown
    assert "I have checked with the parent: it did not arrive" in unknown
    assert "checked_with_parent" not in card(needs, messages["off"])  # only an unknown fate needs checking


def test_a_reminder_from_an_earlier_day_is_not_offered_again(app, sam, settings):
    sunday = svc_at(settings, dt.datetime(2026, 11, 22, 10, 0))
    old = text(sunday, "off", purpose="reminder", body="Your deadline is Friday. That is 5 days from today.")
    today = text(svc_of(app), "gone", purpose="reminder", body="Your deadline is Friday. That is 4 days from today.")
    for message_id in (old, today):
        fail(sunday, message_id, "undelivered", error_code="30003")
    html = sam.get("/staff/messages").get_data(as_text=True)
    assert "/resend" not in card(html, old)
    assert "Its words count the days to the deadline from the day it was due, so they are wrong now." in card(html, old)
    assert "/resend" in card(html, today)
    assert "Deadline reminder" in card(html, today)
    forged = post(sam, f"/staff/messages/{old}/resend")
    assert "Not sent again." in sam.get(forged.headers["Location"]).get_data(as_text=True)
    assert "resent_as" not in record(app, old)


# --- sending again -----------------------------------------------------------------------


def test_send_again_queues_one_new_text_and_the_page_follows_it(app, sam, messages, caplog):
    caplog.set_level(logging.INFO)
    drain(app)  # the originals' own jobs: already finished, they send nothing more
    sent_before = len(list_outbox(svc_of(app).connections.redis))
    original = messages["off"]
    response = post(sam, f"/staff/messages/{original}/resend")
    assert response.status_code == 303 and response.headers["Location"] == "/staff/messages"
    page = sam.get("/staff/messages").get_data(as_text=True)
    assert "Sent again: a new call back confirmation to +44 7700 900*** is on its way." in page
    again = record(app, original)["resent_as"]
    assert record(app, original)["status"] == "undelivered"  # what happened is kept
    assert record(app, again)["resend_of"] == original and record(app, again)["resent_by"] == "sam"
    resent = section(page, "resent")
    assert f'data-message="{original}"' in resent and "Now: <strong>Waiting to be sent</strong>" in resent
    assert f'data-message="{original}"' not in section(page, "needs")

    assert drain(app) == ["sent"]  # the worker delivers the new message
    outbox = list_outbox(svc_of(app).connections.redis)
    assert len(outbox) == sent_before + 1
    assert (outbox[0]["to"], outbox[0]["body"]) == (NUMBERS["off"], "We will call you on Monday.")
    page = sam.get("/staff/messages").get_data(as_text=True)
    assert "Kept in the outbox: NOT SENT (the service has no Twilio account)" in card(page, original)
    assert "By sam, Monday 23 November 2026, 11:00." in card(page, original)
    assert f"staff sam sent again callback_confirmation {original} to +44 7700 900*** as {again}" in caplog.text


def test_a_double_submit_sends_once(app, sam, messages):
    drain(app)
    original = messages["unknown"]
    first = post(sam, f"/staff/messages/{original}/resend", checked_with_parent="yes")
    second = post(sam, f"/staff/messages/{original}/resend", checked_with_parent="yes")
    assert first.status_code == second.status_code == 303
    assert "had already been sent again: nothing more was sent" in sam.get("/staff/messages").get_data(as_text=True)
    assert drain(app) == ["sent"]
    to_parent = [e for e in list_outbox(svc_of(app).connections.redis) if e["to"] == NUMBERS["unknown"]]
    assert len(to_parent) == 1
    redis, settings, _ = store_of(app)
    resends = [i for i in redis.zrange(records.all_index(settings), 0, -1)
               if (records.get(redis, settings, i) or {}).get("resend_of") == original]
    assert resends == [record(app, original)["resent_as"]]
    assert record(app, resends[0])["status"] == "sent"


def test_two_advisers_pressing_at_once_send_once(app, messages):
    drain(app)
    clients = []
    for n in range(4):
        add_adviser(app, f"adviser{n}")
        client = app.test_client()
        log_in(client, f"adviser{n}")
        clients.append((client, token_of(client)))
    barrier = threading.Barrier(len(clients))
    url = f"/staff/messages/{messages['busy']}/resend"

    def press(client, token):
        barrier.wait()
        client.post(url, data={"csrf_token": token})

    threads = [threading.Thread(target=press, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert drain(app) == ["sent"]
    assert [e["to"] for e in list_outbox(svc_of(app).connections.redis)].count(NUMBERS["busy"]) == 1


def test_an_unknown_fate_needs_the_parent_checked_first(app, sam, messages):
    drain(app)
    before = jobs_and_records(app)
    response = post(sam, f"/staff/messages/{messages['unknown']}/resend")
    page = sam.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not sent again. First check with the parent that it did not arrive, and tick the box to say so." in page
    assert jobs_and_records(app) == before
    assert "resent_as" not in record(app, messages["unknown"])


@pytest.mark.parametrize("name", ["optout", "invalid", "landline", "gone", "blocked", "rules_optout",
                                  "rules_landline", "sent", "delivered", "cancelled"])
def test_a_forged_send_again_of_what_must_not_go_sends_nothing(app, sam, messages, name):
    drain(app)
    before = jobs_and_records(app)
    response = post(sam, f"/staff/messages/{messages[name]}/resend", checked_with_parent="yes")
    assert response.status_code == 303
    assert "Not sent again." in sam.get("/staff/messages").get_data(as_text=True)
    assert jobs_and_records(app) == before
    assert "resent_as" not in record(app, messages[name])


def test_a_parent_who_opts_out_later_is_not_sent_again(app, sam, messages):
    drain(app)
    redis, settings, _ = store_of(app)
    optouts.set_opted_out(redis, settings, NUMBERS["off"], True, source="sms", at=OPEN_MONDAY)
    row = card(sam.get("/staff/messages").get_data(as_text=True), messages["off"])
    assert "/resend" not in row and "The parent has opted out of texts since (STOP)." in row
    before = jobs_and_records(app)
    post(sam, f"/staff/messages/{messages['off']}/resend")
    assert jobs_and_records(app) == before


def test_send_again_and_dismiss_need_the_csrf_token(app, sam, messages):
    drain(app)
    before = jobs_and_records(app)
    for action in ("resend", "dismiss"):
        response = sam.post(f"/staff/messages/{messages['off']}/{action}", data={"checked_with_parent": "yes"})
        assert response.status_code == 403
        response = sam.post(f"/staff/messages/{messages['off']}/{action}", data={"csrf_token": "forged"})
        assert response.status_code == 403
    assert jobs_and_records(app) == before
    assert set(record(app, messages["off"])) & {"resent_as", "dismissed_at"} == set()


def test_anonymous_visitors_are_sent_to_log_in(app, messages):
    client = app.test_client()
    response = client.get("/staff/messages")
    assert response.status_code == 303 and response.headers["Location"].startswith("/staff/login")
    for action in ("resend", "dismiss"):
        response = client.post(f"/staff/messages/{messages['off']}/{action}")
        assert response.status_code == 303 and response.headers["Location"] == "/staff/login"
    assert set(record(app, messages["off"])) & {"resent_as", "dismissed_at"} == set()


def test_message_ids_that_are_not_ours_are_404(sam, messages):
    assert post(sam, "/staff/messages/m0000000000000000000a/resend").status_code == 404
    assert post(sam, "/staff/messages/..%2Fqueue/resend").status_code == 404
    assert post(sam, "/staff/messages/helpline:outbound:all/dismiss").status_code == 404


# --- dismissing, and the count on the queue ------------------------------------------------


def test_the_queue_page_counts_them_and_links_here(app, sam, messages):
    html = sam.get("/staff/").get_data(as_text=True)
    assert '<a href="/staff/messages">10 messages did not get through</a>' in html
    assert '<a href="/staff/messages">Did not get through</a>' in html  # in the navigation too
    post(sam, f"/staff/messages/{messages['off']}/resend")
    for name in ("unknown", "optout", "invalid", "landline", "gone", "blocked", "busy", "rules_optout"):
        post(sam, f"/staff/messages/{messages[name]}/dismiss")
    assert '<a href="/staff/messages">1 message did not get through</a>' in sam.get("/staff/").get_data(as_text=True)
    post(sam, f"/staff/messages/{messages['rules_landline']}/dismiss")
    assert "did not get through</a>" not in sam.get("/staff/").get_data(as_text=True).replace(
        '<a href="/staff/messages">Did not get through</a>', "")


def test_dismiss_hides_a_message_and_keeps_who_did_it(app, sam, messages):
    post(sam, f"/staff/messages/{messages['optout']}/dismiss")
    html = sam.get("/staff/messages").get_data(as_text=True)
    assert "Dismissed: the call back confirmation to +44 7700 900*** is hidden from the list." in html
    dismissed_at = record(app, messages["optout"])["dismissed_at"]
    add_adviser(app, "alex")
    alex = app.test_client()
    log_in(alex, "alex")
    post(alex, f"/staff/messages/{messages['optout']}/dismiss")  # a second press changes nothing
    saved = record(app, messages["optout"])
    assert saved["dismissed_by"] == "sam" and saved["status"] == "failed" and saved["dismissed_at"] == dismissed_at
    html = sam.get("/staff/messages").get_data(as_text=True)
    assert f'data-message="{messages["optout"]}"' not in html
    assert '<a href="/staff/messages?show=dismissed">Show the 1 dismissed message</a>' in html
    shown = sam.get("/staff/messages?show=dismissed").get_data(as_text=True)
    row = card(section(shown, "dismissed"), messages["optout"])
    assert "By sam, Monday 23 November 2026, 11:00" in row and "<form" not in row
    post(sam, f"/staff/messages/{messages['sent']}/dismiss")
    assert "dismissed_at" not in record(app, messages["sent"])  # only problems can be dismissed


def test_phone_numbers_never_reach_the_page_urls_or_logs(app, sam, messages, caplog):
    caplog.set_level(logging.DEBUG)
    pages, urls = [], []
    for name, data in (("unknown", {"checked_with_parent": "yes"}), ("off", {}), ("optout", {})):
        urls.append(post(sam, f"/staff/messages/{messages[name]}/resend", **data).headers["Location"])
        urls.append(post(sam, f"/staff/messages/{messages[name]}/dismiss").headers["Location"])
    drain(app)
    for url in ("/staff/messages", "/staff/messages?show=dismissed", "/staff/"):
        pages.append(sam.get(url).get_data(as_text=True))
    urls += [part.split('"')[0] for page in pages for part in page.split('action="')[1:]]
    urls += [part.split('"')[0] for page in pages for part in page.split('href="')[1:]]
    assert len(urls) > 20
    assert not any(d in text for text in pages + urls + [caplog.text] for d in DIGITS)
    assert "sent again" in caplog.text and "dismissed message" in caplog.text  # the log does say what was done
