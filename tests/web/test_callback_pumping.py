"""Issue 15, item 2: callback requests are limited per CALLING line, and texts to strangers are capped.

The attack as it was done: a withheld caller (or one from a foreign number) keyed 8 strangers'
mobiles in turn; each request was stored and each queued a confirmation text to the stranger.
"""

from __future__ import annotations

from store import callbacks
from tests.conftest import CLOSED_SUNDAY, Twilio
from workers.callback_jobs import send_confirmation_with


def _ask(twilio, caller: str | None, n: int):
    fields = {"CallSid": f"CA{n:032d}", **({"From": caller} if caller is not None else {})}
    return twilio.post(f"/ivr/callback/save?phone=%2B44770090{n:04d}&topic=appeal&txt=1", fields)


def test_a_withheld_or_foreign_caller_cannot_queue_requests_for_strangers_beyond_the_line_limit(make_app):
    app = make_app(CLOSED_SUNDAY, callback_asks_per_day=3, callback_asks_per_day_withheld=4)
    svc = app.extensions["helpline"]
    twilio = Twilio(app.test_client())
    for n, caller in enumerate(["anonymous", "", "+266696687", "Restricted", "anonymous", "anonymous"]):
        assert _ask(twilio, caller, n).status_code == 200
    for n in range(10, 15):
        assert _ask(twilio, "+1 415 555 0100", n).status_code == 200
    stored = callbacks.list_open(svc.connections.redis, svc.settings)
    assert len(stored) == 4 + 3  # the withheld bucket, then the foreign line's own limit
    assert all(record["for_other_line"] for record in stored)


def test_confirmations_to_numbers_that_did_not_ask_have_a_daily_cap_for_the_whole_service(make_app):
    app = make_app(CLOSED_SUNDAY, confirmations_for_others_per_day=2)
    svc = app.extensions["helpline"]
    twilio = Twilio(app.test_client())
    for n in range(4):  # four different lines, each asking for someone else
        assert _ask(twilio, f"+4477009009{n:02d}", 100 + n).status_code == 200
    own = twilio.post("/ivr/callback/save?phone=%2B447700900777&topic=appeal&txt=1",
                      {"CallSid": "CA" + "9" * 32, "From": "+447700900777"})
    assert own.status_code == 200
    outcomes = [send_confirmation_with(svc, r["id"]) for r in callbacks.list_open(svc.connections.redis, svc.settings)]
    assert sorted(outcomes).count("capped") == 2  # two strangers texted, the other two not
    assert outcomes.count("queued") == 3  # ... and the parent who asked for themselves always is


def test_requests_for_other_numbers_spooled_while_redis_was_away_stay_under_the_cap(make_app, settings):
    from store import spool
    from workers.spool_replay import replay_spool

    down = make_app(CLOSED_SUNDAY, redis_url="redis://127.0.0.1:1/0", confirmations_for_others_per_day=2)
    twilio = Twilio(down.test_client())
    for n in range(4):  # four lines, each keying a stranger's number, while Redis is away
        assert _ask(twilio, f"+4477009009{n:02d}", 200 + n).status_code == 200
    own = twilio.post("/ivr/callback/save?phone=%2B447700900777&topic=appeal&txt=1",
                      {"CallSid": "CA" + "8" * 32, "From": "+447700900777"})
    assert own.status_code == 200
    assert len(spool.pending(settings)) == 5
    app = make_app(CLOSED_SUNDAY, confirmations_for_others_per_day=2)  # Redis back: replayed at start-up
    svc = app.extensions["helpline"]
    assert replay_spool(svc).saved == [] and spool.pending(settings) == []
    stored = callbacks.list_open(svc.connections.redis, svc.settings)
    assert sorted(r["for_other_line"] for r in stored) == [False, True, True, True, True]
    outcomes = [send_confirmation_with(svc, r["id"]) for r in stored]
    assert outcomes.count("capped") == 2 and outcomes.count("queued") == 3
