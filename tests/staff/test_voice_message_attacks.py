"""Issue 15, item 1: the voice-message proxy never fetches a stored URL.

The attacks as they were done: a voice_message_url planted in Redis that `urlsplit` reads as
api.twilio.com but `requests` connects elsewhere; a recording "served" as a script; a redirect;
an oversized or slow answer. Each must end in a clear page (never a 500), our credentials must
never leave for anywhere but the configured Twilio API base, and only audio is ever served.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from staff import recordings
from tests.conftest import OPEN_MONDAY
from tests.staff import logged_in
from tests.staff.test_staff_queue import PARENT_A, save

ACCOUNT = "AC" + "1" * 32
SID = "RE" + "2" * 32


class _Listener:
    """A bare TCP listener that only notes that somebody connected (and what they sent first)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                self.connections.append(conn.recv(4096))
            except OSError:
                self.connections.append(b"")
            conn.close()

    def close(self):
        self._stop.set()
        self.sock.close()


class _Upstream(BaseHTTPRequestHandler):
    """The configured Twilio API base (a stand-in), scripted per test through `answer`."""

    answer: tuple[int, dict, bytes] = (200, {"Content-Type": "audio/mpeg"}, b"ID3fake-mp3")
    seen: list = []

    def do_GET(self):
        type(self).seen.append((self.path, self.headers.get("Authorization")))
        status, headers, body = type(self).answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def upstream():
    handler = type("Upstream", (_Upstream,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    handler.base = f"http://127.0.0.1:{server.server_port}"
    yield handler
    server.shutdown()
    server.server_close()


def _adviser_with(make_app, **settings):
    app = make_app(OPEN_MONDAY, twilio_account_sid=ACCOUNT, **settings)
    return app, logged_in(app)


def test_a_url_that_looks_like_twilio_but_connects_elsewhere_is_never_fetched(make_app):
    # `urlsplit` sees api.twilio.com; `requests` would connect to 127.0.0.1:<port> with our credentials.
    listener = _Listener()
    try:
        app, adviser = _adviser_with(make_app)  # no API base set: real Twilio's
        planted = f"https://127.0.0.1:{listener.port}\\@api.twilio.com/page"
        saved = save(app, PARENT_A, at=OPEN_MONDAY, voice_message_url=planted)
        response = adviser.get(f"/staff/requests/{saved.id}/voice-message")
        assert response.status_code == 404
        assert "Voice message not available" in response.get_data(as_text=True)
        assert listener.connections == []
    finally:
        listener.close()


def test_only_the_sid_is_taken_from_a_stored_url_and_fetched_from_the_api_base(make_app, upstream):
    app, adviser = _adviser_with(make_app, twilio_api_base_url=upstream.base)
    saved = save(app, PARENT_A, at=OPEN_MONDAY, voice_message_url=f"https://evil.example/x/{SID}")
    response = adviser.get(f"/staff/requests/{saved.id}/voice-message")
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    assert upstream.seen == [(f"/2010-04-01/Accounts/{ACCOUNT}/Recordings/{SID}.mp3", upstream.seen[0][1])]
    assert upstream.seen[0][1].startswith("Basic ")


def test_a_planted_script_is_not_served_on_the_staff_site(make_app, upstream):
    upstream.answer = (200, {"Content-Type": "text/html"}, b"<script>fetch('/staff/claim')</script>")
    app, adviser = _adviser_with(make_app, twilio_api_base_url=upstream.base)
    saved = save(app, PARENT_A, at=OPEN_MONDAY,
                 voice_message_url=f"{upstream.base}/2010-04-01/Accounts/{ACCOUNT}/Recordings/{SID}")
    response = adviser.get(f"/staff/requests/{saved.id}/voice-message")
    assert response.status_code == 502 and response.mimetype == "text/html"
    assert b"<script>" not in response.get_data()
    assert "not a sound recording" in response.get_data(as_text=True)


@pytest.mark.parametrize("answer, words", [
    ((302, {"Location": "http://169.254.169.254/latest"}, b""), "did not give us"),
    ((500, {"Content-Type": "text/plain"}, b"boom"), "did not give us"),
    ((404, {"Content-Type": "application/json"}, b"{}"), "no longer held"),
    ((200, {"Content-Type": "audio/mpeg", "Content-Length": str(recordings.MAX_BYTES + 1)}, b"ID3"), "too large"),
])
def test_redirects_errors_and_oversized_answers_are_clear_pages(make_app, upstream, answer, words):
    upstream.answer = answer
    app, adviser = _adviser_with(make_app, twilio_api_base_url=upstream.base)
    saved = save(app, PARENT_A, at=OPEN_MONDAY, voice_message_url=SID)
    response = adviser.get(f"/staff/requests/{saved.id}/voice-message")
    assert response.status_code in (404, 502)
    assert words in response.get_data(as_text=True)
    assert len(upstream.seen) == 1  # the redirect was not followed


def test_an_unreachable_twilio_or_a_strange_port_is_a_clear_page(make_app):
    listener = _Listener()
    listener.close()  # nothing listens on that port any more
    app, adviser = _adviser_with(make_app, twilio_api_base_url=f"http://127.0.0.1:{listener.port}")
    saved = save(app, PARENT_A, at=OPEN_MONDAY, voice_message_url=f"https://api.twilio.com:8443/{SID}")
    response = adviser.get(f"/staff/requests/{saved.id}/voice-message")
    assert response.status_code == 502 and "Could not reach Twilio" in response.get_data(as_text=True)


def test_sids_are_strict():
    assert recordings.recording_sid(f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{SID}") == SID
    assert recordings.recording_sid("REfake") is None
    assert recordings.recording_sid(f"{SID} RE{'3' * 32}") is None  # two different sids: which one?
