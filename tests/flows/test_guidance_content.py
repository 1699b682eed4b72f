"""The guidance content: its graph, its facts, its copy rules, and the checker itself."""

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from flows import guidance
from flows.guidance import (
    ACTIONS,
    MAX_SENTENCE_WORDS,
    MAX_SMS_CHARS,
    MAX_SPOKEN_WORDS,
    ContentError,
    check_content,
    check_guidance_text,
    check_messages,
    fill_samples,
    load_guidance,
    reachable,
    sentences,
    words,
)
from flows.gsm7 import gsm7_length, is_gsm7

TODAY = dt.date(2026, 11, 22)
HOURS = "The helpline is open 10am to 3pm, Monday to Thursday, in school term time."


@pytest.fixture(scope="module")
def tree():
    return load_guidance()


def heard_and_read(node) -> str:
    """Every word a parent hears or reads for a node (not the matching hints)."""
    bits = [*node.say_parts, *node.text_parts]
    bits += [o.say for o in node.choices] + [o.text for o in node.choices]
    return "\n".join(bits)


def all_words(tree) -> str:
    return "\n".join(heard_and_read(n) for n in tree.nodes.values())


# --- the whole content is clean -------------------------------------------------------


def test_the_shipped_content_has_no_problems():
    assert check_content(today=TODAY) == []


def test_last_reviewed_is_a_date(tree):
    assert isinstance(tree.last_reviewed, dt.date)
    assert tree.last_reviewed <= TODAY


# --- the graph -------------------------------------------------------------------------


def test_root_is_the_main_menu(tree):
    assert tree.root == "main"
    assert tree.node("main").kind == "menu"


@pytest.mark.parametrize("channel", ["voice", "sms"])
def test_every_node_is_reachable_from_the_main_menu(tree, channel):
    assert reachable(tree, channel) == set(tree.nodes)


def test_every_node_is_reachable_by_keypad_alone(tree):
    """Walk the keys from the main menu, as a caller pressing digits would."""
    seen, todo = set(), ["main"]
    while todo:
        node_id = todo.pop()
        if node_id not in seen:
            seen.add(node_id)
            for o in tree.choices(node_id, "voice"):
                assert tree.choice(node_id, o.key, "voice") == o
                if not o.is_action:
                    todo.append(o.target)
    assert seen == set(tree.nodes)


def test_every_link_resolves(tree):
    for node in tree.nodes.values():
        for o in node.choices:
            assert o.target in tree.nodes or o.target in ACTIONS, (node.id, o)
    assert set(tree.keyword_index.values()) <= set(tree.nodes) | set(ACTIONS)


@pytest.mark.parametrize("action", ["action:deadline", "action:callback", "action:hours"])
def test_each_action_can_be_reached_by_keys_and_by_keyword(tree, action):
    assert any(o.target == action for n in tree.nodes.values() for o in n.choices)
    assert action in tree.keyword_index.values()


def test_menus_are_short_with_keys_one_to_five_and_a_fallback(tree):
    for node in tree.nodes.values():
        assert node.fallback in tree.copy.messages, node.id
        assert node.no_input in tree.copy.messages, node.id
        assert len(node.choices) <= 5, node.id
        keys = [o.key for o in node.choices]
        assert len(keys) == len(set(keys)), node.id
        assert set(keys) <= {"1", "2", "3", "4", "5"}, node.id
        if node.kind == "menu":
            assert keys == [str(i) for i in range(1, len(keys) + 1)], node.id
            assert node.options and not node.next
        for o in node.choices:
            assert o.say and o.text, (node.id, o.key)


def test_main_menu_shape(tree):
    main = tree.node("main")
    assert [o.target for o in main.options] == ["school", "council", "disagree", "health", "help"]


# --- the routes and their facts ---------------------------------------------------------


def words_of(tree, *node_ids) -> str:
    return "\n".join(heard_and_read(tree.node(n)) for n in node_ids)


