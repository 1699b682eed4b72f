"""The route guidance tree: one source of content for the phone menus and the SMS flows.

The words live in flows/content/guidance.toml (the tree) and flows/content/messages/*.toml
(shared phrases, read with flows.copy). This module loads the tree, checks it, and offers a
small API the channels (ivr/, sms/) render. It never talks to Twilio: it returns words.

Loading and checking
--------------------
load_guidance(path=None) -> GuidanceTree
    Read and check guidance.toml (cached). Raises ContentError (with .problems) if anything
    is wrong, so a broken edit fails at start-up, not in front of a parent.
check_content(guidance_path=None, messages_dir=None, safety_path=None, today=None) -> list[str]
    Every problem across the guidance tree, every messages file, the conversations' content
    (flows/conversations/content.py: option lists, languages, the messages each uses) and safety.toml; an empty
    list means good. For the `flask content check` CLI and for CI. With `today`, it also
    complains if last_reviewed is in the future or more than 12 months old. It adds the
    editorial checks that start-up does not run (a wording slip should fail CI, not stop the
    helpline): editorial_problems (key facts first, glossary terms explained),
    address_problems (spoken addresses) and reading_report(...).problems() (reading grade).
reading_report(tree, messages_dir) -> ReadingReport
    Flesch-Kincaid grades (flows.readability) of every guidance page, text and spoken, and of
    the menus and messages; .problems() enforces a median of 6 and at most 8 a page for the
    guidance (menus and messages are reported only); .lines() for the CLI.
check_guidance_text(toml_text) -> list[str]
    The same checks for a TOML string (used by tests and handy in a REPL).

Rules checked: every node reachable by keypad from the main menu and by SMS (keyword or
numbered reply) from the main menu; every link goes to a node or one of ACTIONS; every node
has a fallback message (said when the caller presses or says something that is not an
option); menus have 1 to 5 options with keys 1-5 (0, 9 and * are reserved, see RESERVED_KEYS);
every text as sent (with its footer) is GSM-7 and at most 459 characters (3 segments);
every spoken prompt is at most 75 words (about 30 seconds at 150 words a minute); every
sentence is at most 25 words; SMS keywords are unique and not ones the carrier handles.

Editorial rules (check_content only):
- Key facts first (key_facts_problems): the first text and first spoken paragraph of every
  guidance page name a way to act (contact, ask, write, call...); if any later part gives a
  time limit ("2 months", "15 school days"), the first part gives one too, and every time
  limit put on the parent later ("you must", "your appeal must") is also in the first part.
- Words explained (jargon_problems): each [glossary] term in guidance.toml ("EHC plan",
  "SENCO", "ICB", "PALS", "Ombudsman", "Tribunal"...) comes with one of its explanations in
  the sentence where a reply first uses it (or the next one). A reply is a node's texts in
  the order MORE sends them, with its option labels; or its spoken paragraphs with the
  spoken options. Case matters for acronyms, so SEN is not SEND or SENCO. The same rule for the
  replies outside the tree (reply_jargon_problems): every deadline result as the channels compose
  it (deadline_replies: each kind of deadline_kinds.toml over sample dates, written and spoken),
  and every message of messages/*.toml, each version taken as a reply of its own.
- Spoken addresses (address_problems): every piece of an e-mail or web address in `say`
  is a dictionary word or is in the [spoken] table ("bathnes" = "bath n e s").
- Plain English (reading_report): see above.

The tree
--------
tree.root                 id of the main menu
tree.last_reviewed        datetime.date
tree.nodes                {id: Node}, in file order
tree.keyword_index        {"APPEAL": "appeal", "DEADLINE": "action:deadline", ...}: normalised
                          keyword (normalise_keyword) -> node id or action
tree.node(id) -> Node     (raises KeyError for an unknown id)
tree.choices(id, channel) -> tuple[Option, ...]     menu options / guidance next, for
                          "voice" or "sms" (an option may be limited to one channel)
tree.choice(id, key, channel) -> Option | None      the option a digit picks
tree.spoken_choices(id) -> str   "For X, press 1. For Y, press 2." (menus: after the intro;
                          guidance: after menus.after_guidance). Play menus.reserved after it.
tree.speech_hints(id, channel="voice") -> list[str] for <Gather hints>
tree.sms_parts(id, **values) -> list[str]  every text to send for the node, footers included:
                          send the first; when the parent sends MORE, send the next one.
tree.sms_suggestions(node_ids) -> str      reply for free text that matched some routes.
tree.copy                 the flows.copy.Copy the tree renders with (menus.* phrases)
tree.glossary             {"EHC plan": ("Education, Health and Care plan", ...)}: terms to explain
tree.spoken               {"bathnes": "bath n e s"}: how the voice reads pieces of addresses

Also here: ContentError (.problems), ACTIONS, RESERVED_KEYS, reachable(tree, channel),
normalise_keyword(text) (shared with flows.matching), copy_problems(where, say, text).

Node: .id, .kind ("menu" | "guidance"), .title, .say_parts (spoken pieces, each <= 75 words,
with e-mail and web addresses already turned into words by flows.spoken; for a menu, the
intro before the options), .say_written (the same pieces as written in the file),
.text_parts (SMS pieces, before footers), .decisive (phrases that on their own point free
text at this node, flows.matching), .staff_to_confirm (facts not from the leaflets, listed by
`flask content check`),
.options (menus), .next (guidance: related routes), .choices (whichever applies),
.keywords, .hints (words for free-text matching), .fallback and .no_input (message keys),
.placeholders (names like "hours" the channel must pass to sms_parts / fill in say_parts).

Option: .key ("1".."5"), .target (node id or "action:..."), .say (short spoken name, also a
speech hint), .text (SMS label), .hints (more speech hints), .only (None, "voice" or "sms"),
.is_action.

Placeholders: the only one in guidance.toml is {hours}, a whole sentence saying when the
helpline is open (the channel writes it from flows/data/calendar.toml, e.g. "The helpline is
open 10am to 3pm, Monday to Thursday, in school term time."). Messages files may use others;
the checker fills them with SAMPLE_VALUES (or a long date) to measure them.

SMS footers (decision): content texts do NOT carry their own "what to send next" line. The
channel sends tree.sms_parts(...), which adds a standard footer from menus.toml to every
part: the numbered options and "send MENU" on the last part, "send MORE" on the others.
The checker measures the parts WITH their footers, so what is checked is what is sent.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flows import safety
from flows.copy import MESSAGES_DIR, Copy, load_copy
from flows.gsm7 import describe_char, first_non_gsm7, gsm7_length
from flows.spoken import addresses, pieces, speak_addresses

DEFAULT_PATH = Path(__file__).parent / "content" / "guidance.toml"
_DEFAULT_PATHS = (Path(DEFAULT_PATH), Path(MESSAGES_DIR))

ACTIONS = ("action:deadline", "action:callback", "action:hours", "action:person")
KEYS = ("1", "2", "3", "4", "5")
RESERVED_KEYS = {"0": "speak to someone or ask for a call back", "9": "main menu", "*": "repeat"}
CHANNELS = ("voice", "sms")
MAX_OPTIONS = 5
MAX_SMS_CHARS = 459  # 3 segments of 153 GSM-7 septets
MAX_SPOKEN_WORDS = 75  # about 30 seconds at 150 words a minute
MAX_SENTENCE_WORDS = 25
REVIEW_EVERY_DAYS = 366

# Words the carrier or the SMS channel handles before any keyword lookup.
CHANNEL_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "START", "UNSTOP", "YES",
     "HELP", "INFO", "MORE"}
)
GUIDANCE_PLACEHOLDERS = frozenset({"hours"})
# To measure copy with {placeholders}, each is filled with a realistic long value:
# a sentence for {hours}, a written-out date for names that look like dates, else one word.
SAMPLE_VALUES = {
    "hours": "The helpline is open 10am to 3pm, Monday to Thursday, in school term time.",
    "time": "5pm",
}
SAMPLE_DATE = "Wednesday 30 September 2026"
DATE_NAME = re.compile(r"(^|_)(date|day|start|end|next|when)($|_)")
DEFAULT_SAMPLE = "Placeholder"


class ContentError(ValueError):
    """The content is wrong; .problems lists every problem, each saying where."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("content problems:\n- " + "\n- ".join(self.problems))


