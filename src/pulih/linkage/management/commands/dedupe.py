"""`pulih dedupe INPUT --out OUTPUT [--engine duckdb|spark]`: same-person clusters for a file.

INPUT is CSV or Parquet with `record_id` and any of nik, name, birth_date (YYYY-MM-DD), sex
(L/P), address, village_code, phone. OUTPUT has every input column, then `cluster_id` (equal
for records judged the same person), `match_probability` (the record's best pair) and
`nik_anomalies` (the registry's NIK codes, plus nik_shared / nik_multiple).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import polars as pl
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pulih.linkage import anomalies, pipeline
from pulih.linkage.anomalies import known_districts
from pulih.linkage.engines import ENGINES
from pulih.linkage.files import records_read, records_write
from pulih.linkage.prepare import InputError


class Command(BaseCommand):
    help = "Cari data ganda (orang yang sama) dalam berkas CSV/Parquet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="Berkas .csv atau .parquet dengan kolom record_id")
        parser.add_argument("--out", required=True, help="Berkas hasil .csv atau .parquet")
        parser.add_argument("--engine", default="duckdb", choices=sorted(ENGINES))

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            frame = records_read(Path(options["input"]))
            result = pipeline.dedupe(frame, engine=options["engine"])
        except InputError as error:
            raise CommandError(str(error)) from error
        assert result.clusters is not None
        out = frame.with_columns(pl.col("record_id").cast(pl.String)).join(
            result.clusters, on="record_id", how="left", maintain_order="left"
        )
        out = out.with_columns(
            anomalies.record_anomalies(out, district_codes=known_districts())
            .list.concat(anomalies.cluster_anomalies(out, result.shared_nik_pairs))
            .alias("nik_anomalies")
        )
        records_write(out, Path(options["out"]))
        clusters = out["cluster_id"].n_unique()
        sys.stderr.write(
            f"{out.height:,} baris, {clusters:,} orang, "
            f"{out.filter(pl.col('nik_anomalies').list.len() > 0).height:,} dengan anomali NIK; "
            f"{time.monotonic() - started:.1f} detik\n"
        )
