"""The two ways a text or call leaves this service, behind one small interface.

`TwilioSender` talks to Twilio's REST API (twilio.rest.Client, with a time-out).
`OutboxSender` keeps everything in Redis instead, for a laptop with no Twilio
credentials: the simulator and staff page show those entries marked "not sent".

Senders are dumb transport: the rules (UK mobile, opted out, GSM-7, night window) are
checked once, before calling a sender, by flows.sending_rules. Every failure becomes one
of three exceptions, so an rq job knows what to do next:

  TemporarySendError  nothing was sent (429, 5xx, could not connect): retry later,
                      after `retry_after` seconds if Twilio said so.
  PermanentSendError  Twilio refused (4xx, `code` says why: 21610 opted out, 21211
                      invalid number, 21614 not a mobile): do not retry.
  AmbiguousSendError  the request went out but no answer came back (read time-out, line
                      dropped): Twilio may have sent it. Reconcile before any resend,
                      or a parent gets the same text twice.

Numbers are never logged in full: flows.sending_rules.mask().
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Any, Callable, Protocol

import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import NewConnectionError

from flows.phone import mask
from store import outbox
from store.outbox import OUTBOX_MAX_ENTRIES, OUTBOX_STATUS, list_outbox

log = logging.getLogger(__name__)

# Twilio error codes callers act on.
OPTED_OUT = 21610  # the parent texted STOP: record it, never retry
INVALID_NUMBER = 21211
NOT_A_MOBILE = 21614
NOT_FOUND = 20404

_RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")


# --- results and errors ---------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    """What Twilio (or the outbox) said about one message or call."""

    sid: str
    status: str
    error_code: int | None = None


class SendError(Exception):
    """Base of every sender failure."""


class TemporarySendError(SendError):
    """Not sent; safe to try again later (after `retry_after` seconds when given)."""

    def __init__(self, message: str, *, status: int | None = None,
                 code: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.retry_after = retry_after


class PermanentSendError(SendError):
    """Twilio refused the request; retrying will not help. `code` is Twilio's error code."""

    def __init__(self, message: str, *, code: int | None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status

    @property
    def opted_out(self) -> bool:
        return self.code == OPTED_OUT


class AmbiguousSendError(SendError):
    """The request was sent but the answer was lost: Twilio may have acted on it."""


# --- the interface --------------------------------------------------------------------


class Sender(Protocol):
    """What rq jobs use to reach parents and staff phones."""

    def send_sms(self, to: str, body: str, *, status_callback: str | None = None) -> SendResult:
        """Send one text to a UK E.164 number."""
        ...

    def place_call(self, to: str, *, caller_id: str, twiml_url: str | None = None,
                   twiml: str | None = None, status_callback: str | None = None) -> SendResult:
        """Start a call; Twilio runs the TwiML at `twiml_url` (or the `twiml` given)."""
        ...

    def fetch_message(self, sid: str) -> SendResult | None:
        """The current state of a message by sid, or None if there is no such message."""
        ...

    def delete_recording(self, sid_or_url: str) -> None:
        """Delete a call recording (sid "RE..." or its URL). Already gone is fine."""
        ...


def _check_call_target(twiml_url: str | None, twiml: str | None) -> None:
    if (twiml_url is None) == (twiml is None):
        raise ValueError("give exactly one of twiml_url or twiml")


def recording_sid(sid_or_url: str) -> str:
    """"RE..." from a recording sid or any recording URL Twilio gave us."""
    match = _RECORDING_SID.search(sid_or_url or "")
    if match is None:
        raise ValueError("not a recording sid or URL")
    return match.group(0)


# --- Twilio ---------------------------------------------------------------------------


class _HttpClient(TwilioHttpClient):
    """TwilioHttpClient that remembers each thread's last response headers, because
    TwilioRestException drops them and Retry-After lives there."""

    def __init__(self, timeout: float):
        super().__init__(timeout=timeout)
        self._local = threading.local()

    def request(self, *args: Any, **kwargs: Any):
        self._local.headers = {}
        response = super().request(*args, **kwargs)
        self._local.headers = dict(response.headers or {})
        return response

    def last_headers(self) -> dict[str, str]:
        return getattr(self._local, "headers", {})


class TwilioSender:
    """Sends through Twilio's REST API. Nothing touches the network until a method is called.

    `api_base_url` (e.g. "http://127.0.0.1:8765" for the test stand-in) replaces
    https://api.twilio.com for every request this sender makes.
    """

    def __init__(self, account_sid: str, auth_token: str, from_number: str, *,
                 timeout_seconds: float = 10, api_base_url: str | None = None):
        self.from_number = from_number
        self._http = _HttpClient(timeout=timeout_seconds)
        # A non-empty `environment` stops the client reading TWILIO_EDGE / TWILIO_REGION
        # from os.environ (config.py is the only reader of the environment).
        self._client = Client(account_sid, auth_token, http_client=self._http,
                              environment={"TWILIO_ACCOUNT_SID": account_sid})
        if api_base_url:
            # Messages, Calls and Recordings all live on the "api" domain; its base_url is
            # what every request URL is built from (Domain.absolute_url).
            self._client.api.base_url = api_base_url.rstrip("/")

    def send_sms(self, to: str, body: str, *, status_callback: str | None = None) -> SendResult:
        with self._errors("send text", to, idempotent=False):
            message = self._client.messages.create(
                to=to, from_=self.from_number, body=body, status_callback=status_callback)
        log.info("text to %s accepted by Twilio: %s %s", mask(to), message.sid, message.status)
        return SendResult(message.sid, message.status)

    def place_call(self, to: str, *, caller_id: str, twiml_url: str | None = None,
                   twiml: str | None = None, status_callback: str | None = None) -> SendResult:
        _check_call_target(twiml_url, twiml)
        with self._errors("place call", to, idempotent=False):
            call = self._client.calls.create(
                to=to, from_=caller_id, url=twiml_url, twiml=twiml,
                status_callback=status_callback)
        log.info("call to %s accepted by Twilio: %s %s", mask(to), call.sid, call.status)
        return SendResult(call.sid, call.status)

    def fetch_message(self, sid: str) -> SendResult | None:
        try:
            with self._errors("fetch message", None, idempotent=True):
                message = self._client.messages(sid).fetch()
        except PermanentSendError as error:
            if error.status == 404:
                return None
            raise
        return SendResult(message.sid, message.status, message.error_code)

    def delete_recording(self, sid_or_url: str) -> None:
        sid = recording_sid(sid_or_url)
        try:
            with self._errors("delete recording", None, idempotent=True):
                self._client.recordings(sid).delete()
        except PermanentSendError as error:
            if error.status != 404:
                raise
            log.info("recording %s was already deleted", sid)
            return
        log.info("recording %s deleted", sid)

    def _errors(self, what: str, to: str | None, *, idempotent: bool) -> _TranslateErrors:
        return _TranslateErrors(self._http, what, to, idempotent)


class _TranslateErrors:
    """Context manager turning twilio/requests exceptions into SendErrors.

    `idempotent` requests (GET, DELETE) are never ambiguous: asking again is harmless.
    """

    def __init__(self, http: _HttpClient, what: str, to: str | None, idempotent: bool):
        self.http, self.what, self.to, self.idempotent = http, what, to, idempotent

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: object) -> bool:
        if exc is None:
            return False
        target = f" to {mask(self.to)}" if self.to else ""
        if isinstance(exc, (TwilioRestException, TwilioServiceException)):
            raise self._from_twilio(exc, target) from exc
        if isinstance(exc, requests.ConnectTimeout) or _never_connected(exc):
            raise TemporarySendError(
                f"{self.what}{target}: could not reach Twilio ({type(exc).__name__})"
            ) from exc
        if isinstance(exc, (requests.RequestException, json.JSONDecodeError)):
            # Read time-out, line dropped mid-answer, garbled answer: the request went out.
            message = f"{self.what}{target}: sent, but no clear answer ({type(exc).__name__})"
            if self.idempotent:
                raise TemporarySendError(message) from exc
            log.warning("%s; reconcile before sending again", message)
            raise AmbiguousSendError(message) from exc
        return False

    def _from_twilio(self, exc: Any, target: str) -> SendError:
        status, code = exc.status, exc.code
        message = f"{self.what}{target}: Twilio said {status} (error {code})"
        if status == 429 or status >= 500:
            retry_after = _seconds(self.http.last_headers().get("Retry-After"))
            log.warning("%s; will retry", message)
            return TemporarySendError(message, status=status, code=code, retry_after=retry_after)
        if status != 404:
            log.warning("%s; not retrying", message)
        return PermanentSendError(message, code=code, status=status)


