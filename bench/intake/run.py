"""Benchmark: `pulih intake` of a 500,000-row proposer list, CSV and XLSX, on SQLite and PostgreSQL,
side by side with django-import-export doing the same checks through the registry services.

One run:
1. builds one registry per database to start every round from: migrate, load_reference and
   `pulih demo --people <rows/10> --regions 31 --seed 2020 --no-accounts`, then copies it for
   each round (SQLite: the file; PostgreSQL: CREATE DATABASE ... TEMPLATE ...);
2. writes the list with pulih.demo.proposers (3% broken rows of ten kinds, 2% repeated NIKs,
   10% people already registered, some with a new phone or address) as CSV and as XLSX;
3. times `pulih intake FILE --source bench --json` end to end (process start to registry
   updated and report written), each round in a fresh process on a fresh copy, and takes
   that process's own peak RSS from wait4(); the median of --rounds is reported, and the
   counts are checked against what the list was built with;
4. imports the first --ie-rows rows of the same CSV with a django-import-export ModelResource
   that parses each row and calls registry.services (person_register, business_create,
   person_update) the way a Django team would wire it (this file with --import-export-child,
   settings in import_export_settings.py), and runs Pulih on that same slice too;
5. prints the table and the ratios, and writes everything as JSON to --json-out.

    .venv/bin/python bench/intake/run.py [--rows 500000 --rounds 3 --ie-rows 20000 --json-out results.json]

Every process gets the same PULIH_VAR_DIR (a temporary directory: its secrets.json holds the
encryption keys the template was written with) and its own PULIH_INTAKE_DIR. PostgreSQL is
--pg-url (postgres://postgres@127.0.0.1:5432), databases pulih_bench_intake and
pulih_bench_intake_template; without a server there the PostgreSQL rows are skipped with a line
saying so.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
from harness import (  # noqa: E402
    PG_URL,
    PULIH,
    BenchError,
    Measured,
    Postgres,
    Sqlite,
    machine_speed,
    run_checked,
    run_measured,
)

PG_DATABASE = "pulih_bench_intake"
REGIONS = "31"
EXISTING_SEED = 2020
LIST_SEED = 1
TARGET_SECONDS = {"csv": 30.0, "xlsx": 60.0}
TARGET_PEAK_MB = 2048.0
TARGET_RATIO = 20.0
COUNT_KEYS = (
    "rows_created", "rows_updated", "rows_unchanged", "rows_rejected", "rows_duplicate",
    "changes_proposed",
)  # fmt: skip


# --- databases ---------------------------------------------------------------------------------


# --- the benchmark -----------------------------------------------------------------------------


@dataclass
class Context:
    workdir: Path
    var_dir: Path
    base_env: dict[str, str]
    rounds: int
    results: list[dict[str, Any]] = field(default_factory=list)
    import_export: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def env(self, database_url: str, intake_dir: Path | None = None) -> dict[str, str]:
        env = {
            **self.base_env,
            "DJANGO_SETTINGS_MODULE": "pulih.config.settings",
            "PULIH_VAR_DIR": str(self.var_dir),
            "DATABASE_URL": database_url,
        }
        if intake_dir is not None:
            env["PULIH_INTAKE_DIR"] = str(intake_dir)
        return env


def template_build(ctx: Context, db: Sqlite | Postgres, existing: int) -> float:
    began = time.perf_counter()
    env = ctx.env(db.template_create())
    run_checked([*PULIH, "migrate", "-v0"], env)
    run_checked([*PULIH, "load_reference"], env)
    run_checked(
        [*PULIH, "demo", "--people", str(existing), "--regions", REGIONS,
         "--seed", str(EXISTING_SEED), "--no-accounts"],
        env,
    )  # fmt: skip
    db.after_template()
    return time.perf_counter() - began


@dataclass
class Lists:
    csv: Path
    xlsx: Path
    ie_csv: Path
    truth: dict[str, Any]
    seconds: dict[str, float]


def lists_write(ctx: Context, template_url: str, rows: int, existing: int, ie_rows: int) -> Lists:
    """The proposer lists, written here (the generator reads region names from the template)."""
    os.environ.update(ctx.env(template_url))
    import django

    django.setup()
    from django.db import connections

    from pulih.demo.proposers import proposer_frame, write_csv, write_xlsx

    paths = {k: ctx.workdir / f"pengusul-{rows}.{k}" for k in ("csv", "xlsx")}
    seconds = {}
    began = time.perf_counter()
    frame, truth = proposer_frame(
        rows=rows,
        regions=[REGIONS],
        seed=LIST_SEED,
        existing_people=existing,
        existing_seed=EXISTING_SEED,
    )
    seconds["generate"] = time.perf_counter() - began
    for fmt, writer in (("csv", write_csv), ("xlsx", write_xlsx)):
        began = time.perf_counter()
        writer(frame, paths[fmt])
        seconds[f"write_{fmt}"] = time.perf_counter() - began
    ie_csv = ctx.workdir / f"pengusul-first-{ie_rows}.csv"
    write_csv(frame.head(ie_rows), ie_csv)
    connections.close_all()
    return Lists(paths["csv"], paths["xlsx"], ie_csv, truth.as_dict(), seconds)


def counts_check(counts: dict[str, Any], truth: dict[str, Any]) -> list[str]:
    """Where the import's counts differ from what the list was built with."""
    expected = {
        "rows_read": truth["rows"],
        "rows_rejected": truth["invalid_total"],
        "rows_duplicate": truth["duplicates"],
        "rows_created": truth["new"],
        "rows_updated + rows_unchanged": truth["existing"],
    }
    got = {
        **counts,
        "rows_updated + rows_unchanged": counts.get("rows_updated", 0)
        + counts.get("rows_unchanged", 0),
    }
    return [f"{k} {got.get(k)} != {v}" for k, v in expected.items() if got.get(k) != v]