@pytest.mark.parametrize(
    "node_id, facts",
    [
        ("school_talk", ["teacher", "SENCO", "head", "the teacher who organises special needs support", "EHC needs assessment", "a close look at your child's needs"]),
        ("school_complain", ["in writing", "use the word", "complaint", "what you want to happen", "date", "governor"]),
        ("exclusion", ["governors", "15 school days", "independent review", "people from outside the school", "6 months", "disability discrimination", "Tribunal", "a special court", "suspension", "cannot make the school take your child back"]),
        ("school_dfe", ["Secretary of State", "Department for Education", "academies", "governors", "law", "private school", "inspectors at short notice", "cannot deal with single complaints"]),
        ("ofsted", ["Ofsted", "whole school", "taught", "special educational needs", "wellbeing", "leadership", "maintained nursery schools", "non-maintained special schools", "short notice"]),
        ("assessment", ["EHC needs assessment", "sen_admin@bathnes.gov.uk", "within 6 weeks", "appeal", "2 months after", "1 month after your mediation certificate", "mediation advice", "Global Mediation", "date of birth", "reports"]),
        ("plan", ["EHC plan", "Education, Health and Care plan", "SEN team", "sen_admin@bathnes.gov.uk", "complaints procedure", "IPSEA", "template letter"]),
        ("sen_team", ["sen_admin@bathnes.gov.uk", "complaints procedure", "assessment"]),
        ("council_complain", ["complaints procedure", "Local Government and Social Care Ombudsman", "looks into complaints about councils", "fair time"]),
        ("health", ["NHS complaints procedure", "PALS", "Patient Advice and Liaison Service", "Healthwatch", "Integrated Care Board", "ICB"]),
        ("resolution", ["free", "confidential", "voluntary", "independent", "Global Mediation", "alongside", "with or without an EHC plan", "health and social care"]),
        ("mediation", ["mediation advice", "certificate", "3 working days", "2 months after", "sent", "only about the school", "type of school", "none is named", "Global Mediation", "free", "confidential"]),
        ("appeal", ["Tribunal", "a special court", "EHC needs assessment", "reassessment", "not to issue an", "school or type of school", "none is named", "after a review", "stop the plan", "2 months after", "was sent", "1 month after", "mediation certificate", "later", "late appeal", "mediation advice", "Global Mediation"]),
        ("routes", ["more than one route", "impartial"]),
        ("complain", ["in writing", "use the word", "complaint", "all the things", "what you want to happen", "fair date", "form"]),
        ("contact", ["01225 394382", "07530 263401", "send_partnershipservice@bathnes.gov.uk", "www.bathnes.gov.uk/sps", "{hours}"]),
        ("orgs", ["IPSEA", "Contact", "cafamily.org.uk", "Coram Children's Legal Centre"]),
        ("local_offer", ["Local Offer", "the council's guide to support", "www.bathnes.gov.uk", "training", "complain or appeal"]),
        ("young_people", ["16 to 25", "rights of your own", "appeal", "complain", "EHC needs assessment", "2 months after", "until you are 25", "parents can still help"]),
    ],
)
def test_route_exists_and_states_its_key_facts(tree, node_id, facts):
    node = tree.node(node_id)
    assert node.kind == "guidance"
    say, text = " ".join(node.say_parts), " ".join(node.text_parts)
    for fact in facts:
        assert fact.lower() in text.lower(), f"{node_id} text lacks {fact!r}"
        spoken = {"sen_admin@bathnes.gov.uk": "s e n, underscore, admin, at bath n e s dot gov dot uk",
                  "01225 394382": "0 1 2 2 5, 3 9 4 3 8 2", "07530 263401": "0 7 5 3 0, 2 6 3 4 0 1",
                  "send_partnershipservice@bathnes.gov.uk":
                      "send, underscore, partnership service written as one word, at bath n e s dot gov dot uk",
                  "www.bathnes.gov.uk/sps": "bath n e s dot gov dot uk slash s p s", "www.bathnes.gov.uk": "bath n e s dot gov dot uk",
                  "cafamily.org.uk": "c a family dot org dot uk", "SEN team": "special educational needs team",
                  "not to issue an": "not to issue an"}.get(fact, fact)
        assert spoken.lower() in say.lower(), f"{node_id} spoken words lack {spoken!r}"


def test_the_appeal_route_offers_the_deadline_calculator_first(tree):
    assert tree.node("appeal").next[0].target == "action:deadline"
    assert tree.choice("disagree", "2").target == "action:deadline"


def test_jargon_is_explained(tree):
    assert "the teacher who organises special needs support" in words_of(tree, "school_talk")
    assert "Education, Health and Care" in " ".join(tree.node("council").say_parts)
    assert "Education, Health and Care" in words_of(tree, "plan")
    assert "a special court" in words_of(tree, "appeal")


def test_every_term_in_the_glossary_is_explained_where_first_used(tree):
    from flows.guidance import editorial_problems, jargon_problems

    assert {"EHC plan", "SENCO", "ICB", "PALS", "Ombudsman", "Tribunal", "SEN"} <= set(tree.glossary)
    assert [p for p in editorial_problems(tree)] == []
    for node in tree.nodes.values():
        assert jargon_problems(tree, node) == [], node.id


