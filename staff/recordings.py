"""Fetching a parent's voice message from Twilio for the staff page, safely.

The stored `voice_message_url` is never fetched. Only the recording SID is taken from it
(`RE` and 32 hex digits), and the request goes to Twilio's API base (`TWILIO_API_BASE_URL`, the
one the senders use, or https://api.twilio.com) with our account SID: a URL planted in Redis or
the spool cannot send our credentials anywhere else. Redirects are not followed. Only audio
content types are passed on (AUDIO_TYPES), at most MAX_BYTES, within TIMEOUT_SECONDS overall;
anything else is a FetchError with words for the adviser, never a 500.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

RECORDING_SID = re.compile(r"RE[0-9a-f]{32}")
ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
AUDIO_TYPES = frozenset({"audio/mpeg", "audio/mp3", "audio/wav", "audio/x-wav", "audio/wave"})
MAX_BYTES = 10 * 1024 * 1024  # a 10-minute message as mp3 is about 2.4 MB
TIMEOUT_SECONDS = 15.0
TWILIO_API = "https://api.twilio.com"


class FetchError(Exception):
    """The recording could not be fetched; `str()` is for the adviser, `status` for the response."""

    def __init__(self, message: str, status: int = 502):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Audio:
    """A fetched recording."""

    content: bytes
    mimetype: str


def recording_sid(stored: str | None) -> str | None:
    """The one recording SID in a stored value ("RE" + 32 lowercase hex), or None."""
    found = RECORDING_SID.findall(stored or "")
    return found[0] if len(set(found)) == 1 else None


def recording_url(settings, sid: str) -> str:
    """Where Twilio serves the recording's mp3: always built from settings, never from stored data."""
    if not RECORDING_SID.fullmatch(sid or ""):
        raise FetchError("This voice message has no valid recording reference.", 404)
    account = settings.twilio_account_sid or ""
    if not ACCOUNT_SID.fullmatch(account):
        raise FetchError("Voice messages cannot be played: the Twilio account is not set up.", 404)
    base = (settings.twilio_api_base_url or TWILIO_API).rstrip("/")
    return f"{base}/2010-04-01/Accounts/{account}/Recordings/{sid}.mp3"


def fetch(settings, sid: str) -> Audio:
    """GET the recording with our credentials: no redirects, audio only, size and time capped."""
    import requests  # twilio's own dependency; only this needs it

    url = recording_url(settings, sid)
    deadline = time.monotonic() + TIMEOUT_SECONDS
    try:
        with requests.get(url, auth=(settings.twilio_account_sid, settings.twilio_auth_token), stream=True,
                          allow_redirects=False, timeout=(5, TIMEOUT_SECONDS)) as upstream:
            if upstream.status_code == 404:
                raise FetchError("This voice message is no longer held at Twilio (it may have been deleted).", 404)
            if upstream.status_code != 200:
                raise FetchError(f"Twilio did not give us the voice message (it answered {upstream.status_code}). "
                                 "Try again in a few minutes.")
            mimetype = (upstream.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if mimetype not in AUDIO_TYPES:
                raise FetchError("What came back was not a sound recording, so it is not shown.")
            declared = upstream.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise FetchError("This voice message is too large to play here.")
            chunks, size = [], 0
            for chunk in upstream.iter_content(64 * 1024):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise FetchError("This voice message is too large to play here.")
                if time.monotonic() > deadline:
                    raise FetchError("Twilio took too long to send the voice message. Try again in a few minutes.")
                chunks.append(chunk)
    except requests.RequestException:
        raise FetchError("Could not reach Twilio for the voice message. Try again in a few minutes.") from None
    return Audio(b"".join(chunks), "audio/wav" if mimetype in ("audio/x-wav", "audio/wave") else mimetype)
