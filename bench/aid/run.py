"""Benchmark: one BPUM round of N applicants (default 500,000) on SQLite and PostgreSQL, from
eligibility to bank files, then the bank's return file, then what-if; side by side with the
one-application-at-a-time path a Django team would write first.

One run:
1. builds one database per engine to start every round from: migrate, load_reference,
   `pulih demo --people N --regions 31 --seed 2021 --no-accounts`, and bench/aid/setup_round.py
   (the Dukcapil extract and stop lists imported through the linkage service, the BPUM 2021
   (DKI) definition loaded, the round opened, one application per person);
2. each round, on a fresh copy, in a fresh process (this file with --child), times:
   - "decide": eligibility over the whole round + the recipient list proposed + approved (the
     payments and their ledger entries) + one transfer batch per paying bank with its CSV and
     XLSX files;
   - "return": the bank's return file for every batch (98% paid, 2% failed with a reason,
     written by the child from the batch lines before the clock starts) imported and
     reconciled;
   - "what-if": five changes of amount and rules over the round, each timed;
   - "one by one": application_evaluate on --single applications, the per-application path
     (same rules, same queries, one application at a time), as rows per second;
   and the whole child's peak memory;
3. prints the medians and the ratios and writes everything as JSON to --json-out.

    .venv/bin/python bench/aid/run.py [--people 500000 --rounds 3 --single 500 --databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
from harness import (  # noqa: E402
    PG_URL,
    PULIH,
    ROOT,
    BenchError,
    Postgres,
    Sqlite,
    run_checked,
    run_measured,
)

PG_DATABASE = "pulih_bench_aid"
SEED = 2021
TARGETS = {"decide": 60.0, "return": 30.0, "what_if": 2.0}
PAID_SHARE = 0.98


def child(args: argparse.Namespace) -> None:
    """One round on the database in the environment; prints its timings as one JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pulih.config.settings")
    import django

    django.setup()
    import numpy as np

    from pulih.accounts.models import User
    from pulih.payments import services as payments
    from pulih.payments.models import Batch, TransferLine
    from pulih.programmes import services
    from pulih.programmes.definition import parse
    from pulih.programmes.ledger import ledger_totals
    from pulih.programmes.models import Application, Round

    officer = User.objects.get(username="bench.petugas")
    approver = User.objects.get(username="bench.kabid")
    round_obj = Round.objects.select_related("programme__current_version").get(pk=args.round_id)
    out: dict[str, Any] = {"applications": Application.objects.filter(round=round_obj).count()}
    phases: dict[str, float] = {}

    began = time.perf_counter()
    run = services.eligibility_run(actor=officer, round_obj=round_obj)
    phases["eligibility"] = time.perf_counter() - began
    mark = time.perf_counter()
    decision = services.decision_propose(actor=officer, round_obj=round_obj)
    phases["propose"] = time.perf_counter() - mark
    mark = time.perf_counter()
    services.decision_approve(actor=approver, decision=decision)
    phases["approve"] = time.perf_counter() - mark
    mark = time.perf_counter()
    round_obj.refresh_from_db()
    batches = [
        payments.batch_generate(actor=officer, round_obj=round_obj, bank=bank)
        for bank in round_obj.banks
    ]
    phases["batches"] = time.perf_counter() - mark
    out["decide_seconds"] = time.perf_counter() - began
    out["eligible"] = run.eligible
    out["failures"] = run.failures
    out["recipients"] = decision.recipients_added
    out["batches"] = [
        {"reference": b.reference, "lines": b.control_count, "total": b.control_total}
        for b in batches
    ]

    # The bank's answer, written before the clock starts: most paid, some refused.
    rng = np.random.default_rng(SEED)
    files = []
    for batch in batches:
        lines = list(
            TransferLine.objects.filter(batch=batch)
            .order_by("line_number")
            .values_list("line_number", "amount")
        )
        paid = rng.random(len(lines)) < PAID_SHARE
        path = Path(args.workdir) / f"return-{batch.reference}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["Batch", "No Baris", "Nominal", "Status", "Keterangan", "Ref Bank"])
            for (number, amount), ok in zip(lines, paid, strict=True):
                writer.writerow(
                    [batch.reference, number, amount, "BERHASIL" if ok else "GAGAL",
                     "" if ok else "Rekening tidak ditemukan", f"TRX{number:09d}" if ok else ""]
                )  # fmt: skip
        files.append((batch, path))
    began = time.perf_counter()
    results = []
    for batch, path in files:
        with path.open("rb") as handle:
            item, _size = payments.return_import_create(
                actor=officer, batch=batch, content=handle, original_name=path.name
            )
        item = payments.return_import_run(import_id=item.pk)
        results.append(item)
    out["return_seconds"] = time.perf_counter() - began
    round_obj.refresh_from_db()
    out["disbursed"] = round_obj.disbursed
    out["ledger"] = ledger_totals(round_obj)
    out["batches_after"] = list(
        Batch.objects.filter(round=round_obj).values(
            "reference", "paid_count", "paid_total", "failed_count", "failed_total"
        )
    )

    # What-if: the amount, a stricter savings limit, a rule dropped, both, and as saved.
    source = round_obj.programme.current_version.source
    stricter = source.replace("max = 2_000_000", "max = 1_000_000")
    without_size = source.replace('sizes = ["mikro"]', 'sizes = ["mikro", "kecil"]')
    what_ifs = []
    for text, amount in (
        (None, 1_500_000), (stricter, None), (without_size, None), (stricter, 900_000),
        (None, None),
    ):  # fmt: skip
        if text is not None:
            parse(text)  # a definition that does not parse is the caller's error, not timed
        mark = time.perf_counter()
        result = services.what_if(actor=officer, round_obj=round_obj, source=text, amount=amount)
        what_ifs.append({"seconds": time.perf_counter() - mark, "eligible": result.eligible,
                         "cost": result.cost, "cities": len(result.by_city),
                         "districts": len(result.by_district)})  # fmt: skip
    out["what_if"] = what_ifs

    # One application at a time, as a first Django version would.
    ids = list(
        Application.objects.filter(round=round_obj)
        .order_by("?")
        .values_list("pk", flat=True)[: args.single]
    )
    began = time.perf_counter()
    for pk in ids:
        services.application_evaluate(actor=officer, application=Application.objects.get(pk=pk))
    single_seconds = time.perf_counter() - began
    out["single"] = {"applications": len(ids), "seconds": single_seconds}
    out["phases"] = phases
    print(json.dumps(out, default=str))