def test_key_facts_come_first_in_the_appeal_on_both_channels(tree):
    """The issue: the time limit was in part 3 of 3 by text and the 5th of 6 paragraphs by phone,
    and the mediation advice step was not said first."""
    appeal = tree.node("appeal")
    for first in (appeal.text_parts[0], appeal.say_parts[0]):
        for fact in ("2 months after", "1 month after your mediation certificate", "mediation advice", "Global Mediation", "late appeal"):
            assert fact in first, fact


@pytest.mark.parametrize("node_id, first_facts", [
    ("assessment", ["the council's special", "6 weeks", "appeal", "2 months"]),
    ("exclusion", ["15 school days", "governors", "independent review", "6 months"]),
    ("young_people", ["rights of your own", "2 months"]),
    ("mediation", ["2 months after", "Global Mediation"]),
])
def test_key_facts_come_first_in_the_new_routes(tree, node_id, first_facts):
    node = tree.node(node_id)
    for first in (node.text_parts[0], node.say_parts[0]):
        for fact in first_facts:
            assert fact in first, (node_id, fact)


def test_facts_not_in_the_leaflets_are_marked_for_staff(tree):
    for node_id, source in (("exclusion", "DfE guidance"), ("young_people", "Code of Practice"), ("assessment", "Code of Practice")):
        assert source in tree.node(node_id).staff_to_confirm


def test_spoken_addresses_are_words_a_caller_can_write_down(tree):
    contact = " ".join(tree.node("contact").say_parts)
    assert "send, underscore, partnership service written as one word, at bath n e s dot gov dot uk" in contact
    assert "@" not in contact and "www" not in contact and "underscore partnership service at" not in contact
    for node in tree.nodes.values():
        assert not any("@" in part or "www." in part for part in node.say_parts), node.id
        assert node.text_parts and all("send underscore" not in part for part in node.text_parts)


def test_corrections_since_the_leaflets(tree):
    everything = all_words(tree) + "\n".join(m.say or "" for m in tree.copy.messages.values())
    assert not re.search(r"\bCCGs?\b|Clinical Commissioning", everything)
    assert not re.search(r"\bESFA\b|Education and Skills Funding Agency", everything)
    assert "Department for Education" in words_of(tree, "school_dfe")
    assert "ICB" in words_of(tree, "health")
    appeal = words_of(tree, "appeal", "mediation")
    assert "sent" in appeal
    assert not re.search(r"\b(got|get|getting|received) the decision", appeal)


def test_hours_are_never_typed_into_the_content(tree):
    everything = all_words(tree)
    assert not re.search(r"10(\.00)?\s?am|3(\.00)?\s?pm|Monday to Thursday|term time", everything)
    assert tree.node("contact").placeholders == {"hours"}
    assert all(not n.placeholders for n in tree.nodes.values() if n.id != "contact")


def test_the_content_stays_impartial(tree):
    everything = all_words(tree).lower()
    for pushy in ("you should appeal", "you should complain", "we recommend", "the best route", "you must choose"):
        assert pushy not in everything
    assert "will not tell you which route" in words_of(tree, "routes")


def test_uk_spelling(tree):
    everything = all_words(tree)
    for us in ("organiz", "behavior", "center", "program "):
        assert us not in everything


# --- copy rules over all content ------------------------------------------------------


def test_every_spoken_piece_is_short(tree):
    for node in tree.nodes.values():
        for part in node.say_parts:
            assert len(words(fill_samples(part))) <= MAX_SPOKEN_WORDS, (node.id, part)


def test_every_sentence_is_short(tree):
    for node in tree.nodes.values():
        for part in node.say_parts + node.text_parts:
            for sentence in sentences(fill_samples(part)):
                assert len(words(sentence)) <= MAX_SENTENCE_WORDS, (node.id, sentence)


def test_every_text_as_sent_is_gsm7_and_at_most_three_segments(tree):
    for node in tree.nodes.values():
        for body in tree.sms_parts(node.id, hours=HOURS):
            assert is_gsm7(body), (node.id, body)
            assert gsm7_length(body) <= MAX_SMS_CHARS, (node.id, gsm7_length(body))


