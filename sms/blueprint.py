"""The SMS blueprint, /sms: every route signed by Twilio; Redis trouble answered with the main menu.
Its own module, so the views import it without importing the package."""

from flask import Blueprint

from twilio_webhooks import fall_back_on_redis_errors, protect, require_fields

bp = protect(Blueprint("sms", __name__, url_prefix="/sms"))
# The reply is kept per MessageSid (Twilio retries) and the conversation per From.
require_fields(bp, {"incoming_sms": ("From", "MessageSid")})


def _redis_trouble():
    """Apologise and send the main menu, which is in memory and needs no Redis."""
    from twilio.twiml.messaging_response import MessagingResponse

    import services
    from flows.guidance import load_guidance

    tree = load_guidance()
    response = MessagingResponse()
    response.message(services.current().copy.text("greeting.trouble"))
    response.message(tree.sms_parts(tree.root)[0])
    return response


fall_back_on_redis_errors(bp, _redis_trouble)
