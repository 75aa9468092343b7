"""Benchmark: recall of exact-NIK hits when screening a population against a reference list.

Builds the synthetic population (pulih.linkage.synthetic), takes a list of --listed people
(civil servants, say) written the way lists arrive (their NIK, their name with or without
titles and in old or new spelling, their birth date), and screens every record against it
with pulih.linkage.screening.screen_frames (the code behind `pulih screen`). Prints how many
records carry a listed NIK, how many of those were reported as exact NIK hits (the target
is all of them), how many more were reported as probable hits, and the wall time.

    .venv/bin/python bench/linkage/screening.py --people 1000000 --listed 50000
"""

from __future__ import annotations

import argparse
import os
import time

import polars as pl


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--listed", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pulih.config.settings")
    import django

    django.setup()
    from pulih.linkage.screening import screen_frames
    from pulih.linkage.synthetic import population

    records = population(args.people, seed=args.seed)
    originals = records.filter(pl.col("nik").is_not_null()).unique("person_id", keep="first")
    listed = originals.sample(args.listed, seed=args.seed)
    entries = listed.select(
        pl.int_range(pl.len()).cast(pl.String).alias("record_id"),
        "nik",
        pl.lit(None, dtype=pl.String).alias("nik_hash"),
        "name",
        pl.col("birth_date").cast(pl.String),
        "sex",
        "village_code",
    )
    where = {e: ("bench", int(e) + 2) for e in entries["record_id"]}
    listed_niks = set(listed["nik"])
    carrying = records.filter(pl.col("nik").is_in(list(listed_niks)))

    started = time.monotonic()
    hits = screen_frames(records.drop("person_id"), entries, where)
    seconds = time.monotonic() - started

    exact = set(hits.filter(pl.col("list_match") == "nik")["record_id"])
    found = set(carrying["record_id"]) & exact
    listed_people = set(listed["person_id"])
    probable = hits.filter(pl.col("list_match") == "probable").join(
        records.select("record_id", "person_id"), on="record_id"
    )
    probable_right = probable.filter(pl.col("person_id").is_in(list(listed_people))).height
    print(
        f"records {records.height:,}, list entries {entries.height:,}, screened in {seconds:.1f} s"
    )
    print(
        f"records carrying a listed NIK: {carrying.height:,}; reported as exact NIK hits: "
        f"{len(found):,} (recall {len(found) / max(carrying.height, 1):.4f}, target 1.0000)"
    )
    print(
        f"probable hits (copies without the NIK or with a mistyped one): {probable.height:,}, "
        f"of which the listed person: {probable_right:,}"
    )


if __name__ == "__main__":
    main()
