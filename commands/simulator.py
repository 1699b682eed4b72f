"""A phone in the terminal: calls and texts the helpline through its real, signed webhooks."""

from __future__ import annotations

import secrets
import threading
import time
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator
from urllib.parse import urljoin, urlsplit

import click
import requests
from flask.cli import AppGroup
from redis import RedisError
from werkzeug.serving import make_server

import services
from clock import SIMULATED_NOW_HEADER
from twilio_webhooks import TwilioClient

DEFAULT_FROM = "+447700900123"
ACCOUNT_SID = "AC" + "0" * 32

# An answer function is asked for input at each Gather, Dial and Record; None means silence.
Answer = Callable[[str, ET.Element], str | None]


@dataclass
class Phone:
    """Posts signed webhook requests to the helpline, as Twilio would (twilio_webhooks.TwilioClient)."""

    base_url: str  # where requests are sent
    auth_token: str
    public_base_url: str | None = None  # what Twilio would have signed (defaults to base_url)
    at: str | None = None  # simulated London time, sent only to a local-mode service
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.twilio = TwilioClient(self.auth_token, self.public_base_url or self.base_url)

    def post(self, url: str, params: dict[str, str]) -> requests.Response:
        """POST form params to a path or public URL, signed with the auth token."""
        parts = urlsplit(self.twilio.public_url(url))
        target = self.base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
        headers = self.twilio.headers(url, params)
        if self.at:
            headers[SIMULATED_NOW_HEADER] = self.at
        return self.session.post(target, data=params, headers=headers, timeout=10)

    def text(self, body: str, *, from_: str = DEFAULT_FROM, to: str = "+447700900000") -> list[str]:
        """Send one SMS and return the reply messages."""
        params = {"MessageSid": "SM" + secrets.token_hex(16), "SmsSid": "", "AccountSid": ACCOUNT_SID,
                  "From": from_, "To": to, "Body": body, "NumMedia": "0", "NumSegments": "1"}
        params["SmsSid"] = params["MessageSid"]
        reply = self.post("/sms/incoming", params)
        reply.raise_for_status()
        root = ET.fromstring(reply.text) if reply.text.strip() else ET.Element("Response")
        return ["".join(m.itertext()).strip() for m in root.iter("Message")]

    def call(self, answer: Answer, say: Callable[[str], None], *, from_: str = DEFAULT_FROM,
             to: str = "+447700900000", max_steps: int = 200) -> list[ET.Element]:
        """Run one call: print what the caller hears, ask `answer` at each prompt. Returns each TwiML document."""
        base = {"CallSid": "CA" + secrets.token_hex(16), "AccountSid": ACCOUNT_SID, "From": from_, "Caller": from_,
                "To": to, "Called": to, "CallStatus": "in-progress", "Direction": "inbound", "ApiVersion": "2010-04-01"}
        url, extra, documents, transcription = "/ivr/incoming", {}, [], None
        current = self.twilio.public_url(url)
        for _ in range(max_steps):
            reply = self.post(current, {**base, **extra})
            if transcription is not None:  # Twilio posts it after the recording's own request, a little later
                self.post(*transcription)
                say(f"[Twilio transcribed the message: {transcription[1]['TranscriptionText'] or '(nothing)'}]")
                transcription = None
            if reply.status_code != 200:
                say(f"[the service answered HTTP {reply.status_code}; Twilio would play an error]")
                return documents
            root = ET.fromstring(reply.text)
            documents.append(root)
            step = _follow(root, answer, say)
            if step is None:
                say("[the call ends]")
                return documents
            next_url, extra = step
            transcription = _transcription(root, extra, base, current)
            current = urljoin(current, next_url)
        say("[stopped: too many steps]")
        return documents