@dataclass(frozen=True)
class Option:
    """One choice: a digit (voice) or number (SMS) leading to a node or an action."""

    key: str
    target: str
    say: str
    text: str
    hints: tuple[str, ...] = ()
    only: str | None = None

    @property
    def is_action(self) -> bool:
        return self.target.startswith("action:")

    def offered_on(self, channel: str) -> bool:
        return self.only is None or self.only == channel


@dataclass(frozen=True)
class Node:
    """A menu (a question with options) or a guidance page (words, then related routes)."""

    id: str
    kind: str
    title: str
    say_parts: tuple[str, ...]
    text_parts: tuple[str, ...]
    options: tuple[Option, ...] = ()
    next: tuple[Option, ...] = ()
    keywords: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    fallback: str | None = None
    no_input: str = "menus.no_input"
    say_written: tuple[str, ...] = ()  # say_parts as written in the file (addresses not yet words)
    decisive: tuple[str, ...] = ()  # phrases that, found in free text, point firmly at this node
    staff_to_confirm: str = ""  # facts not from the leaflets, for staff to check

    @property
    def choices(self) -> tuple[Option, ...]:
        return self.options if self.kind == "menu" else self.next

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(n for part in self.say_parts + self.text_parts for n in placeholder_names(part))


# --- small text rules, shared with the messages check ----------------------------------


def placeholder_names(template: str) -> list[str]:
    """['hours'] for 'Open. {hours}' (raises ValueError on a broken template)."""
    names = []
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            names.append(re.split(r"[.\[]", field, maxsplit=1)[0])
    return names


def sample_value(name: str) -> str:
    """A realistic long value for a placeholder, to measure copy that uses it."""
    if name in SAMPLE_VALUES:
        return SAMPLE_VALUES[name]
    return SAMPLE_DATE if DATE_NAME.search(name) else DEFAULT_SAMPLE


def fill_samples(template: str) -> str:
    """The template with every placeholder replaced by sample_value(name)."""
    return template.format_map(_Samples())


class _Samples(dict):
    def __missing__(self, key: str) -> str:
        return sample_value(key)


def words(text: str) -> list[str]:
    """Spoken words: whitespace-separated pieces with a letter or digit in them."""
    return [w for w in text.split() if any(c.isalnum() for c in w)]


def sentences(text: str) -> list[str]:
    """Sentences: split after . ! ? followed by a space, and at line breaks."""
    return [s for s in re.split(r"(?<=[.!?:])\s+|\n+", text) if s.strip()]


def copy_problems(where: str, say: str | None = None, text: str | None = None) -> list[str]:
    """Problems with one piece of copy: GSM-7, 459 characters, 75 words, 25 per sentence."""
    problems = []
    for version, template in (("say", say), ("text", text)):
        if template is None:
            continue
        try:
            filled = fill_samples(template)
        except (ValueError, IndexError, KeyError, AttributeError) as e:
            problems.append(f"{where} ({version}): broken {{placeholder}}: {e}")
            continue
        for sentence in sentences(filled):
            if len(words(sentence)) > MAX_SENTENCE_WORDS:
                problems.append(
                    f"{where} ({version}): sentence of {len(words(sentence))} words "
                    f"(most {MAX_SENTENCE_WORDS}): {sentence[:60]!r}..."
                )
        if version == "say" and len(words(filled)) > MAX_SPOKEN_WORDS:
            problems.append(
                f"{where} (say): {len(words(filled))} words, about "
                f"{round(len(words(filled)) / 2.5)} seconds (most {MAX_SPOKEN_WORDS} words)"
            )
        if version == "text":
            problems.extend(sms_problems(f"{where} (text)", filled))
    return problems


