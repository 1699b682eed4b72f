"""Risk words on both channels, end to end: the emergency message first, wherever the parent is, then carry on.

Signed webhooks, TwiML parsed, the real Redis. The wording of the messages belongs to
flows/content/safety.toml; these tests assert the facts: 999 first, the service that fits the
kind of risk, how to ask for an urgent call back, and a concern for advisers with the words.
"""

import logging

import pytest

from store import callbacks, safety
from tests.conftest import PARENT, sms_replies, spoken, twiml
from tests.web.test_callback_ivr import Call

# One phrasing per kind of risk, none of them word-for-word in the old phrase list.
BY_KIND = {
    "suicide_self_harm": ("i cant cope any more i want to end it", "116 123"),
    "child_harm": ("a teacher slapped my son today", "0808 800 5000"),
    "domestic_abuse": ("my partner hits me when the kids are asleep", "0808 2000 247"),
    "missing_child": ("my daughter hasnt come home and isnt answering her phone", "999"),
}


def concerns(app):
    svc = app.extensions["helpline"]
    return safety.list_open(svc.connections.redis, svc.settings)


def first_999(text: str) -> bool:
    """999 is the first number in the message."""
    return text.index("999") < min((text.index(d) for d in "012345678" if d in text.replace("999", "")),
                                   default=len(text))


@pytest.mark.parametrize("kind", sorted(BY_KIND))
def test_by_text_the_first_message_gives_999_then_the_service_for_that_kind(app, twilio, kind):
    words, number = BY_KIND[kind]
    replies = sms_replies(twilio.sms(words))  # a first-time texter: the welcome comes after
    assert "999" in replies[0] and number in replies[0] and "CALLBACK" in replies[0]
    assert first_999(replies[0]) and len(replies[0]) <= 160
    assert "answers automatically" in replies[1]
    (concern,) = concerns(app)
    assert concern["category"] == kind and concern["words"][0]["text"] == words
    assert concern["channel"] == "sms" and concern["phone"] == PARENT


def test_by_text_a_conversation_in_progress_keeps_its_place(app, twilio):
    twilio.sms("hello")
    assert "Shall we call you on 07700 900123?" in sms_replies(twilio.sms("CALLBACK"))[0]
    urgent, carry_on = sms_replies(twilio.sms("yes but honestly i feel like ending it all"))
    assert urgent.startswith("If anyone is in danger") and "116 123" in urgent
    assert "carry on" in carry_on
    assert "What is it about?" in sms_replies(twilio.sms("yes"))[0]  # the callback goes on where it was
    for answer in ("5", "any", "1", "yes"):
        sms_replies(twilio.sms(answer))
    reply = sms_replies(twilio.sms("skip"))[-1]
    assert "urgent" in reply
    svc = app.extensions["helpline"]
    (request,) = callbacks.list_open(svc.connections.redis, svc.settings)
    assert request["urgent"] is True


def test_by_text_in_the_deadline_calculator_too(app, twilio):
    twilio.sms("hello")
    sms_replies(twilio.sms("DEADLINE"))
    replies = sms_replies(twilio.sms("he took a load of pills last night"))
    assert replies[0].startswith("If anyone is in danger") and len(concerns(app)) == 1


def test_more_texts_from_the_same_parent_make_one_concern_with_all_their_words(app, twilio):
    twilio.sms("she tried to hang herself last night")
    twilio.sms("im so scared she will do it again")
    (concern,) = concerns(app)
    assert [w["text"] for w in concern["words"]][0] == "she tried to hang herself last night"
    assert len(concern["words"]) in (1, 2)  # the second is added when it has risk words of its own


def test_by_phone_the_greeting_says_call_999_if_anyone_is_in_danger(twilio):
    root = twiml(twilio.call("/ivr/incoming"))
    says = [s.text for s in root.iter("Say")]
    assert any("danger" in s and "9 9 9" in s for s in says[:3])


@pytest.mark.parametrize("kind", sorted(BY_KIND))
def test_by_phone_speech_at_a_menu_gets_the_message_first_then_carries_on(app, twilio, kind):
    words, number = BY_KIND[kind]
    root = twiml(twilio.call("/ivr/menu-choice?node=school", SpeechResult=words))
    heard = spoken(root)
    assert "9 9 9" in heard.split(". ")[0] and "press 0" in heard  # 999 in the first sentence
    assert number.replace(" ", "") in "".join(c for c in heard if c.isdigit())
    gather = root.find("Gather")
    assert gather.get("action").startswith("/ivr/urgent-choice") and gather.get("input") == "dtmf"
    assert root.find("Redirect").text == "/ivr/menu?node=school"  # then the menu they were in
    (concern,) = concerns(app)
    assert concern["category"] == kind and concern["channel"] == "voice"


def test_by_phone_0_after_the_message_asks_for_an_urgent_call_back(twilio):
    root = twiml(twilio.call("/ivr/menu-choice?node=main", SpeechResult="my son is self harming again"))
    after = twiml(twilio.call(root.find("Gather").get("action"), Digits="0"))
    target = after.find("Redirect").text
    assert target.startswith("/ivr/callback") and "urgent=1" in target


