"""Match an incoming text to the guidance: a keyword, a numbered option, or likely routes.

    match(text, tree, last_menu=None) -> Match

The SMS channel calls this AFTER it has dealt with STOP/START/HELP (carrier words) and
after flows.safety.detect_risk (risk comes first, always). The result says what to send:

    Match.kind == "option"   a number ("2", "2.", "option 2") picked an option of last_menu
                             (or of the main menu if there is no last menu): .target, .key
    Match.kind == "keyword"  a keyword ("appeal", "Mediation please", "ehc plan", "tribunel")
                             opened a node or an action: .target ("appeal", "action:deadline")
    Match.kind == "more"     MORE / NEXT: send the next part of the last node's texts
    Match.kind == "routes"   free text ("the school won't give my son his hours") matched up
                             to 3 routes, best first: .routes (node ids); reply with
                             tree.sms_suggestions(match.routes)
    Match.kind == "none"     nothing matched: reply with menus.sms_help

How: the text is normalised (case, spacing, punctuation, apostrophes). An exact keyword wins.
Then filler words ("please", "I want to", "about") are dropped and what is left is tried as a
keyword; a short text (3 words or fewer, not counting fillers) whose words all point at one
keyword target is taken as that keyword. Small misspellings are forgiven with an edit
distance (one slip for words of 4-7 letters, two for 8 or more; none for short words like
NHS, so "HI" never matches "HR"). Otherwise every node is scored by the keywords and `hints`
in guidance.toml found in the text (phrases count more than single words; plural "s" and
small slips forgiven) and the best nodes with an SMS keyword are returned as routes (so the
reply can tell the parent which word to send). No new dependencies: plain Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flows.guidance import GuidanceTree, normalise_keyword

MORE_WORDS = frozenset({"MORE", "NEXT", "CONTINUE", "MOR"})
MAX_ROUTES = 3
MAX_KEYWORD_WORDS = 3

# Words that carry no topic: dropped before keyword matching and scoring.
FILLERS = frozenset(
    """
    A AN THE PLEASE PLS PLZ THANKS THANK YOU I IM ID IVE ME MY MINE WE OUR US WANT WANTS
    WANTED NEED NEEDS TO TO FOR ABOUT ON OF IN INFO INFORMATION TELL SOME ANY HOW DO DOES
    CAN COULD WOULD SHOULD IS ARE WAS BE IT ITS THIS THAT WITH AND OR SO HELP ADVICE
    GET GIVE KNOW WHAT ABOUT RE REGARDING HAVE HAS HAD SEND TEXT JUST HI HELLO HEY OK OKAY
    YES NO SORRY DEAR HE SHE HIS HER HIM THEY THEIR THEM SON DAUGHTER CHILD KID KIDS
    """.split()
)


@dataclass(frozen=True)
class Match:
    """What an incoming text means (see the module docstring for each kind)."""

    kind: str
    target: str | None = None
    key: str | None = None
    routes: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.kind != "none"


NONE = Match("none")


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance (a swap of two letters is one slip); stops early
    and returns limit + 1 once it is clear the distance is more than limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def slips_allowed(word: str) -> int:
    """How many typing slips to forgive in a word this long."""
    n = len(word.replace(" ", ""))
    return 0 if n < 4 else 1 if n < 8 else 2


def close(word: str, target: str) -> bool:
    """Same word, allowing a plural s and a few slips for longer words."""
    if word == target or word.rstrip("S") == target.rstrip("S"):
        return True
    allowed = min(slips_allowed(word), slips_allowed(target))
    return allowed > 0 and edit_distance(word, target, allowed) <= allowed


def _number(norm: str) -> str | None:
    m = re.fullmatch(r"(?:OPTION |NUMBER |NO |NUM )?(\d)", norm)
    return m.group(1) if m else None


def _keyword(phrase: str, tree: GuidanceTree, fuzzy: bool) -> str | None:
    """The target of a keyword equal to (or, if fuzzy, a slip away from) phrase."""
    if phrase in tree.keyword_index:
        return tree.keyword_index[phrase]
    if not fuzzy or slips_allowed(phrase) == 0:
        return None
    hits = {t for k, t in tree.keyword_index.items() if close(phrase, k) or close(phrase.replace(" ", ""), k.replace(" ", ""))}
    return hits.pop() if len(hits) == 1 else None


def _short_text_target(tokens: list[str], content: list[str], tree: GuidanceTree) -> str | None:
    """For a few words: the one keyword target they all point at, if there is one."""
    targets: set[str] = set()
    covered: set[int] = set()
    for size in (3, 2, 1):
        for i in range(len(tokens) - size + 1):
            if covered & set(range(i, i + size)):
                continue
            target = _keyword(" ".join(tokens[i:i + size]), tree, fuzzy=size == 1 and tokens[i] not in FILLERS)
            if target:
                targets.add(target)
                covered |= set(range(i, i + size))
    # Every content word must be part of a keyword, or the text says something else too.
    if any(i not in covered for i, t in enumerate(tokens) if t not in FILLERS):
        return None
    if len(targets) > 1:
        targets.discard(tree.root)  # "Hi, appeal please": the greeting is not the topic
    return targets.pop() if len(targets) == 1 else None


MAX_FUZZY_WORDS = 40


def score_routes(tokens: list[str], tree: GuidanceTree) -> list[tuple[int, str]]:
    """(score, node id) for every node whose hints or keywords appear in the text."""
    text = " " + " ".join(tokens) + " "
    content = list(dict.fromkeys(t for t in tokens if t not in FILLERS))  # each word once: long texts repeat
    stems = {t.rstrip("S") for t in content}
    fuzzy = content[:MAX_FUZZY_WORDS]  # spelling slips are forgiven in the first words only: a 1600-character
    scored = []                        # text would otherwise cost tens of milliseconds
    for node in tree.nodes.values():
        score = 0
        for phrase in {normalise_keyword(h) for h in (*node.hints, *node.keywords)}:
            if not phrase:
                continue
            if " " in phrase:
                if f" {phrase} " in text:
                    score += 2 * len(phrase.split())
            elif phrase.rstrip("S") in stems:
                score += 2
            elif any(close(t, phrase) for t in fuzzy):
                score += 1
        if score:
            scored.append((score, node.id))
    order = {node_id: i for i, node_id in enumerate(tree.nodes)}
    return sorted(scored, key=lambda s: (-s[0], order[s[1]]))


def match(text: str, tree: GuidanceTree, last_menu: str | None = None) -> Match:
    """What an incoming text asks for: an option, a keyword, MORE, likely routes, or none."""
    norm = normalise_keyword(text or "")
    if not norm:
        return NONE
    number = _number(norm)
    if number is not None:
        menu = last_menu if last_menu in tree.nodes else tree.root
        option = tree.choice(menu, number, "sms")
        return Match("option", option.target, option.key) if option else NONE
    if norm in MORE_WORDS:
        return Match("more")
    if norm in tree.keyword_index:
        return Match("keyword", tree.keyword_index[norm])
    tokens = norm.split()
    content = [t for t in tokens if t not in FILLERS]
    if content and len(content) <= MAX_KEYWORD_WORDS:
        target = _keyword(" ".join(content), tree, fuzzy=True) or _short_text_target(tokens, content, tree)
        if target:
            return Match("keyword", target)
    routes = tuple(node_id for _, node_id in score_routes(tokens, tree) if tree.node(node_id).keywords)
    if routes:
        return Match("routes", routes=routes[:MAX_ROUTES])
    return NONE
