"""Phone numbers in Redis key names, as keyed hashes: `phone_tag(settings, phone)`.

A key name is visible to anyone who can run KEYS or SCAN, is copied into the append-only file
and into every log of slow commands, and outlives its value in places (a key left after a bug,
a rate-limit counter nobody thinks to erase). So no key name holds a phone number: keys about a
number use this tag instead, and the number itself, where we need it, lives only in values.

The tag is HMAC-SHA256 of the normalised number (flows.phone.normalise_line: UK numbers in E.164,
anything else with separators removed) under a secret, cut to 20 hex characters (80 bits: no collisions among
the numbers one helpline sees). Without the secret, the tag cannot be turned back into the
number by trying every UK mobile (there are only about 10^9).

The secret is `KEY_HASH_SECRET` when set, otherwise derived from `SECRET_KEY`. Set
`KEY_HASH_SECRET` on its own in production: changing it (or, without it, `SECRET_KEY`) changes
every tag, so conversations, opt-outs and rate limits kept under the old tags are no longer
found (opt-outs matter: see README, Security).
"""

from __future__ import annotations

import functools
import hashlib
import hmac

from flows.phone import normalise_line

TAG_HEX_CHARS = 20


def phone_tag(settings, phone: str) -> str:
    """The short keyed hash of a number for use in key names: never the number itself."""
    return _tag(settings.key_hash_secret, settings.secret_key, phone)


@functools.lru_cache(maxsize=8)
def _secret(key_hash_secret: str, secret_key: str) -> bytes:
    if key_hash_secret:
        return key_hash_secret.encode()
    return hmac.new(secret_key.encode(), b"helpline phone tag v1", hashlib.sha256).digest()


@functools.lru_cache(maxsize=256)  # a webhook asks for the same number's tag several times; kept small
def _tag(key_hash_secret: str, secret_key: str, phone: str) -> str:
    line = normalise_line(phone)
    return hmac.new(_secret(key_hash_secret, secret_key), line.encode(), hashlib.sha256).hexdigest()[:TAG_HEX_CHARS]


def derived_secret(settings, purpose: str) -> bytes:
    """A secret for another use (e.g. one academic year's repeat-contact hash, store/events.py),
    derived from the key-hash secret, so knowing it reveals nothing of the tags or other uses."""
    return hmac.new(_secret(settings.key_hash_secret, settings.secret_key), purpose.encode(), hashlib.sha256).digest()
