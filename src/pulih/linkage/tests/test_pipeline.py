"""Linkage end to end on 1,000 synthetic people with planted duplicates of every kind, and the
model's handling of the NIK's embedded birth date and sex."""

from datetime import date, timedelta

import polars as pl
import pytest

from pulih.linkage import model, pipeline
from pulih.linkage.evidence import level_labels
from pulih.linkage.synthetic import population

# Pure functions and engines: the PostgreSQL pass of `make test` deselects these.
pytestmark = pytest.mark.database_free

OLD_SPELLING = {
    "J": "DJ",
    "j": "dj",
    "C": "TJ",
    "c": "tj",
    "U": "OE",
    "u": "oe",
    "Y": "J",
    "y": "j",
}


def _old(name: str) -> str:
    return "".join(OLD_SPELLING.get(ch, ch) for ch in name)


def _nik_typo(nik: str) -> str:
    digit = str((int(nik[13]) + 3) % 10)
    return nik[:13] + digit + nik[14:]


def _swap_day_month(d: date) -> date:
    return (
        date(d.year, d.day, d.month) if d.day <= 12 and d.day != d.month else d + timedelta(days=1)
    )


PLANTS = {
    "nik_typo": lambda r: {**r, "nik": _nik_typo(r["nik"])},
    "old_spelling_no_nik": lambda r: {**r, "name": _old(r["name"]), "nik": None},
    "muhammad_and_title": lambda r: {**r, "name": "H. Moch. " + r["name"].split()[-1] + " S.E."},
    "swapped_and_moved": lambda r: {
        **r,
        "name": " ".join(reversed(r["name"].split())),
        "village_code": r["village_code"][:8] + ".9999",
        "address": "Jalan Baru No. 1",
        "phone": None,
    },
    "birth_slip": lambda r: {**r, "birth_date": _swap_day_month(r["birth_date"]), "phone": None},
    "phone_and_address_restyled": lambda r: {
        **r,
        "phone": "+62 899 0000 1111",
        "address": r["address"].replace("Jl.", "Jalan").upper(),
    },
    "given_name_only": lambda r: {
        **r,
        "name": r["name"].split()[0] if len(r["name"].split()) > 1 else r["name"],
    },
}


@pytest.fixture(scope="module")
def planted():
    people = population(1000, duplicate_rate=0.0, seed=11)
    originals = people.filter(
        pl.col("nik").is_not_null() & (pl.col("name").str.count_matches(" ") >= 1)
    )
    copies, pairs = [], []
    for i, (kind, corrupt) in enumerate(PLANTS.items()):
        for j in range(3):
            row = originals.row(i * 3 + j, named=True)
            copy = corrupt(dict(row))
            copy["record_id"] = f"copy-{kind}-{j}"
            copies.append(copy)
            pairs.append((kind, row["record_id"], copy["record_id"]))
    frame = pl.concat([people, pl.DataFrame(copies, schema=people.schema)])
    return frame, pairs


def test_every_planted_duplicate_is_found_and_no_two_people_are_merged(planted):
    frame, pairs = planted
    clusters = pipeline.dedupe_frame(frame.drop("person_id"))

    assert clusters.height == frame.height
    cluster_of = dict(clusters.select("record_id", "cluster_id").iter_rows())
    missed = [(k, a, b) for k, a, b in pairs if cluster_of[a] != cluster_of[b]]
    assert missed == []
    truth = frame.select("record_id", "person_id").join(clusters, on="record_id")
    mixed = truth.group_by("cluster_id").agg(pl.col("person_id").n_unique().alias("people"))
    assert mixed.filter(pl.col("people") > 1).height == 0


def _levels(frame: pl.DataFrame) -> dict[tuple[str, str], tuple[int, float]]:
    result = pipeline.dedupe(frame, review_threshold=0.0)
    return {
        tuple(sorted((r["unique_id_l"], r["unique_id_r"]))): (
            r["gamma_identity"],
            r["match_probability"],
        )
        for r in result.pairs.iter_rows(named=True)
    }


def _record(
    record_id: str, nik: str | None, birth: str, sex: str, name: str = "Siti Aminah"
) -> dict:
    return {
        "record_id": record_id, "nik": nik, "name": name, "birth_date": birth, "sex": sex,
        "address": "Jl. Melati No. 3", "village_code": "31.71.01.1001", "phone": None,
    }  # fmt: skip


def test_nik_birth_date_and_sex_are_one_piece_of_evidence():
    """Agreeing birth date and sex add nothing on top of an agreeing NIK (they are inside it),
    so a pair with the same NIK scores the same whether or not they were also written down."""
    labels = level_labels()["identity"]
    records = [
        _record("a", "3171014708790003", "1979-08-07", "P"),
        _record("b", "3171014708790003", "1979-08-07", "P"),
        _record("c", "3171014708790003", None, None),
    ]
    found = _levels(pl.DataFrame(records))
    assert labels[found[("a", "b")][0]] == "nik_exact"
    assert labels[found[("a", "c")][0]] == "nik_exact"
    assert found[("a", "b")][1] == pytest.approx(found[("a", "c")][1])
    names = {c.output_column_name for c in model.settings().get_settings("duckdb").comparisons}
    assert names == {
        "identity",
        "name",
        "region",
        "address",
        "phone",
    }  # no separate birth date or sex


def test_one_digit_nik_difference_is_a_typo_only_when_the_rest_agrees():
    labels = level_labels()["identity"]
    records = [
        _record("base", "3171014708790003", "1979-08-07", "P"),
        _record("typo", "3171014708790008", "1979-08-07", "P"),
        _record("other", "3171014708790008", "1983-02-11", "P"),
    ]
    found = _levels(pl.DataFrame(records))
    assert labels[found[("base", "typo")][0]] == "nik_typo_rest_agrees"
    assert labels[found[("base", "other")][0]] == "nik_typo_rest_differs"
    assert found[("base", "typo")][1] > found[("base", "other")][1]


def test_a_nik_shared_by_clearly_different_people_is_not_a_match():
    records = [
        _record("a", "3171014708790003", "1979-08-07", "P", name="Siti Aminah"),
        _record("b", "3171014708790003", "1990-01-15", "L", name="Bambang Hartono"),
    ]
    result = pipeline.dedupe(pl.DataFrame(records))
    assert result.clusters is not None
    assert result.clusters["cluster_id"].n_unique() == 2
    assert result.shared_nik_pairs.height == 1