def template_build(db: Sqlite | Postgres, env: dict[str, str], people: int, workdir: Path) -> dict:
    run_checked([*PULIH, "migrate", "-v0"], env)
    run_checked([*PULIH, "load_reference"], env)
    run_checked(
        [*PULIH, "demo", "--people", str(people), "--regions", "31", "--seed", str(SEED),
         "--no-accounts"],
        env,
    )  # fmt: skip
    import subprocess

    done = subprocess.run(
        [sys.executable, str(BENCH_DIR / "setup_round.py"), "--people", str(people), "--seed",
         str(SEED), "--workdir", str(workdir / "lists")],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        raise BenchError(f"setup_round.py exited {done.returncode}:\n{done.stderr[-3000:]}")
    db.after_template()
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--single", type=int, default=500)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--workdir", default="")
    parser.add_argument("--json-out", default="")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--round-id", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="pulih-bench-aid-")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("PULIH_", "DATABASE_"))}
    base_env.update(
        {
            "DJANGO_SETTINGS_MODULE": "pulih.config.settings",
            "PULIH_VAR_DIR": str(workdir / "var"),
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    print(
        f"people {args.people:,}, rounds {args.rounds}, workdir {workdir}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        flush=True,
    )
    engines: list[Sqlite | Postgres] = []
    wanted = {d.strip().lower() for d in args.databases.split(",")}
    if "sqlite" in wanted:
        engines.append(Sqlite(workdir))
    skipped = []
    if "postgresql" in wanted:
        pg = Postgres(args.pg_url, PG_DATABASE)
        if pg.reachable():
            engines.append(pg)
        else:
            skipped.append(f"PostgreSQL at {args.pg_url} not reachable: skipped")
    results: list[dict[str, Any]] = []
    for db in engines:
        began = time.perf_counter()
        env = {**base_env, "DATABASE_URL": db.template_create()}
        setup = template_build(db, env, args.people, workdir)
        print(f"{db.label} template: {time.perf_counter() - began:.0f} s; {setup}", flush=True)
        runs = []
        try:
            for n in range(args.rounds):
                env = {
                    **base_env,
                    "DATABASE_URL": db.fresh(),
                    "PULIH_PROGRAMMES_DIR": str(workdir / f"programmes-{db.label}-{n}"),
                }
                measured = run_measured(
                    [sys.executable, str(Path(__file__).resolve()), "--child", "--round-id",
                     str(setup["round"]), "--single", str(args.single), "--workdir", str(workdir)],
                    env,
                    workdir / f"log-{db.label}-{n}",
                )  # fmt: skip
                output = measured.output
                output["peak_mb"] = measured.peak_mb
                runs.append(output)
                print(
                    f"  {db.label} round {n + 1}: decide {output['decide_seconds']:.1f} s "
                    f"({', '.join(f'{k} {v:.1f}' for k, v in output['phases'].items())}), "
                    f"return {output['return_seconds']:.1f} s, what-if "
                    f"{max(w['seconds'] for w in output['what_if']):.2f} s max, "
                    f"peak {measured.peak_mb:.0f} MB",
                    flush=True,
                )
        finally:
            db.drop()
            db.drop_template()
        results.append({"database": db.label, "setup": setup, "runs": runs})
    report(results, skipped)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2, default=str))


