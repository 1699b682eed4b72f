"""Staff login: accounts from the CLI, hashed passwords, throttling, expiry, CSRF, cookies and headers."""

import datetime as dt

import pytest

from app import create_app
from clock import london
from store import staff_accounts
from tests.conftest import OPEN_MONDAY
from tests.staff import PASSWORD, add_adviser, csrf_from, log_in, token_of


@pytest.fixture
def app(make_app):
    return make_app(OPEN_MONDAY)


@pytest.fixture
def client(app):
    add_adviser(app)
    return app.test_client()


def test_login_with_the_right_password_opens_the_queue(client):
    response = log_in(client, "Sam ", PASSWORD)  # names are case-insensitive and trimmed
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"
    page = client.get("/staff/")
    assert page.status_code == 200
    assert "<h1>Callback queue</h1>" in page.get_data(as_text=True)
    assert "Logged in as <strong>sam</strong>" in page.get_data(as_text=True)


def test_a_wrong_password_is_refused_with_a_clear_message(client):
    response = log_in(client, "sam", "wrong password")
    assert response.status_code == 401
    assert "That name and password do not match" in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 303


def test_an_unknown_name_gets_the_same_answer_as_a_wrong_password(client):
    response = log_in(client, "nobody", PASSWORD)
    assert response.status_code == 401
    assert "That name and password do not match" in response.get_data(as_text=True)


def test_after_login_the_adviser_goes_where_they_were_heading_but_never_off_site(client):
    assert client.get("/staff/outbox").headers["Location"] == "/staff/login?next=/staff/outbox"
    assert log_in(client, next="/staff/outbox").headers["Location"] == "/staff/outbox"
    other = client.application.test_client()
    assert log_in(other, next="//evil.example/staff").headers["Location"] == "/staff/"
    third = client.application.test_client()
    assert log_in(third, next="https://evil.example/").headers["Location"] == "/staff/"


def test_five_failures_lock_the_name_for_fifteen_minutes_even_with_the_right_password(client, app):
    for _ in range(staff_accounts.MAX_FAILURES_PER_NAME - 1):
        assert log_in(client, "sam", "wrong password").status_code == 401
    locking = log_in(client, "sam", "wrong password")
    assert locking.status_code == 429
    text = locking.get_data(as_text=True)
    assert "Too many failed logins for this name" in text
    assert "try again in 15 minutes" in text
    refused = log_in(client, "sam", PASSWORD)
    assert refused.status_code == 429
    assert client.get("/staff/").status_code == 303  # not logged in
    redis = app.extensions["helpline"].connections.redis
    ttl = redis.ttl(app.extensions["helpline"].settings.key("staff", "failures", "name", "sam"))
    assert 14 * 60 < ttl <= 15 * 60


def test_the_lock_is_per_name_so_a_colleague_can_still_log_in(client, app):
    add_adviser(app, "alex")
    for _ in range(staff_accounts.MAX_FAILURES_PER_NAME):
        log_in(client, "sam", "wrong password")
    assert log_in(app.test_client(), "alex", PASSWORD).status_code == 303


