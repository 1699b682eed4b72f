"""What every webhook reply must be, shared by the bad-input table and the fuzz tests.

'Within length' follows the service's own sending rules (flows/sending_rules.py, rule 4): each
<Message> in a reply is one text, and a text must be non-empty, plain GSM-7 and at most
MAX_SEGMENTS (3) segments, i.e. 459 GSM-7 characters with ^ { } [ ] ~ | \\ and the euro sign
counting 2. A reply may hold several <Message>s (a welcome, a note that the text was cut, the
answer), and each is checked on its own: that is how the dialogue sizes replies.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import redis.connection

from flows.gsm7 import first_non_gsm7, segment_count
from flows.sending_rules import MAX_SEGMENTS

VOICE_VERBS = {"Say", "Play", "Gather", "Redirect", "Hangup", "Dial", "Record", "Pause"}


def parsed(response) -> ET.Element:
    """A 200 text/xml reply parsed as TwiML (root <Response>); fails with what came back."""
    assert response.status_code == 200, (response.status_code, response.data[:300])
    assert response.mimetype == "text/xml", response.mimetype
    root = ET.fromstring(response.data)
    assert root.tag == "Response", root.tag
    return root


def sms_problems(texts: list[str]) -> list[str]:
    """Why any of these texts would be refused by the sending rules (empty list: none)."""
    problems = []
    for text in texts:
        bad = first_non_gsm7(text)
        if not text.strip():
            problems.append("empty text")
        elif bad is not None:
            problems.append(f"not GSM-7: U+{ord(bad):04X} in {text[:80]!r}")
        elif segment_count(text) > MAX_SEGMENTS:
            problems.append(f"{segment_count(text)} segments: {text[:80]!r}")
    return problems


def sms_reply(response, *, may_be_silent: bool = False) -> list[str]:
    """Check an /sms/incoming reply (TwiML, GSM-7, within length) and return its texts."""
    texts = ["".join(m.itertext()) for m in parsed(response).iter("Message")]
    assert texts or may_be_silent, "no reply at all"
    assert not sms_problems(texts), sms_problems(texts)
    return texts


def voice_reply(response) -> ET.Element:
    """Check a voice webhook reply: TwiML whose first verb is something Twilio can act on."""
    root = parsed(response)
    verbs = [child.tag for child in root]
    assert verbs and set(verbs) <= VOICE_VERBS, verbs
    return root


class RoundTrips:
    """Counts what is written to Redis sockets: one per command, or one per whole pipeline."""

    def __init__(self, monkeypatch):
        self.count = 0
        send = redis.connection.AbstractConnection.send_packed_command

        def counting(conn, command, check_health=True):
            self.count += 1
            return send(conn, command, check_health)

        monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)

    def of(self, twilio, body: str) -> int:
        """Round trips for one text."""
        return self.during(lambda: twilio.sms(body))

    def during(self, action) -> int:
        """Round trips while `action()` runs (it must answer 200)."""
        self.count = 0
        assert action().status_code == 200
        return self.count
