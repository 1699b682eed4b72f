"""A callback request made while Redis is away is kept on disk, and reaches the queue exactly once.

And the per-number limit on callback requests (a flood, or SMS pumping through keyed numbers).
"""

import datetime as dt

from rq.job import Job

from app import create_app
from clock import fixed_clock
from store import callbacks as store
from store import spool
from tests.conftest import CLOSED_SUNDAY, Twilio, sms_replies, spoken, twiml
from workers.spool_replay import replay_spool

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
SAVE = "/ivr/callback/save?topic=appeal&phone=%2B447700900123&vm=1&txt=1"
CALL_SID = "CA" + "5" * 32


def save_by_phone(app, call_sid=CALL_SID, from_="+447700900123", url=SAVE):
    return twiml(Twilio(app.test_client()).call(url, call_sid=call_sid, from_=from_))


def open_requests(app):
    svc = app.extensions["helpline"]
    return store.list_open(svc.connections.redis, svc.settings)


def test_with_redis_down_the_caller_still_hears_we_have_your_request(make_app, settings):
    root = save_by_phone(make_app(redis_url=DEAD_REDIS))
    assert "We have your request" in spoken(root)
    assert "went wrong" not in spoken(root)
    (row,) = spool.pending(settings)
    assert row["id"] == f"voice:{CALL_SID}"
    assert row["request"]["phone"] == "+447700900123" and row["request"]["confirm"] is True


def test_twilio_retrying_the_same_call_spools_it_once(make_app, settings):
    app = make_app(redis_url=DEAD_REDIS)
    for _ in range(3):
        save_by_phone(app)
    assert len(spool.pending(settings)) == 1


def test_start_up_replays_the_spool_into_redis_exactly_once(make_app, settings):
    save_by_phone(make_app(redis_url=DEAD_REDIS))
    app = make_app()  # Redis is back: create_app replays at start-up
    (record,) = open_requests(app)
    assert record["phone"] == "+447700900123" and record["topic"] == "appeal" and record["voicemail_ok"] is True
    assert record["requested_at"].startswith(CLOSED_SUNDAY.isoformat())  # keeps its place from when it was asked
    assert spool.pending(settings) == []
    svc = app.extensions["helpline"]
    assert Job.exists(f"callback-confirm-{record['id']}", connection=svc.connections.queue.connection)
    make_app()  # a second start-up has nothing to do
    assert len(open_requests(app)) == 1


def test_a_replay_interrupted_after_the_save_does_not_duplicate(make_app, settings):
    save_by_phone(make_app(redis_url=DEAD_REDIS))
    app = make_app()
    svc = app.extensions["helpline"]
    spool.add(settings, requester="+447700900123", now=CLOSED_SUNDAY,  # as if the row had not been deleted
              request={"phone": "+447700900123", "topic": "appeal", "channel": "voice", "source_sid": CALL_SID,
                       "now": CLOSED_SUNDAY.isoformat(), "confirm": True})
    report = replay_spool(svc)
    assert report.saved == [] and report.already_there == [f"voice:{CALL_SID}"]
    assert len(open_requests(app)) == 1 and spool.pending(settings) == []


def test_the_same_call_saved_in_redis_and_in_the_spool_is_one_request(make_app, settings):
    app = make_app()
    save_by_phone(app)  # Redis had it; then a retry landed in the spool while Redis blinked
    save_by_phone(make_app(redis_url=DEAD_REDIS))
    replay_spool(app.extensions["helpline"])
    assert len(open_requests(app)) == 1


def test_replay_with_redis_still_down_keeps_every_row(make_app, settings):
    app = make_app(redis_url=DEAD_REDIS)
    save_by_phone(app, call_sid="CA" + "1" * 32)
    save_by_phone(app, call_sid="CA" + "2" * 32, from_="+447700900124",
                  url=SAVE.replace("900123", "900124"))
    report = replay_spool(app.extensions["helpline"])
    assert report.left == 2 and len(spool.pending(settings)) == 2