def sms_problems(where: str, body: str) -> list[str]:
    """A text as sent: GSM-7 only and at most 459 GSM-7 characters."""
    bad = first_non_gsm7(body)
    if bad is not None:
        return [f"{where}: not GSM-7 ({describe_char(bad)}); use straight quotes and plain dashes"]
    if gsm7_length(body) > MAX_SMS_CHARS:
        return [f"{where}: {gsm7_length(body)} characters (most {MAX_SMS_CHARS}, 3 texts)"]
    return []


def normalise_keyword(text: str) -> str:
    """'  Call-me! ' -> 'CALL ME'; '?' stays '?'. Used for keywords and for incoming texts."""
    stripped = text.strip()
    if stripped and set(stripped) == {"?"}:
        return "?"
    cleaned = re.sub(r"[^\w\s]", " ", stripped.replace("'", "").replace("\u2019", ""))
    return " ".join(cleaned.replace("_", " ").upper().split())


# --- the tree ---------------------------------------------------------------------------


class GuidanceTree:
    """The checked guidance tree plus the shared phrases (menus.toml) used to render it."""

    def __init__(self, root: str, last_reviewed, nodes: dict[str, Node],
                 action_keywords: dict[str, tuple[str, ...]], copy: Copy,
                 glossary: dict[str, tuple[str, ...]] | None = None, spoken: dict[str, str] | None = None):
        self.root = root
        self.last_reviewed = last_reviewed
        self.nodes = nodes
        self.action_keywords = action_keywords
        self.copy = copy
        self.glossary = dict(glossary or {})
        self.spoken = dict(spoken or {})
        self.keyword_index: dict[str, str] = {}
        self.duplicate_keywords: list[str] = []
        for target, keywords in [(n.id, n.keywords) for n in nodes.values()] + list(action_keywords.items()):
            for keyword in keywords:
                norm = normalise_keyword(keyword)
                if norm in self.keyword_index and self.keyword_index[norm] != target:
                    self.duplicate_keywords.append(
                        f"keyword {norm!r} is used by both {self.keyword_index[norm]!r} and {target!r}"
                    )
                self.keyword_index.setdefault(norm, target)

    def node(self, node_id: str) -> Node:
        """The node with this id (KeyError if there is none)."""
        try:
            return self.nodes[node_id]
        except KeyError:
            raise KeyError(f"no guidance node {node_id!r}") from None

    def choices(self, node_id: str, channel: str = "voice") -> tuple[Option, ...]:
        """What the parent can choose after this node, on this channel."""
        return tuple(o for o in self.node(node_id).choices if o.offered_on(channel))

    def choice(self, node_id: str, key: str, channel: str = "voice") -> Option | None:
        """The option a key press or numbered reply picks, or None if it is not an option."""
        key = str(key).strip()
        return next((o for o in self.choices(node_id, channel) if o.key == key), None)

    def spoken_choices(self, node_id: str) -> str:
        """'For X, press 1. For Y, press 2.' Menus: say after the intro; guidance: after
        menus.after_guidance. Then play menus.reserved (star, 9 and 0)."""
        return " ".join(self.copy.say("menus.option", name=o.say, digit=o.key) for o in self.choices(node_id, "voice"))

    def speech_hints(self, node_id: str, channel: str = "voice") -> list[str]:
        """Phrases a caller might say to pick an option (for Twilio <Gather hints>)."""
        hints: list[str] = []
        for o in self.choices(node_id, channel):
            hints += [o.say, *o.hints]
        return list(dict.fromkeys(hints))

    def sms_parts(self, node_id: str, **values: object) -> list[str]:
        """Every text for this node, in order, each with its footer. Pass the placeholders
        in node.placeholders (e.g. hours=...). Send the first; send the next on MORE."""
        node = self.node(node_id)
        parts = [p.format(**values).strip() for p in node.text_parts]
        if node.kind == "menu":
            return [self._with_choices(" ".join(parts), node_id, "menus.sms_menu_footer")]
        out = []
        for i, part in enumerate(parts):
            if i < len(parts) - 1:
                out.append(part + "\n\n" + self.copy.text("menus.sms_more_footer", part=i + 2, parts=len(parts)))
            elif self.choices(node_id, "sms"):
                out.append(self._with_choices(part + "\n", node_id, "menus.sms_next_footer"))
            else:
                out.append(part + "\n\n" + self.copy.text("menus.sms_end_footer"))
        return out

    def _with_choices(self, head: str, node_id: str, footer: str) -> str:
        lines = [head, self.copy.text("menus.sms_choose")]
        lines += [self.copy.text("menus.sms_option", number=o.key, name=o.text) for o in self.choices(node_id, "sms")]
        lines.append(self.copy.text(footer))
        return "\n".join(lines)

    def sms_suggestions(self, node_ids: list[str] | tuple[str, ...]) -> str:
        """The reply to free text that matched some routes: a keyword for each to send."""
        items = [
            self.copy.text("menus.sms_suggestion", keyword=self.node(n).keywords[0].upper(), name=self.node(n).title)
            for n in node_ids
            if self.node(n).keywords
        ]
        return "\n".join([self.copy.text("menus.sms_suggest_intro"), *items, self.copy.text("menus.sms_suggest_footer")])


# --- building the tree from TOML --------------------------------------------------------


def _strings(value, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where}: expected a list of strings")
        return ()
    return tuple(v.strip() for v in value)


