"""Bad input never crashes a webhook: every nasty text, key press or URL gets a clear reply or a 400.

What counts as a reply (checked by tests/web/webhook_checks.py):
- /sms/incoming: 200 TwiML whose <Message>s are each a text the sending rules would send:
  non-empty, GSM-7, at most 3 segments (459 GSM-7 characters). Several <Message>s are allowed.
- voice routes: 200 TwiML made of verbs Twilio can act on.
- status callbacks (/ivr/status, /sms/status): 204, since Twilio reads nothing from their reply.
- 400 only when a parent cannot be answered at all: a text with no From or no MessageSid (the
  reply could not be kept for Twilio's retries), or a voice webhook with no CallSid. Twilio
  always sends those; a request without them was not made by Twilio for a real parent.
- 404 only for a path that names no step (/ivr/callback/ask/<bogus>), as for any unknown URL.
Never a 500.
"""

from __future__ import annotations

import secrets

import pytest

from tests.conftest import HELPLINE_SMS_NUMBER, OPEN_MONDAY, PARENT, Twilio, sign, twiml
from tests.web.webhook_checks import sms_reply, voice_reply

SENT = "2026-11-02"  # a decision letter date before the apps' clock
APPEAL_STATE = f"kind=appeal&sent={SENT}&sok=1&cert=none&school=0&told=1"
LONG = "x" * 1601
NASTY_TEXTS = {
    "over Twilio's 1600 limit": LONG,
    "a keyword then 5000 characters": "MENU " + "a" * 5000,
    "empty": "",
    "whitespace only": " \t\r\n  \u00a0\u3000 ",
    "NULs and control characters": "\x00\x01\x02MENU\x1b[31m\x7f\x08",
    "only control characters": "\x00\x00\x07\x1f",
    "emoji": "\U0001f600\U0001f44d\U0001f3fd Help please \u2764\ufe0f",
    "Arabic": "\u0645\u0631\u062d\u0628\u0627 \u0623\u062d\u062a\u0627\u062c \u0645\u0633\u0627\u0639\u062f\u0629",
    "Chinese": "\u6211\u9700\u8981\u5e2e\u52a9\uff0c\u5b66\u6821\u4e0d\u7ed9\u6211\u513f\u5b50\u652f\u6301",
    "Welsh accents": "Hel\u00f4, mae angen help arnaf \u00e2'r \u0175yl a'r ysgol",
    "script tag": "<script>alert('x')</script>",
    "CDATA end": "]]><Message>pwned</Message>",
    "ampersands and entities": "Tom & Jerry &amp; &lt;b&gt; &#0; &nonsense;",
    "SQL-ish": "'; DROP TABLE callbacks; -- OR 1=1",
    "format braces": "{hours} {0} %s %(x)s {{}}",
    "right-to-left override": "\u202eTNEMEERGA\u202c",
    "Arabic-Indic date": "DEADLINE \u0663\u0661/\u0661\u0660/\u0662\u0660\u0662\u0666",
    "superscript digits": "DEADLINE \u00b2\u00b3\u00b9\u00b2\u00b2\u2070\u00b2\u2075",
    "impossible date": "DEADLINE 31/2/2026",
    "day 0 of a named month": "DEADLINE 0 Jan",
    "month 13 ISO": "APPEAL 2026-13-45",
    "huge number": "DEADLINE " + "9" * 500,
    "year 0": "APPEAL 01/01/0000",
    "a far future year": "APPEAL 1 January 9999",
    "callback with a silly number": "CALLBACK " + "7" * 3000,
    "many dates": " ".join(f"{d}/1/2026" for d in range(1, 29)),
    "only question marks": "?????",
    "surrogate-free astral letters": "\U0001d400\U0001d401 \U00020000",
}


def text_from(twilio, body, **overrides):
    """Post one text, optionally dropping (None) or replacing any field."""
    params = {"MessageSid": "SM" + secrets.token_hex(16), "AccountSid": "AC" + "0" * 32,
              "From": PARENT, "To": HELPLINE_SMS_NUMBER, "Body": body, "NumMedia": "0"}
    params.update(overrides)
    return twilio.post("/sms/incoming", {k: v for k, v in params.items() if v is not None})


@pytest.mark.parametrize("name", sorted(NASTY_TEXTS))
def test_a_nasty_text_gets_a_clear_reply(twilio, name):
    texts = sms_reply(twilio.sms(NASTY_TEXTS[name]))
    assert "".join(texts).strip()


