"""Every Twilio route checks X-Twilio-Signature against the URL Twilio signed."""

import logging

import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import PUBLIC_BASE_URL, TEST_TOKEN, Twilio, sign

TWILIO_ROUTES = ["/ivr/incoming", "/ivr/status", "/ivr/menu?node=main", "/ivr/connect", "/sms/incoming"]


def test_twilio_published_signature_vector():
    # The vector from twilio-python's own request validator tests.
    params = {"CallSid": "CA1234567890ABCDE", "Digits": "1234", "From": "+14158675309",
              "To": "+18005551212", "Caller": "+14158675309"}
    validator = RequestValidator("12345")
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert validator.compute_signature(url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert validator.validate(url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not validator.validate(url, {**params, "Digits": "1235"}, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")


@pytest.mark.parametrize("path", TWILIO_ROUTES)
def test_signed_requests_are_accepted(twilio, path):
    response = twilio.call(path) if path.startswith("/ivr") else twilio.sms("hello")
    assert response.status_code in (200, 204)


@pytest.mark.parametrize("path", TWILIO_ROUTES)
def test_unsigned_requests_are_refused_and_logged(client, path, caplog):
    with caplog.at_level(logging.WARNING, logger="helpline.webhooks"):
        response = client.post(path, data={"From": "+447700900123", "Body": "hi"})
    assert response.status_code == 403
    assert any("no signature" in r.getMessage() for r in caplog.records)
    assert "+447700900123" not in caplog.text


def test_a_wrong_signature_is_refused(twilio):
    assert twilio.post("/sms/incoming", {"Body": "hi"}, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403


def test_a_tampered_form_is_refused(client):
    params = {"From": "+447700900123", "Body": "MENU"}
    signature = sign(PUBLIC_BASE_URL + "/sms/incoming", params)
    tampered = {**params, "Body": "CALLBACK"}
    response = client.post("/sms/incoming", data=tampered, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_a_signature_made_with_another_token_is_refused(client):
    other = Twilio(client, token="some-other-accounts-token")
    assert other.sms("hello").status_code == 403


def test_whitespace_in_the_body_is_signed_as_sent(twilio):
    # The form must be checked before anything trims it: "  MENU \n" is what Twilio signed.
    assert twilio.sms("  MENU \n").status_code == 200


def test_https_public_url_behind_a_proxy(client):
    # The request reaches Flask as plain http://localhost; Twilio signed the public https URL.
    params = {"CallSid": "CA" + "1" * 32, "From": "+447700900123"}
    good = sign("https://helpline.example.org/ivr/incoming", params)
    assert client.post("/ivr/incoming", data=params, headers={"X-Twilio-Signature": good}).status_code == 200
    local = sign("http://localhost/ivr/incoming", params)
    assert client.post("/ivr/incoming", data=params, headers={"X-Twilio-Signature": local}).status_code == 403


def test_public_url_with_a_path_prefix(make_app):
    app = make_app(public_base_url="https://council.example.org/helpline")
    params = {"CallSid": "CA" + "2" * 32}
    sig = sign("https://council.example.org/helpline/ivr/incoming", params)
    assert app.test_client().post("/ivr/incoming", data=params, headers={"X-Twilio-Signature": sig}).status_code == 200


def test_encoded_query_string_is_checked_as_twilio_sent_it(client):
    # Twilio signs the query exactly as written in the TwiML action URL, %-escapes and all.
    path = "/ivr/menu?node=main&note=a%20b%2Fc"
    params = {"CallSid": "CA" + "3" * 32, "Digits": "1"}
    signature = sign(PUBLIC_BASE_URL + path, params)
    assert client.post(path, data=params, headers={"X-Twilio-Signature": signature}).status_code == 200
    decoded = sign(PUBLIC_BASE_URL + "/ivr/menu?node=main&note=a b/c", params)
    assert client.post(path, data=params, headers={"X-Twilio-Signature": decoded}).status_code == 403


def test_the_token_comes_from_settings(make_app):
    app = make_app(twilio_auth_token="rotated-token")
    assert Twilio(app.test_client(), token=TEST_TOKEN).sms("hi").status_code == 403
    assert Twilio(app.test_client(), token="rotated-token").sms("hi").status_code == 200


@pytest.mark.parametrize("signed_url,checked_url", [
    ("https://helpline.example.org/sms/incoming", "https://helpline.example.org/sms/incoming"),
    ("https://helpline.example.org:443/sms/incoming", "https://helpline.example.org/sms/incoming"),
    ("https://helpline.example.org/sms/incoming", "https://helpline.example.org:443/sms/incoming"),
    ("http://127.0.0.1:5000/ivr/menu?node=main", "http://127.0.0.1:5000/ivr/menu?node=main"),
    ("https://helpline.example.org/sms/incoming", "https://helpline.example.org/sms/incoming2"),
    ("https://helpline.example.org:8443/sms/incoming", "https://helpline.example.org/sms/incoming"),
])
def test_our_check_answers_exactly_as_twilios_validator(signed_url, checked_url):
    from werkzeug.datastructures import MultiDict

    from twilio_webhooks import signed_by_twilio

    form = MultiDict([("Body", "HELP"), ("From", "+447700900123"), ("MessageSid", "SM1"), ("Body", "again")])
    for token in (TEST_TOKEN, "another-token"):
        signature = RequestValidator(TEST_TOKEN).compute_signature(signed_url, form)
        expected = RequestValidator(token).validate(checked_url, form, signature)
        assert signed_by_twilio(token, checked_url, form, signature) is expected
