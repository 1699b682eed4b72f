"""Match an incoming text to the guidance: a keyword, a numbered option, or likely routes.

    match(text, tree, last_menu=None) -> Match

The SMS channel calls this AFTER it has dealt with STOP/START/HELP (carrier words) and
after flows.safety.detect_risk (risk comes first, always). The result says what to send:

    Match.kind == "option"   a number ("2", "2.", "option 2") picked an option of last_menu
                             (or of the main menu if there is no last menu): .target, .key
    Match.kind == "keyword"  a keyword ("appeal", "Mediation please", "ehc plan", "tribunel")
                             opened a node or an action: .target ("appeal", "action:deadline")
    Match.kind == "more"     MORE / NEXT: send the next part of the last node's texts
    Match.kind == "topic"    free text that points firmly at one route ("my son has been
                             excluded what can i do"): .target, sent like a keyword
    Match.kind == "chat"     thanks, ok, "is anyone there?": .target "thanks" or "anyone"; reply
                             kindly with what this line is and when a person is there
    Match.kind == "language" a text in another language, or a request for an interpreter:
                             .target the language (flows.language); reply offering an
                             interpreter call back
    Match.kind == "routes"   free text ("the school won't give my son his hours") matched up
                             to 3 routes, best first, none of them firmly: .routes (node ids);
                             reply with tree.sms_suggestions(match.routes) (ask again)
    Match.kind == "none"     nothing matched: reply with menus.sms_help (ask again)

How: the text is normalised (case, spacing, punctuation, apostrophes). An exact keyword wins.
Then filler words ("please", "I want to", "about") are dropped and what is left is tried as a
keyword; a short text (3 words or fewer, not counting fillers) whose words all point at one
keyword target is taken as that keyword. Small misspellings are forgiven with an edit
distance (one slip for words of 4-7 letters, two for 8 or more; none for short words like
NHS, so "HI" never matches "HR"). Otherwise every node is scored by the keywords and `hints`
in guidance.toml found in the text (phrases count more than single words; plural "s" and
small slips forgiven) and the best nodes with an SMS keyword are returned as routes (so the
reply can tell the parent which word to send). No new dependencies: plain Python.

Free text goes straight to a route ("topic") only when it is firm: the text holds a `decisive`
phrase of exactly one node (guidance.toml: "excluded", "refused to assess", "i am 17"), or,
with none, the best node scores at least FIRM_SCORE and twice the next. Otherwise the parent
is asked again with suggestions: a wrong legal route costs more than one more text. Before
any topic matching: a text in another language (flows.language, never on a stray "la"), a
request for a call back ("can someone ring me" -> action:callback) or for a person
(action:person), and thanks or "is anyone there?" (chat).

route_of(match) names where a match leads, for the routing corpus (tests/corpus/routing.txt):
a node id or action, "reply:thanks", "reply:anyone", "reply:language", "more" or "ask again".
evaluate(lines, tree) replays such a corpus and returns a RoutingReport (share right, and every
text sent somewhere other than expected), printed by `flask content check`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flows.guidance import GuidanceTree, normalise_keyword
from flows.language import asks_for_interpreter, other_language

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
    YES NO SORRY DEAR HE SHE HIS HER HIM THEY THEIR THEM SON DAUGHTER CHILD KID KIDS MAKE WHEN
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
    # Every content word must be part of a keyword, or the text says something else too; and a
    # word said over and over ("la la la") is not a request.
    if len(set(content)) < len(content):
        return None
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


FIRM_SCORE = 6  # without a decisive phrase, free text opens a route only with this score...
FIRM_MARGIN = 2  # ...and at least this many times the next route's score
LONG_TEXT_WORDS = 20  # a text this long that touches 3 other routes too is asked about, even with a firm phrase

# Said as texting parents say them (normalised: upper case, no punctuation).
CALLBACK_PHRASES = (
    "CALL ME", "RING ME", "PHONE ME", "CALL BACK", "CALLBACK", "RING BACK", "PHONE BACK", "CALL ME BACK",
    "SOMEONE TO CALL", "SOMEONE TO RING", "SOMEONE TO PHONE", "SOMEONE CALL", "SOMEONE RING", "SOMEONE PHONE",
    "SUM1 CALL", "SUM1 RING", "ADVISER CALL", "ADVISOR CALL", "GIVE ME A CALL", "GIVE ME A RING", "CALL US",
    "RING US",
)
PERSON_PHRASES = (
    "SPEAK TO A PERSON", "TALK TO A PERSON", "SPEAK TO SOMEONE", "TALK TO SOMEONE", "SPEAK TO SOMEBODY",
    "TALK TO SOMEBODY", "SPEAK TO AN ADVISER", "SPEAK TO AN ADVISOR", "TALK TO AN ADVISER", "TALK TO AN ADVISOR",
    "REAL PERSON", "A HUMAN", "SPEAK TO A HUMAN", "TALK TO A HUMAN", "SPEAK WITH SOMEONE",
)
HOURS_PHRASES = ("OPENING HOURS", "OPENING TIMES", "WHEN ARE YOU OPEN", "ARE YOU OPEN", "WHAT TIME DO YOU OPEN",
                 "WHEN DO YOU OPEN", "WHAT TIMES ARE YOU OPEN", "WHEN DOES THE LINE OPEN")
MAX_INTENT_WORDS = 15  # a long story that mentions "call me" is about its story, not a call back
THANKS_WORDS = frozenset("THANK THANKS THANKYOU TA THX TY CHEERS OK OKAY OKK KK K".split())
THANKS_EXTRA = frozenset(
    "YOU SO MUCH VERY FOR YOUR THE HELP BYE GREAT LOVELY BRILLIANT GOOD NICE ALRIGHT RIGHT AGAIN X XX XXX "
    "THAT WILL DO GOT IT PERFECT FAB".split()
)
ANYONE = re.compile(
    r"\b(ANYONE|ANYBODY|SOMEONE|SOMEBODY) (THERE|HERE|AROUND|READING)\b|\bARE YOU THERE\b"
    r"|\b(ARE YOU|IS THIS|IS IT|IS THAT) (A |AN )?(REAL|HUMAN|PERSON|ROBOT|BOT|COMPUTER|AUTOMATIC|AUTOMATED|MACHINE)"
    r"|\bTALKING TO A (ROBOT|BOT|MACHINE|COMPUTER)\b"
)
GREETING_ONLY = re.compile(r"^\s*(hello|hi|hey|hiya)?\s*\?{2,}\s*$", re.IGNORECASE)


def _has(phrase: str, text: str) -> bool:
    return f" {phrase} " in f" {text} "


def _chat(norm: str, raw: str) -> str | None:
    """'thanks' for thanks or OK, 'anyone' for 'is anyone there?' or 'are you a robot'."""
    tokens = norm.split()
    if ANYONE.search(norm) or (GREETING_ONLY.match(raw) and "?" in raw and len(raw.strip()) > 2 and norm != "?"):
        return "anyone"
    if tokens and set(tokens) & THANKS_WORDS and set(tokens) <= THANKS_WORDS | THANKS_EXTRA:
        return "thanks"
    return None


def _intent(norm: str) -> str | None:
    """action:callback for 'can someone ring me', action:person for 'can i talk to someone'."""
    if len(norm.split()) > MAX_INTENT_WORDS:
        return None
    if any(_has(p, norm) for p in CALLBACK_PHRASES):
        return "action:callback"
    if any(_has(p, norm) for p in PERSON_PHRASES):
        return "action:person"
    if any(_has(p, norm) for p in HOURS_PHRASES):
        return "action:hours"
    return None


def decisive_nodes(tokens: list[str], tree: GuidanceTree) -> list[str]:
    """Nodes with a decisive phrase in the text (single words forgive slips: 'exluded')."""
    text = " " + " ".join(tokens) + " "
    fuzzy = [t for t in dict.fromkeys(tokens) if t not in FILLERS][:MAX_FUZZY_WORDS]
    found = []
    for node in tree.nodes.values():
        for phrase in (normalise_keyword(p) for p in node.decisive):
            if not phrase:
                continue
            if f" {phrase} " in text or (" " not in phrase and len(phrase) >= 6 and any(close(t, phrase) for t in fuzzy)):
                found.append(node.id)
                break
    return found


def match(text: str, tree: GuidanceTree, last_menu: str | None = None) -> Match:
    """What an incoming text asks for: an option, a keyword, MORE, a firm topic, a chat reply,
    another language, likely routes, or none."""
    norm = normalise_keyword(text or "")
    language = other_language(text or "")
    if language or asks_for_interpreter(text or ""):
        return Match("language", language or "asked")
    chat = _chat(norm, text or "")
    if chat == "anyone":
        return Match("chat", "anyone")
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
    if chat:
        return Match("chat", chat)
    intent = _intent(norm)
    if intent:
        return Match("keyword", intent)
    tokens = norm.split()
    content = [t for t in tokens if t not in FILLERS]
    firm = decisive_nodes(tokens, tree)
    scored = [(score, node_id) for score, node_id in score_routes(tokens, tree) if tree.node(node_id).keywords]
    if len(firm) == 1 and scored:
        # A long story that touches three other routes too ("...reduce his hours... the council
        # won't answer... tribunal") is about more than its one firm phrase: ask which.
        others = [n for _, n in scored if n != firm[0]]
        if len(tokens) > LONG_TEXT_WORDS and len(others) >= 3:
            return Match("routes", routes=tuple(dict.fromkeys([firm[0], *(n for _, n in scored)]))[:MAX_ROUTES])
    if len(firm) == 1 and len(tokens) > 1:  # a phrase beats a lone keyword ("how do i get an ehcp")
        return Match("topic", firm[0])
    if content and len(content) <= MAX_KEYWORD_WORDS:
        target = _keyword(" ".join(content), tree, fuzzy=True) or _short_text_target(tokens, content, tree)
        if target:
            return Match("keyword", target)
    if len(firm) == 1:
        return Match("topic", firm[0])
    if len(firm) > 1:  # two firm routes ("excluded" and "refused to assess"): ask which
        return Match("routes", routes=tuple(firm[:MAX_ROUTES]))
    if scored and scored[0][0] >= FIRM_SCORE and (len(scored) == 1 or scored[0][0] >= FIRM_MARGIN * scored[1][0]):
        return Match("topic", scored[0][1])
    routes = tuple(node_id for _, node_id in scored)
    if routes:
        return Match("routes", routes=routes[:MAX_ROUTES])
    return NONE


# --- the routing corpus -------------------------------------------------------------------

ASK_AGAIN = "ask again"


def route_of(found: Match) -> str:
    """Where a match leads, in the words of the routing corpus."""
    if found.kind in ("option", "keyword", "topic"):
        return found.target or ASK_AGAIN
    if found.kind == "chat":
        return f"reply:{found.target}"
    if found.kind == "language":
        return "reply:language"
    if found.kind == "more":
        return "more"
    return ASK_AGAIN


@dataclass(frozen=True)
class RoutingReport:
    """How a corpus of texts was routed: right, asked again (safe), or sent somewhere wrong."""

    total: int
    right: int
    asked_again: tuple[tuple[str, str], ...]  # (expected, text): not right, but safe
    wrong: tuple[tuple[str, str, str], ...]  # (expected, got, text): sent to a wrong route or reply

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 0.0

    def line(self) -> str:
        return (f"Free-text routing: {self.right} of {self.total} corpus texts routed right ({self.share:.1%}); "
                f"{len(self.asked_again)} asked again; {len(self.wrong)} sent to a wrong route.")


def parse_corpus(lines) -> list[tuple[str, str]]:
    """(expected, text) from 'expected | text' lines; blank lines and # comments skipped."""
    out = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        expected, sep, text = line.partition("|")
        if sep:
            out.append((expected.strip(), text.strip()))
    return out


def evaluate(lines, tree: GuidanceTree) -> RoutingReport:
    """Replay a routing corpus (each text as a first text, with no menu open)."""
    cases = parse_corpus(lines)
    right, again, wrong = 0, [], []
    for expected, text in cases:
        got = route_of(match(text, tree))
        if got == expected:
            right += 1
        elif got == ASK_AGAIN:
            again.append((expected, text))
        else:
            wrong.append((expected, got, text))
    return RoutingReport(len(cases), right, tuple(again), tuple(wrong))
