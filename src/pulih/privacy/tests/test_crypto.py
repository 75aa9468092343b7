"""Bulk forms: blind indexes give the very bytes of the one-value form; bulk ciphertexts
decrypt like single ones, each with its own nonce."""

import base64

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given, settings as hypothesis_settings, strategies as st

from pulih.privacy import crypto

pytestmark = pytest.mark.database_free


@pytest.mark.parametrize("key_length", [0, 1, 32, 63, 64, 65, 200])
def test_bulk_blind_indexes_equal_blind_index_for_every_key_length(settings, key_length):
    # HMAC hashes a key longer than the block and pads a shorter one: both paths must agree.
    settings.PULIH_BLIND_INDEX_KEY = base64.urlsafe_b64encode(bytes(range(key_length))).decode()
    values = ["3171014708790003", "", "+6281234567890", "Ünïcødé ✓", "0" * 200]
    for purpose in ("nik", "phone", ""):
        assert crypto.blind_indexes(values, purpose=purpose) == [
            crypto.blind_index(v, purpose=purpose) for v in values
        ]


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.text(max_size=40), max_size=20), purpose=st.sampled_from(["nik", "phone"])
)
def test_bulk_blind_indexes_equal_blind_index(values, purpose):
    assert crypto.blind_indexes(values, purpose=purpose) == [
        crypto.blind_index(v, purpose=purpose) for v in values
    ]


@hypothesis_settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.text(max_size=40), max_size=20), purpose=st.sampled_from(["nik", "phone"])
)
def test_bulk_encryption_decrypts_to_each_value_under_its_purpose_only(values, purpose):
    tokens = crypto.encrypt_many(values, purpose=purpose)
    assert [crypto.decrypt(t, purpose=purpose) for t in tokens] == values
    other = "phone" if purpose == "nik" else "nik"
    for token in tokens:
        with pytest.raises(InvalidTag):
            crypto.decrypt(token, purpose=other)


def test_bulk_encryption_never_repeats_a_nonce():
    tokens = crypto.encrypt_many(["3171014708790003"] * 2_000, purpose="nik")
    nonces = {base64.urlsafe_b64decode(t)[1:13] for t in tokens}
    assert len(nonces) == len(tokens) == len(set(tokens))
    # The same layout as encrypt(): version byte, 12-byte nonce, ciphertext and tag.
    single = base64.urlsafe_b64decode(crypto.encrypt("3171014708790003", purpose="nik"))
    assert {len(base64.urlsafe_b64decode(t)) for t in tokens} == {len(single)}