def test_every_spoken_menu_with_its_reserved_keys_fits_in_thirty_seconds(tree):
    for node in tree.nodes.values():
        intro = node.say_parts[0] if node.kind == "menu" else tree.copy.say("menus.after_guidance")
        prompt = " ".join([intro, tree.spoken_choices(node.id), tree.copy.say("menus.reserved")])
        assert len(words(prompt)) <= MAX_SPOKEN_WORDS, node.id


def test_every_messages_file_meets_the_copy_rules():
    assert check_messages() == []


def test_every_sms_reply_ends_by_saying_what_to_send_next(tree):
    for node in tree.nodes.values():
        parts = tree.sms_parts(node.id, hours=HOURS)
        for body in parts[:-1]:
            assert body.splitlines()[-1].startswith("Send MORE"), node.id
        assert "MENU" in parts[-1].splitlines()[-1], node.id
    for key in ("menus.sms_help", "menus.sms_no_more", "menus.sms_suggest_footer", "menus.invalid"):
        assert "MENU" in tree.copy.text(key)


# --- the API the channels use -----------------------------------------------------------


def test_node_and_option_fields(tree):
    node = tree.node("appeal")
    assert (node.id, node.kind, node.title) == ("appeal", "guidance", "Appeals to the Tribunal")
    assert len(node.say_parts) > 1 and len(node.text_parts) > 1
    assert node.next is node.choices and node.options == ()
    assert {"APPEAL", "TRIBUNAL"} <= set(node.keywords)
    assert node.hints
    first = node.next[0]
    assert (first.key, first.target, first.is_action) == ("1", "action:deadline", True)
    assert first.say and first.text and first.only is None
    menu = tree.node("main")
    assert menu.options is menu.choices and menu.next == ()
    with pytest.raises(KeyError, match="nope"):
        tree.node("nope")


def test_choice_by_key(tree):
    assert tree.choice("main", "4").target == "health"
    assert tree.choice("main", 4).target == "health"
    assert tree.choice("main", "0") is None
    assert tree.choice("main", "*") is None
    assert tree.choice("main", "6", "sms") is None


def test_spoken_choices_and_speech_hints(tree):
    assert tree.spoken_choices("main").startswith("For support at school or college, press 1.")
    hints = tree.speech_hints("main")
    assert "health services" in hints and "NHS" in hints


def test_sms_parts_have_footers(tree):
    parts = tree.sms_parts("appeal")
    assert len(parts) == len(tree.node("appeal").text_parts)
    assert "Send MORE for part 2 of 3" in parts[0]
    assert "1 Work out your appeal deadline" in parts[-1]
    menu = tree.sms_parts("main")
    assert len(menu) == 1 and "\n1 Support at school or college\n" in menu[0]


def test_the_hours_placeholder_is_filled_by_the_channel(tree):
    assert HOURS in tree.sms_parts("contact", hours=HOURS)[0]
    with pytest.raises(KeyError):
        tree.sms_parts("contact")


def test_load_guidance_is_cached(tree):
    assert load_guidance() is tree


def test_flows_modules_do_not_import_web_or_queue_libraries():
    for name in ("guidance", "gsm7", "matching", "safety"):
        source = Path(guidance.__file__).with_name(f"{name}.py").read_text()
        imported = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
        assert not imported & {"flask", "twilio", "redis", "rq"}, name


# --- the checker catches each kind of mistake --------------------------------------------

GOOD = '''
last_reviewed = 2026-11-22
root = "main"

[actions]
"action:deadline" = ["DEADLINE"]

[nodes.main]
kind = "menu"
title = "Main menu"
say = ["What would you like help with?"]
text = ["What would you like help with?"]
keywords = ["MENU"]
fallback = "menus.invalid"

[[nodes.main.options]]
key = 1
target = "appeal"
say = "appeals"
text = "Appeals"

[nodes.appeal]
kind = "guidance"
title = "Appeals"
say = ["You can appeal."]
text = ["You can appeal."]
keywords = ["APPEAL"]
fallback = "menus.invalid"

[[nodes.appeal.next]]
key = 1
target = "action:deadline"
say = "your deadline"
text = "Your deadline"
'''

EXTRA_NODE = '''
[nodes.extra]
kind = "guidance"
title = "Extra"
say = ["More words."]
text = ["More words."]
fallback = "menus.invalid"
'''


def problems_for(toml_text: str, **kw) -> str:
    return "\n".join(check_guidance_text(toml_text, **kw))


def test_the_small_good_tree_passes():
    assert check_guidance_text(GOOD) == []


