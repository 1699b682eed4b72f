"""The phone simulator drives real, signed HTTP webhooks on a running server."""

import datetime as dt

import pytest

from app import create_app
from clock import fixed_clock
from commands.simulator import Phone, serve
from tests.conftest import CLOSED_SUNDAY, OPEN_MONDAY


@pytest.fixture
def running(settings):
    """A real HTTP server (werkzeug, in a thread) for the app at a given time."""

    def start(at):
        return serve(lambda base: create_app(settings.with_changes(public_base_url=base), clock=fixed_clock(at)))

    return start


def scripted(*answers):
    queue = list(answers)
    asked = []

    def answer(kind, verb):
        asked.append(kind)
        return queue.pop(0) if queue else None

    return answer, asked


def test_a_call_out_of_hours_hears_the_greeting_and_ends_politely(running, settings):
    heard = []
    answer, asked = scripted()  # the caller stays silent
    with running(CLOSED_SUNDAY) as base:
        documents = Phone(base, settings.twilio_auth_token).call(answer, heard.append)
    assert "We open again on Monday the 23rd of November at 10am." in heard
    assert heard[-1] == "[the call ends]"
    assert asked.count("keys") == 3  # the menu is asked three times before goodbye
    assert documents[-1].find("Hangup") is not None


def test_a_call_in_hours_is_put_through_to_an_adviser(running, settings):
    heard = []
    answer, asked = scripted("0", "y")
    with running(OPEN_MONDAY) as base:
        Phone(base, settings.twilio_auth_token).call(answer, heard.append)
    assert "Putting you through to an adviser now. Please hold." in heard
    assert "[rings +441632960001, showing +441225394382]" in heard
    assert asked == ["keys", "dial"]


def test_a_text_gets_a_reply(running, settings):
    with running(CLOSED_SUNDAY) as base:
        welcome, menu = Phone(base, settings.twilio_auth_token).text("hello")
    assert "We open again on Monday 23 November 2026 at 10am." in welcome
    assert "Reply with a number" in menu


def test_a_wrongly_signed_simulator_is_refused(running):
    with running(CLOSED_SUNDAY) as base:
        heard = []
        Phone(base, "not-the-token").call(lambda k, v: None, heard.append)
    assert heard == ["[the service answered HTTP 403; Twilio would play an error]"]


def test_simulated_time_header_moves_the_clock_in_local_mode_only(running, settings):
    with running(CLOSED_SUNDAY) as base:
        reply, _ = Phone(base, settings.twilio_auth_token, at="2026-11-23T11:00").text("hi")
    assert "The helpline is open now." in reply  # a text is never put through: no adviser promised
    production = settings.with_changes(env="production")
    with serve(lambda base: create_app(production.with_changes(public_base_url=base),
                                       clock=fixed_clock(CLOSED_SUNDAY))) as base:
        reply, _ = Phone(base, settings.twilio_auth_token, at="2026-11-23T11:00").text("hi", from_="+447700900124")
    assert "closed at the weekend" in reply


def test_flask_phone_text_command_starts_a_service_when_none_runs(settings):
    app = create_app(settings.with_changes(public_base_url="http://127.0.0.1:9"), clock=fixed_clock(CLOSED_SUNDAY))
    result = app.test_cli_runner().invoke(args=["phone", "text", "hello", "--at", "2026-11-23T11:00"],
                                            catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "HELPLINE: " in result.output
    assert "The helpline is open now." in result.output


def test_flask_phone_call_command_runs_an_interactive_call(settings):
    app = create_app(settings.with_changes(public_base_url="http://127.0.0.1:9"), clock=fixed_clock(CLOSED_SUNDAY))
    result = app.test_cli_runner().invoke(args=["phone", "call", "--at", "2026-11-22T09:00"], input="4\nq\n",
                                            catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "We open again on Monday the 23rd of November at 10am." in result.output
    assert "NHS complaints procedure" in result.output  # pressed 4: health services
    assert "[you hang up]" in result.output


def test_calendar_check_command_warns_about_provisional_dates(settings):
    app = create_app(settings, clock=fixed_clock(dt.datetime(2026, 11, 23, 11)))
    result = app.test_cli_runner().invoke(args=["calendar", "check"])
    assert "open" in result.output
    assert "WARNING: the 2026/27 term dates are provisional" in result.output
    confirmed = app.test_cli_runner().invoke(args=["calendar", "check", "--at", "2026-02-16T11:00"])
    assert "closed (half term)" in confirmed.output
    assert "Next opening: Monday 23 February 2026 10:00" in confirmed.output


def test_the_simulator_shows_what_the_worker_put_in_the_outbox(settings, redis_client):
    import services
    from clock import fixed_clock
    from commands.simulator import show_outbox
    from workers import outbound
    from workers.jobs import deliver_with

    svc = services.build(settings, clock=fixed_clock(OPEN_MONDAY))
    redis = svc.connections.redis
    seen = set()
    assert show_outbox(redis, settings.key_prefix, "+447700900123", seen, wait_seconds=0) == 0
    message = outbound.queue_text(svc, to="+447700900123", body="Your guidance, as asked.", purpose="test",
                                  immediate=True)
    deliver_with(svc, message)  # what the worker does
    printed = []
    assert show_outbox(redis, settings.key_prefix, "+447700900123", seen, wait_seconds=0, echo=printed.append) == 1
    assert printed == ["TO YOUR PHONE (outbox, NOT SENT): Your guidance, as asked."]
    assert show_outbox(redis, settings.key_prefix, "+447700900123", seen, wait_seconds=0) == 0  # shown once


def test_the_terminal_phone_still_works_when_the_outbox_cannot_be_read():
    import redis as redis_lib

    from commands.simulator import _outbox_snapshot, show_outbox

    dead = redis_lib.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    lines = []
    assert _outbox_snapshot(dead, "helpline:") == set()
    assert show_outbox(dead, "helpline:", "+447700900123", set(), wait_seconds=0, echo=lines.append) == 0
    assert lines == ["[the outbox cannot be read: Redis is not answering]"]
