"""store/callbacks.py and store/safety.py against the real Redis: an adviser moves a request to a day
with room or gives a claim back; every request and concern from one number, found by its keyed line index."""

import datetime as dt

import pytest

from clock import london
from flows.hours import HelplineCalendar
from store import callbacks as store
from store import safety
from store.keys import phone_tag

CAL = HelplineCalendar.load()
MONDAY = london(dt.datetime(2026, 11, 23, 11))
TUESDAY, WEDNESDAY = dt.date(2026, 11, 24), dt.date(2026, 11, 25)
PARENT = "+447700900123"
OTHER = "+447700900456"


def save(redis_client, settings, phone=PARENT, now=MONDAY, **kw):
    save.n = getattr(save, "n", 0) + 1
    return store.save_request(redis_client, settings, CAL, phone=phone, topic=kw.pop("topic", "appeal"),
                              channel="sms", source_sid=f"SM{save.n:032d}", now=now, **kw)


def finish(redis_client, settings, request_id, outcome="reached", now=MONDAY):
    assert store.claim_next(redis_client, settings, "sam", now)["id"] == request_id
    return store.record_outcome(redis_client, settings, CAL, request_id, staff_name="sam", outcome=outcome,
                                note="", now=now)


# --- moving ----------------------------------------------------------------------------------------


def test_an_adviser_moves_a_request_and_the_day_counters_follow(redis_client, settings):
    request = save(redis_client, settings)
    assert request.expected_on == MONDAY.date()
    kind, was = store.move_by_staff(redis_client, settings, request.id, day=WEDNESDAY, staff_name="sam", now=MONDAY)
    assert (kind, was) == (store.MOVED, MONDAY.date())
    record = store.get(redis_client, settings, request.id)
    assert record["expected_on"] == "2026-11-25" and record["status"] == "open"
    assert store.booked_counts(redis_client, settings, [MONDAY.date(), WEDNESDAY]) == {MONDAY.date(): 0, WEDNESDAY: 1}
    last = record["events"][-1]
    assert last["who"] == "sam" and last["what"] == "moved from Monday 23 November 2026 to Wednesday 25 November 2026"


def test_a_full_day_is_refused_and_nothing_changes(redis_client, settings):
    one_a_day = settings.with_changes(callbacks_per_day=1)
    first = save(redis_client, one_a_day)
    second = save(redis_client, one_a_day, phone=OTHER)
    assert second.expected_on == TUESDAY
    kind, _ = store.move_by_staff(redis_client, one_a_day, first.id, day=TUESDAY, staff_name="sam", now=MONDAY)
    assert kind == store.FULL
    assert store.get(redis_client, one_a_day, first.id)["expected_on"] == "2026-11-23"
    assert store.booked_counts(redis_client, one_a_day, [MONDAY.date(), TUESDAY]) == {MONDAY.date(): 1, TUESDAY: 1}
    assert not [e for e in store.get(redis_client, one_a_day, first.id)["events"] if "moved" in e["what"]]


def test_the_same_day_a_finished_request_and_another_advisers_claim_are_refused(redis_client, settings):
    request = save(redis_client, settings)
    assert store.move_by_staff(redis_client, settings, request.id, day=MONDAY.date(), staff_name="sam",
                               now=MONDAY)[0] == store.SAME
    store.claim_next(redis_client, settings, "alex", MONDAY)
    assert store.move_by_staff(redis_client, settings, request.id, day=TUESDAY, staff_name="sam",
                               now=MONDAY)[0] == store.TAKEN
    # alex's claim lasts 30 minutes: after it, anyone may move it, and the claim goes
    later = MONDAY + dt.timedelta(minutes=31)
    assert store.move_by_staff(redis_client, settings, request.id, day=TUESDAY, staff_name="sam",
                               now=later)[0] == store.MOVED
    record = store.get(redis_client, settings, request.id)
    assert record["status"] == "open" and record["claimed_by"] is None
    store.claim_next(redis_client, settings, "sam", later)
    store.record_outcome(redis_client, settings, CAL, request.id, staff_name="sam", outcome="reached", note="",
                         now=later)
    assert store.move_by_staff(redis_client, settings, request.id, day=WEDNESDAY, staff_name="sam",
                               now=later)[0] == store.FINISHED
    assert store.move_by_staff(redis_client, settings, "999", day=WEDNESDAY, staff_name="sam",
                               now=later)[0] == store.MISSING


