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
    assert match(text, tree) == Match("keyword", target)


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
        ("my daughter has been refused an EHC needs assessment", "appeal", set()),
        ("I want to complain about the council", "council_complain", set()),
        ("the speech therapist at the hospital never comes", "health", set()),
        ("can I go to mediation and still appeal at the same time?", None, {"mediation", "appeal", "routes"}),
        ("the whole school is badly led and all the pupils suffer", "ofsted", set()),
        ("who are IPSEA and can they give legal advice", "orgs", set()),
        ("The academy trust is ignoring us", "school_dfe", set()),
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


@pytest.mark.parametrize("text", ["", "   ", "!!!", "blah blah", "house", "xyz", "ok thanks", "nsh"])
def test_nothing_matches(tree, text):
    assert match(text, tree) == Match("none")


def test_short_words_are_not_guessed(tree):
    # "HR" is one slip from "HI" but short words must be exact.
    assert match("hr", tree).kind == "none"


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
