"""NIK anomaly rules, set-based, and their agreement with the registry's one-NIK checks."""

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

from pulih.linkage.anomalies import NIK_MULTIPLE, NIK_SHARED, cluster_anomalies, record_anomalies
from pulih.registry.error_codes import RegistryError
from pulih.registry.identifiers import nik_mismatches, parse_nik

# Pure functions and engines: the PostgreSQL pass of `make test` deselects these.
pytestmark = pytest.mark.database_free

TODAY = date(2026, 11, 22)
DISTRICTS = frozenset({"31.71.01", "32.73.01", "33.74.02"})


def _codes(nik, birth=None, sex=None):
    frame = pl.DataFrame(
        {"nik": [nik], "birth_date": [birth], "sex": [sex]},
        schema={"nik": pl.String, "birth_date": pl.String, "sex": pl.String},
    )
    return record_anomalies(frame, district_codes=DISTRICTS, today=TODAY).to_list()[0]


@pytest.mark.parametrize(
    ("nik", "birth", "sex", "expected"),
    [
        ("3171014708790003", "1979-08-07", "P", []),
        ("3171 0147 0879 0003", "1979-08-07", "P", []),  # spaces as typed from a KTP
        (None, "1979-08-07", "P", []),  # no NIK: nothing to check
        ("31710147087900", None, None, ["nik_wrong_length"]),
        ("317101470879000A", None, None, ["nik_not_digits"]),
        ("9971014708790003", None, None, ["nik_unknown_district"]),  # no such district
        ("3171013213790003", None, None, ["nik_invalid_date"]),  # month 13
        ("3171017202790003", None, None, ["nik_invalid_date"]),  # day 32 for a woman (72-40)
        ("3171013002790003", None, None, ["nik_invalid_date"]),  # 30 February
        ("3171014708790000", None, None, ["nik_zero_serial"]),
        ("3171014708790003", "1979-07-08", "P", ["nik_birth_date_mismatch"]),  # day/month swapped
        ("3171014708790003", "1979-08-07", "L", ["nik_sex_mismatch"]),  # +40 means a woman
        ("3171010708790003", "1980-08-07", "P", ["nik_birth_date_mismatch", "nik_sex_mismatch"]),
        ("3171012902000003", "2000-02-29", "L", []),  # leap day
        ("3171013112300003", "1930-12-31", "L", []),  # '30: 2030 is in the future, so 1930
    ],
)
def test_record_anomalies(nik, birth, sex, expected):
    assert _codes(nik, birth, sex) == expected


def _registry_verdict(nik: str, birth: date | None, sex: str | None) -> list[str]:
    try:
        parsed = parse_nik(nik, district_exists=DISTRICTS.__contains__, today=TODAY)
    except RegistryError as error:
        return [str(error.code)]
    return [str(e.code) for e in nik_mismatches(parsed, birth_date=birth, sex=sex)]


nik_strategy = st.builds(
    lambda district, day, month, year, serial: (
        f"{district.replace('.', '')}{day:02d}{month:02d}{year:02d}{serial:04d}"
    ),
    st.sampled_from([*sorted(DISTRICTS), "99.99.99"]),
    st.integers(0, 75),
    st.integers(0, 14),
    st.integers(0, 99),
    st.integers(0, 30),
) | st.text(alphabet="0123456789 -.x", max_size=18)


@settings(max_examples=150, deadline=None)
@given(
    nik=nik_strategy,
    birth=st.none() | st.dates(date(1930, 1, 1), date(2010, 12, 31)),
    sex=st.sampled_from([None, "L", "P"]),
)
def test_set_based_checks_agree_with_the_registry(nik, birth, sex):
    """The whole-set checks are the registry's rules: random NIKs get the same verdict."""
    expected = _registry_verdict(nik, birth, sex) if nik.strip(" -.") else []
    if expected == ["nik_empty"]:
        expected = []
    assert _codes(nik, birth.isoformat() if birth else None, sex) == expected


def test_cluster_anomalies_flag_several_niks_and_a_shared_nik():
    clustered = pl.DataFrame(
        {
            "record_id": ["a", "b", "c", "d", "e"],
            "cluster_id": ["a", "a", "c", "d", "e"],
            "nik": [
                "3171014708790003",
                "3171014708790008",
                "3273010101800001",
                "3273010101800001",
                None,
            ],
        }
    )
    shared = pl.DataFrame({"unique_id_l": ["c"], "unique_id_r": ["d"]})
    found = cluster_anomalies(clustered, shared).to_list()
    assert found == [[NIK_MULTIPLE], [NIK_MULTIPLE], [NIK_SHARED], [NIK_SHARED], []]
