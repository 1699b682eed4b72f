"""Is a text written in another language? A small, testable stop-word and script check.

    other_language(text) -> str | None     "pl", "ro", "es", "pt", "fr", "tr", "ur", "bn", "ar",
                                           "other" (another script), or None (English, or unsure)
    asks_for_interpreter(text) -> bool     "do you have an interpreter", "speak polish"

Why not a language-identification library: on texts of five to twenty words the general models
(langid, langdetect, lingua) often call plain English texts Welsh, Danish or Afrikaans, and a
wrong guess here sends a parent the interpreter reply instead of help; lingua's full model also
takes hundreds of MB, far beyond the web process's 80 MB. What we need is narrower: tell English
from the community languages most used locally, and never be moved by a stray word ("la", "de",
"no" are English texting too).

How: a text in Arabic, Bengali, Devanagari, Cyrillic, Chinese, Japanese, Korean or Thai script
is another language (Arabic script with Urdu's own letters is Urdu). In Latin script, each word
is looked up in short lists of the most common words of each language, Roman Urdu included (Urdu
and Punjabi speakers often text in Latin letters), with and without accents. A text is another
language when at least two DIFFERENT words of one language are found, they outnumber the English
words, and they make up at least 40% of the text; letters only that language uses (ą, ł, ș, ã,
ğ...) count as one more word. Otherwise None: the text goes on to the English matching.
"""

from __future__ import annotations

import re
import unicodedata

SCRIPTS = (
    ("\u0600", "\u06ff", "ar"), ("\u0750", "\u077f", "ar"), ("\u0980", "\u09ff", "bn"),
    ("\u0900", "\u097f", "other"), ("\u0a00", "\u0a7f", "other"), ("\u0400", "\u04ff", "other"),
    ("\u4e00", "\u9fff", "other"), ("\u3040", "\u30ff", "other"), ("\uac00", "\ud7af", "other"),
    ("\u0e00", "\u0e7f", "other"), ("\u0370", "\u03ff", "other"),
)
URDU_LETTERS = set("\u0679\u0688\u0691\u06ba\u06be\u06c1\u06d2\u06a9\u06af\u06cc")  # ٹ ڈ ڑ ں ھ ہ ے ک گ ی

# The commonest words, written as they are typed in texts (accents removed before lookup).
WORDS = {
    "pl": """dzien dobry moj moja moje syn corka potrzebuje pomocy pomoc szkole szkola szkoly nie jest czy
             moge prosze prosic ma maja problemy sie dziekuje wsparcia dostaje dziecko jak co to ze na dla
             jestem mam prosba witam""",
    "ro": """buna ziua am nevoie ajutor pentru fiul fiica meu mea scoala si este nu va rog multumesc copilul
             copil meu sunt ce cu pe care""",
    "es": """hola mi hijo hija necesito ayuda escuela con el los las por para que tiene necesidades gracias
             buenos dias usted puede una del colegio nino nina soy estoy""",
    "pt": """ola meu minha filho filha precisa preciso ajuda na escola da bom dia com obrigado obrigada nao uma
             ele ela tem estou sou crianca""",
    "fr": """bonjour mon ma fils fille besoin aide ecole merci je suis pour avec est enfant les des une""",
    "tr": """merhaba oglumun oglum kizim okulda okul yardima yardim ihtiyaci var benim cocugum tesekkurler""",
    "ur": """mere mera meri beta beti ko mein madad chahiye nahi hai raha rahi mujhe ka ki ke aap kya hain
             bachay bacha salam shukriya""",
}
WORDS = {lang: frozenset(words.split()) for lang, words in WORDS.items()}
OWN_LETTERS = {"pl": set("ąęłśżźćń"), "ro": set("ășțâî"), "pt": set("ãõ"), "tr": set("ğış"), "es": set("ñ¿¡")}
ENGLISH = frozenset(
    """the and my is to i he she his her a of in for with school help not can what do son daughter plan
    council we you they it be have has was at on no need want get this that how from are am im our""".split()
)
INTERPRETER = re.compile(
    r"\b(interpreter|interpret|translator|translate|translation)\b"
    r"|\b(speak|speaks|speaking|in|talk)\s+(polish|romanian|spanish|portuguese|arabic|urdu|bengali|bangla|punjabi|french|turkish"
    r"|somali|farsi|kurdish|chinese|mandarin|cantonese|tigrinya|pashto|ukrainian|russian)\b",
    re.IGNORECASE,
)


def _plain(word: str) -> str:
    """'dzień' -> 'dzien', 'școală' -> 'scoala' (and the Polish ł, which has no accent to drop)."""
    word = word.replace("ł", "l").replace("Ł", "L")
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)).lower()


def _script(text: str) -> str | None:
    counts: dict[str, int] = {}
    for ch in text:
        for lo, hi, lang in SCRIPTS:
            if lo <= ch <= hi:
                counts[lang] = counts.get(lang, 0) + 1
    if not counts:
        return None
    lang = max(counts, key=counts.get)
    if lang == "ar" and URDU_LETTERS & set(text):
        return "ur"
    return lang


def other_language(text: str) -> str | None:
    """The language of a text that is not English, or None (English, or not sure)."""
    script = _script(text)
    if script:
        return script
    raw = re.findall(r"[^\W\d_]+", text.lower())
    if not raw:
        return None
    plain = [_plain(w) for w in raw]
    english = sum(w in ENGLISH for w in plain)
    best, best_score = None, 0
    for lang, words in WORDS.items():
        distinct = {w for w in plain if w in words and w not in ENGLISH}
        score = len(distinct) + (1 if OWN_LETTERS.get(lang, set()) & set(text.lower()) else 0)
        if score > best_score:
            best, best_score = lang, score
    if best is None or best_score < 2 or best_score <= english:
        return None
    hits = sum(w in WORDS[best] and w not in ENGLISH for w in plain)
    return best if hits / len(plain) >= 0.4 else None


def asks_for_interpreter(text: str) -> bool:
    """An English text asking for an interpreter or another language."""
    return bool(INTERPRETER.search(text or ""))
