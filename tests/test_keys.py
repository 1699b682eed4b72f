"""store/keys.py: phone numbers never appear in key names; one tag per line however it is written."""

from config import Settings
from flows.phone import WITHHELD, normalise_line
from store.keys import phone_tag


def test_one_tag_for_every_spelling_of_a_number():
    settings = Settings(secret_key="k" * 32)
    tags = {phone_tag(settings, n) for n in ("07700 900123", "+447700900123", "447700900123",
                                             "+44 (0)7700 900-123", "0044 7700 900123")}
    assert len(tags) == 1
    assert phone_tag(settings, "07700 900124") not in tags


def test_the_tag_is_short_hex_and_hides_the_number():
    tag = phone_tag(Settings(secret_key="k" * 32), "+447700900123")
    assert len(tag) == 20 and all(c in "0123456789abcdef" for c in tag)
    assert "7700" not in tag and "900123" not in tag


def test_the_tag_depends_on_the_secret():
    a = phone_tag(Settings(secret_key="a" * 32), "+447700900123")
    b = phone_tag(Settings(secret_key="b" * 32), "+447700900123")
    c = phone_tag(Settings(secret_key="a" * 32, key_hash_secret="separate"), "+447700900123")
    assert len({a, b, c}) == 3
    # KEY_HASH_SECRET set: rotating SECRET_KEY keeps every tag
    assert c == phone_tag(Settings(secret_key="z" * 32, key_hash_secret="separate"), "+447700900123")


def test_withheld_and_foreign_lines():
    for hidden in ("anonymous", "Anonymous", "restricted", "", "+266696687", None):
        assert normalise_line(hidden) == WITHHELD
    assert normalise_line("+1 (555) 010-0100") == "+15550100100"
    assert normalise_line("001 555 010 0100") == "+15550100100"
    assert len(normalise_line("+1" + "9" * 60000)) <= 32
