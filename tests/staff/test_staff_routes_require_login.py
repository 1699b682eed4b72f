"""Every staff route, found by walking the URL map, refuses someone who is not logged in."""

import pytest

from staff.auth import PUBLIC_ENDPOINTS
from tests.conftest import OPEN_MONDAY
from tests.staff import csrf_from
from store import callbacks
from store import outbound, safety
from tests.staff import store_of
from workers.outbound import queue_text

# Values for URL variables: a real request id and message id, so a refusal is the guard's doing, not a 404.
SAMPLE_ARGS = {"request_id": None, "message_id": None, "concern_id": None, "filename": "staff.css"}


@pytest.fixture
def app(make_app):
    app = make_app(OPEN_MONDAY)
    redis, settings, calendar = store_of(app)
    saved = callbacks.save_request(redis, settings, calendar, phone="07700 900123", topic="general",
                                   channel="voice", source_sid="CA" + "1" * 32, now=OPEN_MONDAY)
    SAMPLE_ARGS["request_id"] = saved.id
    svc = app.extensions["helpline"]
    message_id = queue_text(svc, to="07700 900123", body="We will call you.", purpose="callback_confirmation")
    outbound.finish(redis, settings, message_id, outbound.UNDELIVERED, now=OPEN_MONDAY, error_code="30003")
    SAMPLE_ARGS["message_id"] = message_id
    SAMPLE_ARGS["concern_id"], _ = safety.raise_concern(
        redis, settings, phone="07700 900123", channel="sms", category="suicide_self_harm",
        label="Suicide or self-harm", rank=0, words="i cant go on", at=OPEN_MONDAY)
    return app


def staff_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("staff.")]


def url_for_rule(rule) -> str:
    return rule.build({name: SAMPLE_ARGS[name] for name in rule.arguments}, append_unknown=False)[1]


def refused(response) -> bool:
    """A redirect to the login page, or 403: never the page itself."""
    if response.status_code == 403:
        return True
    return response.status_code in (302, 303) and response.headers["Location"].startswith("/staff/login")


def test_only_the_login_page_and_the_stylesheet_are_public():
    assert PUBLIC_ENDPOINTS == {"staff.login", "staff.static"}


def test_the_walk_finds_the_staff_routes(app):
    endpoints = {r.endpoint for r in staff_rules(app)}
    assert {"staff.queue", "staff.claim_next", "staff.callback", "staff.outcome", "staff.note",
            "staff.call_now", "staff.voice_message", "staff.outbox", "staff.logout", "staff.messages",
            "staff.resend_message", "staff.dismiss_message", "staff.concern", "staff.claim_concern",
            "staff.concern_outcome", "staff.take_over_concern", "staff.release_concern",
            "staff.concern_note"} <= endpoints


def test_every_staff_route_refuses_an_anonymous_visitor(app):
    checked = []
    for rule in staff_rules(app):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = url_for_rule(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            client = app.test_client()
            response = client.open(url, method=method)
            assert refused(response), (method, url, response.status_code)
            # Even with a genuine CSRF token of an anonymous session, a POST is not let through.
            if method == "POST":
                client = app.test_client()
                token = csrf_from(client.get("/staff/login"))
                response = client.post(url, data={"csrf_token": token, "outcome": "reached", "note": "x"})
                assert refused(response), (method, url, response.status_code)
            checked.append((method, rule.endpoint))
    assert len(checked) >= 12
    redis, settings, _ = store_of(app)
    record = callbacks.get(redis, settings, SAMPLE_ARGS["request_id"])
    assert record["status"] == "open" and len(record["events"]) == 1  # nothing was changed
    message = outbound.get(redis, settings, SAMPLE_ARGS["message_id"])
    assert message["status"] == "undelivered" and "resent_as" not in message and "dismissed_at" not in message
    concern = safety.get(redis, settings, SAMPLE_ARGS["concern_id"])
    assert concern["status"] == "open" and len(concern["events"]) == 1


def test_public_routes_do_not_show_staff_data(app):
    client = app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    assert "Callback queue</h1>" not in page and "900123" not in page
    assert client.get("/staff/static/staff.css").mimetype == "text/css"
