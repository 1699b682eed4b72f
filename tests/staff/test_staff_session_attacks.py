"""Issue 15, items 3 and 6 on the staff page, each attack as it was done.

A session cookie copied before logout, a password change or "log out everywhere"; a CR/LF in
`next`; the simulator's clock header sent to staff routes; blank and common passwords.
"""

from __future__ import annotations

import datetime as dt

import pytest

from clock import SIMULATED_NOW_HEADER
from store import callbacks, staff_accounts
from tests.conftest import OPEN_MONDAY
from tests.staff import PASSWORD, add_adviser, csrf_from, log_in, logged_in, store_of

PAGE = "/staff/outbox"  # any page behind the login (kept apart from the queue page's own changes)


def token_of(client) -> str:
    """The CSRF token of the client's session."""
    return csrf_from(client.get(PAGE))


@pytest.fixture
def app(make_app):
    return make_app(OPEN_MONDAY)


def _copy_of(app, client):
    """A second browser holding a copy of `client`'s session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_cookie_copied_before_logout_no_longer_opens_the_queue_or_claims(app):
    redis, settings, calendar = store_of(app)
    callbacks.save_request(redis, settings, calendar, phone="07700 900123", topic="general", channel="voice",
                           source_sid="CA" + "1" * 32, now=OPEN_MONDAY)
    sam = logged_in(app)
    token = token_of(sam)
    thief = _copy_of(app, sam)
    assert thief.get(PAGE).status_code == 200  # the copy works while the session lasts
    assert sam.post("/staff/logout", data={"csrf_token": token}).status_code == 303
    assert thief.get(PAGE).status_code == 303
    claim = thief.post("/staff/claim", data={"csrf_token": token})
    assert claim.status_code == 303 and claim.headers["Location"].startswith("/staff/login")
    assert callbacks.list_open(redis, settings)[0]["status"] == "open"


def test_a_new_password_ends_every_session_of_the_adviser(app):
    sam = logged_in(app)
    thief = _copy_of(app, sam)
    add_adviser(app, "sam", "a different long passphrase")  # `flask staff add sam` again
    assert sam.get(PAGE).status_code == 303
    assert thief.get(PAGE).status_code == 303
    assert log_in(app.test_client(), "sam", "a different long passphrase").status_code == 303


def test_removing_the_account_ends_its_sessions_even_if_it_is_made_again(app):
    sam = logged_in(app)
    redis, settings, _ = store_of(app)
    staff_accounts.remove_account(redis, settings, "sam")
    add_adviser(app, "sam")
    assert sam.get(PAGE).status_code == 303


def test_log_out_everywhere_ends_the_other_browsers_sessions(app):
    office = logged_in(app)
    home = app.test_client()
    assert log_in(home).status_code == 303
    page = office.get(PAGE).get_data(as_text=True)
    assert 'action="/staff/logout-everywhere"' in page and "Log out everywhere" in page
    assert office.post("/staff/logout-everywhere", data={}).status_code == 403  # no CSRF token: refused
    assert home.get(PAGE).status_code == 200
    response = office.post("/staff/logout-everywhere", data={"csrf_token": token_of(office)})
    assert response.status_code == 303 and response.headers["Location"] == "/staff/login"
    assert home.get(PAGE).status_code == 303 and office.get(PAGE).status_code == 303


@pytest.mark.parametrize("target", ["/staff/\r\nSet-Cookie: stolen=1", "/staff/%0d%0aSet-Cookie:x",
                                    "/staff/ x", "//evil.example/staff", "/staff\\..\\x", "https://evil.example"])
def test_a_bad_next_redirects_safely_logged_in_or_not(app, target):
    stranger = app.test_client()
    response = stranger.get("/staff/login", query_string={"next": target})
    assert response.status_code == 200
    sam = logged_in(app)
    response = sam.get("/staff/login", query_string={"next": target})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location in ("/staff/", target) and "\r" not in location and "\n" not in location
    assert "stolen" not in response.headers.get("Set-Cookie", "")


def test_a_raw_crlf_in_next_is_never_a_500(app):
    sam = logged_in(app)
    response = sam.get("/staff/login?next=/staff/%0d%0aSet-Cookie:stolen=1")
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"


def test_the_simulated_clock_header_is_ignored_on_staff_pages(app):
    redis, settings, calendar = store_of(app)
    callbacks.save_request(redis, settings, calendar, phone="07700 900123", topic="general", channel="voice",
                           source_sid="CA" + "1" * 32, now=OPEN_MONDAY)
    alex = logged_in(app, "alex")
    assert alex.post("/staff/claim", data={"csrf_token": token_of(alex)}).status_code == 303
    sam = logged_in(app, "sam")
    later = {SIMULATED_NOW_HEADER: (OPEN_MONDAY + dt.timedelta(minutes=31)).isoformat()}
    sam.post("/staff/claim", data={"csrf_token": token_of(sam)}, headers=later)
    record = callbacks.list_open(redis, settings)[0]
    assert record["claimed_by"] == "alex"
    # Nor can it age a session out or keep one alive.
    assert sam.get(PAGE, headers={SIMULATED_NOW_HEADER: "2030-01-01T10:00"}).status_code == 200


@pytest.mark.parametrize("password, words", [
    (" " * 10, "blank"), (" " * 14, "blank"), ("short pass", "at least 12"),
    ("passwordpassword", "too common"), ("123456789012", "too common"), ("qwertyuiopas", "too common"),
    ("iloveyou1234", "too common"),
])
def test_blank_short_and_common_passwords_are_refused(app, password, words):
    redis, settings, _ = store_of(app)
    with pytest.raises(staff_accounts.AccountError, match=words):
        staff_accounts.add_account(redis, settings, "jo", password, now=OPEN_MONDAY)
    result = app.test_cli_runner().invoke(args=["staff", "add", "jo"], input=f"{password}\n{password}\n")
    assert result.exit_code != 0 and words in result.output
    assert PASSWORD  # the helpers' password is long and uncommon, and accepted above in every test
