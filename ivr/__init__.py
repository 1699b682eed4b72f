"""Voice channel: Twilio's call webhooks in, TwiML out (menus rendered from flows)."""

from flask import Blueprint

from twilio_webhooks import protect

bp = protect(Blueprint("ivr", __name__, url_prefix="/ivr"))

from ivr import views  # noqa: E402,F401  (registers the views on bp)
from ivr import deadline  # noqa: E402,F401
