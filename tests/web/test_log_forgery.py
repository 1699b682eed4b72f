"""Issue 15, item 4: nobody can forge a log line, in-process (our loggers, werkzeug's) and in every logger.

The attack as it was done: a `%0a` in the path of an unsigned request to /ivr/callback/ask/...
wrote a second line ("... staff login: admin") before any signature check. (The same against the
real gunicorn access log is in tests/faults/test_log_forgery.py.)
"""

from __future__ import annotations

import logging

import logsafe

FORGED = "2026-11-29 10:00:00,000 INFO staff.auth: staff login: admin"


def lines_with(text: str, words: str) -> list[str]:
    return [line for line in text.splitlines() if words in line]


def test_a_newline_in_an_unsigned_path_cannot_start_a_log_line(client, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post("/ivr/callback/ask/x%0a" + FORGED.replace(" ", "%20"), data={"From": "+447700900123"})
    assert response.status_code in (403, 404)
    forged = lines_with(caplog.text, "staff login: admin")
    assert forged, "the attempt should still be logged"
    assert all("/ivr/callback/ask/x\\n" in line for line in forged), forged


def test_every_logger_escapes_control_characters(app, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("helpline", "werkzeug", "gunicorn.access", "rq.worker", "some.library"):
        logging.getLogger(name).warning("value %s and %r", "a\r\nb\x1b[31m\u2028c", "d\ne")
    assert len(caplog.text.splitlines()) == 5
    assert "a\\r\\nb\\x1b[31m\\u2028c" in caplog.text and "'d\\ne'" in caplog.text


def test_escape():
    assert logsafe.escape("plain text: é, ü, 💬") == "plain text: é, ü, 💬"
    assert logsafe.escape("a\nb\tc\x00d\x7f\x85") == "a\\nb\\tc\\x00d\\x7f\\x85"
