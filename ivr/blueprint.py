"""The voice blueprint, /ivr: every route signed by Twilio and about one call; Redis trouble answered
with the main menu. Its own module, so the views import it without importing the package."""

from flask import Blueprint

from twilio_webhooks import fall_back_on_redis_errors, protect, require_fields

bp = protect(Blueprint("ivr", __name__, url_prefix="/ivr"))
require_fields(bp, {"*": ("CallSid",)})  # every voice webhook is about one call


def _redis_trouble():
    """Apologise and play the main menu: menus are in memory, so they still work."""
    from flask import url_for
    from twilio.twiml.voice_response import VoiceResponse

    import services
    from ivr.speech import say

    response = VoiceResponse()
    say(response, services.current().copy.say("greeting.trouble"))
    response.redirect(url_for("ivr.menu", node="main"), method="POST")
    return response


fall_back_on_redis_errors(bp, _redis_trouble)