def test_the_claimant_moving_it_gives_it_back_to_the_queue_for_the_new_day(redis_client, settings):
    request = save(redis_client, settings)
    store.claim_next(redis_client, settings, "sam", MONDAY)
    assert store.move_by_staff(redis_client, settings, request.id, day=TUESDAY, staff_name="sam",
                               now=MONDAY)[0] == store.MOVED
    record = store.get(redis_client, settings, request.id)
    assert (record["status"], record["claimed_by"], record["expected_on"]) == ("open", None, "2026-11-24")
    assert [r["id"] for r in store.list_later(redis_client, settings, MONDAY.date())] == [request.id]


# --- releasing -------------------------------------------------------------------------------------


def test_only_the_claimant_can_release_a_claim(redis_client, settings):
    request = save(redis_client, settings)
    assert store.release_claim(redis_client, settings, request.id, staff_name="sam", now=MONDAY) == store.NOT_CLAIMED
    store.claim_next(redis_client, settings, "alex", MONDAY)
    assert store.release_claim(redis_client, settings, request.id, staff_name="sam", now=MONDAY) == store.NOT_YOURS
    assert store.get(redis_client, settings, request.id)["claimed_by"] == "alex"
    assert store.release_claim(redis_client, settings, request.id, staff_name="alex", now=MONDAY) == store.RELEASED
    record = store.get(redis_client, settings, request.id)
    assert (record["status"], record["claimed_by"], record["claimed_until"], record["attempts"]) == ("open", None,
                                                                                                      None, 0)
    assert record["events"][-1] == {"at": MONDAY.isoformat(), "who": "alex",
                                    "what": "released the claim: back in the queue"}
    assert store.claim_next(redis_client, settings, "sam", MONDAY)["id"] == request.id  # anyone may take it now
    assert store.release_claim(redis_client, settings, "999", staff_name="sam", now=MONDAY) == store.MISSING


# --- every contact from one line ------------------------------------------------------------------


def test_every_request_from_a_number_is_found_newest_first_without_the_number_in_a_key(redis_client, settings):
    first = save(redis_client, settings, now=MONDAY - dt.timedelta(days=3))
    finish(redis_client, settings, first.id, now=MONDAY - dt.timedelta(days=3))
    second = save(redis_client, settings, now=MONDAY, topic="health", phone="07700 900123")
    other = save(redis_client, settings, phone=OTHER)
    found = store.for_line(redis_client, settings, "+44 7700 900123")
    assert [r["id"] for r in found] == [second.id, first.id]
    assert [r["status"] for r in found] == ["open", "done"]
    assert [r["id"] for r in store.for_line(redis_client, settings, PARENT, leave_out=second.id)] == [first.id]
    assert [r["id"] for r in store.for_line(redis_client, settings, OTHER)] == [other.id]
    assert store.for_line(redis_client, settings, "not a number") == []
    index = store.line_key(settings, PARENT)
    assert index.endswith(phone_tag(settings, PARENT)) and "900123" not in index
    assert not [k for k in redis_client.scan_iter() if "900123" in k]


def test_a_record_that_expired_leaves_the_index_on_reading_and_in_the_daily_tidy(redis_client, settings):
    gone = save(redis_client, settings, now=MONDAY - dt.timedelta(days=2))
    finish(redis_client, settings, gone.id, now=MONDAY - dt.timedelta(days=2))
    kept = save(redis_client, settings)
    redis_client.delete(store.record_key(settings, gone.id))  # as its TTL would
    assert [r["id"] for r in store.for_line(redis_client, settings, PARENT)] == [kept.id]
    assert redis_client.zrange(store.line_key(settings, PARENT), 0, -1) == [kept.id]
    redis_client.zadd(store.line_key(settings, OTHER), {"12345": 1})  # a dangling id nobody reads
    assert store.index_lines(redis_client, settings) == 1
    assert not redis_client.exists(store.line_key(settings, OTHER))