def _options(raw, where: str, problems: list[str]) -> tuple[Option, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(f"{where}: expected a list of options ([[...]] tables)")
        return ()
    out = []
    for i, item in enumerate(raw):
        here = f"{where}[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{here}: expected a table with key, target, say and text")
            continue
        unknown = set(item) - {"key", "target", "say", "text", "hints", "only"}
        if unknown:
            problems.append(f"{here}: unknown fields {sorted(unknown)}")
        key = str(item.get("key", "")).strip()
        out.append(Option(
            key=key,
            target=str(item.get("target", "")).strip(),
            say=str(item.get("say", "")).strip(),
            text=str(item.get("text", "")).strip(),
            hints=_strings(item.get("hints"), here + ".hints", problems),
            only=item.get("only"),
        ))
    return tuple(out)


NODE_FIELDS = {"kind", "title", "say", "text", "options", "next", "keywords", "hints", "decisive", "fallback", "no_input",
               "staff_to_confirm"}


def _table_of_strings(value, where: str, problems: list[str]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        problems.append(f"{where}: expected a table of \"written\" = \"spoken\" strings")
        return {}
    return {k.lower(): v.strip() for k, v in value.items()}


def _glossary(value, problems: list[str]) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append("[glossary]: expected a table of \"TERM\" = [\"explanation\", ...]")
        return {}
    return {term: _strings(phrases, f"[glossary] {term!r}", problems) for term, phrases in value.items()}


def build_tree(raw: dict, copy: Copy | None = None) -> tuple[GuidanceTree, list[str]]:
    """A tree from parsed TOML, and the structural problems met on the way (lenient: the
    tree is built as far as it can be, so validate_tree can report everything at once)."""
    problems: list[str] = []
    copy = copy or load_copy()
    unknown = set(raw) - {"last_reviewed", "root", "actions", "nodes", "spoken", "glossary"}
    if unknown:
        problems.append(f"guidance: unknown top-level fields {sorted(unknown)}")
    last_reviewed = raw.get("last_reviewed")
    if not (isinstance(last_reviewed, dt.date) and not isinstance(last_reviewed, dt.datetime)):
        problems.append("guidance: last_reviewed must be a date like 2026-11-22")
        last_reviewed = None
    root = raw.get("root", "main")
    spoken = _table_of_strings(raw.get("spoken"), "[spoken]", problems)
    glossary = _glossary(raw.get("glossary"), problems)
    nodes: dict[str, Node] = {}
    raw_nodes = raw.get("nodes", {})
    if not isinstance(raw_nodes, dict) or not raw_nodes:
        problems.append("guidance: no [nodes.<id>] tables")
        raw_nodes = {}
    for node_id, body in raw_nodes.items():
        where = f"node {node_id!r}"
        if not isinstance(body, dict):
            problems.append(f"{where}: expected a table")
            continue
        unknown = set(body) - NODE_FIELDS
        if unknown:
            problems.append(f"{where}: unknown fields {sorted(unknown)}")
        written = _strings(body.get("say"), where + ".say", problems)
        say = tuple(speak_addresses(part, spoken) for part in written)
        text = _strings(body.get("text"), where + ".text", problems) if "text" in body else written
        confirm = body.get("staff_to_confirm", "")
        if not isinstance(confirm, str):
            problems.append(f"{where}.staff_to_confirm: expected a string")
            confirm = ""
        nodes[node_id] = Node(
            id=node_id,
            kind=str(body.get("kind", "")),
            title=str(body.get("title", "")).strip(),
            say_parts=say,
            text_parts=text,
            options=_options(body.get("options"), where + ".options", problems),
            next=_options(body.get("next"), where + ".next", problems),
            keywords=_strings(body.get("keywords"), where + ".keywords", problems),
            hints=_strings(body.get("hints"), where + ".hints", problems),
            fallback=body.get("fallback"),
            no_input=body.get("no_input", "menus.no_input"),
            say_written=written,
            decisive=_strings(body.get("decisive"), where + ".decisive", problems),
            staff_to_confirm=confirm.strip(),
        )
    actions_raw = raw.get("actions", {})
    action_keywords: dict[str, tuple[str, ...]] = {}
    if not isinstance(actions_raw, dict):
        problems.append("guidance: [actions] must map an action to its SMS keywords")
    else:
        for action, kws in actions_raw.items():
            if action not in ACTIONS:
                problems.append(f"[actions]: {action!r} is not one of {', '.join(ACTIONS)}")
            action_keywords[action] = _strings(kws, f"[actions] {action}", problems)
    return GuidanceTree(root, last_reviewed, nodes, action_keywords, copy, glossary, spoken), problems


# --- checking ---------------------------------------------------------------------------


def reachable(tree: GuidanceTree, channel: str) -> set[str]:
    """Node ids a parent can get to from the main menu: by keys (voice), or by numbered
    replies and keywords (sms; a keyword works from anywhere, including the main menu)."""
    start = [tree.root] if tree.root in tree.nodes else []
    if channel == "sms":
        start += [t for t in tree.keyword_index.values() if t in tree.nodes]
    seen: set[str] = set()
    todo = list(start)
    while todo:
        node_id = todo.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        todo += [o.target for o in tree.choices(node_id, channel) if o.target in tree.nodes]
    return seen


def _check_node(tree: GuidanceTree, node: Node) -> list[str]:
    where = f"node {node.id!r}"
    problems = []
    if node.kind not in ("menu", "guidance"):
        return [f"{where}: kind must be \"menu\" or \"guidance\" (got {node.kind!r})"]
    if not node.title:
        problems.append(f"{where}: no title")
    if not node.say_parts or not all(node.say_parts):
        problems.append(f"{where}: no spoken words (say = [...])")
    if not node.text_parts or not all(node.text_parts):
        problems.append(f"{where}: no text words (text = [...])")
    if node.kind == "menu":
        if node.next:
            problems.append(f"{where}: a menu has options, not next")
        if not node.options:
            problems.append(f"{where}: a menu with no options")
    elif node.options:
        problems.append(f"{where}: a guidance node has next, not options")
    if not node.fallback:
        problems.append(f"{where}: {node.kind} with no fallback (e.g. fallback = \"menus.invalid\")")
    for field, key in (("fallback", node.fallback), ("no_input", node.no_input)):
        if key and key not in tree.copy.messages:
            problems.append(f"{where}: {field} {key!r} is not a message in flows/content/messages")
    if len(node.choices) > MAX_OPTIONS:
        problems.append(f"{where}: {len(node.choices)} options (most {MAX_OPTIONS})")
    keys = [o.key for o in node.choices]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(f"{where}: key {key} is used twice")
    for o in node.choices:
        here = f"{where} option {o.key or '?'}"
        if o.key in RESERVED_KEYS:
            problems.append(f"{here}: key {o.key} is reserved for {RESERVED_KEYS[o.key]}")
        elif o.key not in KEYS:
            problems.append(f"{here}: key must be a digit 1 to 5 (got {o.key!r})")
        if o.target not in tree.nodes and o.target not in ACTIONS:
            problems.append(f"{here}: links to {o.target!r}, which is not a node or one of {', '.join(ACTIONS)}")
        if not o.say:
            problems.append(f"{here}: no spoken name (say)")
        if not o.text:
            problems.append(f"{here}: no SMS label (text)")
        if o.only not in (None, *CHANNELS):
            problems.append(f"{here}: only must be \"voice\" or \"sms\" (got {o.only!r})")
    for part in node.say_parts + node.text_parts:
        try:
            unknown = set(placeholder_names(part)) - GUIDANCE_PLACEHOLDERS
        except ValueError as e:
            problems.append(f"{where}: broken {{placeholder}}: {e}")
            continue
        if unknown:
            problems.append(f"{where}: unknown placeholder(s) {sorted(unknown)} (allowed: {sorted(GUIDANCE_PLACEHOLDERS)})")
    if problems:
        return problems
    return problems + _check_node_words(tree, node)


def _check_node_words(tree: GuidanceTree, node: Node) -> list[str]:
    where = f"node {node.id!r}"
    problems = []
    for i, part in enumerate(node.say_parts, 1):
        problems += copy_problems(f"{where} say part {i}", say=part)
    for i, part in enumerate(node.text_parts, 1):
        problems += [p for p in copy_problems(f"{where} text part {i}", text=part) if "sentence" in p]
    try:
        prompt = node.say_parts[0] if node.kind == "menu" else tree.copy.say("menus.after_guidance")
        # What a caller hears before choosing: intro (or "what next?"), options, reserved keys.
        prompt = fill_samples(" ".join([prompt, tree.spoken_choices(node.id), tree.copy.say("menus.reserved")]))
        if len(words(prompt)) > MAX_SPOKEN_WORDS:
            problems.append(
                f"{where}: the spoken choices (with menus.reserved) are {len(words(prompt))} words "
                f"(most {MAX_SPOKEN_WORDS}): shorten the intro or the option names"
            )
        samples = {n: SAMPLE_VALUES[n] for n in GUIDANCE_PLACEHOLDERS}
        for i, body in enumerate(tree.sms_parts(node.id, **samples), 1):
            problems += sms_problems(f"{where} SMS {i} (with footer)", body)
    except LookupError as e:  # a shared phrase is missing from menus.toml
        problems.append(f"{where}: cannot render: {e}")
    return problems


# --- key facts first, and words explained -------------------------------------------------

# "2 months", "15 school days", "six weeks": a time limit.
TIME_LIMIT = re.compile(
    r"\b(\d+|one|two|three|four|five|six|eight|ten|fifteen|twenty|thirty)\s+"
    r"(?:school\s+|working\s+|calendar\s+)?(day|week|month)s?\b", re.IGNORECASE)
# A sentence that puts a time limit on the parent ("you must", "your appeal must reach").
PARENT_DUTY = re.compile(r"\b(you|your \w+)( \w+)? (must|have|need|should)\b", re.IGNORECASE)
# A way to act: the first part of every guidance page names at least one.
ACTION_WORDS = re.compile(
    r"\b(contact|call|phone|ring|e-?mail|write|ask|talk|speak|complain|appeal|apply|search|send|tell|text)\b",
    re.IGNORECASE)


def time_limits(text: str) -> set[str]:
    """{'2 month', '15 school day'}: each time limit named, in a comparable form."""
    out = set()
    for m in TIME_LIMIT.finditer(text):
        number = WORD_NUMBERS.get(m.group(1).lower(), m.group(1))
        out.add(f"{number} {' '.join(m.group(0).lower().split()[1:]).rstrip('s')}")
    return out


WORD_NUMBERS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "eight": "8",
                "ten": "10", "fifteen": "15", "twenty": "20", "thirty": "30"}


