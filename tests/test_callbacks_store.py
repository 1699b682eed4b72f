"""store/callbacks.py against the real Redis: exactly once, merging, booking, order, claims, outcomes."""

import datetime as dt
import threading

import pytest
import redis as redis_lib

from clock import london
from flows.hours import HelplineCalendar
from store import callbacks as store

CAL = HelplineCalendar.load()
SUNDAY = london(dt.datetime(2026, 11, 22, 9))
MONDAY = london(dt.datetime(2026, 11, 23, 11))


def save(redis_client, settings, phone="+447700900123", sid=None, now=SUNDAY, **kw):
    kw.setdefault("topic", "appeal")
    kw.setdefault("channel", "sms")
    save.n = getattr(save, "n", 0) + 1
    return store.save_request(redis_client, settings, CAL, phone=phone, source_sid=sid or f"SM{save.n:032d}",
                              now=now, **kw)


def test_a_request_is_saved_with_every_field(redis_client, settings):
    result = save(redis_client, settings, phone="07700 900123", voicemail_ok=True, text_ok=False,
                  part_of_day="morning", voice_message_url="https://api.twilio.com/rec/RE1")
    assert result.created and not result.merged
    assert result.expected_on == dt.date(2026, 11, 23)
    r = store.get(redis_client, settings, result.id)
    assert r["phone"] == "+447700900123" and r["topic"] == "appeal" and r["topic_title"] == "Appeals to the Tribunal"
    assert r["status"] == "open" and r["attempts"] == 0 and r["attempt_days"] == []
    assert r["voicemail_ok"] is True and r["text_ok"] is False and r["urgent"] is False
    assert r["expected_on"] == "2026-11-23" and r["deadline"] is None and r["outcome"] is None
    assert r["first_requested_at"] == r["requested_at"] == SUNDAY.isoformat()
    assert r["events"][0]["who"] == "parent" and "text" in r["events"][0]["what"]
    assert set(r) >= {"id", "phone", "topic", "topic_title", "channel", "requested_at", "first_requested_at",
                      "expected_on", "urgent", "deadline", "status", "attempts", "attempt_days", "voicemail_ok",
                      "text_ok", "contact_by", "part_of_day", "voice_message_url", "claimed_by", "claimed_until",
                      "outcome", "events"}


@pytest.mark.parametrize("cutoff, expected", [(30, dt.date(2026, 11, 30)), (0, dt.date(2026, 11, 26))])
def test_near_closing_time_a_request_is_booked_on_the_next_helpline_day(redis_client, settings, cutoff, expected):
    # Found: at 14:50 on a Thursday a caller was promised "Thursday the 26th of November, between 10am and 3pm".
    thursday_1450 = london(dt.datetime(2026, 11, 26, 14, 50))
    result = save(redis_client, settings.with_changes(callback_cutoff_minutes=cutoff), now=thursday_1450)
    assert result.expected_on == expected
    assert store.booked_count(redis_client, settings, expected) == 1


def test_a_non_uk_number_is_refused(redis_client, settings):
    with pytest.raises(ValueError):
        save(redis_client, settings, phone="+12025550123")


def test_the_same_sid_twice_makes_one_request(redis_client, settings):
    first = save(redis_client, settings, sid="SMsame")
    again = save(redis_client, settings, sid="SMsame")
    assert again.id == first.id and not again.created and not again.merged
    assert len(store.list_open(redis_client, settings)) == 1
    assert store.booked_count(redis_client, settings, dt.date(2026, 11, 23)) == 1


