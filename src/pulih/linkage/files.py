"""Reading and writing the analysts' record files (CSV or Parquet) for `pulih dedupe/screen`."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pulih.linkage.prepare import InputError

FORMATS = (".csv", ".parquet")


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"Format berkas {path.name} tidak didukung: pakai .csv atau .parquet.")
    return suffix


def records_read(path: Path) -> pl.DataFrame:
    """Every column as text (a NIK must keep its digits, a record id its leading zeros)."""
    suffix = _format(path)
    if not path.exists():
        raise InputError(f"Berkas {path} tidak ditemukan.")
    try:
        if suffix == ".csv":
            frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
        else:
            frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as error:
        raise InputError(f"Berkas {path.name} tidak terbaca: {error}") from error
    if "record_id" not in frame.columns:
        raise InputError("Kolom record_id wajib ada.")
    return frame


def records_write(frame: pl.DataFrame, path: Path) -> None:
    """Written to a temporary name first, so a killed run never leaves half a file."""
    suffix = _format(path)
    partial = path.with_name(path.name + ".partial")
    if suffix == ".csv":
        flat = frame.with_columns(
            pl.col(c).list.join(";") for c, t in frame.schema.items() if isinstance(t, pl.List)
        )
        flat.write_csv(partial)
    else:
        frame.write_parquet(partial)
    partial.replace(path)