def _transcription(root: ET.Element, extra: dict, base: dict, current: str) -> tuple[str, dict] | None:
    """The transcribeCallback Twilio would post for a message just recorded (url, fields), if asked for.

    Takes the typed words out of `extra` (they are not part of the recording's own request).
    """
    words = extra.pop("_words", "")
    record = root.find("Record")
    if record is None or not record.get("transcribeCallback") or not extra.get("RecordingSid"):
        return None
    sid = "TR" + secrets.token_hex(16)
    fields = {**base, "RecordingSid": extra["RecordingSid"], "RecordingUrl": extra["RecordingUrl"],
              "TranscriptionSid": sid, "TranscriptionText": words, "TranscriptionType": "fast",
              "TranscriptionStatus": "completed" if words else "failed",
              "TranscriptionUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Transcriptions/{sid}"}
    return urljoin(current, record.get("transcribeCallback")), fields


def _speak(element: ET.Element, say: Callable[[str], None]) -> None:
    for child in element.iter():
        if child.tag == "Say" and (child.text or "").strip():
            say(child.text.strip())
        elif child.tag == "Play":
            say("[plays a recording]")


def _follow(root: ET.Element, answer: Answer, say: Callable[[str], None]) -> tuple[str, dict] | None:
    """Act out one TwiML document; return the next request (url, params) or None when the call ends."""
    for verb in root:
        if verb.tag in ("Say", "Play"):
            _speak(verb, say)
        elif verb.tag == "Pause":
            say("[pause]")
        elif verb.tag == "Gather":
            _speak(verb, say)
            heard = answer("keys", verb)
            if heard:
                return verb.get("action", ""), _gathered(heard, verb)
            # Silence: Twilio carries on with the next verb.
        elif verb.tag == "Redirect":
            return (verb.text or "").strip(), {}
        elif verb.tag == "Dial":
            number = "".join(verb.itertext()).strip()
            say(f"[rings {number}, showing {verb.get('callerId', 'the caller')}]")
            picked_up = (answer("dial", verb) or "n").lower().startswith("y")
            status = "completed" if picked_up else "no-answer"
            if verb.get("action"):
                return verb.get("action"), {"DialCallStatus": status}
            if picked_up:
                return None
        elif verb.tag == "Record":
            say("[recording: type the message, then press Enter]")
            words = answer("record", verb) or ""
            sid = "RE" + secrets.token_hex(16)
            return verb.get("action", ""), {
                "RecordingSid": sid, "RecordingDuration": str(max(1, len(words.split()) // 2)),
                "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{sid}",
                "Digits": "hangup" if not words else "#", "_words": words}
        elif verb.tag in ("Hangup", "Reject"):
            return None
    return None


def _gathered(heard: str, gather: ET.Element) -> dict[str, str]:
    """Keys become Digits (cut as Twilio cuts them); anything with letters becomes SpeechResult."""
    if all(c in "0123456789*#" for c in heard):
        finish = gather.get("finishOnKey", "#")
        digits = heard.split(finish)[0] if finish and finish in heard else heard
        if gather.get("numDigits"):
            digits = digits[: int(gather.get("numDigits"))]
        return {"Digits": digits}
    if "speech" not in (gather.get("input") or "dtmf"):
        return {"Digits": ""}
    return {"SpeechResult": heard, "Confidence": "0.9"}


@contextmanager
def serve(app_factory: Callable[[str], object]) -> Iterator[str]:
    """Run an app on a free local port in a thread; app_factory gets the base URL. Yields the URL."""
    holder: list = []
    server = make_server("127.0.0.1", 0, lambda env, start: holder[0](env, start), threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    holder.append(app_factory(url))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()


def _reachable(url: str) -> bool:
    try:
        return requests.get(url.rstrip("/") + "/healthz", timeout=2).ok
    except requests.RequestException:
        return False


@contextmanager
def _service(url: str | None, at: str | None) -> Iterator[Phone]:
    """A Phone aimed at the running service, or at this command's own app served here if none answers.

    Either way the phone signs for PUBLIC_BASE_URL, as Twilio would, and `at` travels as the
    simulated-time header, which only a local-mode service honours, and only on its webhooks.
    """
    from flask import current_app

    settings = services.current().settings
    target = url or settings.public_base_url
    if _reachable(target):
        yield Phone(target, settings.twilio_auth_token, at=at)
        return
    click.echo(f"[no service answers at {target}; starting one inside this command]", err=True)
    app = current_app._get_current_object()
    with serve(lambda base: app) as base:
        yield Phone(base, settings.twilio_auth_token, public_base_url=settings.public_base_url, at=at)


def show_outbox(redis, prefix: str, number: str, seen: set[str], *, wait_seconds: float = 3.0,
                echo: Callable[[str], None] = click.echo) -> int:
    """Print texts and calls the outbox kept for this number since `seen` (the worker sends them)."""
    from store.outbox import list_outbox

    deadline = time.monotonic() + wait_seconds
    shown = 0
    while True:
        try:
            entries = list_outbox(redis, prefix, limit=50)
        except RedisError:
            echo("[the outbox cannot be read: Redis is not answering]")
            return shown
        fresh = [e for e in reversed(entries) if e.get("to") == number and e.get("id", e.get("sid")) not in seen]
        for entry in fresh:
            seen.add(entry.get("id", entry.get("sid")))
            what = entry.get("body") or f"a call ({entry.get('twiml_url', '')})"
            echo(f"TO YOUR PHONE (outbox, NOT SENT): {what}")
            shown += 1
        if time.monotonic() >= deadline:
            return shown
        if shown and not fresh:  # stop once the texts that came have been quiet for a moment
            deadline = min(deadline, time.monotonic() + 0.5)
        time.sleep(0.2)


def _outbox_snapshot(redis, prefix: str) -> set[str]:
    """What the outbox already holds (nothing, if Redis is not answering: the phone still works)."""
    from store.outbox import list_outbox

    try:
        return {e.get("id", e.get("sid")) for e in list_outbox(redis, prefix, limit=50)}
    except RedisError:
        return set()


def _terminal_answer(kind: str, verb: ET.Element) -> str | None:
    if kind == "dial":
        return click.prompt("  does the adviser answer? (y/n)", default="n", show_default=False)
    if kind == "record":
        return click.prompt("  message", default="", show_default=False) or None
    typed = click.prompt("  press keys (digits, * or #), type words to speak, or Enter for silence",
                         default="", show_default=False)
    if typed.strip().lower() in ("hangup", "quit", "q"):
        raise click.Abort()
    return typed.strip() or None


phone_cli = AppGroup("phone", help="Call or text the helpline from the terminal (no Twilio account needed).")


@phone_cli.command("call")
@click.option("--from", "from_", default=DEFAULT_FROM, show_default=True, help="The caller's number.")
@click.option("--at", default=None, help="Pretend it is this London time, e.g. 2026-11-23T11:00.")
@click.option("--url", default=None, help="The service's base URL (default: PUBLIC_BASE_URL).")
def phone_call(from_: str, at: str | None, url: str | None) -> None:
    """An interactive call: hear the prompts, press keys, hang up with 'q'."""
    svc = services.current()
    redis, prefix = svc.connections.redis, svc.settings.key_prefix
    seen = _outbox_snapshot(redis, prefix)
    with _service(url, at) as phone:
        try:
            phone.call(_terminal_answer, lambda line: click.echo(f"HELPLINE: {line}"), from_=from_)
        except click.Abort:
            click.echo("[you hang up]")
    show_outbox(redis, prefix, from_, seen)


@phone_cli.command("text")
@click.argument("body")
@click.option("--from", "from_", default=DEFAULT_FROM, show_default=True, help="The texter's number.")
@click.option("--at", default=None, help="Pretend it is this London time, e.g. 2026-11-23T11:00.")
@click.option("--url", default=None, help="The service's base URL (default: PUBLIC_BASE_URL).")
def phone_text(body: str, from_: str, at: str | None, url: str | None) -> None:
    """Send one text and print the reply (and anything the worker sends afterwards)."""
    svc = services.current()
    redis, prefix = svc.connections.redis, svc.settings.key_prefix
    seen = _outbox_snapshot(redis, prefix)
    with _service(url, at) as phone:
        replies = phone.text(body, from_=from_)
    for reply in replies or ["[no reply]"]:
        click.echo(f"HELPLINE: {reply}")
    show_outbox(redis, prefix, from_, seen, wait_seconds=1.0)
