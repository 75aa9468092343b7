"""The Splink model of "same person?": comparisons over prepared columns and blocking rules.

One definition serves every engine: the levels are built from Splink's level creators and
portable SQL, so Splink writes the DuckDB or the Spark dialect from the same settings.

The NIK embeds the district, the birth date and the sex. Comparing NIK, birth date and sex as
three independent fields would count one fact three times (a NIK that agrees implies a birth
date and a sex that agree), so they form ONE comparison, `identity`, whose levels are the
joint states that matter: same NIK; a one-digit NIK difference with the rest agreeing (a
typo); no NIK on one side but the same birth date and sex; and so on. Each joint state gets
its own m and u, so the correlation is inside the model instead of distorting it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import splink.comparison_level_library as cll
from splink import SettingsCreator, block_on
from splink.comparison_library import CustomComparison
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator

# The threshold above which a pair is taken as the same person when clustering. Tuned on the
# synthetic population (bench/linkage) for pair F1, and printed by the benchmark.
MATCH_THRESHOLD = 0.5
# Below this a pair is not worth an officer's time in the review queue.
REVIEW_THRESHOLD = 0.3


@dataclass(frozen=True)
class Level:
    """How a comparison level is shown in the review queue: a code and plain Indonesian."""

    code: str
    text: str


def _nik_missing() -> cll.CustomLevel:
    return cll.CustomLevel("nik_l IS NULL OR nik_r IS NULL")


def _birth_date_slip() -> cll.ComparisonLevelCreator:
    # A one-character slip in the ISO date (one day, one month or one year digit) or day and
    # month swapped, the two ways birth dates go wrong between lists. The equality guard in
    # front is cheap and true for every slip (a slip leaves the year or the month-day alone),
    # so the engine computes edit distances only for the few pairs that pass it.
    guard = cll.Or(cll.ExactMatchLevel("birth_year"), cll.ExactMatchLevel("birth_md"))
    swapped = cll.CustomLevel(
        "substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2) "
        "AND substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2)"
    )
    return cll.And(guard, cll.Or(cll.LevenshteinLevel("birth_date", 1), swapped))


def _nik_one_digit() -> cll.ComparisonLevelCreator:
    """NIKs one substitution or one swap of neighbours apart. Any such pair agrees on the first
    seven or on the last seven digits (a swap of neighbours touches two adjacent positions),
    so that equality guards the costly edit distance."""
    guard = cll.Or(cll.ExactMatchLevel("nik_front"), cll.ExactMatchLevel("nik_back"))
    return cll.And(guard, cll.DamerauLevenshteinLevel("nik", 1))


def identity_comparison() -> ComparisonCreator:
    """NIK, birth date and sex as one comparison (see the module docstring).

    The u of the NIK levels is set, not sampled: two random people almost never share a NIK
    or one a digit away, so a million random pairs rarely show one and the sampled value
    would be noise. The values are the rate at which one NIK is carried by two people in
    audited lists (DOMAIN.md: tens of thousands among millions), not zero."""
    same_date_and_sex = [cll.ExactMatchLevel("birth_date"), cll.ExactMatchLevel("sex")]
    return CustomComparison(
        output_column_name="identity",
        comparison_description="NIK, tanggal lahir dan jenis kelamin",
        comparison_levels=[
            cll.CustomLevel(
                "(nik_l IS NULL OR nik_r IS NULL) AND (birth_date_l IS NULL OR birth_date_r IS NULL)"
            ).configure(is_null_level=True, label_for_charts="null"),
            cll.ExactMatchLevel("nik").configure(
                label_for_charts="nik_exact",
                m_probability=0.8,
                u_probability=1e-7,
                fix_u_probability=True,
            ),
            cll.And(*same_date_and_sex, _nik_one_digit()).configure(
                label_for_charts="nik_typo_rest_agrees",
                m_probability=0.05,
                u_probability=1e-6,
                fix_u_probability=True,
            ),
            cll.And(_nik_missing(), *same_date_and_sex).configure(
                label_for_charts="no_nik_date_sex_agree", m_probability=0.07
            ),
            cll.And(_nik_missing(), _birth_date_slip()).configure(
                label_for_charts="no_nik_date_slip", m_probability=0.02
            ),
            _nik_one_digit().configure(
                label_for_charts="nik_typo_rest_differs",
                m_probability=0.01,
                u_probability=1e-6,
                fix_u_probability=True,
            ),
            cll.ExactMatchLevel("birth_date").configure(
                label_for_charts="other_nik_same_date", m_probability=0.02
            ),
            _birth_date_slip().configure(
                label_for_charts="other_nik_date_slip", m_probability=0.01
            ),
            cll.ElseLevel().configure(label_for_charts="differs", m_probability=0.02),
        ],
    )


def name_comparison() -> ComparisonCreator:
    """Names after Indonesian preparation (pulih.linkage.names): titles gone, Muhammad and old
    spellings folded, so the levels measure what is left."""
    return CustomComparison(
        output_column_name="name",
        comparison_description="nama",
        comparison_levels=[
            cll.NullLevel("name_key").configure(label_for_charts="null"),
            cll.ExactMatchLevel("name_key")
            .configure(tf_adjustment_column="name_key", label_for_charts="same")
            .configure(tf_minimum_u_value=0.001),
            cll.ExactMatchLevel("name_key_sorted").configure(label_for_charts="swapped"),
            cll.JaroWinklerLevel("name_key", 0.95).configure(label_for_charts="very_similar"),
            cll.And(
                cll.ExactMatchLevel("name_first"),
                cll.CustomLevel("name_last_l IS NULL OR name_last_r IS NULL"),
            ).configure(label_for_charts="given_name_only"),
            cll.JaroWinklerLevel("name_key", 0.88).configure(label_for_charts="similar"),
            cll.Or(cll.ExactMatchLevel("name_first"), cll.ExactMatchLevel("name_last")).configure(
                label_for_charts="one_part_same"
            ),
            cll.ElseLevel().configure(label_for_charts="differs"),
        ],
    )


def region_comparison() -> ComparisonCreator:
    return CustomComparison(
        output_column_name="region",
        comparison_description="wilayah",
        comparison_levels=[
            cll.NullLevel("village_code").configure(label_for_charts="null"),
            cll.ExactMatchLevel("village_code").configure(label_for_charts="same_village"),
            cll.ExactMatchLevel("district_code").configure(label_for_charts="same_district"),
            cll.ExactMatchLevel("city_code").configure(label_for_charts="same_city"),
            cll.ElseLevel().configure(label_for_charts="differs"),
        ],
    )


def address_comparison() -> ComparisonCreator:
    return CustomComparison(
        output_column_name="address",
        comparison_description="alamat",
        comparison_levels=[
            cll.NullLevel("address_street").configure(label_for_charts="null"),
            cll.ExactMatchLevel("address_street").configure(label_for_charts="same"),
            cll.JaroWinklerLevel("address_street", 0.9).configure(label_for_charts="similar"),
            cll.JaroWinklerLevel("address_street", 0.75).configure(label_for_charts="close"),
            cll.ElseLevel().configure(label_for_charts="differs"),
        ],
    )


def phone_comparison() -> ComparisonCreator:
    return CustomComparison(
        output_column_name="phone",
        comparison_description="nomor HP",
        comparison_levels=[
            cll.NullLevel("phone").configure(label_for_charts="null"),
            cll.ExactMatchLevel("phone").configure(label_for_charts="same"),
            cll.ElseLevel().configure(label_for_charts="differs"),
        ],
    )


def blocking_rules() -> list[BlockingRuleCreator]:
    """Candidate pairs: tight enough for a million people in memory, loose enough that every
    corruption in bench/linkage still meets its original through at least one rule."""
    return [
        block_on("nik"),
        block_on("name_first", "birth_date"),
        block_on("birth_date", "village_code"),
        block_on("phone"),
        block_on("name_key_sorted", "birth_md"),
        block_on("nik_head"),
        block_on("name_last", "birth_date"),
    ]


def settings(*, link_type: str = "dedupe_only") -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type,  # type: ignore[arg-type]
        unique_id_column_name="unique_id",
        comparisons=[
            identity_comparison(),
            name_comparison(),
            region_comparison(),
            address_comparison(),
            phone_comparison(),
        ],
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=True,
        max_iterations=20,
    )


def trained_for_dialect(
    trained: dict[str, Any], *, sql_dialect: str, link_type: str | None = None
) -> dict[str, Any]:
    """A trained model's parameters (prior, m and u per level, matched by label) on this
    module's settings written in `sql_dialect`: a model saved by one engine carries that
    engine's SQL, so another engine takes the numbers, not the text."""
    fresh = settings(link_type=link_type or trained.get("link_type", "dedupe_only"))
    out = fresh.create_settings_dict(sql_dialect)
    learned = {
        (c["output_column_name"], level.get("label_for_charts")): level
        for c in trained["comparisons"]
        for level in c["comparison_levels"]
    }
    for comparison in out["comparisons"]:
        for level in comparison["comparison_levels"]:
            known = learned.get((comparison["output_column_name"], level.get("label_for_charts")))
            for key in ("m_probability", "u_probability"):
                if known is not None and known.get(key) is not None:
                    level[key] = known[key]
    out["probability_two_random_records_match"] = trained["probability_two_random_records_match"]
    return out
