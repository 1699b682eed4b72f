"""Twilio webhook plumbing shared by ivr/ and sms/: signature check and TwiML responses; and the one
client that signs requests as Twilio does (`sign`, `TwilioClient`), used by the simulator, the tests,
the fault tests and the benchmark."""

from __future__ import annotations

import hmac
import logging
from functools import lru_cache
from typing import Callable, Mapping
from urllib.parse import urljoin, urlparse

import redis

from flask import Blueprint, Response, abort, request
from flask.sessions import SecureCookieSessionInterface
from twilio.request_validator import RequestValidator, add_port, remove_port

import services

log = logging.getLogger("helpline.webhooks")
SIGNATURE_HEADER = "X-Twilio-Signature"

# The longest value Twilio sends in each identifying field, with a margin. A signed request over
# any of these is refused (400) before anything is stored: numbers are at most 16 characters in
# E.164 (32 allows "client:..." and SIP-free forms), SIDs 34. What a parent says or types is NOT
# refused: a long Body is cut and answered politely (sms/), long Digits and SpeechResult are read
# as much as a menu needs (ivr/); the whole form is capped by MAX_CONTENT_LENGTH (64 KB, app.py).
FIELD_LIMITS = {"From": 32, "To": 32, "Caller": 32, "Called": 32, "CallSid": 64, "MessageSid": 64,
                "SmsSid": 64, "AccountSid": 64, "RecordingSid": 64, "RecordingUrl": 300,
                "CallStatus": 32, "MessageStatus": 32, "ErrorCode": 16}


def signed_url(public_base_url: str) -> str:
    """The URL Twilio signed: the public base + path + the raw (still encoded) query string."""
    query = request.query_string.decode("latin-1")
    return public_base_url.rstrip("/") + request.path + (f"?{query}" if query else "")


def check_signature() -> None:
    """Refuse (403) any request not signed by Twilio with our auth token."""
    settings = services.current().settings
    signature = request.headers.get(SIGNATURE_HEADER, "")
    url = signed_url(settings.public_base_url)
    # request.form is the body exactly as posted: nothing is trimmed or normalised before this check.
    if not signature or not signed_by_twilio(settings.twilio_auth_token, url, request.form, signature):
        log.warning("refused webhook with %s signature: %s %s",
                    "no" if not signature else "a wrong", request.method, request.path)
        abort(403)


def signed_by_twilio(token: str, url: str, form, signature: str) -> bool:
    """RequestValidator.validate for a form post, stopping at the first URL form that matches.

    Twilio may sign the URL with or without its default port; validate() always computes both
    HMACs, a fifth of a text webhook's time in the benchmark. Same signing, same answers.
    """
    validator, parsed = _validator(token), urlparse(url)
    return any(hmac.compare_digest(validator.compute_signature(candidate, form), signature)
               for candidate in dict.fromkeys((remove_port(parsed), add_port(parsed))))


def sign(auth_token: str, url: str, form: Mapping[str, str]) -> str:
    """X-Twilio-Signature for a POST of `form` to `url`, exactly as Twilio computes it (HMAC-SHA1 of
    the URL followed by the form's names and values, sorted by name)."""
    return _validator(auth_token).compute_signature(url, dict(form))


class TwilioClient:
    """Webhook requests as Twilio makes them: the public URL it was given, signed with the auth token.

    It prepares a request (the URL Twilio would call, the headers it would send); each user sends
    it its own way: the simulator over HTTP, the tests through Flask's test client or urllib, the
    benchmark through wrk.
    """

    USER_AGENT = "TwilioProxy/1.1"

    def __init__(self, auth_token: str, public_base_url: str):
        self.auth_token = auth_token
        self.public_base_url = public_base_url.rstrip("/")

    def public_url(self, path_or_url: str) -> str:
        """The URL Twilio calls: the public base + a path (with any query, as sent), or an absolute
        or relative URL from TwiML resolved as Twilio resolves it."""
        if path_or_url.startswith("/"):
            return self.public_base_url + path_or_url  # as signed_url() rebuilds it
        return urljoin(self.public_base_url + "/", path_or_url)

    def headers(self, path_or_url: str, form: Mapping[str, str]) -> dict[str, str]:
        """The headers of Twilio's form POST to path_or_url, with its signature."""
        return {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": self.USER_AGENT,
                "Accept": "*/*", SIGNATURE_HEADER: sign(self.auth_token, self.public_url(path_or_url), form)}


class WebhookSessions(SecureCookieSessionInterface):
    """Flask's cookie sessions for the staff pages only: Twilio sends no cookie, so a webhook gets an
    empty read-only session without the signing work (an eighth of a text's time in Flask)."""

    def __init__(self, webhook_prefixes: tuple[str, ...]):
        self.webhook_prefixes = tuple(prefix.rstrip("/") + "/" for prefix in webhook_prefixes)

    def open_session(self, app, request):
        if request.path.startswith(self.webhook_prefixes):
            return self.make_null_session(app)
        return super().open_session(app, request)


@lru_cache(maxsize=4)
def _validator(token: str) -> RequestValidator:
    return RequestValidator(token)


def check_field_lengths() -> None:
    """Refuse (400) a signed request whose identifying fields are longer than Twilio ever sends."""
    # Over the fields sent, not FIELD_LIMITS: form.get() of a field not sent builds an exception.
    too_long = sorted({name for name, value in request.form.items(multi=True)
                       if name in FIELD_LIMITS and len(value) > FIELD_LIMITS[name]})
    if too_long:
        log.warning("refused webhook with over-long %s: %s %s", ", ".join(too_long), request.method, request.path)
        abort(400)


def protect(blueprint: Blueprint) -> Blueprint:
    """Check Twilio's signature, then the fields' lengths, before every view of this blueprint."""
    blueprint.before_request(check_signature)
    blueprint.before_request(check_field_lengths)
    return blueprint


def require_fields(blueprint: Blueprint, fields_by_view: dict[str, tuple[str, ...]]) -> None:
    """Refuse (400) a signed request without a field Twilio always sends: nobody could be answered.

    fields_by_view maps a view name ("*" for any other view) to the form fields it needs. Call
    after protect(), so an unsigned request is still refused (403) first.
    """

    def check() -> None:
        view = (request.endpoint or "").rpartition(".")[2]
        needed = fields_by_view.get(view, fields_by_view.get("*", ()))
        missing = [name for name in needed if not request.form.get(name, "").strip()]
        if missing:
            log.warning("refused webhook without %s: %s %s", ", ".join(missing), request.method, request.path)
            abort(400)

    blueprint.before_request(check)


def fall_back_on_redis_errors(blueprint: Blueprint, reply: Callable[[], object]) -> None:
    """If Redis fails mid-request, log it and still answer the parent (never a 500)."""

    def handle(error: Exception):
        log.error("Redis unavailable during %s %s: %s", request.method, request.path, type(error).__name__)
        return twiml_response(reply())

    blueprint.register_error_handler(redis.RedisError, handle)


def twiml_response(twiml) -> Response:
    """Send a twilio VoiceResponse or MessagingResponse as XML."""
    return Response(str(twiml), mimetype="text/xml")
