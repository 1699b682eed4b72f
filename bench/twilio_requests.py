"""Webhook requests as Twilio sends them (form fields, headers signed by twilio_webhooks.TwilioClient),
for the load generator.

Every request gets its own MessageSid or CallSid, so nothing is answered from the reply cache.
Phone numbers are Ofcom's drama ranges (07700 900000 to 900999, and 1,000 numbers in each of
15 geographic areas): never a real person. Texts rotate over all 16,000, so a number sends a
few texts in a run, as parents do, and stays under the per-number text limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from twilio_webhooks import TwilioClient

ACCOUNT_SID = "AC" + "b3" * 16  # made up: the outbox needs no account
HELPLINE = "+447700900000"
DRAMA_MOBILES = 1000
# Ofcom's drama ranges, as E.164 prefixes of 1,000 numbers each (the mobile one first).
DRAMA_PREFIXES = ("+447700900", "+44113496", "+44114496", "+44115496", "+44116496", "+44117496", "+44118496",
                  "+44121496", "+44131496", "+44141496", "+44151496", "+44161496", "+44191498", "+44207946",
                  "+44292018", "+441632960")


@dataclass(frozen=True)
class Req:
    """One signed POST: path with query string, form fields, headers."""

    path: str
    form: dict
    headers: dict

    def raw(self, host: str) -> bytes:
        """The request exactly as it goes on the wire (HTTP/1.1, keep-alive)."""
        body = urlencode(self.form)
        lines = [f"POST {self.path} HTTP/1.1", f"Host: {host}",
                 *(f"{k}: {v}" for k, v in self.headers.items()), f"Content-Length: {len(body)}", "", body]
        return "\r\n".join(lines).encode()


def drama_mobile(i: int) -> str:
    """The i-th number of the drama range, +447700900000 onwards."""
    return f"+447700900{i % DRAMA_MOBILES:03d}"


def drama_number(i: int) -> str:
    """The i-th of all 16,000 drama-range numbers, rotating."""
    prefix = DRAMA_PREFIXES[(i // DRAMA_MOBILES) % len(DRAMA_PREFIXES)]
    last = i % DRAMA_MOBILES
    return f"{prefix}{last:03d}" if len(prefix) == 10 else f"{prefix}{last:04d}"


def sid(prefix: str, run: int, i: int) -> str:
    """A Twilio-shaped sid (2 letters, 32 hex digits), unique per run, kind and index."""
    return f"{prefix}{run:08x}{i:024x}"


class Signer:
    """Signs requests as Twilio does: HMAC-SHA1 of the public URL plus the sorted form fields."""

    def __init__(self, token: str, public_base_url: str):
        self.twilio = TwilioClient(token, public_base_url)

    def post(self, path: str, form: dict) -> Req:
        """A signed POST to `path` (which may carry a query string, signed as sent)."""
        return Req(path, form, self.twilio.headers(path, form))


def sms_form(message_sid: str, phone: str, body: str) -> dict:
    """The fields Twilio posts for an incoming text."""
    return {"ToCountry": "GB", "ToState": "", "SmsMessageSid": message_sid, "NumMedia": "0", "ToCity": "",
            "FromZip": "", "SmsSid": message_sid, "FromState": "", "SmsStatus": "received", "FromCity": "",
            "Body": body, "FromCountry": "GB", "To": HELPLINE, "ToZip": "", "NumSegments": "1",
            "MessageSid": message_sid, "AccountSid": ACCOUNT_SID, "From": phone, "ApiVersion": "2010-04-01"}


def call_form(call_sid: str, phone: str) -> dict:
    """The fields Twilio posts for every step of an incoming call."""
    return {"AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", "CallSid": call_sid, "CallStatus": "in-progress",
            "Called": HELPLINE, "CalledCity": "", "CalledCountry": "GB", "CalledState": "", "CalledZip": "",
            "Caller": phone, "CallerCity": "", "CallerCountry": "GB", "CallerState": "", "CallerZip": "",
            "Direction": "inbound", "From": phone, "FromCity": "", "FromCountry": "GB", "FromState": "",
            "FromZip": "", "To": HELPLINE, "ToCity": "", "ToCountry": "GB", "ToState": "", "ToZip": ""}


def sms_keyword(signer: Signer, run: int, i: int) -> Req:
    """SCHOOL by text: a keyword reply that moves the number's conversation to that guidance."""
    return signer.post("/sms/incoming", sms_form(sid("SM", run, i), drama_number(i), "SCHOOL"))


def call_incoming(signer: Signer, run: int, i: int) -> Req:
    """A call arrives: the greeting and whether the line is open."""
    return signer.post("/ivr/incoming", call_form(sid("CA", run, i), drama_mobile(i)))


def menu_step(signer: Signer, run: int, i: int) -> Req:
    """The school menu played in a call (what the caller hears after pressing 1)."""
    return signer.post("/ivr/menu?node=school", call_form(sid("CA", run, i), drama_mobile(i)))


def menu_choice(signer: Signer, run: int, i: int) -> Req:
    """A key pressed in the main menu: 4, health guidance (a route the managers' reports count)."""
    return signer.post("/ivr/menu-choice?node=main", {**call_form(sid("CA", run, i), drama_mobile(i)), "Digits": "4"})


def callback_save(signer: Signer, run: int, i: int) -> Req:
    """The last step of a callback request by phone: number confirmed, texts welcome, no voice message."""
    phone = drama_mobile(i)
    query = urlencode({"topic": "school", "phone": phone, "vm": "1", "txt": "1"})
    return signer.post(f"/ivr/callback/save?{query}", call_form(sid("CA", run, i), phone))


def write_requests(path: Path, reqs: list[Req], host: str) -> Path:
    """Raw requests separated by NUL bytes, the file bench/wrk.lua reads."""
    path.write_bytes(b"\0".join(r.raw(host) for r in reqs) + b"\0")
    return path