def test_a_row_that_cannot_be_saved_is_kept_and_does_not_block_the_others(make_app, settings):
    spool.add(settings, requester="+447700900999", now=CLOSED_SUNDAY,
              request={"phone": "not a number", "topic": "appeal", "channel": "voice", "source_sid": "CA-bad",
                       "now": CLOSED_SUNDAY.isoformat()})
    save_by_phone(make_app(redis_url=DEAD_REDIS))
    app = make_app()
    assert [r["phone"] for r in open_requests(app)] == ["+447700900123"]
    assert [row["id"] for row in spool.pending(settings)] == ["voice:CA-bad"]


def test_a_replay_days_later_books_a_day_that_has_not_passed(make_app, settings):
    save_by_phone(make_app(redis_url=DEAD_REDIS))  # Sunday 22 November
    later = dt.datetime(2026, 11, 26, 16, 0)  # Thursday, after hours: the next helpline day is Monday 30th
    app = make_app(at=later)
    (record,) = open_requests(app)
    assert record["expected_on"] == "2026-11-30"
    assert record["first_requested_at"].startswith("2026-11-22")


def test_a_text_callback_with_redis_down_is_spooled_and_confirmed_later(make_app, settings, redis_url):
    app = make_app(redis_url=DEAD_REDIS)
    svc = app.extensions["helpline"]
    from effect_runner import Origin, save_callback
    from flows.conversations.effects import SaveCallback

    origin = Origin(phone="+447700900123", now=CLOSED_SUNDAY, channel="sms", message_sid="SM" + "7" * 32)
    said = save_callback(svc, origin, SaveCallback(phone="+447700900123", topic="school", part_of_day="any",
                                                   contact_by="voice", urgent=False, deadline=None, text_ok=True))
    assert [s.key for s in said][0] == "callbacks.confirmed_unknown_day"  # "we have your request"
    (row,) = spool.pending(settings)
    assert row["id"] == "sms:SM" + "7" * 32
    app = make_app()
    (record,) = open_requests(app)
    assert record["channel"] == "sms" and record["topic"] == "school" and record["text_ok"] is True


def test_a_caller_keying_many_numbers_is_stopped_after_the_daily_limit(make_app):
    app = make_app(callback_asks_per_day=3)
    heard = []
    for n in range(5):
        url = SAVE.replace("900123", f"90012{n + 4}")
        heard.append(spoken(save_by_phone(app, call_sid=f"CA{n:032d}", url=url)))
    assert len(open_requests(app)) == 3
    assert all("We will call you on" in h for h in heard[:3])
    assert all("not taken another" in h and "We will call you on" not in h for h in heard[3:])


def test_a_limited_caller_with_a_live_request_hears_its_day(make_app):
    app = make_app(callback_asks_per_day=1)
    save_by_phone(app, call_sid="CA" + "1" * 32)
    heard = spoken(save_by_phone(app, call_sid="CA" + "2" * 32))
    assert "not taken another" in heard and "Monday the 23rd of November" in heard
    (record,) = open_requests(app)
    assert record["requests"] == 1


def test_a_replayed_webhook_does_not_count_against_the_limit(make_app):
    app = make_app(callback_asks_per_day=1)
    first = spoken(save_by_phone(app))
    again = spoken(save_by_phone(app))  # Twilio's retry of the same CallSid
    assert "not taken another" not in again and again == first


def test_the_limit_applies_to_texts_too(make_app, settings):
    app = make_app(callback_asks_per_day=1, sms_limit_per_window=0)  # 16 texts: the callback limit, not the texts'

    twilio = Twilio(app.test_client())
    replies = []
    for n, number in enumerate(("07700 900124", "07700 900125")):
        sms_replies(twilio.sms(f"CALLBACK {number}", message_sid=f"SM{n:032d}a"))
        for step, answer in enumerate(("YES", "5", "ANY", "1", "YES", "YES", "SKIP")):
            replies = sms_replies(twilio.sms(answer, message_sid=f"SM{n:032d}{step}"))
    assert len(open_requests(app)) == 1
    assert "not taken another" in replies[0]


