"""/sms/status: Twilio's delivery callbacks update the outbound record, never backwards."""

from __future__ import annotations

import pytest

from store import optouts
from store import outbound as records
from tests.conftest import OPEN_MONDAY, PARENT, Twilio
from workers import outbound
from workers.jobs import deliver_with


@pytest.fixture
def app(make_app):
    return make_app(OPEN_MONDAY)


@pytest.fixture
def svc(app):
    return app.extensions["helpline"]


@pytest.fixture
def sent(svc):
    """A text that has been handed over (sid known)."""
    message_id = outbound.queue_text(svc, to=PARENT, body="Hello.", purpose="test")
    assert deliver_with(svc, message_id) == "sent"
    return records.get(svc.connections.redis, svc.settings, message_id)


def post_status(app, sid, status, **extra):
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32, "To": PARENT, **extra}
    return Twilio(app.test_client()).post("/sms/status", params)


def current(svc, message_id):
    return records.get(svc.connections.redis, svc.settings, message_id)


def test_delivered_is_recorded_and_a_late_sent_never_moves_it_back(app, svc, sent):
    assert post_status(app, sent["sid"], "sent").status_code == 204
    assert (current(svc, sent["id"])["status"], current(svc, sent["id"])["delivery"]) == ("sent", "sent")
    assert post_status(app, sent["sid"], "delivered").status_code == 204
    for replay in ("sent", "queued", "delivered", "undelivered"):
        assert post_status(app, sent["sid"], replay).status_code == 204
    record = current(svc, sent["id"])
    assert (record["status"], record["delivery"]) == ("delivered", "delivered")


def test_undelivered_keeps_the_error_code(app, svc, sent):
    assert post_status(app, sent["sid"], "undelivered", ErrorCode="30003").status_code == 204
    record = current(svc, sent["id"])
    assert (record["status"], record["error_code"]) == ("undelivered", "30003")
    assert not optouts.is_opted_out(svc.connections.redis, svc.settings, PARENT)


def test_21610_in_a_callback_marks_the_number_opted_out(app, svc, sent):
    assert post_status(app, sent["sid"], "failed", ErrorCode="21610").status_code == 204
    assert current(svc, sent["id"])["status"] == "failed"
    assert optouts.is_opted_out(svc.connections.redis, svc.settings, PARENT)


def test_an_unknown_sid_is_accepted_and_changes_nothing(app, svc, sent):
    assert post_status(app, "SM" + "f" * 32, "delivered").status_code == 204
    assert current(svc, sent["id"])["status"] == "sent"


def test_an_unsigned_callback_is_refused(app, svc, sent):
    response = Twilio(app.test_client()).post("/sms/status", {"MessageSid": sent["sid"], "MessageStatus": "failed"},
                                              signature="bad")
    assert response.status_code == 403
    assert current(svc, sent["id"])["status"] == "sent"
