"""Field encryption (AES-256-GCM) and keyed blind indexes (HMAC-SHA256) for NIK and phone.

UU 27/2022 asks that personal data be protected at rest: the database holds only ciphertext,
a keyed hash for exact look-up and uniqueness, and the masked form that screens show.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable, Sequence
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_VERSION = b"\x01"


@lru_cache(maxsize=4)
def _aead(key_b64: str) -> AESGCM:
    return AESGCM(base64.urlsafe_b64decode(key_b64))


@lru_cache(maxsize=4)
def _index_key(key_b64: str) -> bytes:
    return base64.urlsafe_b64decode(key_b64)


def encrypt(plaintext: str, *, purpose: str) -> str:
    """Encrypt with a fresh nonce; `purpose` is bound as associated data so a NIK ciphertext
    cannot be swapped into the phone column and decrypt there."""
    nonce = os.urandom(12)
    ct = _aead(settings.PULIH_FIELD_KEY).encrypt(nonce, plaintext.encode(), purpose.encode())
    return base64.urlsafe_b64encode(_VERSION + nonce + ct).decode()


def encrypt_many(plaintexts: Sequence[str], *, purpose: str) -> list[str]:
    """encrypt() of each value, for a whole column: the key looked up once and every nonce
    drawn in one read from the OS (each still fresh and random), about a third less work per
    value than calling encrypt() for half a million NIKs."""
    seal = _aead(settings.PULIH_FIELD_KEY).encrypt
    associated = purpose.encode()
    nonces = os.urandom(12 * len(plaintexts))
    encode = base64.urlsafe_b64encode
    out: list[str] = []
    append = out.append
    for at, plaintext in enumerate(plaintexts):
        nonce = nonces[12 * at : 12 * at + 12]
        append(encode(_VERSION + nonce + seal(nonce, plaintext.encode(), associated)).decode())
    return out


def decrypt(token: str, *, purpose: str) -> str:
    raw = base64.urlsafe_b64decode(token.encode())
    if raw[:1] != _VERSION:
        raise ValueError("unknown ciphertext version")
    nonce, ct = raw[1:13], raw[13:]
    return _aead(settings.PULIH_FIELD_KEY).decrypt(nonce, ct, purpose.encode()).decode()


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash of a normalised value: equal inputs give equal indexes, and without the key
    the 10^16 NIK space cannot be enumerated back from them."""
    msg = purpose.encode() + b"\x00" + value.encode()
    return hmac.new(_index_key(settings.PULIH_BLIND_INDEX_KEY), msg, hashlib.sha256).hexdigest()


def blind_indexes(values: Iterable[str], *, purpose: str) -> list[str]:
    """blind_index of each value, for a whole column, in a third less time than hmac's own
    copy() per value (bench: 0.72 s against 1.13 s for 500,000 NIKs): HMAC as RFC 2104 and
    the hmac module define it, H(K ^ opad || H(K ^ ipad || message)), with both keyed SHA-256
    states (the inner one already fed the purpose) prepared once and copied per value by
    hashlib, in C, without hmac's Python-level copy. tests/test_crypto.py: equal to
    blind_index for any value."""
    key = _index_key(settings.PULIH_BLIND_INDEX_KEY)
    block = hashlib.sha256().block_size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\x00")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    inner.update(purpose.encode() + b"\x00")
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    inner_copy, outer_copy = inner.copy, outer.copy
    out: list[str] = []
    append = out.append
    for value in values:
        h = inner_copy()
        h.update(value.encode())
        o = outer_copy()
        o.update(h.digest())
        append(o.hexdigest())
    return out
