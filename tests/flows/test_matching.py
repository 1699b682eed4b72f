"""SMS keyword, number and free-text matching against the real guidance tree."""

import pytest

from flows.guidance import load_guidance
from flows.matching import Match, close, edit_distance, match


@pytest.fixture(scope="module")
def tree():
    return load_guidance()


# Every keyword the issue asks for, and where it must lead.
REQUIRED_KEYWORDS = {
    "MENU": "main", "HI": "main", "HELLO": "main", "MAIN": "main", "?": "main",
    "SCHOOL": "school", "PLAN": "plan", "EHCP": "plan", "COUNCIL": "council",
    "HEALTH": "health", "NHS": "health", "OFSTED": "ofsted", "COMPLAIN": "complain",
    "RESOLVE": "resolution", "MEDIATION": "mediation", "APPEAL": "appeal", "TRIBUNAL": "appeal",
    "DEADLINE": "action:deadline", "CALLBACK": "action:callback", "CALL ME": "action:callback",
    "HOURS": "action:hours", "CONTACT": "contact",
}


@pytest.mark.parametrize("keyword, target", REQUIRED_KEYWORDS.items())
def test_required_keywords_are_in_the_index(tree, keyword, target):
    assert tree.keyword_index[keyword] == target


@pytest.mark.parametrize("keyword, target", REQUIRED_KEYWORDS.items())
def test_required_keywords_match(tree, keyword, target):
    assert match(keyword, tree) == Match("keyword", target)
    assert match(keyword.lower(), tree) == Match("keyword", target)


@pytest.mark.parametrize(
    "text, target",
    [
        ("apeal", "appeal"),
        ("Appeal.", "appeal"),
        ("  APPEAL  ", "appeal"),
        ("tribunel", "appeal"),
        ("Mediation please", "mediation"),
        ("mediaton", "mediation"),
        ("ehc plan", "plan"),
        ("EHC-plan", "plan"),
        ("ehcplan", "plan"),
        ("shool", "school"),
        ("helth", "health"),
        ("OFSTED!!", "ofsted"),
        ("ofstead", "ofsted"),
        ("complaint", "complain"),
        ("Call me", "action:callback"),
        ("call me back please", "action:callback"),
        ("callback", "action:callback"),
        ("call-back", "action:callback"),
        ("Deadline?", "action:deadline"),
        ("deadlnie", "action:deadline"),
        ("Hi, I need help with an appeal", "appeal"),
        ("I want to appeal", "appeal"),
        ("hello", "main"),
        ("??", "main"),
        ("senco", "school_talk"),
    ],
)
def test_forgiving_keywords(tree, text, target):
    found = match(text, tree)
    assert found.kind in ("keyword", "topic") and found.target == target  # a topic opens its node as a keyword does


@pytest.mark.parametrize("text", ["more", "MORE", "More.", "next"])
def test_more_is_left_to_the_channel(tree, text):
    assert match(text, tree, last_menu="appeal").kind == "more"


@pytest.mark.parametrize(
    "text, last_menu, target",
    [
        ("1", None, "school"),  # no last menu: the main menu
        ("5", "main", "help"),
        ("2", "disagree", "action:deadline"),
        (" 3. ", "disagree", "mediation"),
        ("option 1", "appeal", "action:deadline"),  # a guidance node's related routes
        ("2", "appeal", "mediation"),
    ],
)
def test_numbered_replies_pick_options_of_the_last_menu(tree, text, last_menu, target):
    result = match(text, tree, last_menu=last_menu)
    assert result.kind == "option"
    assert result.target == target
    assert result.key == text.strip(" .").split()[-1]


@pytest.mark.parametrize("text, last_menu", [("7", "main"), ("4", "appeal"), ("0", None), ("9", "school")])
def test_a_number_that_is_not_an_option_matches_nothing(tree, text, last_menu):
    assert match(text, tree, last_menu=last_menu) == Match("none")
    assert not match(text, tree, last_menu=last_menu)


@pytest.mark.parametrize(
    "text, expected_first, also",
    [
        ("the school won't give my son his hours", "school", {"plan"}),
        ("can I go to mediation and still appeal at the same time?", None, {"mediation", "routes"}),
        ("my son has an ehcp and the school want to reduce his hours and the council wont answer and im thinking of going to tribunal what should i do", None, {"council_complain"}),
    ],
)
def test_free_text_suggests_routes(tree, text, expected_first, also):
    result = match(text, tree)
    assert result.kind == "routes"
    assert 1 <= len(result.routes) <= 3
    if expected_first:
        assert result.routes[0] == expected_first
    assert also <= set(result.routes)
    # every suggestion can be sent back as a keyword
    assert all(tree.node(r).keywords for r in result.routes)


@pytest.mark.parametrize(
    "text, target",
    [
        ("my daughter has been refused an EHC needs assessment", "appeal"),
        ("I want to complain about the council", "council_complain"),
        ("the speech therapist at the hospital never comes", "health"),
        ("the whole school is badly led and all the pupils suffer", "ofsted"),
        ("who are IPSEA and can they give legal advice", "orgs"),
        ("The academy trust is ignoring us", "school_dfe"),
        # the texts
        ("how do i ask the council for an EHC needs assessment", "assessment"),
        ("my son has been excluded from school what can i do", "exclusion"),
        ("I am 17 and I want to appeal about my own plan", "young_people"),
        ("excluded from school can i go to tribunal", "exclusion"),  # exclusions are not Tribunal appeals first
    ],
)
def test_firm_free_text_opens_its_route(tree, text, target):
    assert match(text, tree) == Match("topic", target)