def key_facts_problems(node: Node) -> list[str]:
    """Key facts first: a guidance page's first text and first spoken paragraph say what to do,
    carry a time limit if the page has any, and carry every time limit the parent must meet."""
    if node.kind != "guidance":
        return []
    problems = []
    for version, parts in (("text", node.text_parts), ("say", node.say_written)):
        if not parts:
            continue
        first, later = fill_samples(parts[0]), fill_samples(" ".join(parts[1:]))
        where = f"node {node.id!r} ({version}) part 1"
        if not ACTION_WORDS.search(first):
            problems.append(f"{where} does not say what to do (contact, ask, write, call...): put it first")
        if time_limits(later) and not time_limits(first):
            problems.append(f"{where} has no time limit, but a later part does "
                            f"({', '.join(sorted(time_limits(later)))}): say the time limit first")
        own = set()
        for sentence in sentences(later):
            if PARENT_DUTY.search(sentence):
                own |= time_limits(sentence)
        for limit in sorted(own - time_limits(first)):
            problems.append(f"{where} does not give the parent's time limit {limit!r}, said later: say it first")
    return problems


def _term(term: str) -> re.Pattern:
    """A glossary term as a whole word (plural s allowed); case matters for acronyms."""
    flags = 0 if re.search(r"[A-Z]{2}", term) else re.IGNORECASE
    return re.compile(r"(?<![\w-])" + r"\s+".join(map(re.escape, term.split())) + r"s?(?![\w-])", flags)


