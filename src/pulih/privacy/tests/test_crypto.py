"""Blind indexes: the bulk form gives the very bytes of the one-value form."""

import base64

import pytest
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