@pytest.mark.parametrize("name", sorted(NASTY_TEXTS))
def test_a_nasty_text_mid_conversation_gets_a_clear_reply(twilio, name):
    phone = "+44770090" + str(1000 + sorted(NASTY_TEXTS).index(name))
    for opening in ("DEADLINE", "CALLBACK", "DEADLINE 1"):
        sms_reply(twilio.sms(opening, from_=phone))
        sms_reply(twilio.sms(NASTY_TEXTS[name], from_=phone))


def test_a_text_over_the_limit_says_it_was_cut(twilio):
    texts = sms_reply(twilio.sms(LONG))
    assert any("long" in t.lower() for t in texts), texts


def test_a_text_with_no_body_field_is_answered_like_an_empty_one(twilio):
    missing = sms_reply(text_from(twilio, None, From="+447700900301"))
    assert missing == sms_reply(text_from(twilio, "", From="+447700900302"))


@pytest.mark.parametrize("field", ["From", "MessageSid"])
@pytest.mark.parametrize("value", [None, "", "   "])
def test_a_text_nobody_can_be_answered_for_is_a_bad_request(twilio, redis_client, field, value):
    assert text_from(twilio, "MENU", **{field: value}).status_code == 400
    assert redis_client.keys("helpline:sms:*") == []  # nothing kept for a request we refused
    sms_reply(text_from(twilio, "MENU"))
    assert redis_client.keys("helpline:sms:*")  # while a whole one is


def test_texts_from_odd_senders_are_answered(twilio):
    for sender in ("VODAFONE", "+1 (415) 867-5309", "\u0660\u0667\u0667", "a\x00b"):
        sms_reply(text_from(twilio, "MENU", From=sender))


def test_identifying_fields_longer_than_twilio_sends_are_refused_before_anything_is_stored(twilio, redis_client):
    # Issue 15: 200 forged 60 KB From values added 36 MB to Redis. Now: a clear 400, nothing kept.
    assert text_from(twilio, "MENU", From="+44" + "7" * 60_000).status_code == 400
    assert text_from(twilio, "HOURS", MessageSid="SM" + "f" * 10000).status_code == 400
    assert twilio.call("/ivr/incoming", From="+44" + "7" * 5000).status_code == 400
    assert redis_client.dbsize() == 0


# --- voice ----------------------------------------------------------------------------------

VOICE_STEPS = [
    "/ivr/incoming", "/ivr/greeting-choice", "/ivr/connect", "/ivr/dial-result",
    "/ivr/menu?node=main", "/ivr/menu?node=appeal", "/ivr/menu-choice?node=main", "/ivr/menu-choice?node=appeal",
    "/ivr/urgent-choice?node=main",
    "/ivr/deadline", "/ivr/deadline/ask/kind", "/ivr/deadline/answer/kind", "/ivr/deadline/answer/which?kind=transfer",
    "/ivr/deadline/ask/sent?kind=appeal", "/ivr/deadline/answer/sent?kind=appeal",
    f"/ivr/deadline/answer/sent_ok?kind=appeal&sent={SENT}", f"/ivr/deadline/answer/cert?kind=appeal&sent={SENT}&sok=1",
    f"/ivr/deadline/answer/cert_ok?kind=appeal&sent={SENT}&sok=1&cert={SENT}",
    f"/ivr/deadline/ask/school?kind=appeal&sent={SENT}&sok=1&cert=none",
    f"/ivr/deadline/answer/school?kind=appeal&sent={SENT}&sok=1&cert=none",
    f"/ivr/deadline/ask/after?{APPEAL_STATE}", f"/ivr/deadline/answer/after?{APPEAL_STATE}",
    "/ivr/callback?topic=appeal", "/ivr/callback/done", "/ivr/bridge?request=1",
    "/ivr/callback/save?topic=appeal&phone=%2B447700900123",
] + [f"/ivr/callback/{verb}/{step}?topic=appeal&phone=%2B447700900123"
     for verb in ("ask", "answer") for step in ("number", "withheld", "key", "topic", "voicemail", "text", "message")
     if (verb, step) != ("answer", "message")]

