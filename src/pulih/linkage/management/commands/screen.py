"""`pulih screen INPUT --list KIND --out OUTPUT [--engine duckdb|spark]`: who in a file is on
the current screening lists of one kind.

INPUT has the layout of `pulih dedupe`. OUTPUT has every input column, then `list_hit`
(true when the record is on the list), `list_match` ("nik" for an exact NIK hit, "probable"
for a likely one), `list_probability`, `list_source` and `list_row` (the entry's row number
in its file). Every exact NIK hit is reported, whatever the model scores.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import polars as pl
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pulih.linkage import screening
from pulih.linkage.engines import ENGINES
from pulih.linkage.files import records_read, records_write
from pulih.linkage.models import ListKind
from pulih.linkage.prepare import InputError


class Command(BaseCommand):
    help = "Cocokkan berkas CSV/Parquet dengan daftar penyaring (ASN, meninggal, kredit, ...)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="Berkas .csv atau .parquet dengan kolom record_id")
        parser.add_argument("--list", required=True, choices=list(ListKind.values), dest="kind")
        parser.add_argument("--out", required=True, help="Berkas hasil .csv atau .parquet")
        parser.add_argument("--engine", default="duckdb", choices=sorted(ENGINES))

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            frame = records_read(Path(options["input"]))
            hits = screening.screen_frame(frame, kind=options["kind"], engine=options["engine"])
        except InputError as error:
            raise CommandError(str(error)) from error
        out = (
            frame.with_columns(pl.col("record_id").cast(pl.String))
            .join(hits, on="record_id", how="left", maintain_order="left")
            .with_columns(pl.col("list_hit").fill_null(False))
        )
        records_write(out, Path(options["out"]))
        sys.stderr.write(
            f"{out.height:,} baris; {out['list_hit'].sum():,} tercantum di daftar "
            f"{options['kind']}; {time.monotonic() - started:.1f} detik\n"
        )