@pytest.mark.parametrize(
    "broken, expected",
    [
        # a node nobody can reach, by keys or by text
        (GOOD + EXTRA_NODE, "'extra' cannot be reached by keypad"),
        (GOOD + EXTRA_NODE, "'extra' cannot be reached by SMS"),
        # reachable by SMS keyword but not by keys
        (GOOD + EXTRA_NODE.replace('title = "Extra"', 'title = "Extra"\nkeywords = ["EXTRA"]'), "'extra' cannot be reached by keypad"),
        # a link to a node that does not exist
        (GOOD.replace('target = "appeal"', 'target = "apeal"'), "links to 'apeal', which is not a node"),
        # an action that does not exist
        (GOOD.replace('target = "action:deadline"', 'target = "action:calculator"'), "links to 'action:calculator'"),
        # a menu with no fallback
        (GOOD.replace('keywords = ["MENU"]\nfallback = "menus.invalid"', 'keywords = ["MENU"]'), "menu with no fallback"),
        # a fallback message that does not exist
        (GOOD.replace('keywords = ["MENU"]\nfallback = "menus.invalid"', 'keywords = ["MENU"]\nfallback = "menus.nope"'), "'menus.nope' is not a message"),
        # a menu with no options
        (GOOD.replace('[[nodes.main.options]]\nkey = 1\ntarget = "appeal"\nsay = "appeals"\ntext = "Appeals"', ""), "a menu with no options"),
        # reserved keys and keys out of range
        (GOOD.replace("key = 1\ntarget = \"appeal\"", 'key = 9\ntarget = "appeal"'), "key 9 is reserved for main menu"),
        (GOOD.replace("key = 1\ntarget = \"appeal\"", 'key = 0\ntarget = "appeal"'), "key 0 is reserved"),
        (GOOD.replace("key = 1\ntarget = \"appeal\"", 'key = "*"\ntarget = "appeal"'), "key * is reserved for repeat"),
        (GOOD.replace("key = 1\ntarget = \"appeal\"", 'key = 7\ntarget = "appeal"'), "key must be a digit 1 to 5"),
        # not GSM-7, too long for 3 texts
        (GOOD.replace('text = ["You can appeal."]', 'text = ["You can\u2019t appeal."]'), "not GSM-7 (U+2019"),
        (GOOD.replace('text = ["You can appeal."]', 'text = ["' + "Appeal now. " * 40 + '"]'), "characters (most 459"),
        (GOOD.replace('text = ["You can appeal."]', 'text = ["' + "Appeal [now]. " * 30 + '"]'), "characters (most 459"),  # [ ] count 2
        # spoken piece over 30 seconds; sentence over 25 words
        (GOOD.replace('say = ["You can appeal."]', 'say = ["' + "You can appeal. " * 26 + '"]'), "about 31 seconds (most 75 words)"),
        (GOOD.replace('say = ["You can appeal."]', 'say = ["' + "you can appeal " * 9 + '."]'), "sentence of 27 words"),
        (GOOD.replace('text = ["You can appeal."]', 'text = ["' + "you can appeal " * 9 + '."]'), "sentence of 27 words"),
        # too many options, and a spoken menu too long to take in
        (GOOD.replace('[[nodes.main.options]]', "\n".join(f'[[nodes.main.options]]\nkey = {k}\ntarget = "appeal"\nsay = "a"\ntext = "a"' for k in range(2, 7)) + "\n[[nodes.main.options]]"), "6 options (most 5)"),
        (GOOD.replace('say = "appeals"', 'say = "' + "appeals " * 60 + '"'), "spoken choices (with menus.reserved) are"),
        # duplicate keys, duplicate keywords, carrier keywords, number keywords
        (GOOD.replace('text = "Your deadline"', 'text = "Your deadline"\n\n[[nodes.appeal.next]]\nkey = 1\ntarget = "main"\nsay = "menu"\ntext = "Menu"'), "key 1 is used twice"),
        (GOOD.replace('keywords = ["APPEAL"]', 'keywords = ["APPEAL", "menu"]'), "keyword 'MENU' is used by both 'main' and 'appeal'"),
        (GOOD.replace('keywords = ["APPEAL"]', 'keywords = ["APPEAL", "STOP"]'), "'STOP' is handled by the SMS channel"),
        (GOOD.replace('keywords = ["APPEAL"]', 'keywords = ["APPEAL", "MORE"]'), "'MORE' is handled by the SMS channel"),
        (GOOD.replace('keywords = ["APPEAL"]', 'keywords = ["2"]'), "keyword '2' is a number"),
        (GOOD.replace('"action:deadline" = ["DEADLINE"]', '"action:pizza" = ["PIZZA"]'), "'action:pizza' is not one of"),
        # placeholders only the channel can fill
        (GOOD.replace('text = ["You can appeal."]', 'text = ["You can appeal by {date}."]'), "unknown placeholder(s) ['date']"),
        (GOOD.replace('text = ["You can appeal."]', 'text = ["You can appeal {."]'), "broken {placeholder}"),
        # structure
        (GOOD.replace("last_reviewed = 2026-11-22", ""), "last_reviewed must be a date"),
        (GOOD.replace('root = "main"', 'root = "start"'), "root 'start' is not a node"),
        (GOOD.replace('kind = "guidance"', 'kind = "page"'), "kind must be"),
        (GOOD.replace('say = ["You can appeal."]', "say = []"), "no spoken words"),
        (GOOD.replace('title = "Appeals"', 'title = "Appeals"\ncolour = "red"'), "unknown fields ['colour']"),
        (GOOD.replace("[[nodes.appeal.next]]", "[[nodes.appeal.options]]"), "a guidance node has next, not options"),
        (GOOD.replace('text = "Your deadline"', 'text = "Your deadline"\nonly = "fax"'), 'only must be "voice" or "sms"'),
        ("this is [not toml", "not valid TOML"),
    ],
)
def test_the_checker_catches(broken, expected):
    assert expected in problems_for(broken)


