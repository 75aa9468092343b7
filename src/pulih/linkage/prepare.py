"""Records in, comparison-ready columns out: the input layout of every linkage run.

Input columns (any may be missing): `record_id`, `nik`, `name`, `birth_date` (a date or
YYYY-MM-DD), `sex` (L/P), `address`, `village_code` (PP.KK.CC.DDDD), `phone`. Output: the
columns pulih.linkage.model compares, with `unique_id` = record_id.
"""

from __future__ import annotations

import polars as pl

from pulih.linkage.addresses import prepare_addresses
from pulih.linkage.names import prepare_names

INPUT_COLUMNS: dict[str, pl.DataType] = {
    "record_id": pl.String(),
    "nik": pl.String(),
    "name": pl.String(),
    "birth_date": pl.String(),
    "sex": pl.String(),
    "address": pl.String(),
    "village_code": pl.String(),
    "phone": pl.String(),
}

# What the model compares, in the order Splink receives it.
PREPARED_COLUMNS = [
    "unique_id",
    "nik",
    "nik_head",
    "nik_front",
    "nik_back",
    "birth_date",
    "birth_year",
    "birth_md",
    "sex",
    "name_key",
    "name_key_sorted",
    "name_first",
    "name_last",
    "village_code",
    "district_code",
    "city_code",
    "address_street",
    "phone",
]


class InputError(ValueError):
    """The input cannot be linked as given; the message is for the person who gave it."""


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """The input columns as strings, the missing ones as nulls, unknown ones dropped; the
    record ids must be present and unique, because the output is keyed on them."""
    if "record_id" not in frame.columns:
        raise InputError("Kolom record_id wajib ada.")
    columns = []
    for name, dtype in INPUT_COLUMNS.items():
        if name not in frame.columns:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
        elif name == "birth_date" and frame.schema[name] in (pl.Date, pl.Datetime):
            columns.append(pl.col(name).cast(pl.Date).cast(pl.String))
        else:
            columns.append(pl.col(name).cast(pl.String).str.strip_chars().alias(name))
    out = frame.select(columns).with_columns(
        pl.when(pl.col(c).str.len_chars() > 0).then(pl.col(c)).alias(c)
        for c in INPUT_COLUMNS
        if c != "record_id"
    )
    if out["record_id"].null_count():
        raise InputError("Ada baris tanpa record_id.")
    if out["record_id"].n_unique() != out.height:
        raise InputError("record_id harus unik: ada yang dipakai lebih dari sekali.")
    return out


def _digits(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all(r"[\s.\-]", "")


def prepare(frame: pl.DataFrame) -> pl.DataFrame:
    """Comparison-ready columns for `frame` (see the module docstring)."""
    records = conform(frame)
    names = prepare_names(records["name"])
    addresses = prepare_addresses(records["address"])
    nik = _digits(pl.col("nik"))
    birth = pl.col("birth_date").str.to_date("%Y-%m-%d", strict=False)
    village = pl.col("village_code")
    prepared = pl.concat(
        [records, names.select(["name_key", "name_key_sorted", "name_first", "name_last"])],
        how="horizontal",
    ).with_columns(
        addresses["address_street"].alias("address_street"),
    )
    return prepared.select(
        pl.col("record_id").alias("unique_id"),
        # Only a well-formed NIK is compared; a malformed one is reported by anomalies.
        pl.when(nik.str.contains(r"^\d{16}$")).then(nik).alias("nik"),
        pl.when(nik.str.contains(r"^\d{16}$")).then(nik.str.slice(0, 12)).alias("nik_head"),
        pl.when(nik.str.contains(r"^\d{16}$")).then(nik.str.slice(0, 7)).alias("nik_front"),
        pl.when(nik.str.contains(r"^\d{16}$")).then(nik.str.slice(9, 7)).alias("nik_back"),
        birth.cast(pl.String).alias("birth_date"),
        birth.dt.year().cast(pl.String).alias("birth_year"),
        birth.dt.strftime("%m-%d").alias("birth_md"),
        pl.col("sex").str.to_uppercase().str.slice(0, 1).alias("sex"),
        "name_key",
        "name_key_sorted",
        "name_first",
        "name_last",
        pl.when(village.str.contains(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"))
        .then(village)
        .alias("village_code"),
        pl.when(village.str.contains(r"^\d{2}\.\d{2}\.\d{2}"))
        .then(village.str.slice(0, 8))
        .alias("district_code"),
        pl.when(village.str.contains(r"^\d{2}\.\d{2}"))
        .then(village.str.slice(0, 5))
        .alias("city_code"),
        "address_street",
        _digits(pl.col("phone")).str.replace(r"^(?:\+?62|0)", "0").alias("phone"),
    )
