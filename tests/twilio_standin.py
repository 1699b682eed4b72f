"""A small local stand-in for Twilio's REST API, for the real twilio client to talk to.

    with TwilioStandin() as twilio:
        sender = TwilioSender(twilio.account_sid, twilio.auth_token, "+447700900001",
                              api_base_url=twilio.base_url)
        twilio.fail_next(status=429, code=20429)   # script the next response
        ...
        assert twilio.requests[-1].form["To"] == "+447700900123"

A threaded http.server on 127.0.0.1 with an ephemeral port. It answers:
  POST   /2010-04-01/Accounts/{AccountSid}/Messages.json        -> 201, message "SM..."
  GET    /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json  -> 200 or 404
  POST   /2010-04-01/Accounts/{AccountSid}/Calls.json           -> 201, call "CA..."
  DELETE /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json -> 204 or 404
Errors use Twilio's JSON shape: {"code", "message", "more_info", "status"}.
A test helper, not a test file.
"""

from __future__ import annotations

import base64
import email.utils
import json
import re
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

API = "/2010-04-01/Accounts/(?P<account>AC[0-9a-fA-F]{32})"
ROUTES = [
    ("POST", re.compile(API + r"/Messages\.json"), "create_message"),
    ("GET", re.compile(API + r"/Messages/(?P<sid>[A-Za-z0-9]+)\.json"), "fetch_message"),
    ("POST", re.compile(API + r"/Calls\.json"), "create_call"),
    ("DELETE", re.compile(API + r"/Recordings/(?P<sid>[A-Za-z0-9]+)\.json"), "delete_recording"),
]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the stand-in saw it."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]  # first value of each field (Twilio's own fields are single)
    auth: tuple[str, str] | None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Script:
    kind: str  # "fail", "hang" or "drop"
    status: int = 0
    code: int = 0
    message: str = ""
    retry_after: int | None = None
    seconds: float = 0.0


def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def _now_rfc2822() -> str:
    return email.utils.formatdate(usegmt=True).replace("GMT", "+0000")