def test_an_option_for_voice_only_does_not_reach_by_sms():
    voice_only = (GOOD + EXTRA_NODE).replace(
        'text = "Your deadline"', 'text = "Your deadline"\n\n[[nodes.appeal.next]]\nkey = 2\ntarget = "extra"\nsay = "extra"\ntext = "Extra"\nonly = "voice"'
    )
    found = problems_for(voice_only)
    assert "'extra' cannot be reached by SMS" in found
    assert "by keypad" not in found


def test_the_footer_is_counted_in_the_length():
    # 440 characters alone fit; with the options footer they do not.
    body = ("Appeal now please. " * 24)[:440].strip()
    assert "(with footer)" in problems_for(GOOD.replace('text = ["You can appeal."]', f'text = ["{body}"]'))


def test_a_long_guidance_text_is_split_into_parts_that_each_fit():
    part = ("Appeal now please. " * 15).strip()
    assert check_guidance_text(GOOD.replace('text = ["You can appeal."]', f'text = ["{part}", "{part}", "{part}"]')) == []


def test_review_date_is_checked_against_today():
    assert "in the future" in problems_for(GOOD, today=dt.date(2026, 1, 1))
    assert "over a year ago" in problems_for(GOOD, today=dt.date(2028, 1, 1))
    assert check_guidance_text(GOOD, today=TODAY) == []


def test_load_guidance_refuses_broken_content(tmp_path):
    path = tmp_path / "guidance.toml"
    path.write_text(GOOD.replace('target = "appeal"', 'target = "apeal"'))
    with pytest.raises(ContentError) as error:
        load_guidance(path)
    assert any("apeal" in p for p in error.value.problems)
    assert "apeal" in str(error.value)


def test_load_guidance_reads_another_file(tmp_path):
    path = tmp_path / "guidance.toml"
    path.write_text(GOOD)
    small = load_guidance(path)
    assert set(small.nodes) == {"main", "appeal"}
    assert small.keyword_index == {"MENU": "main", "APPEAL": "appeal", "DEADLINE": "action:deadline"}


def test_check_content_reports_a_missing_guidance_file(tmp_path):
    assert any("file not found" in p for p in check_content(guidance_path=tmp_path / "none.toml"))


# --- the messages files checker ---------------------------------------------------------


@pytest.mark.parametrize(
    "entry, expected",
    [
        ('bad = "Don\u2019t worry."', "not GSM-7 (U+2019"),
        ('bad = { text = "' + "Call us now. " * 40 + '" }', "characters (most 459"),
        ('bad = { say = "' + "Call us now. " * 26 + '" }', "(most 75 words)"),
        ('bad = { say = "' + "call us now " * 9 + '." }', "sentence of 27 words"),
        ('bad = { text = "' + "call us now " * 9 + '." }', "sentence of 27 words"),
        ('bad = { words = "hello" }', "expected a string or a table"),
        ('bad = { text = "Open on {date} at {time}, {" }', "broken {placeholder}"),
        ("bad = [", "not valid TOML"),
    ],
)
def test_the_messages_checker_catches(tmp_path, entry, expected):
    (tmp_path / "good.toml").write_text('fine = "All good."\nboth = { say = "Hello.", text = "Hello." }\n')
    (tmp_path / "bad.toml").write_text(entry + "\n")
    found = "\n".join(check_messages(tmp_path))
    assert expected in found
    assert "good.toml" not in found