def test_the_same_sid_concurrently_makes_one_request(redis_url, settings):
    results = []

    def go():
        client = redis_lib.Redis.from_url(redis_url, decode_responses=True)
        results.append(save(client, settings, sid="SMrace"))

    threads = [threading.Thread(target=go) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len({r.id for r in results}) == 1 and sum(r.created for r in results) == 1


def test_a_second_request_from_the_same_number_is_merged_and_keeps_its_place(redis_client, settings):
    first = save(redis_client, settings, phone="+447700900111", now=SUNDAY)
    other = save(redis_client, settings, phone="+447700900222", now=SUNDAY + dt.timedelta(minutes=5))
    again = save(redis_client, settings, phone="07700900111", now=SUNDAY + dt.timedelta(hours=1), topic="plan",
                 channel="voice", voice_message_url="https://example.org/rec")
    assert again.merged and again.id == first.id and again.expected_on == first.expected_on
    ids = [r["id"] for r in store.list_open(redis_client, settings)]
    assert ids == [first.id, other.id]
    r = store.get(redis_client, settings, first.id)
    assert r["topic"] == "plan" and r["requests"] == 2 and r["first_requested_at"] == SUNDAY.isoformat()
    assert r["voice_message_url"] == "https://example.org/rec"
    assert "asked again" in r["events"][-1]["what"]
    assert store.booked_count(redis_client, settings, dt.date(2026, 11, 23)) == 2


def test_an_urgent_re_request_moves_up(redis_client, settings):
    a = save(redis_client, settings, phone="+447700900111")
    b = save(redis_client, settings, phone="+447700900222", now=SUNDAY + dt.timedelta(minutes=1))
    save(redis_client, settings, phone="+447700900222", now=SUNDAY + dt.timedelta(minutes=2), urgent=True)
    assert [r["id"] for r in store.list_open(redis_client, settings)] == [b.id, a.id]


def test_a_finished_request_does_not_absorb_a_new_one(redis_client, settings):
    a = save(redis_client, settings)
    store.record_outcome(redis_client, settings, CAL, a.id, staff_name="Sam", outcome="reached", note="", now=MONDAY)
    b = save(redis_client, settings, now=MONDAY)
    assert b.created and b.id != a.id


def test_capacity_rolls_the_day_forward_over_half_term(redis_client, settings):
    s = settings.with_changes(callbacks_per_day=1)
    thursday = london(dt.datetime(2026, 10, 22, 11))
    days = [save(redis_client, s, phone=f"+44770090010{i}", now=thursday).expected_on for i in range(3)]
    assert days == [dt.date(2026, 10, 22), dt.date(2026, 11, 2), dt.date(2026, 11, 3)]


def test_capacity_rolls_the_day_forward_over_a_bank_holiday(redis_client, settings):
    s = settings.with_changes(callbacks_per_day=1)
    thursday = london(dt.datetime(2027, 4, 29, 11))
    days = [save(redis_client, s, phone=f"+44770090010{i}", now=thursday).expected_on for i in range(2)]
    assert days == [dt.date(2027, 4, 29), dt.date(2027, 5, 4)]


def test_capacity_default_fills_a_day_then_moves_on(redis_client, settings):
    s = settings.with_changes(callbacks_per_day=2)
    days = [save(redis_client, s, phone=f"+44770090010{i}").expected_on for i in range(5)]
    assert days == [dt.date(2026, 11, 23)] * 2 + [dt.date(2026, 11, 24)] * 2 + [dt.date(2026, 11, 25)]


def test_staff_order_urgent_first_then_oldest(redis_client, settings):
    plain_old = save(redis_client, settings, phone="+447700900101", now=SUNDAY)
    deadline = save(redis_client, settings, phone="+447700900102", now=SUNDAY + dt.timedelta(hours=2),
                    deadline=dt.date(2026, 12, 1))
    plain_new = save(redis_client, settings, phone="+447700900103", now=SUNDAY + dt.timedelta(hours=3),
                     deadline=dt.date(2027, 3, 1))
    safety = save(redis_client, settings, phone="+447700900104", now=SUNDAY + dt.timedelta(hours=4), urgent=True)
    order = [r["id"] for r in store.list_open(redis_client, settings)]
    assert order == [deadline.id, safety.id, plain_old.id, plain_new.id]
    assert store.get(redis_client, settings, deadline.id)["urgent"] is True
    assert store.get(redis_client, settings, plain_new.id)["urgent"] is False


def test_due_and_later(redis_client, settings):
    s = settings.with_changes(callbacks_per_day=1)
    a = save(redis_client, s, phone="+447700900101")
    b = save(redis_client, s, phone="+447700900102")
    assert [r["id"] for r in store.list_due(redis_client, s, dt.date(2026, 11, 23))] == [a.id]
    assert [r["id"] for r in store.list_later(redis_client, s, dt.date(2026, 11, 23))] == [b.id]


def test_claims_never_give_the_same_parent_to_two_advisers(redis_url, settings):
    """Many rounds of really concurrent claims (threads, each with its own connection)."""
    client = redis_lib.Redis.from_url(redis_url, decode_responses=True)
    for round_ in range(15):
        client.flushdb()
        for i in range(6):
            save(client, settings, phone=f"+44770090{round_:02d}{i:02d}")
        got, barrier = [], threading.Barrier(10)

        def adviser(name):
            c = redis_lib.Redis.from_url(redis_url, decode_responses=True)
            barrier.wait()
            r = store.claim_next(c, settings, name, MONDAY)
            got.append(r["id"] if r else None)

        threads = [threading.Thread(target=adviser, args=(f"adviser{i}",)) for i in range(10)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        claimed = [g for g in got if g]
        assert len(claimed) == 6 and len(set(claimed)) == 6 and got.count(None) == 4


def test_a_claim_expires_after_thirty_minutes(redis_client, settings):
    a = save(redis_client, settings)
    first = store.claim_next(redis_client, settings, "Sam", MONDAY)
    assert first["id"] == a.id and first["status"] == "claimed" and first["claimed_by"] == "Sam"
    assert store.claim_next(redis_client, settings, "Jo", MONDAY + dt.timedelta(minutes=29)) is None
    later = store.claim_next(redis_client, settings, "Jo", MONDAY + dt.timedelta(minutes=31))
    assert later["id"] == a.id and later["claimed_by"] == "Jo"


def test_three_missed_days_close_the_request_and_mark_the_closing_text_due(redis_client, settings):
    a = save(redis_client, settings)
    days = [MONDAY, MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=3)]
    r = store.record_outcome(redis_client, settings, CAL, a.id, staff_name="Sam", outcome="no_answer", note="", now=days[0])
    assert r["status"] == "open" and r["attempts"] == 1
    # tried today already: not offered again today, offered tomorrow
    assert store.claim_next(redis_client, settings, "Sam", days[0] + dt.timedelta(minutes=5)) is None
    assert store.claim_next(redis_client, settings, "Sam", days[1])["id"] == a.id
    r = store.record_outcome(redis_client, settings, CAL, a.id, staff_name="Sam", outcome="left_voicemail",
                             note="left a message", now=days[1])
    assert r["status"] == "open" and r["attempt_days"] == ["2026-11-23", "2026-11-24"]
    r = store.record_outcome(redis_client, settings, CAL, a.id, staff_name="Jo", outcome="no_answer", note="", now=days[2])
    assert r["status"] == "closed" and r["closing_text_due"] is True and r["outcome"] == "no_answer"
    assert store.list_open(redis_client, settings) == []
    assert [d["id"] for d in store.list_done(redis_client, settings)] == [a.id]
    assert redis_client.exists(settings.key("callbacks", "phone", "+447700900123")) == 0
    assert any("closed after missed calls" in e["what"] for e in r["events"])
    # The staff page queues the closing text (tests/staff/test_staff_queue.py): the store never enqueues.
    assert redis_client.llen(f"rq:queue:{settings.queue_name}") == 0
    with pytest.raises(ValueError):
        store.record_outcome(redis_client, settings, CAL, a.id, staff_name="Jo", outcome="reached", note="", now=days[2])


def test_reached_finishes_and_notes_are_kept(redis_client, settings):
    a = save(redis_client, settings)
    store.claim_next(redis_client, settings, "Sam", MONDAY)
    store.add_note(redis_client, settings, a.id, staff_name="Sam", note="mum asked about transport", now=MONDAY)
    r = store.record_outcome(redis_client, settings, CAL, a.id, staff_name="Sam", outcome="reached", note="", now=MONDAY)
    assert r["status"] == "done" and r["claimed_by"] is None
    whats = [(e["who"], e["what"]) for e in r["events"]]
    assert ("Sam", "claimed to call") in whats and ("Sam", "note: mum asked about transport") in whats
    assert ("Sam", "outcome: reached") in whats
    with pytest.raises(KeyError):
        store.add_note(redis_client, settings, "nope", staff_name="Sam", note="x", now=MONDAY)


def test_phone_numbers_never_reach_the_log(redis_client, settings, caplog):
    caplog.set_level("INFO")
    a = save(redis_client, settings)
    store.record_outcome(redis_client, settings, CAL, a.id, staff_name="Sam", outcome="wrong_number", note="", now=MONDAY)
    assert "900123" not in caplog.text and "7700900123" not in caplog.text


@pytest.mark.parametrize("today,urgent", [
    # deadline Monday 14 December 2026; urgent once it is within 10 working days of today
    (dt.datetime(2026, 11, 27, 3, 15), False),  # Fri: 10 working days on is Fri 11 Dec
    (dt.datetime(2026, 11, 30, 3, 15), True),   # Mon: 10 working days on is Mon 14 Dec (the deadline itself)
    (dt.datetime(2026, 12, 1, 3, 15), True),    # Tue: 15 Dec
])
def test_a_deadline_coming_within_reach_makes_a_request_urgent(redis_client, settings, today, urgent):
    older = save(redis_client, settings, phone="+447700900456")
    later = save(redis_client, settings, now=MONDAY, deadline=dt.date(2026, 12, 14))
    assert store.get(redis_client, settings, later.id)["urgent"] is False
    moved = store.refresh_urgency(redis_client, settings, CAL, london(today))
    assert moved == ([later.id] if urgent else [])
    order = [r["id"] for r in store.list_open(redis_client, settings)]
    assert order == ([later.id, older.id] if urgent else [older.id, later.id])
    record = store.get(redis_client, settings, later.id)
    assert record["urgent"] is urgent
    assert ("now urgent" in record["events"][-1]["what"]) is urgent
    assert store.refresh_urgency(redis_client, settings, CAL, london(today)) == []  # once


def test_refreshing_urgency_never_brings_back_a_finished_request(redis_client, settings):
    result = save(redis_client, settings, deadline=dt.date(2026, 12, 14))
    redis_client.zrem(store.open_key(settings), result.id)  # as if finished between the read and the write
    redis_client.hset(store.record_key(settings, result.id), "status", "done")
    assert store.refresh_urgency(redis_client, settings, CAL, london(dt.datetime(2026, 12, 1))) == []
    assert store.list_open(redis_client, settings) == []