def unexplained_terms(glossary: dict[str, tuple[str, ...]], pieces: list[str]) -> list[tuple[str, str]]:
    """(term, sentence) for each glossary term whose first use in these pieces, read in order,
    comes with no explanation in that sentence, before it, or in the sentence just after
    ("Ask for the SENCO. The SENCO is the teacher who organises special needs support.")."""
    said = sentences(fill_samples("\n".join(pieces)))
    out = []
    for term, explanations in glossary.items():
        pattern = _term(term)
        for i, sentence in enumerate(said):
            if pattern.search(sentence):
                before = " ".join(said[:i + 2]).lower()
                if not any(" ".join(e.lower().split()) in " ".join(before.split()) for e in explanations):
                    out.append((term, sentence))
                break
    return out


def jargon_problems(tree: GuidanceTree, node: Node) -> list[str]:
    """Every glossary term explained the first time a reply uses it: a node's texts (in the order
    MORE sends them) with their options, and its spoken paragraphs with the spoken options."""
    problems = []
    for version, parts, labels in (
        ("text", node.text_parts, [o.text for o in tree.choices(node.id, "sms")]),
        ("say", node.say_written, [o.say for o in tree.choices(node.id, "voice")]),
    ):
        for term, sentence in unexplained_terms(tree.glossary, [*parts, *labels]):
            problems.append(f"node {node.id!r} ({version}): {term!r} is not explained the first time it is used "
                            f"({sentence[:60]!r}): add one of {list(tree.glossary[term])[:2]}")
    return problems


def editorial_problems(tree: GuidanceTree) -> list[str]:
    """Key facts first and jargon explained, for every node (run by check_content and CI, not
    at start-up: a wording slip should fail the content check, not stop the helpline)."""
    problems = []
    for node in tree.nodes.values():
        problems += key_facts_problems(node) + jargon_problems(tree, node)
    return problems


# The deadline results composed for reply_jargon_problems: a fixed today, and start dates that reach
# month ends, the August and Christmas breaks, bank holidays, passed and coming dates, and dates
# for a review meeting or a move still ahead.
JARGON_TODAY = dt.date(2026, 11, 23)
JARGON_STARTS = tuple(JARGON_TODAY - dt.timedelta(days=n) for n in (0, 1, 12, 40, 61, 75, 150, 330)) + (
    dt.date(2025, 12, 30), dt.date(2026, 2, 6), dt.date(2026, 6, 17), dt.date(2026, 7, 30),
    dt.date(2026, 10, 26), dt.date(2026, 3, 31))
JARGON_FUTURE = (JARGON_TODAY + dt.timedelta(days=20), dt.date(2027, 9, 1), dt.date(2028, 3, 31))


def _as_written(reply: str) -> str:
    """A composed reply, safe to pass to unexplained_terms (which fills {placeholders})."""
    return reply.replace("{", "{{").replace("}", "}}")


def deadline_replies(copy: Copy | None = None) -> list[tuple[str, str, str]]:
    """(where, "text" or "say", reply) for every deadline result a parent can be given, composed as
    the channels compose it: the conversation's Answered rendered by flows.conversations.render
    (the text with its notes fitted in, and the spoken parts as one reply), and the text the phone
    sends on request (deadlines.text_of), for every kind and option in deadline_kinds.toml, over
    JARGON_STARTS (and JARGON_FUTURE for a kind that may count from a date ahead), and for an
    appeal with and without a certificate, and each answer to "only about the school"."""
    from flows import deadlines
    from flows.conversations import render
    from flows.conversations.deadline import ONE_SHOT_NOTE_PRIORITY, REMIND_PRIORITY, Answered
    from flows.deadline_kinds import calculate, kinds

    copy = copy or load_copy()
    out = []
    for kind in kinds():
        starts = JARGON_STARTS + (() if kind.past_only else JARGON_FUTURE)
        options = [o.name for o in kind.options] or [None]
        appeal = [(None, None)]
        if kind.name == "appeal":
            appeal = [(cert, school) for cert in (None, 20) for school in (None, False, True)]
        for option in options:
            for start in starts:
                for cert_after, school in appeal:
                    cert = start + dt.timedelta(days=cert_after) if cert_after is not None else None
                    if cert is not None and cert > JARGON_TODAY:
                        continue
                    result = calculate(kind.name, start, option=option, certificate=cert, school_only=school,
                                       today=JARGON_TODAY)
                    where = f"deadline result {kind.name}" + (f" ({option})" if option else "") + (
                        f", certificate {cert_after} days later" if cert else "") + (
                        "" if kind.name != "appeal" else f", only about the school: {school}")
                    notes: list[tuple[int, str]] = []
                    if kind.name == "appeal" and school is None and cert is None:  # DEADLINE <date>
                        notes.append((ONE_SHOT_NOTE_PRIORITY, "deadline_chat.one_shot_note"))
                    if isinstance(result, deadlines.Deadline) and result.actor in ("you", "claim") \
                            and not result.has_passed:
                        notes.append((REMIND_PRIORITY, "deadline_chat.remind_offer"))
                    said = Answered(result, tuple(notes))
                    out.append((where, "text", " ".join(render.parts(copy, said, spoken=False))))
                    out.append((where + ", texted after a call", "text", deadlines.text_of(result)))
                    out.append((where, "say", "\n".join(render.parts(copy, said, spoken=True))))
    return out


