"""`pulih demo_proposers OUT.csv|OUT.xlsx --rows N`: a synthetic proposer list to try `pulih intake` on."""

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pulih.demo.management.commands.demo import _number
from pulih.demo.pipeline import DemoLoadError
from pulih.demo.proposers import proposer_frame, write_csv, write_xlsx


class Command(BaseCommand):
    help = (
        "Buat daftar pengusul sintetis (CSV/XLSX) dengan baris rusak, duplikat, dan orang yang "
        "sudah ada di registri (`pulih demo` dengan --seed yang sama)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="berkas keluaran, .csv atau .xlsx")
        parser.add_argument("--rows", type=int, required=True, help="jumlah baris data")
        parser.add_argument("--regions", default="31", help="kode wilayah dipisah koma")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--existing-people",
            type=int,
            default=0,
            help="jumlah orang yang dimuat `pulih demo --people` (10%% baris tentang mereka)",
        )
        parser.add_argument(
            "--existing-seed", type=int, default=2020, help="--seed yang dipakai `pulih demo`"
        )
        parser.add_argument("--delimiter", default=",", help="pemisah CSV (bawaan: koma)")
        parser.add_argument("--encoding", default="utf-8", help="utf-8 atau cp1252 (CSV saja)")
        parser.add_argument(
            "--truth", default="", help="tulis jumlah baris yang ditanam ke berkas JSON ini"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        suffix = out.suffix.lower()
        if suffix not in {".csv", ".xlsx"}:
            raise CommandError("Berkas keluaran harus berakhiran .csv atau .xlsx.")
        if options["rows"] < 0 or options["existing_people"] < 0:
            raise CommandError("--rows dan --existing-people tidak boleh negatif.")
        if len(options["delimiter"]) != 1:
            raise CommandError("--delimiter harus satu karakter.")
        regions = [c.strip() for c in options["regions"].split(",") if c.strip()]
        began = time.perf_counter()
        try:
            frame, truth = proposer_frame(
                rows=options["rows"],
                regions=regions,
                seed=options["seed"],
                existing_people=options["existing_people"],
                existing_seed=options["existing_seed"],
            )
        except DemoLoadError as exc:
            raise CommandError(str(exc)) from exc
        generated = time.perf_counter() - began
        if suffix == ".csv":
            try:
                write_csv(frame, out, delimiter=options["delimiter"], encoding=options["encoding"])
            except LookupError as exc:
                raise CommandError(f"Pengodean tidak dikenal: {options['encoding']}") from exc
        else:
            write_xlsx(frame, out)
        if options["truth"]:
            Path(options["truth"]).write_text(json.dumps(truth.as_dict(), indent=2))
        self.stdout.write(
            f"{out}: {_number(truth.rows)} baris ({generated:.1f} dtk membuat, "
            f"{time.perf_counter() - began - generated:.1f} dtk menulis)"
        )
        self.stdout.write(
            f"  rusak {_number(truth.invalid_total)}, duplikat {_number(truth.duplicates)}, "
            f"sudah terdaftar {_number(truth.existing)} "
            f"({_number(truth.existing_changed)} berubah), baru {_number(truth.new)}"
        )