def pulih_import(
    ctx: Context, db: Sqlite | Postgres, path: Path, rounds: int, tag: str
) -> tuple[list[Measured], dict[str, Any]]:
    runs = []
    try:
        for n in range(rounds):
            url = db.fresh()
            intake_dir = ctx.workdir / f"intake-{tag}-{n}"
            shutil.rmtree(intake_dir, ignore_errors=True)
            run = run_measured(
                [*PULIH, "intake", str(path), "--source", "bench", "--json"],
                ctx.env(url, intake_dir),
                ctx.workdir / f"log-{tag}-{n}",
            )
            runs.append(run)
            server = (
                f", server CPU {run.server_cpu_seconds:.1f} s" if db.label == "PostgreSQL" else ""
            )
            print(
                f"  {tag} round {n + 1}: {run.seconds:.1f} s, CPU {run.cpu_seconds:.1f} s"
                f"{server}, peak {run.peak_mb:.0f} MB",
                flush=True,
            )
            shutil.rmtree(intake_dir, ignore_errors=True)
    finally:
        db.drop()
    return runs, runs[-1].output


def import_export_run(ctx: Context, db: Sqlite | Postgres, lists: Lists, ie_rows: int) -> dict:
    url = db.fresh()
    env = ctx.env(url)
    env["DJANGO_SETTINGS_MODULE"] = "import_export_settings"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH_DIR), env.get("PYTHONPATH")]))
    try:
        ie = run_measured(
            [sys.executable, str(Path(__file__).resolve()), "--import-export-child",
             str(lists.ie_csv)],
            env,
            ctx.workdir / f"log-ie-{db.label}",
        )  # fmt: skip
    finally:
        db.drop()
    print(f"  django-import-export {ie_rows:,} rows: {ie.seconds:.1f} s", flush=True)
    same, _ = pulih_import(ctx, db, lists.ie_csv, 1, f"{db.label}-csv-first-{ie_rows}")
    return {
        "database": db.label,
        "rows": ie_rows,
        "seconds": ie.seconds,
        "rows_per_second": ie_rows / ie.seconds,
        "peak_mb": ie.peak_mb,
        "counts": ie.output,
        "pulih_same_rows_seconds": same[0].seconds,
        "pulih_same_rows_per_second": ie_rows / same[0].seconds,
    }