def report(results: list[dict[str, Any]], skipped: list[str]) -> None:
    print(
        f"\n{'database':10} {'applicants':>10} {'decide s':>9} {'return s':>9} {'what-if s':>9} "
        f"{'set/s':>9} {'one-by-one/s':>12} {'ratio':>7} {'peak MB':>8}"
    )
    lines = []
    for r in results:
        runs = r["runs"]
        decide = statistics.median(x["decide_seconds"] for x in runs)
        returned = statistics.median(x["return_seconds"] for x in runs)
        what_if = statistics.median(w["seconds"] for x in runs for w in x["what_if"])
        worst_what_if = max(w["seconds"] for x in runs for w in x["what_if"])
        applicants = runs[0]["applications"]
        eligibility = statistics.median(x["phases"]["eligibility"] for x in runs)
        set_rate = applicants / eligibility
        single_rate = statistics.median(
            x["single"]["applications"] / x["single"]["seconds"] for x in runs
        )
        peak = max(x["peak_mb"] for x in runs)
        print(
            f"{r['database']:10} {applicants:>10,} {decide:9.1f} {returned:9.1f} {what_if:9.2f} "
            f"{set_rate:9,.0f} {single_rate:12,.1f} {set_rate / single_rate:6.0f}x {peak:8.0f}"
        )
        phases = {k: statistics.median(x["phases"][k] for x in runs) for k in runs[0]["phases"]}
        print(f"{'':10} decide = " + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))
        last = runs[-1]
        print(
            f"{'':10} eligible {last['eligible']:,}, recipients {last['recipients']:,}, "
            f"disbursed Rp{last['disbursed']:,}, ledger {last['ledger']}"
        )
        lines += [
            (r["database"], "decide", decide, TARGETS["decide"]),
            (r["database"], "return", returned, TARGETS["return"]),
            (r["database"], "what-if (worst)", worst_what_if, TARGETS["what_if"]),
        ]
    print("\ntargets:")
    for database, what, seconds, limit in lines:
        verdict = "met" if seconds < limit else "MISSED"
        print(f"  {database:10} {what:16} {seconds:7.2f} s < {limit:.0f} s: {verdict}")
    for line in skipped:
        print(f"  {line}")


if __name__ == "__main__":
    main()
