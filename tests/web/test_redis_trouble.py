"""Redis going away never reaches the parent as an error: they still get a useful answer, fast."""

import time

from tests.conftest import Twilio, sms_replies, spoken, twiml

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_a_text_with_redis_down_still_gets_its_answer_fast(make_app):
    twilio = Twilio(make_app(redis_url=DEAD_REDIS).test_client())
    started = time.monotonic()
    (reply,) = sms_replies(twilio.sms("HEALTH"))
    assert time.monotonic() - started < 2  # a connect time-out of 0.5s for load and for save
    assert "NHS complaints procedure" in reply


def test_risk_words_with_redis_down_still_get_the_emergency_numbers_first(make_app, caplog):
    twilio = Twilio(make_app(redis_url=DEAD_REDIS).test_client())
    (reply,) = sms_replies(twilio.sms("I think she might kill herself"))
    assert reply.startswith("If anyone is in danger now, call 999.")
    assert "safety concern from +44 7700 900*** kept in the local spool" in caplog.text
    assert "+447700900123" not in caplog.text


def test_any_other_redis_failure_in_a_text_gets_an_apology_and_the_menu(make_app):
    app = make_app(redis_url=DEAD_REDIS)
    twilio = Twilio(app.test_client())

    @app.before_request
    def explode():  # a failure outside the conversation code: the blueprint's fallback answers
        import redis

        raise redis.ConnectionError("gone")

    replies = sms_replies(twilio.sms("MENU"))
    assert "went wrong on our side" in replies[0] and "01225 394382" in replies[0]
    assert "Reply with a number" in replies[1]


def test_a_call_with_redis_down_still_gets_menus(make_app):
    twilio = Twilio(make_app(redis_url=DEAD_REDIS).test_client())
    root = twiml(twilio.call("/ivr/menu?node=main"))  # menus need no Redis at all
    assert "press 1" in spoken(root)
    root = twiml(twilio.call("/ivr/menu-choice?node=main", SpeechResult="my child is not safe, he will hurt himself"))
    assert "9 9 9" in spoken(root)  # emergency numbers even though the flag could not be stored
    root = twiml(twilio.call("/ivr/menu-choice?node=health", Digits="8"))  # text me this needs Redis
    assert "went wrong on our side" in spoken(root)
    assert root.find("Redirect").text == "/ivr/menu?node=main"