def reply_jargon_problems(glossary: dict[str, tuple[str, ...]], messages_dir: Path = MESSAGES_DIR) -> list[str]:
    """Glossary terms explained where first used in the replies outside the guidance tree: every
    deadline result as composed (deadline_replies), and every message in messages/*.toml, each
    version (text, say) taken as a reply of its own. One problem per place, version and term."""
    problems: list[str] = []

    def check(where: str, version: str, pieces_: list[str]) -> None:
        for term, sentence in unexplained_terms(glossary, pieces_):
            if (where, version, term) not in seen:  # each start date gives the same wording: once is enough
                seen.add((where, version, term))
                problems.append(f"{where} ({version}): {term!r} is not explained the first time it is used "
                                f"({sentence[:60]!r}): add one of {list(glossary[term])[:2]}")

    seen: set[tuple[str, str, str]] = set()
    for path in sorted(Path(messages_dir).glob("*.toml")):
        raw, _ = read_toml(path, path.name)  # a broken file is reported by check_messages
        for name, value in raw.items():
            versions = {"text": value, "say": value} if isinstance(value, str) else \
                value if isinstance(value, dict) else {}
            for version, template in versions.items():
                if isinstance(template, str):
                    try:
                        fill_samples(template)
                    except (ValueError, IndexError, KeyError, AttributeError):
                        continue  # a broken placeholder is reported by check_messages
                    check(f"messages/{path.name} {name}", version, [template])
    for where, version, reply in deadline_replies():
        check(where, version, [_as_written(reply)])
    return problems


def validate_tree(tree: GuidanceTree, today: dt.date | None = None) -> list[str]:
    """Every problem with a built tree: links, menus, reachability, keywords, words."""
    problems = []
    if tree.root not in tree.nodes:
        problems.append(f"guidance: root {tree.root!r} is not a node")
    elif tree.node(tree.root).kind != "menu":
        problems.append(f"guidance: root {tree.root!r} must be a menu")
    if today and tree.last_reviewed:
        if tree.last_reviewed > today:
            problems.append(f"guidance: last_reviewed {tree.last_reviewed} is in the future")
        elif (today - tree.last_reviewed).days > REVIEW_EVERY_DAYS:
            problems.append(f"guidance: last_reviewed {tree.last_reviewed} is over a year ago: review the content")
    for node in tree.nodes.values():
        problems += _check_node(tree, node)
    for label, channel in (("by keypad", "voice"), ("by SMS (keyword or number)", "sms")):
        for node_id in tree.nodes.keys() - reachable(tree, channel):
            problems.append(f"node {node_id!r} cannot be reached {label} from the main menu")
    problems += tree.duplicate_keywords
    for keyword, target in tree.keyword_index.items():
        if not keyword:
            problems.append(f"{target!r}: an empty keyword")
        elif keyword in CHANNEL_WORDS:
            problems.append(f"{target!r}: keyword {keyword!r} is handled by the SMS channel or carrier")
        elif keyword.isdigit():
            problems.append(f"{target!r}: keyword {keyword!r} is a number (numbers pick options)")
    return sorted(set(problems), key=problems.index)


def read_toml(path: Path, where: str) -> tuple[dict, list[str]]:
    """Parsed TOML, or {} and the problem."""
    try:
        with open(path, "rb") as f:
            return tomllib.load(f), []
    except FileNotFoundError:
        return {}, [f"{where}: file not found ({path})"]
    except tomllib.TOMLDecodeError as e:
        return {}, [f"{where}: not valid TOML: {e}"]


def check_guidance_text(toml_text: str, copy: Copy | None = None, today: dt.date | None = None) -> list[str]:
    """All problems with guidance given as a TOML string (for tests and quick checks)."""
    try:
        raw = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as e:
        return [f"guidance: not valid TOML: {e}"]
    tree, problems = build_tree(raw, copy)
    return problems + validate_tree(tree, today)


def check_messages(directory: Path = MESSAGES_DIR) -> list[str]:
    """Every messages file: text versions GSM-7 and <= 459, spoken <= 75 words,
    sentences <= 25 words, entries shaped as flows.copy expects."""
    problems = []
    for path in sorted(Path(directory).glob("*.toml")):
        raw, errors = read_toml(path, f"messages/{path.name}")
        problems += errors
        for name, value in raw.items():
            where = f"messages/{path.name} {name}"
            if isinstance(value, str):
                problems += copy_problems(where, say=value, text=value)
            elif isinstance(value, dict) and value and set(value) <= {"say", "text"} and all(
                isinstance(v, str) for v in value.values()
            ):
                problems += copy_problems(where, say=value.get("say"), text=value.get("text"))
            else:
                problems.append(f"{where}: expected a string or a table with 'say' and/or 'text'")
    return problems


