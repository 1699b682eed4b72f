"""Safety concerns in the real Redis: one item per line, claimed and closed by advisers, erased without trace."""

import datetime as dt

import pytest

from connections import make_redis
from store import safety, spool
from store.keys import phone_tag

NOW = dt.datetime(2026, 11, 22, 21, 0, tzinfo=dt.timezone.utc)
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
PARENT = "+447700900123"
OTHER = "+447700900456"


def raise_(redis, settings, *, phone=PARENT, words="i cant go on", category="suicide_self_harm", rank=0,
           label="Suicide or self-harm", at=NOW, channel="sms"):
    return safety.raise_concern(redis, settings, phone=phone, channel=channel, category=category, label=label,
                                rank=rank, words=words, at=at)


def test_a_concern_is_one_open_item_with_the_words_the_category_and_its_history(redis_client, settings):
    concern_id, how = raise_(redis_client, settings)
    assert how == "new"
    record = safety.get(redis_client, settings, concern_id)
    assert record["status"] == "open" and record["category"] == "suicide_self_harm"
    assert record["label"] == "Suicide or self-harm" and record["phone"] == PARENT
    assert [w["text"] for w in record["words"]] == ["i cant go on"]
    assert record["events"][0]["what"] == "safety concern raised by text"
    assert [r["id"] for r in safety.list_open(redis_client, settings)] == [concern_id]


def test_more_words_from_the_same_line_join_its_open_concern_however_the_number_is_written(redis_client, settings):
    first, _ = raise_(redis_client, settings, category="domestic_abuse", rank=3, label="Domestic abuse")
    again, how = raise_(redis_client, settings, phone="07700 900123", words="he hit me again", channel="voice",
                        category="child_harm", rank=2, label="Child harmed or at risk")
    assert (again, how) == (first, "added")
    same, how = raise_(redis_client, settings, words="he hit me again")
    assert (same, how) == (first, "same")  # a retried webhook adds nothing
    record = safety.get(redis_client, settings, first)
    assert [w["text"] for w in record["words"]] == ["i cant go on", "he hit me again"]
    assert record["category"] == "child_harm"  # the more serious kind wins
    assert len(safety.list_open(redis_client, settings)) == 1


def test_withheld_callers_are_never_merged_with_each_other(redis_client, settings):
    a, _ = raise_(redis_client, settings, phone="anonymous", words="she has gone missing")
    b, _ = raise_(redis_client, settings, phone="", words="i want to die")
    assert a != b
    assert safety.get(redis_client, settings, a)["phone"] == ""


def test_one_line_is_limited_per_hour_but_other_lines_are_not(redis_client, settings):
    for n in range(safety.PER_LINE_PER_HOUR):
        raise_(redis_client, settings, words=f"message {n}")
    assert raise_(redis_client, settings, words="one more")[1] == "limited"
    assert raise_(redis_client, settings, phone=OTHER)[1] == "new"
    (mine,) = [r for r in safety.list_open(redis_client, settings) if r["phone"] == PARENT]
    assert len(mine["words"]) == safety.MAX_WORDS


