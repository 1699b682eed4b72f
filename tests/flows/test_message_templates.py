"""Every prompt rendered with sample values reads as a whole sentence (issue 13 item 5).

Found on a call: "Press 1 to keep A general question" (a title used mid-sentence). Each message
in flows/content/messages/*.toml, spoken and written, is filled from SAMPLES (values written the
way the code writes them: dates as "Monday 2 March 2026" in texts and "Monday the 2nd of March"
when spoken) and checked: nothing left in braces, no double spaces, no capitalised word inside
a sentence that is not a name, and it ends as a sentence ends.
"""

from __future__ import annotations

import re
import string
import tomllib

import pytest

from flows import callbacks as rules
from flows.copy import MESSAGES_DIR
from flows.guidance import load_guidance

# One realistic value per placeholder name, as the code fills it: (written, spoken).
SAMPLES: dict[str, tuple[str, str]] = {
    "hours": ("The helpline is open 10am to 3pm, Monday to Thursday, in school term time.",) * 2,
    "status": ("The helpline is closed at the weekend. We open again on Monday 2 March 2026 at 10am.",
               "The helpline is closed at the weekend. We open again on Monday the 2nd of March at 10am."),
    "day": ("Monday 2 March 2026", "Monday the 2nd of March"),
    "date": ("Monday 2 March 2026", "Monday the 2nd of March 2026"),
    "deadline": ("Monday 2 March 2026", "Monday the 2nd of March 2026"),
    "start": ("Monday 2 March 2026", "Monday the 2nd of March 2026"),
    "cert_end": ("Monday 2 March 2026", "Monday the 2nd of March 2026"),
    "decision_end": ("Friday 27 February 2026", "Friday the 27th of February 2026"),
    "safe": ("Friday 27 February 2026", "Friday the 27th of February 2026"),
    "closed": ("Monday 2 March 2026", "Monday the 2nd of March"),
    "when": ("30th of February 2026",) * 2,
    "time": ("10am",) * 2,
    "opens": ("10am",) * 2,
    "closes": ("3pm",) * 2,
    "end": ("3pm",) * 2,
    "days": ("Monday to Thursday",) * 2,
    "detail": ("Friday",) * 2,
    "weekday": ("Saturday",) * 2,
    "actual": ("Saturday",) * 2,
    "given": ("Friday",) * 2,
    "month": ("February",) * 2,
    "nth": ("30th",) * 2,
    "year": ("2026",) * 2,
    "last": ("5",) * 2,
    "number": ("07700 900123", "0 7 7 0 0, 9 0 0 1 2 3"),
    "digits": ("0 7 7 0 0, 9 0 0 1 2 3",) * 2,
    "digit": ("1",) * 2,
    "key": ("1",) * 2,
    "part": ("2",) * 2,
    "parts": ("3",) * 2,
    "helpline": ("01225 394382", "0 1 2 2 5, 3 9 4 3 8 2"),
    "textphone": ("07530 263401", "0 7 5 3 0, 2 6 3 4 0 1"),
    "keyword": ("HEALTH",) * 2,
    "name": ("health services",) * 2,  # option labels are written lower case in guidance.toml
    "option": ("health services",) * 2,
    "what": ("an appeal to the Tribunal",) * 2,
    "names": ("Monday 2 March 2026 and Monday 9 March 2026",) * 2,
    "reason": ("a bank holiday",) * 2,
    "what_to_do": ("Send your appeal to the Tribunal.",) * 2,
    "problem": ("Sorry, I could not find a date in that.",) * 2,
    "language": ("Polish",) * 2,
    "title": ("A general question",) * 2,  # a heading: only where a heading can stand (after a colon)
    "topic": ("a general question",) * 2,  # rules.topic_phrase: the topic inside a sentence
}
FALLBACK = "sample words"  # a placeholder not in SAMPLES (new copy): still checked for shape

# Words that keep their capital inside a sentence: names of days, months, places, services, and
# the words parents are asked to send (MENU).
NAMES = frozenset("""
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
    August September October November December Christmas Easter Bath North East Somerset England UK
    SEND Partnership Service Tribunal Global Mediation IPSEA Ofsted NHS PALS Relay Samaritans Missing People
    NSPCC Domestic Abuse Helpline Education Health Care EHC Local Offer Council Childline Shout I
    Polish English Romanian Spanish Portuguese Urdu Bengali Arabic PL RO ES PT UR BN AR OK
""".split())
# Entries written to be part of something bigger (a list line, "<day> is ..."): no sentence end.
FRAGMENTS = re.compile(r"^(menus\.(sms_option|sms_suggestion)|deadlines\.(day_|list_item_)|sms\.interpreter_)")
ENDINGS = (".", "?", "!", ":", '."', '?"')


