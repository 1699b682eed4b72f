"""The baseline for `make bench`: a bare Flask endpoint returning a constant TwiML document."""

from __future__ import annotations

from flask import Flask, Response
from twilio.twiml.voice_response import VoiceResponse

PATH = "/twiml"


def constant_twiml() -> str:
    """A small voice reply much like the service's: a sentence, then on to a menu."""
    response = VoiceResponse()
    response.say("Thank you for calling the SEND Partnership Service.", voice="Polly.Amy-Neural", language="en-GB")
    response.redirect("/ivr/menu?node=main", method="POST")
    return str(response)


def create_app() -> Flask:
    """One POST route, built once; served by gunicorn with the Procfile's web settings."""
    app = Flask(__name__)
    body = constant_twiml()

    @app.post(PATH)
    def twiml():
        """The same document every time: no signature check, no Redis, no form parsing."""
        return Response(body, mimetype="text/xml")

    return app