class TwilioStandin:
    """The stand-in server. Use as a context manager, or call start() and stop()."""

    def __init__(self, account_sid: str | None = None, auth_token: str = "standin-token"):
        self.account_sid = account_sid or _sid("AC")
        self.auth_token = auth_token
        self.requests: list[RecordedRequest] = []
        self.messages: dict[str, dict] = {}
        self.calls: dict[str, dict] = {}
        self.recordings: set[str] = set()  # sids that exist and may be deleted
        self.deleted_recordings: list[str] = []
        self._script: deque[_Script] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> TwilioStandin:
        standin = self

        class Handler(_Handler):
            pass

        Handler.standin = standin
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # shutdown() waits for serve_forever's next poll: 0.05 s instead of the default 0.5 s a test
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wake any hanging handler
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> TwilioStandin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- scripting -------------------------------------------------------------------

    def fail_next(
        self,
        *,
        status: int,
        code: int | None = None,
        times: int = 1,
        message: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """The next `times` requests get an error in Twilio's shape (queued after earlier
        scripts). `retry_after` adds a Retry-After header (seconds)."""
        for _ in range(times):
            self._script.append(
                _Script(
                    "fail",
                    status=status,
                    code=code if code is not None else status,
                    message=message or f"Stand-in error {code or status}",
                    retry_after=retry_after,
                )
            )

    def hang_next(self, seconds: float, *, times: int = 1) -> None:
        """The next requests are read in full, then answered only after `seconds`
        (and then processed normally: a message is created, as Twilio would)."""
        for _ in range(times):
            self._script.append(_Script("hang", seconds=seconds))

    def drop_next(self, *, times: int = 1) -> None:
        """The next requests are read in full, then the connection is closed unanswered."""
        for _ in range(times):
            self._script.append(_Script("drop"))

    def add_recording(self) -> str:
        """A recording that exists, for delete tests. Returns its sid ("RE...")."""
        sid = _sid("RE")
        self.recordings.add(sid)
        return sid

    def set_message_status(self, sid: str, status: str, error_code: int | None = None) -> None:
        """Move a message on, as Twilio would (e.g. "delivered", "undelivered")."""
        with self._lock:
            self.messages[sid].update(status=status, error_code=error_code)

    def _next_script(self) -> _Script | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    # --- the API ---------------------------------------------------------------------

    def _error(self, status: int, code: int, message: str) -> tuple[int, dict]:
        return status, {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }

    def create_message(self, account: str, form: dict[str, str]) -> tuple[int, dict]:
        if not form.get("To"):
            return self._error(400, 21604, "A 'To' phone number is required.")
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return self._error(400, 21603, "A 'From' phone number is required.")
        if not form.get("Body") and not form.get("MediaUrl"):
            return self._error(400, 21602, "Message body is required.")
        sid = _sid("SM")
        now = _now_rfc2822()
        uri = f"/2010-04-01/Accounts/{account}/Messages/{sid}.json"
        message = {
            "account_sid": account,
            "api_version": "2010-04-01",
            "body": form.get("Body", ""),
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "GBP",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": form["To"],
            "uri": uri,
        }
        with self._lock:
            self.messages[sid] = message
        return 201, message

    def fetch_message(self, account: str, sid: str) -> tuple[int, dict]:
        with self._lock:
            message = self.messages.get(sid)
        if message is None or message["account_sid"] != account:
            return self._error(
                404, 20404, f"The requested resource /2010-04-01/Accounts/{account}"
                f"/Messages/{sid}.json was not found",
            )
        return 200, dict(message)

    def create_call(self, account: str, form: dict[str, str]) -> tuple[int, dict]:
        if not form.get("To"):
            return self._error(400, 21201, "No 'To' number is specified")
        if not form.get("From"):
            return self._error(400, 21213, "No 'From' number is specified")
        if not (form.get("Url") or form.get("Twiml") or form.get("ApplicationSid")):
            return self._error(400, 21205, "Url parameter is required.")
        sid = _sid("CA")
        now = _now_rfc2822()
        uri = f"/2010-04-01/Accounts/{account}/Calls/{sid}.json"
        call = {
            "account_sid": account,
            "annotation": None,
            "answered_by": None,
            "api_version": "2010-04-01",
            "caller_name": None,
            "date_created": now,
            "date_updated": now,
            "direction": "outbound-api",
            "duration": None,
            "end_time": None,
            "forwarded_from": None,
            "from": form["From"],
            "from_formatted": form["From"],
            "group_sid": None,
            "parent_call_sid": None,
            "phone_number_sid": _sid("PN"),
            "price": None,
            "price_unit": "GBP",
            "queue_time": "0",
            "sid": sid,
            "start_time": None,
            "status": "queued",
            "subresource_uris": {"recordings": uri.replace(".json", "/Recordings.json")},
            "to": form["To"],
            "to_formatted": form["To"],
            "trunk_sid": None,
            "uri": uri,
        }
        with self._lock:
            self.calls[sid] = call
        return 201, call

    def delete_recording(self, account: str, sid: str) -> tuple[int, dict | None]:
        with self._lock:
            if sid not in self.recordings:
                return self._error(
                    404, 20404, f"The requested resource /2010-04-01/Accounts/{account}"
                    f"/Recordings/{sid}.json was not found",
                )
            self.recordings.discard(sid)
            self.deleted_recordings.append(sid)
        return 204, None


class _Handler(BaseHTTPRequestHandler):
    standin: TwilioStandin
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        standin = self.standin
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        auth = self._auth()
        with standin._lock:
            standin.requests.append(
                RecordedRequest(self.command, parts.path, query, form, auth, dict(self.headers))
            )

        script = standin._next_script()
        if script and script.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(2)  # SHUT_RDWR: the client sees the line go dead
            return
        if script and script.kind == "hang":
            if standin._stopping.wait(script.seconds):
                return
        if script and script.kind == "fail":
            status, body = standin._error(script.status, script.code, script.message)
            headers = {"Retry-After": str(script.retry_after)} if script.retry_after else {}
            return self._reply(status, body, headers)

        if auth != (standin.account_sid, standin.auth_token):
            return self._reply(*standin._error(401, 20003, "Authenticate"))
        for method, pattern, name in ROUTES:
            match = pattern.fullmatch(parts.path)
            if match and method == self.command:
                if match["account"] != standin.account_sid:
                    return self._reply(*standin._error(403, 20003, "Authenticate"))
                args = {k: v for k, v in match.groupdict().items() if k != "account"}
                handler = getattr(standin, name)
                if self.command == "POST":
                    args["form"] = form
                return self._reply(*handler(match["account"], **args))
        self._reply(*standin._error(404, 20404, f"The requested resource {parts.path} was not found"))

    def _auth(self) -> tuple[str, str] | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user, password

    def _reply(self, status: int, body: dict | None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        try:
            self.send_response(status)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a time-out)
            self.close_connection = True