KEYPAD = {
    "10,000 digits": {"Digits": "1" * 10000},
    "10,000 zeros then hash": {"Digits": "0" * 10000 + "#"},
    "letters": {"Digits": "abc"},
    "hash only": {"Digits": "#"},
    "star only": {"Digits": "*"},
    "hashes and stars": {"Digits": "#*#*##"},
    "missing Digits": {},
    "empty Digits": {"Digits": ""},
    "fullwidth digits": {"Digits": "\uff11\uff12\uff10\uff11\uff12\uff10\uff12\uff15"},
    "superscript digits": {"Digits": "\u00b2\u00b3\u00b9\u00b2\u00b2\u2070\u00b2\u2075"},
    "eight digits, impossible date": {"Digits": "31022026"},
    "eight nines": {"Digits": "99999999"},
    "NUL in Digits": {"Digits": "1\x002"},
    "markup speech": {"SpeechResult": "<script>]]>&amp; & </Say>", "Confidence": "0.9"},
    "emoji speech": {"SpeechResult": "\U0001f642\U0001f600", "Confidence": "abc"},
    "Arabic speech": {"SpeechResult": "\u0645\u0631\u062d\u0628\u0627"},
    "10,000 characters of speech": {"SpeechResult": "yes " * 2500},
    "control characters in speech": {"SpeechResult": "\x00\x07\x1b no"},
    "speech with a date and junk": {"SpeechResult": "the 31st of February 2026 {hours} %s"},
    "odd dial status and recording": {"DialCallStatus": "<x>", "RecordingUrl": "javascript:alert(1)"},
}


def bad_outcome(response, check=voice_reply) -> str | None:
    """What is wrong with a webhook's reply, or None if it is fine."""
    try:
        if response.status_code == 204 and response.request.path == "/ivr/status":
            return None
        check(response)
    except AssertionError as error:
        return f"{response.status_code}: {error}"
    return None


@pytest.mark.parametrize("app_at", ["closed", "open"])
@pytest.mark.parametrize("path", VOICE_STEPS)
def test_every_voice_step_survives_nasty_keys_and_speech(make_app, path, app_at):
    twilio = Twilio(make_app(OPEN_MONDAY).test_client()) if app_at == "open" else Twilio(make_app().test_client())
    failures = {}
    for name, fields in KEYPAD.items():
        outcome = bad_outcome(twilio.call(path, **fields))
        if outcome:
            failures[name] = outcome
    assert not failures, failures


BOGUS_URLS = [
    "/ivr/menu?node=bogus", "/ivr/menu?node=", "/ivr/menu?node=action:callback", "/ivr/menu?node=%3Cscript%3E",
    "/ivr/menu?node=main&tries=abc", "/ivr/menu?node=main&tries=-5", "/ivr/menu?node=main&tries=" + "9" * 40,
    "/ivr/menu-choice?node=bogus&bad=abc", "/ivr/menu-choice?node=main&bad=-100",
    "/ivr/urgent-choice?node=bogus", "/ivr/deadline/ask/kind?kind=bogus", "/ivr/deadline/answer/kind?kind=%3Cx%3E",
    "/ivr/deadline/ask/which?kind=appeal", "/ivr/deadline/answer/which?kind=transfer&opt=bogus",
    "/ivr/deadline/ask/sent_ok?kind=appeal", "/ivr/deadline/ask/sent_ok?kind=appeal&sent=bogus",
    "/ivr/deadline/answer/sent_ok?kind=appeal&sent=2026-02-31", "/ivr/deadline/answer/sent_ok?kind=appeal&sent=99999-01-01",
    "/ivr/deadline/answer/sent_ok?kind=appeal&sent=0001-01-01", "/ivr/deadline/ask/cert_ok?kind=appeal&sent=bogus&cert=",
    "/ivr/deadline/ask/after", "/ivr/deadline/answer/after?kind=appeal&sent=bogus&told=1",
    "/ivr/deadline/answer/after?kind=appeal&sent=0001-01-01&sok=1&cert=none&school=0",
    "/ivr/deadline/answer/after?kind=appeal&sent=9999-12-31&sok=1&cert=none&school=0",
    "/ivr/deadline/answer/after?kind=appeal&sent=2026-11-02&sok=1&cert=bogus&school=0",
    "/ivr/deadline/answer/after?kind=appeal&sent=2026-11-02&sok=1&cert=0001-01-01&cok=1&school=0",
    "/ivr/deadline/answer/after?kind=appeal&sent=2026-11-02&sok=1&cert=9999-12-31&cok=1&school=0",
    "/ivr/deadline/answer/after?kind=appeal&sent=2015-01-01&sok=1&cert=none&school=junk",
    "/ivr/deadline/answer/school?kind=appeal&sent=9999-12-31&cert=none",
    "/ivr/deadline/answer/after?kind=appeal&sent=2026-11-02&sok=1&cert=none&school=0&tries=abc",
    "/ivr/deadline/answer/after?kind=transfer&opt=post16&sent=2027-09-01&sok=1&told=1&tries=" + "9" * 40,
    "/ivr/callback?topic=%3Cscript%3E&urgent=junk", "/ivr/callback/ask/topic?topic=bogus&phone=junk",
    "/ivr/callback/ask/number?phone=" + "9" * 500, "/ivr/callback/ask/number?phone=%3Cx%3E&tries=abc",
    "/ivr/callback/ask/key?bad=1&tries=99", "/ivr/callback/answer/topic?topic=bogus",
    "/ivr/callback/save", "/ivr/callback/save?phone=junk",
    "/ivr/callback/save?phone=%2B447700900123&topic=%3Cx%3E&vm=junk&txt=junk&urgent=junk",
    "/ivr/bridge", "/ivr/bridge?request=", "/ivr/bridge?request=%3Cscript%3E", "/ivr/bridge?request=" + "1" * 500,
]
NO_SUCH_STEP = ["/ivr/callback/ask/bogus", "/ivr/callback/answer/bogus", "/ivr/callback/ask/number",
                "/ivr/deadline/ask/bogus", "/ivr/deadline/answer/bogus", "/ivr/deadline/date"]