@pytest.mark.parametrize(
    "text, target",
    [
        ("can i get someone to call me", "action:callback"),
        ("pls call me back", "action:callback"),
        ("I need to speak to someone can you call me", "action:callback"),
        ("can i talk to someone", "action:person"),
        ("what are your opening hours", "action:hours"),
    ],
)
def test_asking_for_a_call_a_person_or_the_hours(tree, text, target):
    assert match(text, tree) == Match("keyword", target)


def test_a_long_story_that_mentions_call_me_is_about_its_story(tree):
    text = "the school said they would call me back about his ehcp hours but they never did and the senco has now left and nobody knows"
    assert match(text, tree).target != "action:callback"


@pytest.mark.parametrize(
    "text, target",
    [("thank you", "thanks"), ("ok thanks", "thanks"), ("OK", "thanks"), ("cheers", "thanks"), ("thx", "thanks"),
     ("is anyone there?", "anyone"), ("hello??", "anyone"), ("are you a real person", "anyone"), ("is this a robot", "anyone")],
)
def test_thanks_and_is_anyone_there_get_a_chat_reply(tree, text, target):
    assert match(text, tree) == Match("chat", target)


@pytest.mark.parametrize(
    "text, language",
    [
        ("Hola, mi hijo tiene necesidades especiales y la escuela no le ayuda", "es"),
        ("Dzień dobry, czy mogę prosić o pomoc? Mój syn nie dostaje wsparcia w szkole", "pl"),
        ("Bună ziua, am nevoie de ajutor pentru fiul meu la școală", "ro"),
        ("مرحبا ابني يحتاج مساعدة في المدرسة", "ar"),
        ("میرے بیٹے کو اسکول میں مدد کی ضرورت ہے", "ur"),
        ("mere bete ko school mein madad chahiye", "ur"),
        ("do you have an interpreter", "asked"),
    ],
)
def test_another_language_gets_the_interpreter_reply(tree, text, language):
    assert match(text, tree) == Match("language", language)


@pytest.mark.parametrize("text", ["la la la", "the la refused to assess him", "de school is not doin his ehcp", "no help from the senco at all", "the LA"])
def test_stray_foreign_looking_words_in_english_are_not_another_language(tree, text):
    assert match(text, tree).kind != "language"
    assert match(text, tree).target != "council"


def load_corpus(name):
    from pathlib import Path

    return (Path(__file__).parents[1] / "corpus" / name).read_text(encoding="utf-8").splitlines()


def test_the_routing_corpus_is_large_and_routed_right_with_no_wrong_route(tree):
    from flows.matching import evaluate, parse_corpus

    lines = load_corpus("routing.txt")
    cases = parse_corpus(lines)
    assert len(cases) >= 200
    expected = {e for e, _ in cases}
    assert expected <= set(tree.nodes) | {"action:callback", "action:person", "action:deadline", "action:hours",
                                          "reply:thanks", "reply:anyone", "reply:language", "ask again"}
    report = evaluate(lines, tree)
    assert report.wrong == ()  # no text sent into a wrong route: unsure means ask again
    assert report.share >= 0.95, report.asked_again


def test_the_held_out_corpus_sends_nothing_to_a_wrong_route(tree):
    from flows.matching import evaluate

    report = evaluate(load_corpus("routing_holdout.txt"), tree)
    assert report.total >= 40 and report.wrong == ()
    assert report.share >= 0.9


def test_route_of_names_each_kind():
    from flows.matching import route_of

    assert route_of(Match("topic", "exclusion")) == "exclusion"
    assert route_of(Match("routes", routes=("appeal",))) == "ask again"
    assert route_of(Match("none")) == "ask again"
    assert route_of(Match("chat", "thanks")) == "reply:thanks"
    assert route_of(Match("language", "pl")) == "reply:language"


@pytest.mark.parametrize("text", ["", "   ", "!!!", "blah blah", "house", "xyz", "nsh"])
def test_nothing_matches(tree, text):
    assert match(text, tree) == Match("none")


def test_short_words_are_not_guessed(tree):
    # "HR" is one slip from "HI" but short words must be exact.
    assert match("hr", tree).kind == "none"


def test_language_detection_on_its_own():
    from flows.language import asks_for_interpreter, other_language

    assert other_language("Olá, o meu filho precisa de ajuda na escola") == "pt"
    assert other_language("আমার ছেলের স্কুলে সাহায্য দরকার") == "bn"
    assert other_language("my son needs help at school") is None
    assert other_language("la") is None and other_language("no no no") is None
    assert asks_for_interpreter("can someone speak polish") and not asks_for_interpreter("my son speaks slowly")


def test_suggestions_reply_lists_keywords(tree):
    reply = tree.sms_suggestions(match("the school won't give my son his hours", tree).routes)
    assert "SCHOOL - " in reply and "PLAN - " in reply and "MENU" in reply


@pytest.mark.parametrize(
    "a, b, d",
    [("appeal", "appeal", 0), ("apeal", "appeal", 1), ("tribunel", "tribunal", 1), ("mediaiton", "mediation", 1), ("house", "hours", 2), ("", "abc", 3)],
)
def test_edit_distance(a, b, d):
    assert edit_distance(a, b, limit=3) == d


def test_close_allows_more_slips_for_longer_words():
    assert close("APPEALS", "APPEAL")
    assert close("TRIBUNLE", "TRIBUNAL")  # 8 letters: 2 slips
    assert not close("HOUSE", "HOURS")
    assert not close("NSH", "NHS")  # 3 letters: exact only
