"""The second reader: a small trained model that catches risk the written patterns miss."""

import pytest

from flows import safety, safety_model
from flows.safety_eval import CORPORA, read_corpora, score
from scripts.train_safety_model import CLASSES, as_model, train

HELD_OUT = next(c for c in CORPORA if not c[3])


def test_the_shipped_model_loads_with_its_classes_and_threshold():
    model = safety_model.load_model()
    assert model is not None and model.classes == CLASSES and 0.5 <= model.threshold < 1
    assert set(model.classes) - {safety_model.NONE} == set(safety.categories())
    assert len(model.rows) > 1000 and len(model.flat) == len(model.rows) * len(model.classes)


@pytest.mark.parametrize("text,category", [
    ("i have a rope in the garage now and honestly i keep thinking about using it on myself tonight", "suicide_self_harm"),
    ("our lad keeps coming home late with new trainers and two phones and cash from some older lads in a car", "child_harm"),
])
def test_it_reads_a_risk_in_words_it_was_never_given_as_a_pattern(text, category):
    concern = safety.assess(text)
    assert concern is not None and concern.category == category


def test_a_catch_by_the_model_alone_has_a_category_and_no_matched_words(monkeypatch):
    text = "dont worry about me any more, i have made my peace with everything and sorted out the kids things"
    model = safety_model.load_model()
    probabilities = model.probabilities(text)
    assert abs(sum(probabilities.values()) - 1) < 1e-9
    forced = model.with_threshold(0.0)
    monkeypatch.setattr(safety_model, "load_model", lambda *a: forced)
    concern = safety.assess(text)
    assert concern.matched == "" and concern.category in safety.categories()


def test_short_texts_are_left_to_the_patterns(monkeypatch):
    model = safety_model.load_model()
    forced = model.with_threshold(0.0)
    assert forced.flag("yes") is None and forced.flag("he is scared of the dark") is None
    assert forced.flag("he is scared of the dark and wont go to bed at all") is not None


def test_a_figure_of_speech_counts_for_nothing_to_the_model_either():
    assert safety.assess("the head said hed kill for more funding but theres nothing he can do about it") is None


def test_on_texts_it_never_saw_it_still_catches_most_and_flags_almost_nothing():
    name, crisis_file, everyday_file, _ = HELD_OUT
    result = score(*read_corpora(crisis_file=crisis_file, everyday_file=everyday_file))
    assert result.crisis_total >= 100 and result.everyday_total >= 100
    assert result.recall >= 0.93, [m.text for m in result.missed]
    assert result.false_alarm_rate <= 0.02


def test_training_is_deterministic_and_learns():
    examples = [("i want to kill myself tonight i have the pills ready", "suicide_self_harm"),
                ("my son has not come home and his phone is off its dark", "missing_child"),
                ("the teacher grabbed my daughter and pinned her down", "child_harm"),
                ("my husband hits me and says he will kill me", "domestic_abuse"),
                ("how do i ask for an ehc needs assessment for my son", "none"),
                ("when is the annual review meeting supposed to happen", "none")] * 3
    first, second = train(examples, epochs=5), train(examples, epochs=5)
    assert first == second
    model = as_model(*first, threshold=0.5)
    assert model.flag("i want to kill myself tonight i have the pills ready")[0] == "suicide_self_harm"
    assert model.flag("how do i ask for an ehc needs assessment for my son") is None