BOGUS_FORMS = {"plain": {}, "key 1": {"Digits": "1"}, "key 2": {"Digits": "2"}, "key 3": {"Digits": "3"},
               "key 0": {"Digits": "0"}, "junk keys": {"Digits": "#*a"}}


@pytest.mark.parametrize("path", BOGUS_URLS)
def test_a_damaged_url_gets_a_clear_reply(twilio, path):
    failures = {name: outcome for name, fields in BOGUS_FORMS.items()
                if (outcome := bad_outcome(twilio.call(path, **fields)))}
    assert not failures, failures


@pytest.mark.parametrize("path", NO_SUCH_STEP)
def test_a_step_that_does_not_exist_starts_its_conversation_again(twilio, path):
    # a caller never meets a 404 (Twilio would say "an application error has occurred")
    root = twiml(twilio.call(path, Digits="1"))
    assert root.find("Redirect").text.split("?")[0] in ("/ivr/deadline", "/ivr/callback")


@pytest.mark.parametrize("path", ["/ivr/incoming", "/ivr/menu-choice?node=main", "/ivr/callback/save?phone=%2B447700900123"])
@pytest.mark.parametrize("value", [None, "", "  "])
def test_a_call_with_no_call_sid_is_a_bad_request(twilio, path, value):
    params = {"AccountSid": "AC" + "0" * 32, "From": PARENT, "Digits": "1"}
    if value is not None:
        params["CallSid"] = value
    assert twilio.post(path, params).status_code == 400


def test_a_callback_without_a_call_sid_is_not_saved(twilio, redis_client):
    path, params = "/ivr/callback/save?phone=%2B447700900123&topic=appeal", {"From": PARENT}
    assert twilio.post(path, params).status_code == 400
    assert redis_client.keys("helpline:callback*") == []
    voice_reply(twilio.post(path, {**params, "CallSid": "CA" + "5" * 32}))
    assert redis_client.keys("helpline:callback*")  # the same request from a real call is kept


@pytest.mark.parametrize("caller", [None, "", "anonymous", "+266696687", "\U0001f600", "0" * 32])
def test_a_call_with_an_odd_or_missing_number_is_answered(twilio, caller):
    fields = {"From": caller} if caller is not None else {}
    for path in ("/ivr/incoming", "/ivr/callback?topic=appeal", "/ivr/menu-choice?node=appeal"):
        params = {"CallSid": "CA" + secrets.token_hex(16), "Digits": "8", **fields}
        voice_reply(twilio.post(path, params))


# --- delivery reports ---------------------------------------------------------------------------

STATUS_JUNK = [
    {},
    {"MessageSid": "SM" + "0" * 32},
    {"MessageSid": "<script>", "MessageStatus": "]]>", "ErrorCode": "abc"},
    {"SmsSid": "\x00\x01", "SmsStatus": "\U0001f600"},
    {"MessageSid": "", "MessageStatus": "failed", "ErrorCode": "21610"},
]


