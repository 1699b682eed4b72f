"""The deadline kinds offered by text and by phone: one content list, checked, one calculator."""

from datetime import date as D

import pytest

from flows import deadline_kinds
from flows.deadline_kinds import by_key, by_name, calculate, check_kinds, kinds
from flows.deadlines import Deadline
from flows.guidance import copy_problems

TODAY = D(2026, 11, 22)


def test_the_shipped_list_is_good_and_fits_the_keypad():
    assert check_kinds() == []
    listed = kinds()
    assert [k.key for k in listed] == [str(n) for n in range(1, len(listed) + 1)]
    assert len(listed) <= 8  # 9 is the main menu, 0 a person
    assert listed[0].name == "appeal"  # a date alone means an appeal
    for kind in listed:
        assert copy_problems(kind.name, say=kind.say, text=kind.text) == []
        for option in kind.options:
            assert copy_problems(f"{kind.name} {option.name}", say=option.say, text=option.text) == []


@pytest.mark.parametrize(("name", "option", "start", "expected"), [
    ("appeal", None, D(2026, 1, 12), [D(2026, 3, 12)]),
    ("ehc", None, D(2026, 1, 5), [D(2026, 2, 16), D(2026, 4, 27), D(2026, 5, 25)]),
    ("draft_comments", None, D(2026, 3, 2), [D(2026, 3, 16)]),
    ("review", None, D(2026, 3, 11), [D(2026, 2, 25), D(2026, 3, 25), D(2026, 4, 8)]),
    ("amendments", None, D(2026, 11, 2), [D(2026, 11, 16)]),
    ("reassessment", None, D(2026, 1, 5), [D(2026, 4, 13)]),
    ("transfer", "phase", D(2027, 9, 1), [D(2027, 2, 14)]),
    ("transfer", "post16", D(2027, 9, 1), [D(2027, 3, 30)]),
    ("transfer", "post16_move", D(2027, 1, 4), [D(2026, 8, 4)]),
    ("discrimination_claim", None, D(2026, 3, 15), [D(2026, 9, 14)]),
])
def test_calculate_gives_each_kinds_dates(name, option, start, expected):
    assert by_name(name) is not None
    result = calculate(name, start, option=option, today=TODAY)
    results = result if isinstance(result, tuple) else (result,)
    assert [r.date for r in results] == expected


def test_an_appeal_takes_its_certificate_and_school_answer():
    assert calculate("appeal", D(2026, 5, 15), certificate=D(2026, 6, 22), school_only=False).date == D(2026, 7, 22)
    assert calculate("appeal", D(2026, 5, 15), certificate=D(2026, 6, 22), school_only=True).date == D(2026, 7, 15)
    assert isinstance(calculate("no such kind", D(2026, 1, 12)), Deadline)  # unknown: an appeal


def test_past_only_and_options():
    assert by_name("review").past_only is False and by_name("transfer").past_only is False
    assert by_name("appeal").past_only is True
    transfer = by_name("transfer")
    assert [o.name for o in transfer.options] == ["phase", "post16", "post16_move"]
    assert transfer.option("2").name == "post16" and transfer.option("9") is None
    assert by_key("1").name == "appeal" and by_key("0") is None and by_key("") is None


@pytest.mark.parametrize(("broken", "problem"), [
    ('[[kinds]]\nname = "pizza"\ntext = "Pizza"\nsay = "pizza"\nquestion = "ask_sent"\n', "knows no kind 'pizza'"),
    ('[[kinds]]\nname = "appeal"\ntext = "Appeal"\nsay = "an appeal"\nquestion = "nope"\n', "question 'nope'"),
    ('[[kinds]]\nname = "appeal"\nsay = "an appeal"\nquestion = "ask_sent"\n', "no text"),
    ('[[kinds]]\nname = "transfer"\ntext = "Move"\nsay = "a move"\nquestion = "ask_move"\n', "needs its options"),
    ('[[kinds]]\nname = "appeal"\ntext = "Appeal \u2013 now"\nsay = "an appeal"\nquestion = "ask_sent"\n', "ASCII"),
    ("".join(f'[[kinds]]\nname = "appeal"\ntext = "A"\nsay = "a"\nquestion = "ask_sent"\n' for _ in range(9)),
     "at most 8"),
    ("kinds = 3\n", "no [[kinds]]"),
    ("[[kinds]\n", "deadline_kinds.toml:"),
])
def test_a_broken_list_is_caught_with_a_reason(tmp_path, broken, problem):
    path = tmp_path / "deadline_kinds.toml"
    path.write_text(broken, encoding="utf-8")
    problems = check_kinds(path)
    assert any(problem in p for p in problems), problems
    with pytest.raises(deadline_kinds.KindsError):
        kinds.__wrapped__(path)
