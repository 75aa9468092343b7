"""NIK anomalies over a whole set of records at once: an impossible date or district, a stated
birth date or sex that the NIK contradicts, one NIK used by clearly different people, one
person holding several NIKs.

The per-record checks are the registry's rules (pulih.registry.identifiers.parse_nik and
nik_mismatches) written as Polars expressions in pulih.registry.identifier_exprs, shared with
intake; tests/test_anomalies.py feeds random NIKs through both and asserts the same verdicts.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import polars as pl
from django.utils import timezone

from pulih.registry.error_codes import RegistryErrorCode as R
from pulih.registry.identifier_exprs import nik_checks, nik_mismatch_flags

# Cluster-level findings, beside the registry's per-NIK codes.
NIK_SHARED = "nik_shared"
NIK_MULTIPLE = "nik_multiple"

# The order parse_nik checks in: the first failing one is what it reports.
RECORD_CODES = (
    R.NIK_NOT_DIGITS,
    R.NIK_WRONG_LENGTH,
    R.NIK_UNKNOWN_DISTRICT,
    R.NIK_INVALID_DATE,
    R.NIK_ZERO_SERIAL,
)


def record_anomalies(
    frame: pl.DataFrame,
    *,
    district_codes: Collection[str] | None = None,
    today: date | None = None,
) -> pl.Series:
    """A list of anomaly codes per row of `frame` (columns nik, birth_date as date or
    YYYY-MM-DD, sex), empty where nothing is wrong or there is no NIK.

    Structural codes follow parse_nik, only the first that fails (as the registry reports
    it); then the mismatches with the stated birth date and sex when the NIK parsed.
    """
    today = today or timezone.localdate()
    raw = (
        frame["nik"].cast(pl.String)
        if "nik" in frame.columns
        else pl.repeat(None, frame.height, dtype=pl.String, eager=True)
    )
    stated_date = (
        frame["birth_date"].cast(pl.String).str.to_date("%Y-%m-%d", strict=False)
        if "birth_date" in frame.columns
        else pl.repeat(None, frame.height, dtype=pl.Date, eager=True)
    )
    stated_sex = (
        frame["sex"].cast(pl.String).str.strip_chars().str.to_uppercase()
        if "sex" in frame.columns
        else pl.repeat(None, frame.height, dtype=pl.String, eager=True)
    )
    work = pl.DataFrame({"raw": raw, "stated_date": stated_date, "stated_sex": stated_sex})
    digits = pl.col("raw").str.replace_all(r"[ .\-]", "").str.strip_chars()
    checked, nik = nik_checks(work.lazy(), digits, district_codes=district_codes, today=today)
    date_mismatch, sex_mismatch = nik_mismatch_flags(
        nik, birth_date=pl.col("stated_date"), sex=pl.col("stated_sex")
    )
    flags = {
        R.NIK_NOT_DIGITS: nik.not_digits,
        R.NIK_WRONG_LENGTH: nik.wrong_length,
        R.NIK_UNKNOWN_DISTRICT: nik.unknown_district,
        R.NIK_INVALID_DATE: nik.invalid_date,
        R.NIK_ZERO_SERIAL: nik.zero_serial,
        R.NIK_BIRTH_DATE_MISMATCH: date_mismatch,
        R.NIK_SEX_MISMATCH: sex_mismatch,
    }
    codes = checked.select(
        pl.concat_list(
            pl.when(flag.fill_null(False)).then(pl.lit(str(code))).otherwise(None)
            for code, flag in flags.items()
        )
        .list.drop_nulls()
        .alias("nik_anomalies")
    ).collect()
    return codes.to_series()


def cluster_anomalies(clustered: pl.DataFrame, shared_pairs: pl.DataFrame) -> pl.Series:
    """Per row of `clustered` (record_id, cluster_id, nik): NIK_MULTIPLE when its cluster holds
    more than one NIK, NIK_SHARED when it shares its NIK with a record judged another person."""
    nik = (
        clustered["nik"].cast(pl.String).str.replace_all(r"[ .\-]", "")
        if "nik" in clustered.columns
        else pl.repeat(None, clustered.height, dtype=pl.String, eager=True)
    )
    work = pl.DataFrame(
        {
            "record_id": clustered["record_id"].cast(pl.String),
            "cluster_id": clustered["cluster_id"],
            "nik": nik,
        }
    )
    shared_ids = (
        pl.concat([shared_pairs["unique_id_l"], shared_pairs["unique_id_r"]]).cast(pl.String)
        if shared_pairs.height
        else pl.Series([], dtype=pl.String)
    )
    return work.select(
        pl.concat_list(
            pl.when(
                pl.col("nik").n_unique().over("cluster_id")
                - pl.col("nik").null_count().over("cluster_id").clip(0, 1)
                > 1
            ).then(pl.lit(NIK_MULTIPLE)),
            pl.when(pl.col("record_id").is_in(shared_ids.implode())).then(pl.lit(NIK_SHARED)),
        )
        .list.drop_nulls()
        .alias("nik_cluster_anomalies")
    ).to_series()


def known_districts() -> frozenset[str] | None:
    """The district codes of the loaded reference data; None (no district check) without it."""
    from pulih.reference.selectors import district_code_set

    codes = district_code_set()
    return codes or None
