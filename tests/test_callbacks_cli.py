"""`flask callbacks list|show` against the real Redis."""

import datetime as dt
import json

from clock import london
from store import callbacks as store

SUNDAY = london(dt.datetime(2026, 11, 22, 9))


def test_list_json_has_exactly_the_keys_in_staff_order(app):
    svc = app.extensions["helpline"]
    r = svc.connections.redis
    a = store.save_request(r, svc.settings, svc.calendar, phone="+447700900101", topic="appeal", channel="sms",
                           source_sid="SM1", now=SUNDAY)
    b = store.save_request(r, svc.settings, svc.calendar, phone="+447700900102", topic="plan", channel="voice",
                           source_sid="CA1", now=SUNDAY + dt.timedelta(hours=1), urgent=True,
                           voice_message_url="https://api.twilio.com/rec/RE1")
    out = app.test_cli_runner().invoke(args=["callbacks", "list", "--json"])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert [row["id"] for row in rows] == [b.id, a.id]
    assert set(rows[0]) == {"id", "phone", "topic", "channel", "requested_at", "expected_on", "urgent", "status",
                            "attempts", "has_voice_message"}
    assert rows[0]["has_voice_message"] is True and rows[0]["urgent"] is True and rows[0]["channel"] == "voice"
    assert rows[1] == {"id": a.id, "phone": "+447700900101", "topic": "appeal", "channel": "sms",
                       "requested_at": SUNDAY.isoformat(), "expected_on": "2026-11-23", "urgent": False,
                       "status": "open", "attempts": 0, "has_voice_message": False}
    plain = app.test_cli_runner().invoke(args=["callbacks", "list"])
    assert "URGENT" in plain.output.splitlines()[0]


def test_show_prints_fields_and_events(app):
    svc = app.extensions["helpline"]
    a = store.save_request(svc.connections.redis, svc.settings, svc.calendar, phone="+447700900101",
                           topic="appeal", channel="sms", source_sid="SM1", now=SUNDAY)
    out = app.test_cli_runner().invoke(args=["callbacks", "show", a.id])
    assert out.exit_code == 0 and "topic_title: Appeals to the Tribunal" in out.output
    assert "parent: asked for a call back by text" in out.output
    missing = app.test_cli_runner().invoke(args=["callbacks", "show", "999"])
    assert missing.exit_code != 0 and "no callback request 999" in missing.output


def test_empty_list(app):
    out = app.test_cli_runner().invoke(args=["callbacks", "list"])
    assert "No open callback requests." in out.output
