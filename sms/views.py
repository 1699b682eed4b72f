"""SMS webhooks: one view per thing Twilio tells us."""

from __future__ import annotations

from twilio.twiml.messaging_response import MessagingResponse

import services
from clock import now
from flows.opening import status_sentences
from sms import bp
from twilio_webhooks import twiml_response


@bp.post("/incoming")
def incoming_sms():
    """A text arrives: say when the line opens and how to get guidance by text."""
    svc = services.current()
    copy = svc.copy
    parts = [copy.text("greeting.welcome"), copy.text("greeting.automatic")]
    parts += status_sentences(svc.calendar, copy, now(), spoken=False)
    parts.append(copy.text("greeting.sms_how_to"))
    response = MessagingResponse()
    response.message(" ".join(parts))
    return twiml_response(response)
