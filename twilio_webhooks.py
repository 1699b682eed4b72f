"""Twilio webhook plumbing shared by ivr/ and sms/: signature check and TwiML responses."""

from __future__ import annotations

import logging
from typing import Callable

import redis

from flask import Blueprint, Response, abort, request
from twilio.request_validator import RequestValidator

import services

log = logging.getLogger("helpline.webhooks")
SIGNATURE_HEADER = "X-Twilio-Signature"


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
    if not signature or not RequestValidator(settings.twilio_auth_token).validate(url, request.form, signature):
        log.warning("refused webhook with %s signature: %s %s",
                    "no" if not signature else "a wrong", request.method, request.path)
        abort(403)


def protect(blueprint: Blueprint) -> Blueprint:
    """Check Twilio's signature before every view of this blueprint."""
    blueprint.before_request(check_signature)
    return blueprint


def fall_back_on_redis_errors(blueprint: Blueprint, reply: Callable[[], object]) -> None:
    """If Redis fails mid-request, log it and still answer the parent (never a 500)."""

    def handle(error: Exception):
        log.error("Redis unavailable during %s %s: %s", request.method, request.path, type(error).__name__)
        return twiml_response(reply())

    blueprint.register_error_handler(redis.RedisError, handle)


def twiml_response(twiml) -> Response:
    """Send a twilio VoiceResponse or MessagingResponse as XML."""
    return Response(str(twiml), mimetype="text/xml")