@dataclass(frozen=True)
class ReadingReport:
    """Flesch-Kincaid grades (flows.readability) of what parents read and hear."""

    pages: tuple[tuple[str, float, float], ...]  # guidance nodes: (id, text grade, spoken grade)
    others: tuple[tuple[str, float], ...]  # menus and messages: (where, grade)

    @property
    def median_text(self) -> float:
        from flows.readability import median
        return median(t for _, t, _ in self.pages)

    @property
    def median_say(self) -> float:
        from flows.readability import median
        return median(s for _, _, s in self.pages)

    def problems(self) -> list[str]:
        """Guidance over the limits (menus and messages are reported, not enforced)."""
        from flows.readability import GUIDANCE_MEDIAN_LIMIT as MEDIAN, GUIDANCE_NODE_LIMIT as MOST

        out = []
        for node_id, text, say in self.pages:
            for version, grade in (("text", text), ("say", say)):
                if grade > MOST:
                    out.append(f"node {node_id!r} ({version}): reading grade {grade:.1f} (most {MOST:g}): "
                               f"shorter sentences, shorter words")
        for version, value in (("text", self.median_text), ("say", self.median_say)):
            if value > MEDIAN:
                out.append(f"guidance ({version}): median reading grade {value:.1f} (most {MEDIAN:g})")
        return out

    def lines(self) -> list[str]:
        """The figures, for `flask content check`."""
        from flows.readability import GUIDANCE_MEDIAN_LIMIT as MEDIAN, GUIDANCE_NODE_LIMIT as MOST, median

        worst_text = max(self.pages, key=lambda p: p[1])
        worst_say = max(self.pages, key=lambda p: p[2])
        hardest = sorted(self.others, key=lambda o: -o[1])[:3]
        return [
            f"Reading grade (Flesch-Kincaid, textstat) of {len(self.pages)} guidance pages: "
            f"median {self.median_text:.1f} by text, {self.median_say:.1f} spoken (limit {MEDIAN:g}); "
            f"hardest {worst_text[1]:.1f} ({worst_text[0]}) by text, {worst_say[2]:.1f} ({worst_say[0]}) spoken "
            f"(limit {MOST:g} a page).",
            f"Menus and messages ({len(self.others)} pieces, reported, not enforced): median "
            f"{median(g for _, g in self.others):.1f}; hardest "
            + ", ".join(f"{where} {grade:.1f}" for where, grade in hardest) + ".",
        ]


MIN_WORDS_TO_MEASURE = 8  # shorter pieces (menu titles, labels) are reported by nothing: too short to grade


def reading_report(tree: GuidanceTree, messages_dir: Path = MESSAGES_DIR) -> ReadingReport:
    """Grades for every guidance page (text and spoken), menu and message."""
    from flows.readability import grade

    pages, others = [], []
    for node in tree.nodes.values():
        text = "\n".join(node.text_parts)
        say = "\n".join(node.say_written)
        if node.kind == "guidance":
            pages.append((node.id, grade(fill_samples(text)), grade(fill_samples(say))))
        elif len(words(text)) >= MIN_WORDS_TO_MEASURE:
            others.append((f"menu {node.id} (text)", grade(fill_samples(text))))
    for path in sorted(Path(messages_dir).glob("*.toml")):
        raw, _ = read_toml(path, path.name)
        for name, value in raw.items():
            versions = {"text": value} if isinstance(value, str) else value if isinstance(value, dict) else {}
            for version, words_ in versions.items():
                if isinstance(words_, str):
                    if len(words(words_)) < MIN_WORDS_TO_MEASURE:
                        continue  # a fragment ("{number} {name}"): the formula means nothing there
                    try:
                        others.append((f"{path.stem}.{name} ({version})", grade(fill_samples(words_))))
                    except (ValueError, IndexError, KeyError, AttributeError):
                        pass  # a broken placeholder is reported by check_messages
    return ReadingReport(tuple(pages), tuple(others))


def address_problems(tree: GuidanceTree) -> list[str]:
    """Each piece of a spoken address is a real word or is in the [spoken] table ("bathnes" =
    "bath n e s"), so the voice never reads a run-together name as nonsense."""
    from flows.readability import is_word

    problems = []
    for node in tree.nodes.values():
        for part in node.say_written:
            for address in addresses(part):
                for piece in pieces(address):
                    if piece.lower() not in tree.spoken and not is_word(piece):
                        problems.append(f"node {node.id!r} (say): how should the voice read {piece!r} in {address!r}? "
                                        f"Add it to [spoken] in guidance.toml")
    return sorted(set(problems), key=problems.index)


def check_content(
    guidance_path: Path | None = None,
    messages_dir: Path | None = None,
    safety_path: Path | None = None,
    today: dt.date | None = None,
    kinds_path: Path | None = None,
) -> list[str]:
    """Every problem across guidance.toml, messages/*.toml, deadline_kinds.toml and safety.toml ([] = good)."""
    messages_dir = Path(messages_dir or MESSAGES_DIR)
    problems = check_messages(messages_dir)
    raw, errors = read_toml(Path(guidance_path or DEFAULT_PATH), "guidance")
    problems += errors
    if raw:
        try:
            copy = load_copy(messages_dir)
        except LookupError as e:
            return problems + [f"messages: {e}"]
        tree, structural = build_tree(raw, copy)
        problems += structural + validate_tree(tree, today)
        if not structural:
            problems += editorial_problems(tree)
            problems += address_problems(tree) + reading_report(tree, messages_dir).problems()
            problems += reply_jargon_problems(tree.glossary, messages_dir)
        from flows.conversations import CONVERSATIONS
        from flows.conversations.content import check_conversations

        # their option lists, languages and the messages they use
        problems += check_conversations(copy, tree, conversations=CONVERSATIONS)
    from flows.deadline_kinds import check_kinds

    problems += check_kinds(kinds_path)
    try:
        config = safety.load_safety(safety_path or safety.DEFAULT_PATH)
    except safety.SafetyConfigError as e:
        problems.append(f"safety: {e}")
    else:
        for name, msg in config.messages.items():
            problems += copy_problems(f"safety.toml {name}", say=msg.say, text=msg.text)
    return problems


@lru_cache(maxsize=4)
def _load(path: Path, messages_dir: Path) -> GuidanceTree:
    raw, problems = read_toml(path, "guidance")
    if problems:
        raise ContentError(problems)
    tree, problems = build_tree(raw, load_copy(messages_dir))
    problems += validate_tree(tree)
    if problems:
        raise ContentError(problems)
    return tree


def load_guidance(path: Path | str | None = None, messages_dir: Path | str | None = None) -> GuidanceTree:
    """The checked guidance tree (cached). Raises ContentError listing every problem."""
    if path is None and messages_dir is None:
        return _load(_DEFAULT_PATHS[0], _DEFAULT_PATHS[1])  # every webhook: no Path built each time
    return _load(Path(path or DEFAULT_PATH), Path(messages_dir or MESSAGES_DIR))
