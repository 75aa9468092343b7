"""Benchmark: who is the same person, Pulih's linkage against a tuned generic Splink set-up.

What it measures, for each --people size:
1. generates a synthetic population once (pulih.linkage.synthetic: `people` persons plus 10%
   corrupted copies with the truth in person_id), timed on its own, and writes it to Parquet
   without the truth;
2. for each engine and round, starts a fresh process (this file with --child) that reads the
   Parquet, deduplicates it, writes record_id/cluster_id to Parquet and prints its own wall
   time; the benchmark also times that process from start to exit and takes its peak RSS
   from wait4() (through a small launcher, so the benchmark's own memory never counts);
3. scores every run with same-person pairs against the truth (precision, recall, F1) and the
   share of copies found again per corruption kind;
4. prints medians over --rounds, the ratios pulih/baseline and the targets (F1 >= 0.99 at
   1,000,000 people in under 60 s and 3 GB), and writes everything as JSON to --json-out.

Engines: `pulih` is pulih.linkage.pipeline.dedupe_frame; `baseline` is bench/linkage/baseline.py
(Splink 5 the way its tutorials set it up, thresholds tuned on another seed).

    .venv/bin/python bench/linkage/run.py --people 100000 --rounds 1
    .venv/bin/python bench/linkage/run.py --people 100000 1000000 --rounds 3 --json-out results.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parents[1]
TARGET_PEOPLE = 1_000_000
TARGET_F1 = 0.99
TARGET_SECONDS = 60.0
TARGET_PEAK_MB = 3072.0

# Runs the command as a child of this tiny process and writes the child's ru_maxrss. Linux
# keeps a process's peak RSS across exec(), so a command forked straight from the benchmark
# (which holds the population) could report the benchmark's peak instead of its own.
LAUNCHER = """
import os, sys
child = os.fork()
if child == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(child, 0)
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


class BenchError(RuntimeError):
    pass


# --- engines, run inside the child process ------------------------------------------------------


def _pulih_dedupe(frame: pl.DataFrame, threads: int) -> pl.DataFrame:
    from pulih.linkage.pipeline import dedupe_frame  # imported in the child only

    return dedupe_frame(frame, engine="duckdb")


def _baseline_dedupe(frame: pl.DataFrame, threads: int) -> pl.DataFrame:
    from baseline import baseline_dedupe  # bench/linkage is sys.path[0] in the child

    return baseline_dedupe(frame, threads=threads)


ENGINES: dict[str, Callable[[pl.DataFrame, int], pl.DataFrame]] = {
    "pulih": _pulih_dedupe,
    "baseline": _baseline_dedupe,
}


def child_run(engine: str, source: Path, target: Path, threads: int) -> None:
    """Reads the records, runs one engine, writes its clusters; prints a JSON line."""
    began = time.perf_counter()
    frame = pl.read_parquet(source)
    read = time.perf_counter()
    clusters = ENGINES[engine](frame, threads)
    done = time.perf_counter()
    clusters.select(pl.col("record_id"), pl.col("cluster_id").cast(pl.String)).write_parquet(target)
    print(
        json.dumps(
            {
                "engine": engine,
                "records": frame.height,
                "read_seconds": read - began,
                "dedupe_seconds": done - read,
                "clusters": clusters["cluster_id"].n_unique(),
                "vm_hwm_mb": _own_peak_mb(),
            }
        ),
        flush=True,
    )