@pytest.mark.parametrize("fields", STATUS_JUNK)
def test_a_junk_delivery_report_is_acknowledged_and_changes_nothing(twilio, redis_client, fields):
    response = twilio.post("/sms/status", fields)
    assert response.status_code == 204
    assert redis_client.keys("helpline:optout*") == []


def test_an_over_long_delivery_report_is_refused_and_changes_nothing(twilio, redis_client):
    fields = {"MessageSid": "SM" + "1" * 5000, "MessageStatus": "delivered" * 500, "ErrorCode": "9" * 400}
    assert twilio.post("/sms/status", fields).status_code == 400
    assert redis_client.keys("helpline:*") == []


@pytest.mark.parametrize("fields", [{"CallSid": "CA1"}, {"CallSid": "CA1", "CallDuration": "<x>" * 100, "CallStatus": "\x00"}])
def test_a_junk_call_status_is_acknowledged(twilio, fields):
    assert twilio.post("/ivr/status", fields).status_code == 204


# --- every route, found by walking the URL map ----------------------------------------------

SAMPLE_ARGS = {"step": "topic", "legacy": "date"}
SAMPLE_ARGS_BY_ENDPOINT = {"ivr.deadline_ask": {"step": "kind"}, "ivr.deadline_answer": {"step": "kind"}}
MINIMAL_FORM = {"ivr": {"CallSid": "CA" + "9" * 32}, "sms": {"MessageSid": "SM" + "9" * 32, "From": PARENT}}
STATUS_ENDPOINTS = {"ivr.call_status", "sms.message_status", "ivr.callback_transcription"}  # Twilio reads no TwiML from these


def webhook_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] in ("ivr", "sms")]


def url_for_rule(rule) -> str:
    samples = {**SAMPLE_ARGS, **SAMPLE_ARGS_BY_ENDPOINT.get(rule.endpoint, {})}
    return rule.build({name: samples[name] for name in rule.arguments}, append_unknown=False)[1]


def signed_post(client, url, params):
    return client.post(url, data=params, headers={"X-Twilio-Signature": sign("https://helpline.example.org" + url, params)})


def test_the_walk_finds_the_webhooks(app):
    endpoints = {r.endpoint for r in webhook_rules(app)}
    assert {"ivr.incoming_call", "ivr.menu_choice", "ivr.deadline_answer", "ivr.callback_answer",
            "ivr.callback_bridge", "sms.incoming_sms", "sms.message_status"} <= endpoints
    assert len(endpoints) >= 20  # the conversations take each answer at one URL per step


@pytest.mark.parametrize("app_at", ["closed", "open"])
def test_every_webhook_refuses_unsigned_and_answers_signed_empty_forms(make_app, app_at):
    app = make_app(OPEN_MONDAY) if app_at == "open" else make_app()
    outcomes = {}
    for rule in webhook_rules(app):
        url, channel = url_for_rule(rule), rule.endpoint.split(".")[0]
        assert app.test_client().post(url, data={"From": PARENT}).status_code == 403, url
        empty = signed_post(app.test_client(), url, {})
        minimal = signed_post(app.test_client(), url, MINIMAL_FORM[channel])
        if rule.endpoint in STATUS_ENDPOINTS:
            outcomes[url] = (empty.status_code in (204, 400), minimal.status_code == 204)
        else:
            check = sms_reply if channel == "sms" else voice_reply
            outcomes[url] = (empty.status_code == 400, bad_outcome(minimal, check) is None)
    assert all(all(ok) for ok in outcomes.values()), {url: ok for url, ok in outcomes.items() if not all(ok)}
    assert len(outcomes) >= 20


@pytest.mark.parametrize("path,restart", [
    ("/ivr/deadline/date?stage=sent", "/ivr/deadline"),  # a URL from before the calculator moved
    ("/ivr/deadline/school-choice", "/ivr/deadline"),
    ("/ivr/deadline/ask/nonsense", "/ivr/deadline"),
    ("/ivr/deadline/answer/nonsense", "/ivr/deadline"),
    ("/ivr/callback/ask/nonsense?topic=school", "/ivr/callback?topic=school"),
    ("/ivr/callback/answer/nonsense?topic=school&urgent=1", "/ivr/callback?"),
])
def test_an_old_or_unknown_step_starts_that_conversation_again_never_a_404(twilio, path, restart):
    root = twiml(twilio.call(path, Digits="1"))
    assert root.find("Redirect").text.startswith(restart)