def test_messages_placeholders_are_measured_with_realistic_values(tmp_path):
    # a written-out date is 4 words: 21 words plus one date is 25 (fine), plus two is 29 (not)
    words21 = "word " * 21
    (tmp_path / "m.toml").write_text(f'ok = "{words21}{{date}}."\nlong = "{words21}{{date}} {{end_date}}."\n')
    found = check_messages(tmp_path)
    assert len(found) == 2 and all("long" in p for p in found)  # say and text versions


# --- key facts first, jargon, readability and spoken addresses: the checks themselves ------


def editorial(toml_text: str) -> str:
    import tomllib

    from flows.guidance import build_tree, editorial_problems

    tree, problems = build_tree(tomllib.loads(toml_text))
    assert problems == []
    return "\n".join(editorial_problems(tree))


def test_the_small_good_tree_passes_the_editorial_checks():
    assert editorial(GOOD) == ""


@pytest.mark.parametrize(
    "say, text, expected",
    [
        # a time limit only in a later part
        ('["You can appeal.", "Your appeal must reach the Tribunal within 2 months."]', '["You can appeal."]',
         "(say) part 1 has no time limit, but a later part does (2 month)"),
        ('["You can appeal."]', '["You can appeal.", "It takes six weeks."]', "(text) part 1 has no time limit"),
        # the parent's own time limit said later, another one first
        ('["Call us. The council has 6 weeks.", "You must appeal within 2 months."]', '["Call us."]',
         "does not give the parent's time limit '2 month'"),
        # nothing to do in the first part
        ('["Appeals are heard by a panel."]', '["You can appeal."]', "(say) part 1 does not say what to do"),
    ],
)
def test_key_facts_first_is_checked(say, text, expected):
    broken = GOOD.replace('say = ["You can appeal."]', f"say = {say}").replace('text = ["You can appeal."]', f"text = {text}")
    assert expected in editorial(broken)


def test_a_time_limit_in_the_first_part_passes():
    ok = GOOD.replace('say = ["You can appeal."]', 'say = ["You must appeal within 2 months. Call us.", "It takes 2 months."]')
    assert editorial(ok) == ""


GLOSSARY = '\n[glossary]\n"SENCO" = ["the teacher who organises special needs support"]\n"EHC plan" = ["Education, Health and Care plan"]\n'


@pytest.mark.parametrize(
    "text, explained",
    [
        ("Ask the SENCO.", False),
        ("Ask the SENCO (the teacher who organises special needs support).", True),
        ("Ask the SENCO. The SENCO is the teacher who organises special needs support.", True),  # the next sentence
        ("Ask the SENCO. Be kind. The SENCO is the teacher who organises special needs support.", False),  # too late
        ("Ask about the EHC plans.", False),  # plural
        ("An Education, Health and Care plan, called an EHC plan.", True),
        ("SEND Partnership Service. Ask the SENCOs.", False),
        ("Ask the school about SEND.", True),  # SENCO is a whole word: SEND is not it
    ],
)
def test_glossary_terms_are_explained_where_first_used(text, explained):
    from flows.guidance import unexplained_terms

    glossary = {"SENCO": ("the teacher who organises special needs support",), "EHC plan": ("Education, Health and Care plan",)}
    assert (unexplained_terms(glossary, [text]) == []) is explained


def test_an_option_label_counts_for_the_glossary():
    broken = GOOD.replace('text = "Appeals"', 'text = "Ask the SENCO"') + GLOSSARY
    assert "node 'main' (text): 'SENCO' is not explained" in editorial(broken)


# --- the glossary in the replies outside the guidance tree (deadline results, messages) ---


def test_every_deadline_result_and_every_message_explains_its_words(tree):
    from flows.deadline_kinds import kinds
    from flows.guidance import deadline_replies, reply_jargon_problems

    assert reply_jargon_problems(tree.glossary) == []
    replies = deadline_replies()
    for kind in kinds():  # every kind, written and spoken, is among the replies checked
        for version in ("text", "say"):
            assert any(where.startswith(f"deadline result {kind.name}") and v == version for where, v, _ in replies)
    appeal = next(r for where, v, r in replies if where.startswith("deadline result appeal") and v == "text")
    assert "Tribunal (special court)" in appeal and "the charity IPSEA" in appeal
    assert all(gsm7_length(r) <= MAX_SMS_CHARS for _, v, r in replies if v == "text")