def messages() -> list[tuple[str, str, str]]:
    """(key, version, template) for every message, spoken and written."""
    out = []
    for path in sorted(MESSAGES_DIR.glob("*.toml")):
        with open(path, "rb") as f:
            for name, value in tomllib.load(f).items():
                versions = {"say": value, "text": value} if isinstance(value, str) else value
                for version, template in versions.items():
                    out.append((f"{path.stem}.{name}", version, template))
    return out


def render(template: str, spoken: bool) -> str:
    values = {}
    for _, field, _, _ in string.Formatter().parse(template):
        if field:
            values[field] = SAMPLES[field][1 if spoken else 0] if field in SAMPLES else FALLBACK
    return template.format(**values).strip()


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?:])\s+|\n+", text) if s.strip()]


def misplaced_capitals(text: str) -> list[str]:
    """Capitalised words inside a sentence that are not names ('keep A general question')."""
    found = []
    for sentence in sentences(text):
        words = sentence.split()
        for before, word in zip(words, words[1:]):
            bare = word.strip(",;:()").rstrip(".!?")
            if word.startswith(('"', "'")) or before.endswith(('"', "-", ":")):
                continue  # quoted, or a heading after a colon
            if bare[:1].isupper() and (bare[1:] == "" or bare[1:].islower()) \
                    and not {bare, bare.removesuffix("'s"), bare.removesuffix("s")} & NAMES:
                found.append(f"{before} {word}")
    return found


CASES = messages()


@pytest.mark.parametrize("key,version,template", CASES, ids=[f"{k}:{v}" for k, v, _ in CASES])
def test_every_message_renders_as_whole_sentences(key, version, template):
    text = render(template, spoken=version == "say")
    assert "{" not in text and "}" not in text, text
    assert "  " not in text.replace("\n", " \n"), f"double space in {text!r}"
    assert not re.search(r" [.,;:?!]", text), f"space before punctuation in {text!r}"
    assert misplaced_capitals(text) == [], text
    if not FRAGMENTS.match(key):
        assert text.endswith(ENDINGS), f"{key} ({version}) does not end as a sentence ends: {text[-40:]!r}"


def test_the_samples_cover_the_placeholders_the_code_fills():
    names = {field for _, _, t in CASES for _, field, _, _ in string.Formatter().parse(t) if field}
    missing = sorted(names - set(SAMPLES))
    assert len(missing) <= len(names) // 4, f"add realistic samples for {missing}"


def test_the_callback_topic_question_says_the_topic_as_words_not_a_heading():
    # Found: "Press 1 to keep A general question".
    from flows.copy import load_copy

    copy = load_copy()
    tree = load_guidance()
    for topic in [*tree.nodes, rules.DEFAULT_TOPIC]:
        phrase = rules.topic_phrase(tree, topic)
        for key in ("callbacks.ask_topic",):
            if key in copy.messages and copy.messages[key].say and "{topic}" in copy.messages[key].say:
                said = copy.say(key, topic=phrase, title=rules.topic_title(tree, topic))
                assert misplaced_capitals(said) == [], said


@pytest.mark.parametrize("topic, phrase", [
    ("main", "a general question"), ("general", "a general question"), ("health", "health services"),
    ("local_offer", "the Local Offer"), ("ofsted", "Ofsted: whole-school problems"),
    ("assessment", "asking for an EHC needs assessment"), ("appeal", "appeals to the Tribunal"),
])
def test_a_topic_inside_a_sentence_loses_the_heading_capital_but_keeps_names(topic, phrase):
    assert rules.topic_phrase(load_guidance(), topic) == phrase


def test_every_topic_phrase_reads_inside_a_sentence():
    tree = load_guidance()
    for topic in tree.nodes:
        said = f"For {rules.topic_phrase(tree, topic)}, press 1."
        assert misplaced_capitals(said) == [], said


# "For <verb phrase>" is not English: "For keep it, press 1" was heard by a tester.
VERBS = {"keep", "move", "cancel", "change", "key", "text", "hear", "get", "ask", "go", "send", "give", "say", "call"}


def test_every_spoken_choice_of_the_conversations_reads_as_a_sentence():
    from flows.conversations import content
    import tomllib

    from flows.conversations.engine import CHOICE, Prompt
    from flows.conversations.render import speech
    from flows.copy import load_copy

    copy = load_copy()
    heard = []
    for path in content.CONVERSATIONS_DIR.glob("*.toml"):
        name = path.stem
        for group, items in tomllib.loads(path.read_text()).items():
            if isinstance(items, list) and items and isinstance(items[0], dict) and "id" in items[0]:
                prompt = Prompt("x", CHOICE, "conversations.not_understood", {}, content.choices(name, group))
                heard.append((f"{name}.{group}", speech(copy, prompt)))
    assert heard
    for where, said in heard:
        for part in re.findall(r"For ([^,]+), press", said):
            assert part.split()[0].lower() not in VERBS, f"{where}: 'For {part}, press'"
        assert "For to " not in said, (where, said)
