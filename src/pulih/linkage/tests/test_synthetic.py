"""The synthetic population: sizes, truth, valid NIKs, every corruption kind, and pair scoring."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from pulih.linkage.synthetic import (
    CORRUPTION_KINDS,
    pairwise_scores,
    population,
    population_annotated,
)
from pulih.registry.identifiers import parse_nik

# Pure functions and engines: the PostgreSQL pass of `make test` deselects these.
pytestmark = pytest.mark.database_free

TODAY = date(2026, 6, 30)


@pytest.fixture(scope="module")
def annotated() -> pl.DataFrame:
    return population_annotated(20_000, duplicate_rate=0.10, seed=7)


def _with_original(frame: pl.DataFrame) -> pl.DataFrame:
    """Each copy beside the original record of the same person."""
    originals = frame.filter(pl.col("corruptions").list.len() == 0)
    copies = frame.filter(pl.col("corruptions").list.len() > 0)
    return copies.join(originals, on="person_id", suffix="_original")


def test_same_seed_gives_the_same_records_and_another_seed_does_not() -> None:
    first = population(3_000, seed=5)
    assert first.equals(population(3_000, seed=5))
    assert not first.equals(population(3_000, seed=6))


def test_sizes_follow_people_and_duplicate_rate(annotated: pl.DataFrame) -> None:
    assert annotated.height == 22_000
    assert annotated["person_id"].n_unique() == 20_000
    assert annotated["record_id"].n_unique() == annotated.height
    per_person = annotated.group_by("person_id").len()["len"]
    assert per_person.max() == 3  # a person gets one or two copies, never more
    assert (per_person == 3).sum() > 0
    # Exactly one original per person.
    originals = annotated.filter(pl.col("corruptions").list.len() == 0)
    assert originals["person_id"].n_unique() == originals.height == 20_000


def test_columns_have_the_documented_types_and_formats(annotated: pl.DataFrame) -> None:
    frame = annotated.drop("corruptions")
    assert frame.schema == pl.Schema(
        {
            "record_id": pl.String,
            "person_id": pl.Int64,
            "nik": pl.String,
            "name": pl.String,
            "birth_date": pl.Date,
            "sex": pl.String,
            "address": pl.String,
            "village_code": pl.String,
            "phone": pl.String,
        }
    )
    assert frame["nik"].drop_nulls().str.contains(r"^\d{16}$").all()
    assert frame["village_code"].str.contains(r"^31\.\d{2}\.\d{2}\.\d{4}$").all()
    assert frame["phone"].drop_nulls().str.contains(r"^\+628\d{7,10}$").all()
    assert set(frame["sex"].unique()) == {"L", "P"}
    assert frame["name"].str.len_chars().min() > 0


def test_original_niks_are_valid_and_agree_with_birth_date_and_sex(
    annotated: pl.DataFrame,
) -> None:
    originals = annotated.filter(pl.col("corruptions").list.len() == 0)
    assert originals["nik"].null_count() == 0
    assert originals["nik"].n_unique() == originals.height
    for nik, born, sex in originals.select("nik", "birth_date", "sex").iter_rows():
        parsed = parse_nik(nik, district_exists=lambda _code: True, today=TODAY)
        assert (parsed.birth_date, parsed.sex) == (born, sex)


def test_copies_untouched_in_nik_and_birth_date_keep_the_originals(
    annotated: pl.DataFrame,
) -> None:
    untouched = _with_original(annotated).filter(
        ~pl.col("corruptions").list.eval(pl.element().str.starts_with("nik_")).list.any(),
        ~pl.col("corruptions").list.eval(pl.element().str.starts_with("birth_")).list.any(),
    )
    assert untouched.height > 1_000
    assert (untouched["nik"] == untouched["nik_original"]).all()
    assert (untouched["birth_date"] == untouched["birth_date_original"]).all()
    assert (untouched["sex"] == untouched["sex_original"]).all()


def test_every_corruption_kind_occurs_and_every_copy_has_one(annotated: pl.DataFrame) -> None:
    copies = annotated.filter(pl.col("corruptions").list.len() > 0)
    assert copies.height == 2_000
    seen = set(copies["corruptions"].explode().unique())
    assert seen == set(CORRUPTION_KINDS)


def _having(pairs: pl.DataFrame, kind: str) -> pl.DataFrame:
    return pairs.filter(pl.col("corruptions").list.contains(kind))


def test_each_corruption_changes_what_it_says(annotated: pl.DataFrame) -> None:
    pairs = _with_original(annotated)
    assert _having(pairs, "nik_missing")["nik"].null_count() == _having(pairs, "nik_missing").height
    assert _having(pairs, "birth_missing")["birth_date"].is_null().all()

    typo = _having(pairs, "nik_typo")
    for nik, original in typo.select("nik", "nik_original").iter_rows():
        differing = [i for i, (a, b) in enumerate(zip(nik, original, strict=True)) if a != b]
        # One digit changed, or two neighbours transposed.
        assert len(differing) == 1 or (
            len(differing) == 2
            and differing[1] == differing[0] + 1
            and nik[differing[0]] == original[differing[1]]
        )

    slip = _having(pairs, "birth_slip").filter(
        ~pl.col("corruptions").list.contains("birth_missing")
    )
    for born, original in slip.select("birth_date", "birth_date_original").iter_rows():
        swapped = (born.day, born.month) == (original.month, original.day)
        one_day = abs((born - original).days) == 1
        one_year = abs(born.year - original.year) == 1 and (born.month, born.day) == (
            original.month,
            original.day,
        )
        assert swapped or one_day or one_year

    moved = _having(pairs, "moved")
    assert (moved["village_code"] != moved["village_code_original"]).all()
    same_city = moved["village_code"].str.slice(0, 5) == moved["village_code_original"].str.slice(
        0, 5
    )
    assert same_city.mean() > 0.6  # type: ignore[operator]

    changed = _having(pairs, "phone_changed")
    assert (~changed["phone"].eq_missing(changed["phone_original"])).all()

    restyled = _having(pairs, "address_format").filter(
        ~pl.col("corruptions").list.contains("moved")
    )
    assert (restyled["address"] != restyled["address_original"]).all()

    named = pairs.filter(
        pl.col("corruptions").list.eval(pl.element().str.starts_with("name_")).list.any()
    )
    # Two corruptions can undo each other (Joko -> Djoko, then the d deleted); rarely.
    assert (named["name"] != named["name_original"]).mean() > 0.99  # type: ignore[operator]


@pytest.mark.parametrize(
    ("kind", "original", "copy"),
    [
        ("name_muhammad", r"^(Muhammad|Mohammad|Moch) ", r"^(M\.|Moch\.|Mohamad|Muh|Mhd) "),
        ("name_spelling", r"(oe|dj|tj)", r"^[^,]*$"),
        ("name_given_only", r"^\S+ \S+", r"^[^ ,]+$"),
    ],
)
def test_name_corruptions_look_like_real_variants(
    annotated: pl.DataFrame, kind: str, original: str, copy: str
) -> None:
    pairs = _having(_with_original(annotated), kind)
    assert pairs.height > 0
    # At least some copies show the variant the kind stands for.
    assert pairs.filter(
        pl.col("name_original").str.contains(original) | pl.col("name").str.contains(original),
        pl.col("name").str.contains(copy) | pl.col("name_original").str.contains(copy),
    ).height


def test_population_is_hard_in_the_ways_real_registries_are(annotated: pl.DataFrame) -> None:
    people = annotated.filter(pl.col("corruptions").list.len() == 0)
    by_name_year = people.group_by("name", pl.col("birth_date").dt.year()).len()
    assert by_name_year["len"].max() > 5  # common single names share a birth year
    assert people["name"].str.contains(r"\b(Wayan|Made|Nyoman|Ketut)\b").sum() > 50
    assert people["name"].str.contains(r"^(H\.|Hj\.) ").sum() > 100
    assert people["name"].str.contains(r" bin(ti)? ").sum() > 100


# --- pairwise_scores ---------------------------------------------------------------------------

TRUTH = pl.Series([1, 1, 2, 3, 3, 3])


def test_scores_of_a_perfect_clustering_are_one() -> None:
    scores = pairwise_scores(TRUTH, pl.Series(["a", "a", "b", "c", "c", "c"]))
    assert scores == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "true_pairs": 4,
        "predicted_pairs": 4,
        "true_positive_pairs": 4,
    }


def test_one_cluster_for_everything_finds_every_pair_but_is_imprecise() -> None:
    scores = pairwise_scores(TRUTH, pl.Series(["x"] * 6))
    assert scores["predicted_pairs"] == 15
    assert scores["true_positive_pairs"] == 4
    assert scores["recall"] == 1.0
    assert scores["precision"] == pytest.approx(4 / 15)
    assert scores["f1"] == pytest.approx(2 * (4 / 15) / (4 / 15 + 1))


def test_all_singletons_find_no_pair() -> None:
    scores = pairwise_scores(TRUTH, pl.Series(range(6)))
    assert scores["predicted_pairs"] == 0
    assert scores["recall"] == 0.0
    assert scores["f1"] == 0.0


def test_a_mixed_clustering_scores_as_counted_by_hand() -> None:
    # Truth pairs: person 1 has 4 records (6 pairs), person 2 has 2 (1 pair): 7.
    # Predicted: cluster a (3 records, 3 pairs), b (3 records, 3 pairs): 6.
    # Right: the 3 pairs of a (all person 1) and the person-2 pair inside b: 4.
    scores = pairwise_scores(pl.Series([1, 1, 1, 1, 2, 2]), pl.Series(list("aaabbb")))
    assert (scores["true_pairs"], scores["predicted_pairs"], scores["true_positive_pairs"]) == (
        7,
        6,
        4,
    )
    assert scores["precision"] == pytest.approx(4 / 6)
    assert scores["recall"] == pytest.approx(4 / 7)
    assert scores["f1"] == pytest.approx(8 / 13)


def test_labels_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="same records"):
        pairwise_scores(pl.Series([1, 2]), pl.Series([1]))