def database_run(
    ctx: Context, db: Sqlite | Postgres, lists: Lists, rows: int, ie_rows: int, skip_ie: bool
) -> None:
    for fmt in ("csv", "xlsx"):
        path = getattr(lists, fmt)
        try:
            runs, counts = pulih_import(ctx, db, path, ctx.rounds, f"{db.label}-{fmt}")
        except BenchError as exc:
            ctx.failures.append(f"{db.label} {fmt}: {exc}")
            print(f"  FAILED: {ctx.failures[-1]}", flush=True)
            continue
        median = statistics.median(r.seconds for r in runs)
        ctx.results.append(
            {
                "database": db.label,
                "format": fmt,
                "rows": rows,
                "rounds": [r.seconds for r in runs],
                "median_seconds": median,
                "median_cpu_seconds": statistics.median(r.cpu_seconds for r in runs),
                "median_server_cpu_seconds": (
                    statistics.median(r.server_cpu_seconds for r in runs)
                    if db.label == "PostgreSQL"
                    else float("nan")
                ),
                "rows_per_second": rows / median,
                "peak_mb": max(r.peak_mb for r in runs),
                "counts": {k: counts.get(k) for k in ("rows_read", "rows_accepted", *COUNT_KEYS)},
                "mismatches": counts_check(counts, lists.truth),
            }
        )
    if skip_ie:
        return
    try:
        ctx.import_export.append(import_export_run(ctx, db, lists, ie_rows))
    except BenchError as exc:
        ctx.failures.append(f"{db.label} django-import-export comparison: {exc}")
        print(f"  FAILED: {ctx.failures[-1]}", flush=True)