def _never_connected(exc: BaseException) -> bool:
    """True when the connection was never made (refused, DNS): nothing was sent."""
    if not isinstance(exc, requests.ConnectionError):
        return False
    reason = getattr(exc.args[0] if exc.args else None, "reason", None)
    return isinstance(reason, NewConnectionError)


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:  # an HTTP date: rare from Twilio; let the caller's back-off decide
        return None


# --- outbox ---------------------------------------------------------------------------


class OutboxSender:
    """Keeps texts and calls in the outbox (store/outbox.py) instead of sending them (no credentials).

    Every entry says status "not sent (outbox)"; the list keeps the newest `max_entries`.
    """

    def __init__(self, redis_client: Any, key_prefix: str = "helpline:", *,
                 max_entries: int = OUTBOX_MAX_ENTRIES,
                 clock: Callable[[], dt.datetime] | None = None):
        self.redis = redis_client
        self.prefix = key_prefix
        self.max_entries = max_entries
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))

    def send_sms(self, to: str, body: str, *, status_callback: str | None = None) -> SendResult:
        entry = self._keep("sms", "SM", to=to, body=body, status_callback=status_callback)
        log.info("text to %s kept in the outbox, not sent: %s", mask(to), entry["sid"])
        return SendResult(entry["sid"], OUTBOX_STATUS)

    def place_call(self, to: str, *, caller_id: str, twiml_url: str | None = None,
                   twiml: str | None = None, status_callback: str | None = None) -> SendResult:
        _check_call_target(twiml_url, twiml)
        entry = self._keep("call", "CA", to=to, caller_id=caller_id, twiml_url=twiml_url,
                           twiml=twiml, status_callback=status_callback)
        log.info("call to %s kept in the outbox, not placed: %s", mask(to), entry["sid"])
        return SendResult(entry["sid"], OUTBOX_STATUS)

    def fetch_message(self, sid: str) -> SendResult | None:
        for entry in list_outbox(self.redis, self.prefix, limit=self.max_entries):
            if entry.get("sid") == sid:
                return SendResult(sid, entry["status"])
        return None

    def delete_recording(self, sid_or_url: str) -> None:
        # Nothing to delete locally; kept so the outbox shows the clean-up would happen.
        self._keep("recording_deletion", "RE", recording=recording_sid(sid_or_url))

    def _keep(self, kind: str, sid_prefix: str, **fields: Any) -> dict:
        sid = sid_prefix + "outbox" + secrets.token_hex(13)  # 34 characters, like Twilio's
        entry = {"id": sid, "sid": sid, "kind": kind,
                 "created_at": self.clock().isoformat(), "status": OUTBOX_STATUS}
        entry.update({k: v for k, v in fields.items() if v is not None})
        outbox.keep(self.redis, self.prefix, entry, max_entries=self.max_entries)
        return entry
