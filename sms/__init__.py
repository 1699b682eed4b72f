"""SMS channel: Twilio's message webhooks in, TwiML replies out (keywords and conversations)."""

from flask import Blueprint

from twilio_webhooks import protect

bp = protect(Blueprint("sms", __name__, url_prefix="/sms"))

from sms import handlers, views  # noqa: E402,F401  (registers views and effect handlers)
from sms import deadline_chat  # noqa: E402,F401