def _seconds(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def report(ctx: Context, lists: Lists) -> None:
    t = lists.truth
    print(
        f"\nlist: {t['rows']:,} rows; planted: {t['invalid_total']:,} broken "
        f"({len(t['invalid'])} kinds), {t['duplicates']:,} duplicates, {t['existing']:,} already "
        f"registered ({t['existing_changed']:,} with a new phone or address), {t['new']:,} new"
    )
    print(
        "generate {generate:.1f} s, write CSV {write_csv:.1f} s, write XLSX {write_xlsx:.1f} s".format(
            **lists.seconds
        )
    )
    head = (
        f"\n{'database':10} {'format':6} {'rows':>8} {'median s':>9} {'CPU s':>6} {'srv s':>6} "
        f"{'rows/s':>9} "
        f"{'peak MB':>8} "
        f"{'created':>8} {'updated':>8} {'unchngd':>8} {'rejected':>8} {'dupes':>6} {'proposed':>8}"
    )
    print(head)
    for r in ctx.results:
        c = r["counts"]
        print(
            f"{r['database']:10} {r['format']:6} {r['rows']:>8,} {r['median_seconds']:9.1f} "
            f"{r['median_cpu_seconds']:6.1f} {_seconds(r['median_server_cpu_seconds']):>6} "
            f"{r['rows_per_second']:9,.0f} {r['peak_mb']:8.0f} "
            f"{c['rows_created']:>8,} "
            f"{c['rows_updated']:>8,} {c['rows_unchanged']:>8,} {c['rows_rejected']:>8,} "
            f"{c['rows_duplicate']:>6,} {c['changes_proposed']:>8,}"
        )
    for r in ctx.results:
        if r["mismatches"]:
            print(f"COUNTS DIFFER ({r['database']} {r['format']}): {'; '.join(r['mismatches'])}")
    if ctx.results and not any(r["mismatches"] for r in ctx.results):
        print("counts match the planted rows in every run")

    if ctx.import_export:
        print(
            f"\n{'database':10} {'django-import-export':>30} {'Pulih same rows':>16} "
            f"{'ratio':>6} {'Pulih full CSV':>15} {'ratio':>6}"
        )
    for ie in ctx.import_export:
        full = next(
            (r for r in ctx.results if r["database"] == ie["database"] and r["format"] == "csv"),
            {"rows_per_second": float("nan")},
        )
        ie["pulih_full_csv_rows_per_second"] = full["rows_per_second"]
        ie["ratio_same_rows"] = ie["pulih_same_rows_per_second"] / ie["rows_per_second"]
        ie["ratio_full_csv"] = full["rows_per_second"] / ie["rows_per_second"]
        left = f"{ie['rows']:,} rows {ie['seconds']:.1f} s = {ie['rows_per_second']:,.0f}/s"
        print(
            f"{ie['database']:10} {left:>30} {ie['pulih_same_rows_per_second']:>14,.0f}/s "
            f"{ie['ratio_same_rows']:5.1f}x {full['rows_per_second']:>13,.0f}/s "
            f"{ie['ratio_full_csv']:5.1f}x"
        )
        c = ie["counts"]
        print(
            f"{'':10} import-export rows: new {c.get('new')}, update {c.get('update')}, "
            f"skip {c.get('skip')}, invalid {c.get('invalid')}, error {c.get('error')}; "
            f"peak {ie['peak_mb']:.0f} MB"
        )

    print("\ntargets:")
    for r in ctx.results:
        limit = TARGET_SECONDS[r["format"]]
        ok = r["median_seconds"] < limit and r["peak_mb"] < TARGET_PEAK_MB
        print(
            f"  {r['database']:10} {r['format']:4} {r['median_seconds']:6.1f} s < {limit:.0f} s, "
            f"peak {r['peak_mb']:5.0f} MB < {TARGET_PEAK_MB:.0f} MB: {'met' if ok else 'MISSED'}"
        )
    for ie in ctx.import_export:
        ok = ie["ratio_full_csv"] >= TARGET_RATIO
        print(
            f"  {ie['database']:10} rows/s {ie['ratio_full_csv']:.1f}x django-import-export "
            f"(>= {TARGET_RATIO:.0f}x): {'met' if ok else 'MISSED'}"
        )
    for line in ctx.skipped:
        print(f"  {line}")
    for line in ctx.failures:
        print(f"  FAILED: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--existing", type=int, default=0, help="people in the registry before (default rows/10)"
    )
    parser.add_argument("--ie-rows", type=int, default=20_000, help="rows for import-export")
    parser.add_argument("--skip-import-export", action="store_true")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--json-out", default="")
    parser.add_argument("--workdir", default="", help="keep files here (default: a temp dir)")
    parser.add_argument("--import-export-child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_export_child:
        import_export_child(Path(args.import_export_child))
        return

    existing = args.existing or max(args.rows // 10, 1)
    ie_rows = min(args.ie_rows, args.rows)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="pulih-bench-intake-")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    ctx = Context(
        workdir=workdir,
        var_dir=workdir / "var",
        base_env={k: v for k, v in os.environ.items() if not k.startswith(("PULIH_", "DATABASE_"))},
        rounds=args.rounds,
    )
    wanted = {d.strip().lower() for d in args.databases.split(",")}
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    machine["speed_before"] = machine_speed()
    print(
        f"rows {args.rows:,}, registry before: {existing:,} people, rounds {args.rounds}, "
        f"workdir {workdir}, {machine['cpus']} CPUs; a Python loop of 20 million additions "
        f"takes {machine['speed_before']:.2f} s here",
        flush=True,
    )
    sqlite = Sqlite(workdir)
    print(f"SQLite template: {template_build(ctx, sqlite, existing):.0f} s", flush=True)
    lists = lists_write(ctx, f"sqlite:///{sqlite.template}", args.rows, existing, ie_rows)
    print(f"lists written: {lists.seconds}", flush=True)
    try:
        if "sqlite" in wanted:
            database_run(ctx, sqlite, lists, args.rows, ie_rows, args.skip_import_export)
        sqlite.drop_template()
        if "postgresql" in wanted:
            pg = Postgres(args.pg_url, PG_DATABASE)
            version = pg.reachable()
            if not version:
                ctx.skipped.append(f"PostgreSQL SKIPPED: no server at {args.pg_url}")
                print(ctx.skipped[-1], flush=True)
            else:
                machine["postgresql"] = version
                print(f"PostgreSQL template: {template_build(ctx, pg, existing):.0f} s", flush=True)
                try:
                    database_run(ctx, pg, lists, args.rows, ie_rows, args.skip_import_export)
                finally:
                    pg.drop()
                    pg.drop_template()
    finally:
        machine["speed_after"] = machine_speed()
        report(ctx, lists)
        print(
            f"\nmachine speed: a Python loop of 20 million additions took "
            f"{machine['speed_before']:.2f} s before the runs and {machine['speed_after']:.2f} s "
            "after (median of 3 each; the same work, so a change means the machine changed). "
            "CPU s: user + system of the intake process and its helpers; srv s: the local "
            "PostgreSQL server's processes over the same run (both cores' worth of work is "
            "CPU s + srv s: on two cores the run cannot take less than half of that)."
        )
        if args.json_out:
            Path(args.json_out).write_text(
                json.dumps(
                    {
                        "machine": machine,
                        "rows": args.rows,
                        "existing_people": existing,
                        "rounds": args.rounds,
                        "truth": lists.truth,
                        "list_seconds": lists.seconds,
                        "pulih": ctx.results,
                        "import_export": ctx.import_export,
                        "skipped": ctx.skipped,
                        "failures": ctx.failures,
                    },
                    indent=2,
                )
            )
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


# --- django-import-export, in its own process ----------------------------------------------------
#
# What a Django team would write for the same list: tablib reads the file, a ModelResource on
# Person looks each row up by NIK and saves it through the registry services, which check NIK,
# phone, NIB, village and required fields exactly as Pulih's forms (and intake) do. The cell
# parsing below covers the spellings the generated list uses. skip_diff is on (no per-row HTML
# diff) and regions are cached per import: the fastest honest setup, not a straw man.

MONTHS_ID = {
    name: n
    for n, name in enumerate(
        ("januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus",
         "september", "oktober", "november", "desember"),
        start=1,
    )
}  # fmt: skip
DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d")
SEXES = {"L": "L", "P": "P", "LAKI-LAKI": "L", "PEREMPUAN": "P", "PRIA": "L", "WANITA": "P"}
SECTIONS = {
    "kuliner": "I", "makan": "I", "minum": "I", "kafe": "I", "katering": "I", "kue": "C",
    "olahan": "C", "kerajinan": "C", "kriya": "C", "konveksi": "C", "batik": "C", "jamu": "C",
    "percetakan": "C", "fesyen": "C", "perdagangan": "G", "toko": "G", "warung": "G",
    "pedagang": "G", "konter": "G", "jual": "G", "bengkel": "G", "jasa": "S", "salon": "S",
    "laundry": "S", "fotografi": "M", "digital": "J", "peternakan": "A", "pertanian": "A",
    "ojek": "H", "angkutan": "H", "pendidikan": "P", "kursus": "P", "seni": "R",
}  # fmt: skip


def parse_place_date(text: str) -> tuple[str, date]:
    """ "BANDUNG, 17-08-1980" -> ("Bandung", date(1980, 8, 17)); ValueError if the date is unreadable."""
    match = re.fullmatch(
        r"(?:(.*?)[,\s]+)?(\d{1,2}[-/]\d{1,2}[-/]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2} \w+ \d{4})",
        text.strip(),
    )
    if not match:
        raise ValueError(f"Tanggal lahir tidak terbaca: {text}")
    place, raw = (match.group(1) or "").strip(" ,"), match.group(2)
    born = None
    for fmt in DATE_FORMATS:
        try:
            born = datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a date, no time zone
            break
        except ValueError:
            continue
    if born is None and " " in raw:
        day, month, year = raw.split()
        try:
            born = date(int(year), MONTHS_ID.get(month.lower(), 0), int(day))
        except ValueError:
            born = None
    if born is None:
        raise ValueError(f"Tanggal lahir tidak terbaca: {text}")
    if born > date.today():  # strptime reads "55" as 2055
        born = born.replace(year=born.year - 100)
    return place.title(), born


def parse_rupiah(text: str) -> int | None:
    t = text.strip().lower().replace("rp", "").replace(",-", "").strip()
    if not t:
        return None
    match = re.fullmatch(r"([\d.,]+)\s*(jt|juta)?", t)
    if not match:
        raise ValueError(f"Omzet tidak terbaca: {text}")
    number, unit = match.groups()
    if unit:
        return round(float(number.replace(".", "").replace(",", ".")) * 1_000_000)
    return int(number.replace(".", "").replace(",", ""))


def _without(prefix: str, text: str) -> str:
    text = " ".join(text.split())
    return text[len(prefix) :] if text.lower().startswith(prefix.lower()) else text


def _proposer_resource() -> type:
    """The Resource class; built after django.setup() because it names models."""
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from import_export import resources

    from pulih.accounts.models import Role, User
    from pulih.accounts.services import user_create
    from pulih.reference.models import Region, RegionLevel
    from pulih.registry import services
    from pulih.registry.error_codes import RegistryError
    from pulih.registry.identifiers import parse_nik
    from pulih.registry.models import Person

    class ProposerResource(resources.ModelResource):
        class Meta:
            model = Person
            fields: tuple[str, ...] = ()
            skip_diff = True
            clean_model_instances = False

        def __init__(self) -> None:
            super().__init__()
            self.actor = User.objects.filter(username="bench.import_export").first() or user_create(
                username="bench.import_export",
                password="bench-Impor-2026",  # noqa: S106 - a local bench account
                role=Role.ADMIN,
                check_password=False,
            )
            self.villages: dict[tuple[str, str, str], str | None] = {}
            self.parsed: tuple[Any, Any] = (None, None)

        def _village(self, village: str, district: str, nik_district: str) -> str:
            key = (village.upper(), district.upper(), nik_district)
            if key not in self.villages:
                codes = list(
                    Region.objects.filter(
                        level=RegionLevel.VILLAGE,
                        name__iexact=village,
                        parent__name__iexact=district,
                    ).values_list("code", flat=True)[:5]
                )
                if len(codes) > 1:
                    codes = [c for c in codes if c.startswith(nik_district)] or codes
                self.villages[key] = codes[0] if len(codes) == 1 else None
            code = self.villages[key]
            if code is None:
                raise ValidationError(f"Kelurahan tidak ditemukan: {village}, {district}")
            return code

        def before_import_row(self, row: dict[str, str], **kwargs: Any) -> None:
            try:
                nik = parse_nik(row["NIK"])
                place, born = parse_place_date(row["Tempat/Tgl Lahir"])
                turnover = parse_rupiah(row["Omzet per Bulan"] or "")
            except (RegistryError, ValueError) as exc:
                raise ValidationError(str(getattr(exc, "message", exc))) from exc
            sex = SEXES.get((row["Jenis Kelamin"] or "").strip().upper())
            if sex is None:
                raise ValidationError(f"Jenis kelamin tidak terbaca: {row['Jenis Kelamin']}")
            rt_rw = [int(n) for n in re.findall(r"\d+", row["RT/RW"] or "")]
            rt, rw = (rt_rw + [0, 0])[:2]
            name = " ".join((row["Nama Lengkap"] or "").split()).strip("-")
            village = self._village(
                _without("Kel. ", row["Kelurahan"] or ""),
                _without("Kec. ", row["Kecamatan"] or ""),
                nik.district_code,
            )
            address = " ".join((row["Alamat"] or "").split())
            person = services.PersonData(
                full_name=name.title() if name.isupper() else name,
                nik=nik.value,
                birth_date=born,
                sex=sex,
                address=address,
                village_code=village,
                phone=row["No HP"] or "",
                birth_place=place,
                rt=f"{rt:03d}" if rt else "",
                rw=f"{rw:03d}" if rw else "",
            )
            sector = (row["Bidang Usaha"] or "").lower()
            section = next((s for word, s in SECTIONS.items() if word in sector), "S")
            business = None
            if turnover is not None:  # the size class needs a figure: annual sales from it
                business = services.BusinessData(
                    name=row["Nama Usaha"] or sector.title(),
                    kbli_section=section,
                    address=address,
                    village_code=village,
                    annual_sales=turnover * 12,
                    monthly_turnover=turnover,
                    nib=row["NIB"] or "",
                    description=row["Bidang Usaha"] or "",
                )
            self.parsed = (person, business)

        def get_instance(self, instance_loader: Any, row: dict[str, str]) -> Person | None:
            person, _ = self.parsed
            return Person.objects.filter(nik_hash=services.nik_hash(person.nik)).first()

        def import_instance(self, instance: Person, row: dict[str, str], **kwargs: Any) -> None:
            pass  # the services clean and set every field

        def do_instance_save(self, instance: Person, is_create: bool) -> None:
            person, business = self.parsed
            try:
                with transaction.atomic():
                    if is_create:
                        saved = services.person_register(actor=self.actor, data=person)
                        if business is not None:
                            services.business_create(actor=self.actor, owner=saved, data=business)
                        instance.pk = saved.pk
                    elif instance.verified_at is None:
                        services.person_update(actor=self.actor, person=instance, data=person)
                    # A verified person is left as is: changing them needs an officer.
            except RegistryError as exc:
                raise ValidationError(exc.message) from exc

    return ProposerResource


def import_export_child(path: Path) -> None:
    """Import `path` with the ModelResource and print the row counts as JSON (last line)."""
    import django

    django.setup()
    import tablib

    dataset = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
    resource = _proposer_resource()()
    result = resource.import_data(dataset, raise_errors=False)
    totals = {str(k).lower(): v for k, v in result.totals.items()}
    print(json.dumps({"rows": len(dataset), **totals}))


if __name__ == "__main__":
    main()