def _own_peak_mb() -> float:
    """This process's peak RSS since exec (VmHWM), a cross-check of the launcher's figure."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- the benchmark ------------------------------------------------------------------------------


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    output: dict[str, Any]


def run_measured(cmd: list[str], env: dict[str, str], log: Path) -> Measured:
    """Wall time of `cmd` from start to exit, and its peak RSS from wait4()."""
    maxrss = log.with_suffix(".maxrss")
    with log.with_suffix(".out").open("wb") as out, log.with_suffix(".err").open("wb") as err:
        began = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", LAUNCHER, str(maxrss), *cmd],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=err,
            check=False,
        )
        seconds = time.perf_counter() - began
    if done.returncode:
        tail = log.with_suffix(".err").read_text(errors="replace").strip().splitlines()[-20:]
        raise BenchError(f"{' '.join(cmd[2:])} exited {done.returncode}:\n" + "\n".join(tail))
    lines = log.with_suffix(".out").read_text().strip().splitlines()
    try:
        output = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError) as exc:
        raise BenchError(f"{' '.join(cmd[2:])}: no JSON line at the end of its output") from exc
    return Measured(seconds=seconds, peak_mb=int(maxrss.read_text()) / 1024, output=output)


def kinds_recall(truth: pl.DataFrame, clusters: pl.DataFrame) -> dict[str, float]:
    """Per corruption kind: the share of copies put in the same cluster as their original."""
    labelled = truth.join(clusters, on="record_id", how="left")
    originals = labelled.filter(pl.col("corruptions").list.len() == 0).select(
        "person_id", pl.col("cluster_id").alias("original_cluster")
    )
    copies = (
        labelled.filter(pl.col("corruptions").list.len() > 0)
        .join(originals, on="person_id")
        .with_columns(found=pl.col("cluster_id").eq_missing(pl.col("original_cluster")))
    )
    found = copies.explode("corruptions").group_by("corruptions").agg(pl.col("found").mean())
    shares = {row[0]: row[1] for row in found.sort("corruptions").iter_rows()}
    shares["all copies"] = float(copies["found"].mean() or 0.0)  # type: ignore[arg-type]
    return shares


def score(truth: pl.DataFrame, clusters: pl.DataFrame) -> dict[str, Any]:
    from pulih.linkage.synthetic import pairwise_scores

    labelled = truth.join(clusters, on="record_id", how="left")
    missing = labelled["cluster_id"].null_count()
    # A record the engine dropped is its own cluster: it can only cost recall.
    predicted = labelled["cluster_id"].fill_null(
        pl.lit("missing:") + labelled["record_id"]  # type: ignore[arg-type]
    )
    return {
        **pairwise_scores(labelled["person_id"], predicted),
        "records_missing_from_output": missing,
    }


def size_run(args: argparse.Namespace, people: int, workdir: Path) -> dict[str, Any]:
    from pulih.linkage.synthetic import population_annotated

    began = time.perf_counter()
    annotated = population_annotated(
        people, duplicate_rate=args.duplicate_rate, seed=args.seed, regions=args.regions
    )
    generate_seconds = time.perf_counter() - began
    source = workdir / f"records_{people}.parquet"
    annotated.drop("person_id", "corruptions").write_parquet(source)
    truth = annotated.select("record_id", "person_id", "corruptions")
    del annotated
    print(
        f"\n{people:,} people: {truth.height:,} records, "
        f"{truth['corruptions'].list.len().gt(0).sum():,} copies, "
        f"generated in {generate_seconds:.1f} s",
        flush=True,
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "pulih.config.settings")
    results: dict[str, Any] = {
        "people": people,
        "records": truth.height,
        "generate_seconds": generate_seconds,
        "engines": {},
    }
    for engine in args.engines:
        rounds: list[dict[str, Any]] = []
        for k in range(args.rounds):
            target = workdir / f"clusters_{people}_{engine}_{k}.parquet"
            cmd = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--child",
                engine,
                "--child-input",
                str(source),
                "--child-output",
                str(target),
                "--threads",
                str(args.threads),
            ]
            try:
                measured = run_measured(cmd, env, workdir / f"log_{people}_{engine}_{k}")
            except BenchError as exc:
                print(f"  {engine} round {k + 1}: FAILED\n{exc}", flush=True)
                rounds.append({"failed": str(exc)})
                break
            clusters = pl.read_parquet(target)
            scores = score(truth, clusters)
            row = {
                "process_seconds": measured.seconds,
                "peak_mb": measured.peak_mb,
                **measured.output,
                **scores,
                "found_by_kind": kinds_recall(truth, clusters),
            }
            rounds.append(row)
            print(
                f"  {engine} round {k + 1}: dedupe {row['dedupe_seconds']:.1f} s, process "
                f"{row['process_seconds']:.1f} s, peak {row['peak_mb']:.0f} MB, "
                f"P {row['precision']:.4f} R {row['recall']:.4f} F1 {row['f1']:.4f}",
                flush=True,
            )
            target.unlink()
        results["engines"][engine] = _summary(rounds)
    return results


def _summary(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in rounds if "failed" not in r]
    if not ok:
        return {"failed": rounds[-1]["failed"] if rounds else "no rounds", "rounds": rounds}

    def median(key: str) -> float:
        return statistics.median(r[key] for r in ok)

    return {
        "rounds": rounds,
        "median_dedupe_seconds": median("dedupe_seconds"),
        "median_process_seconds": median("process_seconds"),
        "peak_mb": max(r["peak_mb"] for r in ok),
        "precision": median("precision"),
        "recall": median("recall"),
        "f1": median("f1"),
        "found_by_kind": ok[0]["found_by_kind"],
    }


def report(sizes: list[dict[str, Any]]) -> None:
    print(
        f"\n{'people':>10} {'engine':9} {'dedupe s':>9} {'process s':>9} {'peak MB':>8} "
        f"{'precision':>9} {'recall':>7} {'F1':>7}"
    )
    for size in sizes:
        for engine, s in size["engines"].items():
            if "failed" in s:
                print(f"{size['people']:>10,} {engine:9} FAILED: {s['failed'].splitlines()[0]}")
                continue
            print(
                f"{size['people']:>10,} {engine:9} {s['median_dedupe_seconds']:9.1f} "
                f"{s['median_process_seconds']:9.1f} {s['peak_mb']:8.0f} {s['precision']:9.4f} "
                f"{s['recall']:7.4f} {s['f1']:7.4f}"
            )
    for size in sizes:
        pulih, base = size["engines"].get("pulih"), size["engines"].get("baseline")
        if pulih and base and "failed" not in pulih and "failed" not in base:
            size["ratios"] = {
                "time_pulih_over_baseline": pulih["median_process_seconds"]
                / base["median_process_seconds"],
                "f1_pulih_over_baseline": pulih["f1"] / base["f1"],
            }
            print(
                f"{size['people']:>10,} pulih/baseline: time "
                f"{size['ratios']['time_pulih_over_baseline']:.2f}x, F1 "
                f"{size['ratios']['f1_pulih_over_baseline']:.4f}x"
            )

    print("\nfound again, share of copies per corruption kind:")
    engines = [(size["people"], e, s) for size in sizes for e, s in size["engines"].items()]
    engines = [(p, e, s) for p, e, s in engines if "failed" not in s]
    if engines:
        print(f"{'kind':16} " + " ".join(f"{e[:8]:>8}@{p // 1000}k" for p, e, _ in engines))
        for kind in engines[0][2]["found_by_kind"]:
            print(
                f"{kind:16} "
                + " ".join(f"{s['found_by_kind'].get(kind, 0.0):>13.4f}" for _, _, s in engines)
            )

    print(
        f"\ntargets at {TARGET_PEOPLE:,} people: F1 >= {TARGET_F1}, process < "
        f"{TARGET_SECONDS:.0f} s, peak < {TARGET_PEAK_MB / 1024:.0f} GB"
    )
    for size in sizes:
        if size["people"] != TARGET_PEOPLE:
            continue
        for engine, s in size["engines"].items():
            if "failed" in s:
                continue
            ok = (
                s["f1"] >= TARGET_F1
                and s["median_process_seconds"] < TARGET_SECONDS
                and s["peak_mb"] < TARGET_PEAK_MB
            )
            print(
                f"  {engine:9} F1 {s['f1']:.4f}, {s['median_process_seconds']:.1f} s, "
                f"{s['peak_mb']:.0f} MB: {'met' if ok else 'MISSED'}"
            )
    if not any(size["people"] == TARGET_PEOPLE for size in sizes):
        print(f"  (not measured: add {TARGET_PEOPLE} to --people)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--people", type=int, nargs="+", default=[100_000, TARGET_PEOPLE])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engines", nargs="+", choices=sorted(ENGINES), default=list(ENGINES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duplicate-rate", type=float, default=0.10)
    parser.add_argument("--regions", default="31")
    # Two cores are the machine this was written on; DuckDB defaults to every core it sees.
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json-out", default="")
    parser.add_argument("--workdir", default="", help="keep files here (default: a temp dir)")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--child-input", default="", help=argparse.SUPPRESS)
    parser.add_argument("--child-output", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_run(args.child, Path(args.child_input), Path(args.child_output), args.threads)
        return

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="pulih-bench-linkage-")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    print(
        f"people {args.people}, engines {args.engines}, rounds {args.rounds}, seed {args.seed}, "
        f"threads {args.threads}, workdir {workdir}",
        flush=True,
    )
    sizes: list[dict[str, Any]] = []
    try:
        for people in args.people:
            sizes.append(size_run(args, people, workdir))
    finally:
        report(sizes)
        if args.json_out:
            Path(args.json_out).write_text(
                json.dumps(
                    {
                        "machine": machine,
                        "seed": args.seed,
                        "duplicate_rate": args.duplicate_rate,
                        "regions": args.regions,
                        "threads": args.threads,
                        "rounds": args.rounds,
                        "targets": {
                            "people": TARGET_PEOPLE,
                            "f1": TARGET_F1,
                            "seconds": TARGET_SECONDS,
                            "peak_mb": TARGET_PEAK_MB,
                        },
                        "sizes": sizes,
                    },
                    indent=2,
                    default=str,
                )
            )
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