def test_claim_release_take_over_and_close_with_who_and_when(redis_client, settings):
    concern_id, _ = raise_(redis_client, settings)
    with pytest.raises(safety.ConcernError):
        safety.record_outcome(redis_client, settings, concern_id, staff_name="sam", outcome="called", note="",
                              now=NOW)  # not claimed yet
    safety.claim(redis_client, settings, concern_id, staff_name="sam", now=NOW)
    with pytest.raises(safety.ConcernError, match="sam has already claimed"):
        safety.claim(redis_client, settings, concern_id, staff_name="alex", now=NOW)
    safety.take_over(redis_client, settings, concern_id, staff_name="alex", now=NOW)
    with pytest.raises(safety.ConcernError):
        safety.record_outcome(redis_client, settings, concern_id, staff_name="sam", outcome="called", note="",
                              now=NOW)
    safety.record_outcome(redis_client, settings, concern_id, staff_name="alex", outcome=safety.NO_ANSWER,
                          note="rang twice", now=NOW)
    assert safety.get(redis_client, settings, concern_id)["status"] == "open"  # still needs someone
    safety.claim(redis_client, settings, concern_id, staff_name="sam", now=NOW)
    with pytest.raises(safety.ConcernError, match="why no action"):
        safety.record_outcome(redis_client, settings, concern_id, staff_name="sam", outcome="no_action", note=" ",
                              now=NOW)
    done = safety.record_outcome(redis_client, settings, concern_id, staff_name="sam",
                                 outcome="referred_childrens_services", note="spoke to the duty team", now=NOW)
    assert done["status"] == "done" and done["done_by"] == "sam"
    history = [(e["who"], e["what"]) for e in done["events"]]
    assert ("alex", "took over from sam") in history
    assert ("alex", "tried, could not reach them; still open: rang twice") in history
    assert ("sam", "outcome: Referred to children's services: spoke to the duty team") in history
    assert safety.list_open(redis_client, settings) == []
    assert [r["id"] for r in safety.list_done(redis_client, settings)] == [concern_id]
    with pytest.raises(safety.ConcernError, match="already been recorded"):
        safety.claim(redis_client, settings, concern_id, staff_name="alex", now=NOW)
    # the line's next words make a new concern: the old one is closed
    assert raise_(redis_client, settings, words="it happened again")[1] == "new"


def test_no_key_name_holds_the_number_and_erasure_leaves_no_key_about_it(redis_client, settings):
    concern_id, _ = raise_(redis_client, settings)
    raise_(redis_client, settings, phone=OTHER)
    keys = redis_client.keys("*")
    assert not [k for k in keys if "7700900123" in k or "7700 900123" in k]
    assert any(phone_tag(settings, PARENT) in k for k in keys)
    assert safety.erase_phone(redis_client, settings, "07700900123") == 1
    assert safety.get(redis_client, settings, concern_id) is None
    left = redis_client.keys("*")
    assert not [k for k in left if phone_tag(settings, PARENT) in k]
    assert not any(PARENT in str(redis_client.dump(k)) for k in left if redis_client.type(k) != "none")
    assert [r["phone"] for r in safety.list_open(redis_client, settings)] == [OTHER]


def test_retention_removes_closed_concerns_but_never_open_ones(redis_client, settings):
    old_open, _ = raise_(redis_client, settings, at=NOW - dt.timedelta(days=400))
    old_done, _ = raise_(redis_client, settings, phone=OTHER, at=NOW - dt.timedelta(days=400))
    safety.claim(redis_client, settings, old_done, staff_name="sam", now=NOW - dt.timedelta(days=400))
    safety.record_outcome(redis_client, settings, old_done, staff_name="sam", outcome="called", note="",
                          now=NOW - dt.timedelta(days=400))
    assert safety.purge_before(redis_client, settings, NOW - dt.timedelta(days=365)) == 1
    assert safety.get(redis_client, settings, old_done) is None
    assert safety.get(redis_client, settings, old_open)["status"] == "open"


def test_with_redis_away_a_concern_is_spooled_and_reaches_the_queue_once(redis_url, redis_client, settings):
    dead = make_redis(settings.with_changes(redis_url=DEAD_REDIS))  # the app's own client: no retries, no back-off
    concern = dict(phone=PARENT, channel="sms", category="missing_child", label="Missing child", rank=1,
                   words="my daughter hasnt come home", at=NOW)
    row_id, how = safety.raise_or_spool(dead, settings, source_sid="SM" + "1" * 32, **concern)
    assert how == "spooled" and row_id.startswith("safety:")
    assert safety.raise_or_spool(dead, settings, source_sid="SM" + "1" * 32, **concern)[1] == "same"
    assert spool.asks_since(settings, PARENT, NOW - dt.timedelta(days=1)) == 0  # not a callback ask
    report = spool.replay(settings, lambda row: safety.save_spooled(redis_client, settings, row))
    assert len(report.saved) == 1
    (record,) = safety.list_open(redis_client, settings)
    assert record["category"] == "missing_child" and record["words"][0]["text"] == "my daughter hasnt come home"
    assert spool.pending(settings) == []