def test_the_daily_tidy_indexes_requests_saved_before_the_index_existed(redis_client, settings):
    older, newer = save(redis_client, settings, now=MONDAY - dt.timedelta(days=1)), save(redis_client, settings,
                                                                                          phone=OTHER)
    redis_client.delete(store.line_key(settings, PARENT), store.line_key(settings, OTHER))
    store.index_lines(redis_client, settings)
    assert [r["id"] for r in store.for_line(redis_client, settings, PARENT)] == [older.id]
    assert [r["id"] for r in store.for_line(redis_client, settings, OTHER)] == [newer.id]


def concern(redis_client, settings, phone, at, words):
    return safety.raise_concern(redis_client, settings, phone=phone, channel="sms", category="child_harm",
                                label="Child harmed or at risk", rank=2, words=words, at=at)[0]


def test_every_safety_concern_of_a_line_is_found_newest_first(redis_client, settings):
    old = concern(redis_client, settings, PARENT, MONDAY - dt.timedelta(days=5), "he hurt my son")
    safety.claim(redis_client, settings, old, staff_name="sam", now=MONDAY)
    safety.record_outcome(redis_client, settings, old, staff_name="sam", outcome="called", note="", now=MONDAY)
    new = concern(redis_client, settings, "07700 900123", MONDAY, "I am frightened")
    concern(redis_client, settings, OTHER, MONDAY, "my child is not safe")
    concern(redis_client, settings, "anonymous", MONDAY, "someone hits us")
    assert [c["id"] for c in safety.for_line(redis_client, settings, PARENT)] == [new, old]
    assert [c["status"] for c in safety.for_line(redis_client, settings, PARENT)] == ["open", "done"]
    assert safety.for_line(redis_client, settings, "anonymous") == []
    assert "900123" not in safety.of_line_key(settings, PARENT)
    redis_client.delete(safety.of_line_key(settings, PARENT))  # concerns raised before the index existed
    assert safety.index_lines(redis_client, settings) == 2
    assert [c["id"] for c in safety.for_line(redis_client, settings, PARENT)] == [new, old]


def test_purging_and_erasing_a_concern_takes_it_out_of_the_line_index(redis_client, settings):
    old = concern(redis_client, settings, PARENT, MONDAY - dt.timedelta(days=40), "he hurt my son")
    safety.claim(redis_client, settings, old, staff_name="sam", now=MONDAY - dt.timedelta(days=40))
    safety.record_outcome(redis_client, settings, old, staff_name="sam", outcome="called", note="",
                          now=MONDAY - dt.timedelta(days=40))
    new = concern(redis_client, settings, PARENT, MONDAY, "I am frightened")
    assert safety.purge_before(redis_client, settings, MONDAY - dt.timedelta(days=30)) == 1
    assert [c["id"] for c in safety.for_line(redis_client, settings, PARENT)] == [new]
    safety.erase_phone(redis_client, settings, PARENT)
    assert not redis_client.exists(safety.of_line_key(settings, PARENT))


@pytest.mark.parametrize("withheld", ["anonymous", ""])
def test_a_withheld_line_has_no_index(redis_client, settings, withheld):
    concern(redis_client, settings, withheld, MONDAY, "someone hits us")
    assert not list(redis_client.scan_iter(safety.of_line_key(settings, "x")[:-20] + "*"))


def test_erasing_a_number_and_the_retention_purge_take_its_requests_out_of_the_line_index(settings):
    from tests.workers.support import svc_at
    from workers import callback_data
    from workers.retention import purge_with

    svc = svc_at(settings, MONDAY)
    redis_client = svc.connections.redis
    old = save(redis_client, settings, now=MONDAY - dt.timedelta(days=40))
    finish(redis_client, settings, old.id, now=MONDAY - dt.timedelta(days=40))
    recent = save(redis_client, settings)
    other = save(redis_client, settings, phone=OTHER)
    purge_with(svc, now=MONDAY)
    assert [r["id"] for r in store.for_line(redis_client, settings, PARENT)] == [recent.id]
    assert redis_client.zrange(store.line_key(settings, PARENT), 0, -1) == [recent.id]
    assert callback_data.erase(svc, "07700 900123") == {"callback_requests": 1}
    assert not redis_client.exists(store.line_key(settings, PARENT))
    assert [r["id"] for r in store.for_line(redis_client, settings, OTHER)] == [other.id]