def _messages_copy(tmp_path, old: str, new: str) -> Path:
    """The shipped messages in tmp_path, with one wording changed."""
    from flows.copy import MESSAGES_DIR

    for path in MESSAGES_DIR.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "deadlines.toml":
            assert old in text
            text = text.replace(old, new)
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_message_that_uses_a_word_without_explaining_it_is_found(tree, tmp_path):
    from flows.guidance import reply_jargon_problems

    messages = _messages_copy(tmp_path, "the charity IPSEA or the Tribunal (special court).", "IPSEA or the Tribunal.")
    problems = reply_jargon_problems(tree.glossary, messages)
    assert any(p.startswith("messages/deadlines.toml guide_note (text): 'Tribunal' is not explained") for p in problems)
    assert any("guide_note (text): 'IPSEA' is not explained" in p and "['charity']" in p for p in problems)
    assert not any("guide_note (say)" in p for p in problems)  # the spoken version still explains both
    assert any("guide_note (text): 'Tribunal'" in p for p in check_content(messages_dir=messages, today=TODAY))


def test_a_composed_deadline_result_that_uses_a_word_without_explaining_it_is_found(tree, tmp_path, monkeypatch):
    from flows import deadlines
    from flows.copy import load_copy
    from flows.guidance import reply_jargon_problems

    messages = _messages_copy(tmp_path, 'headline_discrimination = "Your claim must reach the Tribunal (special court) by',
                              'headline_discrimination = "Your claim must reach the Tribunal by')
    monkeypatch.setattr(deadlines, "load_copy", lambda *a, **k: load_copy(messages))  # the results' words
    problems = reply_jargon_problems(tree.glossary, messages)
    claim = [p for p in problems if p.startswith("deadline result discrimination_claim")]
    assert any("(text): 'Tribunal' is not explained" in p and "Your claim must reach the Tribunal by 5pm" in p
               for p in claim)
    assert any("(say): 'Tribunal'" in p for p in claim)
    assert not [p for p in problems if p.startswith("deadline result appeal")]  # its headline still explains it


def test_the_readability_limits_are_enforced_for_guidance_pages():
    import tomllib

    from flows.guidance import build_tree, reading_report

    hard = ("Notwithstanding the aforementioned considerations, individualised educational provision "
            "necessitates comprehensive multidisciplinary evaluation.")
    tree, _ = build_tree(tomllib.loads(GOOD.replace('text = ["You can appeal."]', f'text = ["{hard}"]')))
    report = reading_report(tree)
    assert report.pages[0][0] == "appeal" and report.pages[0][1] > 8 > report.pages[0][2]
    found = "\n".join(report.problems())
    assert "node 'appeal' (text): reading grade" in found and "(most 8)" in found
    assert "guidance (text): median reading grade" in found and "(say)" not in found
    assert "median" in report.lines()[0] and "limit 6" in report.lines()[0]


def test_the_shipped_guidance_is_plain_english():
    from flows.readability import GUIDANCE_MEDIAN_LIMIT, GUIDANCE_NODE_LIMIT

    report = guidance.reading_report(load_guidance())
    assert report.median_text <= GUIDANCE_MEDIAN_LIMIT == 6
    assert report.median_say <= GUIDANCE_MEDIAN_LIMIT
    assert max(max(t, s) for _, t, s in report.pages) <= GUIDANCE_NODE_LIMIT == 8
    assert len(report.pages) == sum(n.kind == "guidance" for n in load_guidance().nodes.values())


def test_spoken_address_pieces_must_be_known_words_or_in_the_spoken_table():
    import tomllib

    from flows.guidance import address_problems, build_tree

    toml = GOOD.replace('say = ["You can appeal."]', 'say = ["Email sen_admin@bathnes.gov.uk to appeal."]')
    tree, _ = build_tree(tomllib.loads(toml))
    assert "how should the voice read 'bathnes'" in "\n".join(address_problems(tree))
    tree, _ = build_tree(tomllib.loads(toml + '\n[spoken]\nbathnes = "bath n e s"\nsen = "s e n"\n'))
    assert address_problems(tree) == []
    assert tree.node("appeal").say_parts == ("Email s e n, underscore, admin, at bath n e s dot gov dot uk to appeal.",)
    assert tree.node("appeal").say_written == ("Email sen_admin@bathnes.gov.uk to appeal.",)