def test_many_failures_from_one_address_lock_that_address(client, app):
    for n in range(staff_accounts.MAX_FAILURES_PER_IP):
        log_in(client, f"guess{n}", "wrong password")  # a different name each time
    add_adviser(app, "alex")
    response = log_in(app.test_client(), "alex", PASSWORD)  # same address (the test client's)
    assert response.status_code == 429
    assert "Too many failed logins for this network address" in response.get_data(as_text=True)
    other_address = app.test_client()
    token = csrf_from(other_address.get("/staff/login"))
    ok = other_address.post("/staff/login", data={"csrf_token": token, "name": "alex", "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert ok.status_code == 303


def test_a_good_login_forgets_earlier_failures_of_the_name(client, app):
    for _ in range(staff_accounts.MAX_FAILURES_PER_NAME - 1):
        log_in(client, "sam", "wrong password")
    assert log_in(client, "sam", PASSWORD).status_code == 303
    fresh = app.test_client()
    assert log_in(fresh, "sam", "wrong password").status_code == 401  # the count started again


def test_passwords_are_stored_only_as_hashes(make_app):
    app = make_app(staff_password_iterations=600_000)  # the production cost (the suite uses less)
    add_adviser(app, "kim", "a long secret phrase")
    redis = app.extensions["helpline"].connections.redis
    stored = redis.hgetall(app.extensions["helpline"].settings.key("staff", "account", "kim"))
    assert "a long secret phrase" not in str(stored)
    assert stored["password_hash"].startswith("pbkdf2:sha256:600000$")


def test_a_password_hashed_with_the_old_scrypt_default_still_logs_in(app, client):
    from werkzeug.security import generate_password_hash

    svc = app.extensions["helpline"]
    add_adviser(app, "lee", "another long phrase")
    svc.connections.redis.hset(svc.settings.key("staff", "account", "lee"), "password_hash",
                               generate_password_hash("another long phrase", method="scrypt"))
    assert log_in(client, "lee", "another long phrase").status_code == 303


def test_session_ends_after_staff_session_minutes(settings):
    moment = [london(OPEN_MONDAY)]
    app = create_app(settings.with_changes(staff_session_minutes=60), clock=lambda: moment[0])
    add_adviser(app)
    client = app.test_client()
    assert log_in(client).status_code == 303
    moment[0] += dt.timedelta(minutes=59)
    assert client.get("/staff/").status_code == 200
    moment[0] += dt.timedelta(minutes=2)
    expired = client.get("/staff/")
    assert expired.status_code == 303
    assert expired.headers["Location"].startswith("/staff/login")
    login_page = client.get(expired.headers["Location"])
    assert "Your session has ended. Please log in again." in login_page.get_data(as_text=True)
    assert client.get("/staff/").status_code == 303  # still out: the old cookie is no good


def test_removing_an_account_ends_its_sessions(client, app):
    log_in(client)
    svc = app.extensions["helpline"]
    staff_accounts.remove_account(svc.connections.redis, svc.settings, "sam")
    assert client.get("/staff/").status_code == 303


def test_logout_ends_the_session(client):
    log_in(client)
    token = token_of(client)
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/staff/").status_code == 303


def test_a_post_without_the_csrf_token_is_refused(client):
    assert client.post("/staff/login", data={"name": "sam", "password": PASSWORD}).status_code == 403
    log_in(client)
    assert client.post("/staff/claim").status_code == 403
    assert client.post("/staff/claim", data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/staff/logout", data={}).status_code == 403
    assert client.get("/staff/").status_code == 200  # still logged in: the forged posts changed nothing


def test_the_csrf_token_of_another_session_is_refused(client, app):
    log_in(client)
    stolen = token_of(client)
    other = app.test_client()
    add_adviser(app, "alex")
    log_in(other, "alex")
    assert other.post("/staff/claim", data={"csrf_token": stolen}).status_code == 403


def test_login_gives_a_new_session_token(client):
    before = csrf_from(client.get("/staff/login"))
    log_in(client)
    assert token_of(client) != before  # no session fixation


def test_staff_responses_carry_the_security_headers(client):
    for response in (client.get("/staff/login"), client.get("/staff/"), client.get("/staff/static/staff.css")):
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
        response.close()
    log_in(client)
    page = client.get("/staff/")
    assert page.headers["Cache-Control"] == "no-store"
    assert "<script" not in page.get_data(as_text=True)  # nothing inline for the CSP to block


def test_session_cookie_is_httponly_and_lax_and_secure_outside_local_mode(client, make_app):
    response = log_in(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # local mode runs on plain http://127.0.0.1
    production = make_app(OPEN_MONDAY, env="production")
    add_adviser(production)
    secure = log_in(production.test_client())
    assert "Secure" in secure.headers["Set-Cookie"]


def test_flask_staff_add_prompts_twice_and_hashes(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["staff", "add", "Jo"], input="first attempt xx\nmismatch here\n"
                                                             "a good password\na good password\n")
    assert result.exit_code == 0, result.output
    assert "Added jo." in result.output
    svc = app.extensions["helpline"]
    assert staff_accounts.verify_password(svc.connections.redis, svc.settings, "jo", "a good password")
    assert not staff_accounts.verify_password(svc.connections.redis, svc.settings, "jo", "first attempt xx")
    listed = runner.invoke(args=["staff", "list"])
    assert "jo" in listed.output.split()
    assert "a good password" not in str(svc.connections.redis.hgetall(svc.settings.key("staff", "account", "jo")))


def test_flask_staff_add_refuses_a_short_password_and_a_bad_name(app):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["staff", "add", "jo"], input="short\nshort\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    bad = runner.invoke(args=["staff", "add", "jo smith"], input="a good password\na good password\n")
    assert bad.exit_code != 0 and "a name is" in bad.output


def test_flask_staff_remove(app):
    add_adviser(app, "jo")
    runner = app.test_cli_runner()
    assert "Removed jo." in runner.invoke(args=["staff", "remove", "JO"]).output
    again = runner.invoke(args=["staff", "remove", "jo"])
    assert again.exit_code != 0 and "no login called jo" in again.output
    assert log_in(app.test_client(), "jo").status_code == 401


def test_a_form_sent_after_the_session_ended_leads_back_to_login(settings):
    moment = [london(OPEN_MONDAY)]
    app = create_app(settings.with_changes(staff_session_minutes=30), clock=lambda: moment[0])
    add_adviser(app)
    client = app.test_client()
    log_in(client)
    token = token_of(client)
    moment[0] += dt.timedelta(minutes=31)
    response = client.post("/staff/claim", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/staff/login"


def test_a_hash_keeps_its_own_cost_when_the_setting_changes(app):
    from store import staff_accounts

    svc = app.extensions["helpline"]
    redis, settings = svc.connections.redis, svc.settings
    staff_accounts.add_account(redis, settings, "kit", "a good password", now=dt.datetime(2026, 11, 1))
    stored = redis.hget(staff_accounts._account_key(settings, "kit"), "password_hash")
    assert (stored.decode() if isinstance(stored, bytes) else stored).startswith("pbkdf2:sha256:1000$")
    stronger = settings.with_changes(staff_password_iterations=600_000)
    assert staff_accounts.verify_password(redis, stronger, "kit", "a good password")
    assert staff_accounts.hash_method(stronger) == staff_accounts.HASH_METHOD
