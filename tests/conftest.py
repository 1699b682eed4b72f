"""Shared fixtures: a real Redis, apps with a fixed clock, and webhook posts signed as Twilio signs them."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import redis

import connections
from app import create_app
from clock import fixed_clock
from config import Settings
from twilio_webhooks import TwilioClient
from twilio_webhooks import sign as twilio_sign

TEST_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_BASE_URL = "https://helpline.example.org"
PARENT = "+447700900123"
HELPLINE_SMS_NUMBER = "+447700900000"
TEST_DB = int(os.environ.get("TEST_REDIS_DB", "15"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """`-n auto` (pyproject.toml): one worker more than the CPUs this process may use.

    Many tests spend part of their time waiting (for a worker or web process, a browser, a
    time-out on purpose), so one more worker than CPUs keeps them busy: 77 s instead of 95 s on
    2 CPUs. PYTEST_XDIST_AUTO_NUM_WORKERS still decides when set; --maxprocesses caps it.
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # pytest-xdist's own hook reads it
    return len(os.sched_getaffinity(0)) + 1


def worker_index() -> int:
    """This process's number among pytest-xdist's workers (gw0 is 0, gw1 is 1, ...); 0 when not parallel."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name[2:]) if name.startswith("gw") else 0


def worker_test_db() -> int:
    """The database this process uses on REDIS_URL's server: TEST_DB, the next one down for each parallel worker."""
    db = TEST_DB - worker_index()
    if db < 1:  # database 0 is never touched
        pytest.fail(f"too many parallel workers for TEST_REDIS_DB={TEST_DB}: worker {worker_index()} would use "
                    f"database {db}; run fewer (pytest -n) or set TEST_REDIS_DB higher (a server may have more)")
    return db


# Moments used across the suite (London time).
CLOSED_SUNDAY = dt.datetime(2026, 11, 22, 9, 0)  # weekend; opens Monday 23 November 10am
OPEN_MONDAY = dt.datetime(2026, 11, 23, 11, 0)  # term time, in hours


def with_db(url: str, db: int) -> str:
    """The same Redis server, another database number (tests never touch database 0 of REDIS_URL)."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query))
        query["db"] = str(db)
        return f"unix://{parts.path}?{urlencode(query)}"  # urlunsplit would drop the // of unix:///
    return urlunsplit(parts._replace(path=f"/{db}"))


@pytest.fixture(scope="session")
def redis_server_url(tmp_path_factory) -> str:
    """REDIS_URL's server when set (a database of this worker's own), otherwise an embedded redis-server
    started for this run (one per parallel worker: each has its own temporary folder)."""
    if os.environ.get("REDIS_URL"):
        yield with_db(os.environ["REDIS_URL"], worker_test_db())
        return
    data_dir = tmp_path_factory.mktemp("redis")
    url = connections.start_embedded_redis(data_dir, persist=False)
    yield with_db(url, TEST_DB)
    connections.stop_embedded_redis(data_dir)


@pytest.fixture
def redis_url(redis_server_url) -> str:
    """The test database, emptied before and after each test."""
    client = redis.Redis.from_url(redis_server_url)
    client.flushdb()
    yield redis_server_url
    client.flushdb()


@pytest.fixture
def redis_client(redis_url) -> redis.Redis:
    """A plain client on the test database (strings decoded)."""
    return redis.Redis.from_url(redis_url, decode_responses=True)


@pytest.fixture
def settings(tmp_path: Path, redis_url: str) -> Settings:
    """Local-mode settings for tests: test token, public https URL, per-test data folder."""
    return Settings(
        data_dir=tmp_path,
        redis_url=redis_url,
        twilio_auth_token=TEST_TOKEN,
        public_base_url=PUBLIC_BASE_URL,
        twilio_number=HELPLINE_SMS_NUMBER,
        staff_forward_number="+441632960001",
        secret_key="test-secret",
        staff_password_iterations=1000,  # the hash's cost is a setting: a test login takes no third of a second
    )


@pytest.fixture
def make_app(settings):
    """Build an app at a fixed London time, with optional settings changes."""

    def build(at: dt.datetime = CLOSED_SUNDAY, **changes):
        app = create_app(settings.with_changes(**changes), clock=fixed_clock(at))
        app.testing = True
        return app

    return build


@pytest.fixture
def app(make_app):
    """The app on a Sunday morning, when the line is closed."""
    return make_app()


@pytest.fixture
def client(app):
    """A test client for the default app."""
    return app.test_client()


def sign(url: str, params: dict, token: str = TEST_TOKEN) -> str:
    """X-Twilio-Signature for a POST to url with params, as Twilio computes it (the test token by default)."""
    return twilio_sign(token, url, params)


class Twilio:
    """Posts to a test client exactly as Twilio would: public URL signed, form encoded."""

    def __init__(self, client, base_url: str = PUBLIC_BASE_URL, token: str = TEST_TOKEN):
        self.client, self.base_url, self.token = client, base_url, token
        self.twilio = TwilioClient(token, base_url)

    def post(self, path: str, params: dict, *, signature: str | None = None, headers: dict | None = None):
        """POST path (with any query string) signed for base_url + path (or with the signature given)."""
        sent = self.twilio.headers(path, params)
        if signature is not None:
            sent["X-Twilio-Signature"] = signature
        return self.client.post(path, data=params, headers={**sent, **(headers or {})})

    def call(self, path: str = "/ivr/incoming", *, call_sid: str | None = None, from_: str = PARENT, **fields):
        """A voice webhook for one call (same CallSid across steps when given)."""
        params = {"CallSid": call_sid or "CA" + secrets.token_hex(16), "AccountSid": "AC" + "0" * 32,
                  "From": from_, "To": HELPLINE_SMS_NUMBER, "CallStatus": "in-progress", "Direction": "inbound"}
        params.update(fields)
        return self.post(path, params)

    def sms(self, body: str, *, from_: str = PARENT, message_sid: str | None = None):
        """An incoming text."""
        params = {"MessageSid": message_sid or "SM" + secrets.token_hex(16), "AccountSid": "AC" + "0" * 32,
                  "From": from_, "To": HELPLINE_SMS_NUMBER, "Body": body, "NumMedia": "0"}
        return self.post("/sms/incoming", params)


@pytest.fixture
def twilio(client) -> Twilio:
    """Signed webhook posts to the default app."""
    return Twilio(client)


def twiml(response) -> ET.Element:
    """Parse a TwiML response, checking it is XML with a <Response> root."""
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    return root


def spoken(root: ET.Element) -> str:
    """Everything a caller hears in a TwiML document, joined."""
    return " ".join((e.text or "").strip() for e in root.iter("Say"))


def sms_replies(response) -> list[str]:
    """The reply texts in a MessagingResponse."""
    return ["".join(m.itertext()).strip() for m in twiml(response).iter("Message")]