def test_the_limit_holds_while_redis_is_down(make_app, settings):
    app = make_app(redis_url=DEAD_REDIS, callback_asks_per_day=2)
    heard = [spoken(save_by_phone(app, call_sid=f"CA{n:032d}", url=SAVE.replace("900123", f"90012{n + 4}")))
             for n in range(3)]
    assert len(spool.pending(settings)) == 2
    assert "not taken another" in heard[2] and "We have your request" not in heard[2]


def test_the_worker_thread_replays_once_redis_is_back(make_app, settings):
    import time

    from workers.spool_replay import replay_in_background

    save_by_phone(make_app(redis_url=DEAD_REDIS))
    svc = make_app(redis_url=DEAD_REDIS).extensions["helpline"]
    stop = replay_in_background(svc, every=0.05)
    try:
        time.sleep(0.3)  # Redis still away: every attempt keeps the row
        assert len(spool.pending(settings)) == 1
    finally:
        stop.set()
    app = create_app(settings, clock=fixed_clock(CLOSED_SUNDAY))  # replays at start-up too, so test the thread:
    assert len(open_requests(app)) == 1
    save_by_phone(make_app(redis_url=DEAD_REDIS), call_sid="CA" + "9" * 32, from_="+447700900124",
                  url=SAVE.replace("900123", "900124"))
    stop = replay_in_background(app.extensions["helpline"], every=0.05)
    try:
        deadline = time.monotonic() + 5
        while spool.pending(settings) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
    assert len(open_requests(app)) == 2 and spool.pending(settings) == []


def test_callback_by_text_with_redis_down_is_taken_at_once_without_questions(make_app, settings):
    twilio = Twilio(make_app(redis_url=DEAD_REDIS).test_client())
    replies = sms_replies(twilio.sms("CALLBACK 07700 900456"))
    assert "without our usual questions" in replies[0]
    assert "We have your request" in replies[1]
    (row,) = spool.pending(settings)
    assert row["request"]["phone"] == "+447700900456" and row["request"]["contact_by"] == "voice"
    replies = sms_replies(twilio.sms("call me"))  # no number given: the one they texted from
    assert "We have your request" in replies[-1]
    assert sorted(r["request"]["phone"] for r in spool.pending(settings)) == ["+447700900123", "+447700900456"]


def test_a_callback_saved_by_phone_costs_two_redis_round_trips(make_app, monkeypatch):
    from tests.web.webhook_checks import RoundTrips

    app = make_app()
    save_by_phone(app, call_sid="CA" + "1" * 32)  # connection made, server version known to rq
    trips = RoundTrips(monkeypatch)
    twilio = Twilio(app.test_client())
    url = SAVE.replace("900123", "900124")
    assert trips.during(lambda: twilio.call(url, call_sid="CA" + "2" * 32, from_="+447700900124")) == 2
    (first, second) = open_requests(app)  # the script saved it, the pipeline queued its confirmation
    svc = app.extensions["helpline"]
    assert Job.exists(f"callback-confirm-{second['id']}", connection=svc.connections.queue.connection)


def test_a_web_process_replays_its_spool_while_it_runs_one_replayer_per_host(make_app, settings):
    import time

    from workers.spool_replay import host_lock

    app = make_app(spool_replay_seconds=0.05)
    save_by_phone(make_app(redis_url=DEAD_REDIS))  # spooled on this host after the web started
    with host_lock(settings) as mine:  # another process on this host is replaying
        assert mine
        assert app.test_client().get("/healthz").status_code == 200  # the first request starts the thread
        time.sleep(0.3)
        assert len(spool.pending(settings)) == 1  # it waited its turn
    try:
        deadline = time.monotonic() + 5
        while spool.pending(settings) and time.monotonic() < deadline:
            time.sleep(0.02)
        (record,) = open_requests(app)
        assert record["source_sid"] == CALL_SID and spool.pending(settings) == []
    finally:
        app.extensions["spool_replay_stop"].set()


def test_apps_built_in_code_start_no_replay_thread(make_app):
    app = make_app()
    assert app.test_client().get("/healthz").status_code == 200
    assert "spool_replay_stop" not in app.extensions