def test_by_phone_speech_at_a_callback_question_carries_on_that_question_marked_urgent(app, twilio):
    call = Call(twilio)
    root = call.follow(call.post("/ivr/callback?topic=school"))
    assert "0 7 7 0 0" in spoken(root)
    root = call.answer(root, SpeechResult="yes but i dont want to be here anymore")
    assert "9 9 9" in spoken(root).split(". ")[0]
    back = root.find("Redirect").text
    assert back.startswith("/ivr/callback/ask/number") and "urgent=1" in back
    root = call.post(back)
    from tests.web.test_callback_ivr import answer_until_record

    root, _ = answer_until_record(call, root)  # every question after, then the message
    assert root.find("Record") is not None
    assert "urgent" in spoken(call.answer(root))  # no message left: the save says it is marked urgent
    svc = app.extensions["helpline"]
    (request,) = callbacks.list_open(svc.connections.redis, svc.settings)
    assert request["urgent"] is True
    assert len(concerns(app)) == 1


def test_by_phone_speech_in_the_deadline_calculator_is_checked_too(app, twilio):
    call = Call(twilio)
    root = call.post("/ivr/deadline/answer/sent?kind=appeal&tries=1", SpeechResult="he has run away and we cant find him")
    assert "9 9 9" in spoken(root).split(". ")[0]
    assert concerns(app)[0]["category"] == "missing_child"
    back = root.find("Redirect").text
    assert back == "/ivr/deadline/ask/sent?kind=appeal"  # then the same question, afresh
    assert "decision letter" in spoken(call.post(back))


def test_everyday_speech_is_not_stopped(twilio):
    root = twiml(twilio.call("/ivr/menu-choice?node=main", SpeechResult="the deadline is killing me, appeal please"))
    assert "urgent-choice" not in str(root.find("Gather").get("action") if root.find("Gather") is not None else "")


def test_neither_channel_logs_the_parents_words(app, twilio, caplog):
    with caplog.at_level(logging.DEBUG):
        twilio.sms("she tried to hang herself last night")
        twilio.call("/ivr/menu-choice?node=main", SpeechResult="he took a load of pills", from_="+447700900456")
    assert "hang herself" not in caplog.text and "load of pills" not in caplog.text
    assert "900123" not in caplog.text
    assert "safety concern (suicide_self_harm)" in caplog.text


def test_with_redis_away_the_parent_still_gets_the_numbers_and_the_concern_reaches_the_queue(make_app, settings):
    from tests.conftest import Twilio
    from workers.spool_replay import replay_spool
    import services

    down = make_app(redis_url="redis://127.0.0.1:1/0")
    replies = sms_replies(Twilio(down.test_client()).sms("i want to kill myself"))
    assert "999" in replies[0] and "116 123" in replies[0]
    svc = services.build(settings)
    replay_spool(svc)
    (concern,) = safety.list_open(svc.connections.redis, svc.settings)
    assert concern["words"][0]["text"] == "i want to kill myself"


def test_risk_words_in_a_voice_message_make_the_request_urgent_and_raise_a_concern(app, twilio):
    from tests.web.test_callback_ivr import run_to_save
    from tests.web.test_voicemail_transcription import RECORDING, transcription

    run_to_save(Call(twilio), recording=RECORDING)
    svc = app.extensions["helpline"]
    (request,) = callbacks.list_open(svc.connections.redis, svc.settings)
    assert request["urgent"] is False
    said = "please call me my husband hits me and i am scared for the children"
    assert transcription(twilio, text=said).status_code == 204
    (request,) = callbacks.list_open(svc.connections.redis, svc.settings)
    assert request["urgent"] is True and "voice message suggests" in request["events"][-1]["what"]
    (concern,) = concerns(app)
    assert concern["category"] == "domestic_abuse" and concern["words"][0]["text"] == said
    assert concern["phone"] == PARENT


def test_an_everyday_voice_message_raises_nothing(app, twilio):
    from tests.web.test_callback_ivr import run_to_save
    from tests.web.test_voicemail_transcription import RECORDING, transcription

    run_to_save(Call(twilio), recording=RECORDING)
    transcription(twilio, text="the deadline is killing me, the school keep cutting his support hours")
    assert concerns(app) == []


def test_every_answer_view_resumes_at_a_real_question(app):
    """Each view that takes an answer names the view that asks its question (a typo would send a
    caller, after the emergency numbers, to a URL that does not exist)."""
    from ivr.safety import RESUME

    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(RESUME) <= endpoints and set(RESUME.values()) <= endpoints


def test_risk_words_on_a_url_whose_query_repeats_its_step_still_carry_on(app, twilio):
    call = Call(twilio)
    root = call.post("/ivr/deadline/answer/sent?kind=appeal&step=other", SpeechResult="he has run away from home")
    assert "9 9 9" in spoken(root).split(". ")[0]
    assert root.find("Redirect").text.startswith("/ivr/deadline/ask/sent?")  # the path's own step
