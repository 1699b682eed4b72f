"""`flask content check` and the start-up check keep broken content away from parents."""

import datetime as dt

import pytest

from app import create_app
from clock import fixed_clock
from flows import guidance


def test_content_check_passes_on_the_shipped_content(settings):
    app = create_app(settings, clock=fixed_clock(dt.datetime(2026, 11, 23, 11)))
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "Content OK" in result.output and "last reviewed" in result.output
    assert "Reading grade (Flesch-Kincaid, textstat) of" in result.output and "(limit 6)" in result.output
    assert "Free-text routing:" in result.output and "0 sent to a wrong route" in result.output
    assert "TO CONFIRM (exclusion)" in result.output


def test_content_check_fails_when_the_routing_corpus_is_misrouted(settings, monkeypatch, tmp_path):
    from commands import checks

    corpus = tmp_path / "routing.txt"
    corpus.write_text("# a wrong expectation\nappeal | my son has been excluded from school\n")
    monkeypatch.setattr(checks, "ROUTING_CORPUS", corpus)
    app = create_app(settings, clock=fixed_clock(dt.datetime(2026, 11, 23, 11)))
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "went to exclusion, not appeal" in result.output


def test_content_check_fails_and_names_each_problem(settings, monkeypatch):
    app = create_app(settings, clock=fixed_clock(dt.datetime(2026, 11, 23, 11)))
    monkeypatch.setattr(guidance, "check_content", lambda **kw: ["guidance.toml: node 'x' cannot be reached"])
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "PROBLEM: guidance.toml: node 'x' cannot be reached" in result.output


def test_the_app_refuses_to_start_on_broken_content(settings, monkeypatch):
    def broken(*a, **kw):
        raise guidance.ContentError(["menu 'main' has no fallback"])

    monkeypatch.setattr("app.load_guidance", broken)
    with pytest.raises(guidance.ContentError):
        create_app(settings)


def test_content_check_safety_prints_recall_false_alarms_and_numbers_to_confirm(settings):
    app = create_app(settings, clock=fixed_clock(dt.datetime(2026, 11, 23, 11)))
    result = app.test_cli_runner().invoke(args=["content", "check", "--safety"])
    assert result.exit_code == 0, result.output
    assert "Crisis texts caught: " in result.output and "(100.0%); target: all." in result.output
    assert "Everyday texts flagged: " in result.output and "target: at most 2%." in result.output
    assert "TO CONFIRM (safety.toml): messages.domestic_abuse: " in result.output


def test_content_check_safety_fails_on_a_missed_crisis_text(settings, monkeypatch, tmp_path):
    from flows import safety_eval

    (tmp_path / "safety_crisis.txt").write_text("missing_child | all is well today\n", encoding="utf-8")
    (tmp_path / "safety_everyday.txt").write_text("what are your opening hours\n", encoding="utf-8")
    monkeypatch.setattr(safety_eval, "CORPUS_DIR", tmp_path)
    app = create_app(settings, clock=fixed_clock(dt.datetime(2026, 11, 23, 11)))
    result = app.test_cli_runner().invoke(args=["content", "check", "--safety"])
    assert result.exit_code == 1
    assert "MISSED (missing_child): all is well today" in result.output
    assert "PROBLEM: safety: every crisis text must be caught" in result.output


def test_the_content_check_covers_the_deadline_kinds_file(tmp_path):
    from flows.deadline_kinds import DEFAULT_PATH, check_kinds
    from flows.guidance import check_content

    assert check_kinds() == [] and not [p for p in check_content() if "deadline_kinds" in p]
    broken = tmp_path / "deadline_kinds.toml"
    broken.write_text(DEFAULT_PATH.read_text().replace('name = "appeal"', 'name = "appeel"', 1))
    assert check_kinds(broken) and set(check_kinds(broken)) <= set(check_content(kinds_path=broken))
