"""Set-up for bench/aid: one BPUM round with an application from every registered person.

Run against a database that already holds `pulih demo --people N --regions 31 --seed S`:

    DATABASE_URL=... PULIH_VAR_DIR=... .venv/bin/python bench/aid/setup_round.py --people N --seed S --workdir DIR

It regenerates the demo people from the same seed (their NIKs, names and birth dates) to write
the screening lists a real round would have: the Dukcapil extract (everyone, with 0.5% of the
NIKs registered to someone else and 0.5% missing), and ASN/TNI/Polri/BUMN/BUMD, deceased, bank
credit, abroad and prior-recipient lists (each a small share of the people), imported through
the linkage service as an officer would. Then the BPUM 2021 (DKI) definition, the round opened,
and one application per person (their first business), with a declared savings balance
(5% above Rp2 million) and bank, written in bulk. Prints the planted counts as JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFINITION = ROOT / "src" / "pulih" / "programmes" / "definitions" / "bpum-2021-dki.toml"
LIST_SHARES = {
    "asn": 0.006, "tni": 0.002, "polri": 0.002, "bumn": 0.002, "bumd": 0.001,
    "deceased": 0.004, "bank_credit": 0.01, "abroad": 0.0005, "prior_recipient": 0.01,
}  # fmt: skip
DUKCAPIL_MISSING = 0.005
DUKCAPIL_OTHER = 0.005
RICH_SHARE = 0.05


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, required=True)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--regions", default="31")
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pulih.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    import numpy as np
    import polars as pl

    from pulih.accounts.models import Role
    from pulih.demo.generator import demo_chunks
    from pulih.demo.pipeline import village_codes_under
    from pulih.linkage import services as linkage_services
    from pulih.programmes import services
    from pulih.programmes.models import RoundStatus
    from pulih.registry.bulk import writer_for_connection
    from pulih.testing.factories import user_make

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    officer = user_make(role=Role.OFFICER, regions=("31",), username="bench.petugas")
    user_make(role=Role.APPROVER, regions=("31",), username="bench.kabid")

    people = pl.concat(
        [
            pl.DataFrame(
                {
                    "nik": chunk.persons["nik"].tolist(),
                    "name": list(chunk.persons["full_name"]),
                    "birth": chunk.persons["birth_date"].astype("datetime64[D]").astype(str).tolist(),
                }
            )
            for chunk in demo_chunks(
                people=args.people, villages=village_codes_under(args.regions.split(",")),
                seed=args.seed,
            )
        ]
    )  # fmt: skip
    rng = np.random.default_rng(args.seed)
    draw = rng.random(people.height)
    planted: dict[str, int] = {}
    dukcapil = people.with_columns(pl.Series("u", draw))
    missing = dukcapil.filter(pl.col("u") < DUKCAPIL_MISSING)
    other = dukcapil.filter(
        (pl.col("u") >= DUKCAPIL_MISSING) & (pl.col("u") < DUKCAPIL_MISSING + DUKCAPIL_OTHER)
    )
    kept = dukcapil.filter(pl.col("u") >= DUKCAPIL_MISSING + DUKCAPIL_OTHER)
    rows = [
        *kept.select("nik", "name", "birth").iter_rows(),
        *((nik, "Orang Lain", "1950-01-01") for nik in other["nik"]),
    ]
    planted["dukcapil_missing"], planted["dukcapil_other"] = missing.height, other.height
    lists = {"civil_registry": rows}
    offset = DUKCAPIL_MISSING + DUKCAPIL_OTHER
    for kind, share in LIST_SHARES.items():
        chosen = dukcapil.filter((pl.col("u") >= offset) & (pl.col("u") < offset + share))
        offset += share
        lists[kind] = list(chosen.select("nik", "name", pl.lit("")).iter_rows())
        planted[kind] = chosen.height
    for kind, entries in lists.items():
        if not entries:
            continue  # a small population may have nobody on a rare list
        path = workdir / f"daftar-{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle, delimiter=";")
            out.writerow(["NIK", "Nama Lengkap", "Tanggal Lahir"])
            out.writerows(entries)
        linkage_services.screening_list_import(
            actor=officer, kind=kind, source=f"bench {kind}", as_of=date(2021, 3, 1), path=path,
            original_name=path.name,
        )  # fmt: skip
    lists_seconds = time.perf_counter() - began

    version = services.programme_load(actor=officer, source=DEFINITION.read_text())
    round_obj = version.programme.rounds.get(code="tahap-1")
    round_obj = services.round_transition(actor=officer, round_obj=round_obj, to=RoundStatus.OPEN)
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT owner_id, MIN(id), MIN(region_code) FROM registry_business GROUP BY owner_id "
            "ORDER BY owner_id"
        )
        owned = cursor.fetchall()
    savings = rng.integers(0, 2_000_001, size=len(owned))
    rich = rng.random(len(owned)) < RICH_SHARE
    savings[rich] = rng.integers(2_000_001, 20_000_000, size=int(rich.sum()))
    banks = np.where(rng.random(len(owned)) < 0.6, "BRI", "BNI")
    stamp = "2021-03-15 09:00:00.000000" + ("+00" if connection.vendor == "postgresql" else "")
    with transaction.atomic():
        writer_for_connection().insert(
            "programmes_application",
            ("round_id", "person_id", "business_id", "channel", "proposer", "also_proposed_by",
             "declarations", "bank", "submitted_by_id", "submitted_at", "status", "results",
             "region_code", "updated_at"),
            [
                (round_obj.pk, person_id, business_id, "proposer", "bench", "[]",
                 json.dumps({"savings_balance": int(s), "has_bank_credit": False}), str(bank),
                 officer.pk, stamp, "submitted", "[]", region, stamp)
                for (person_id, business_id, region), s, bank in zip(owned, savings, banks, strict=True)
            ],
        )  # fmt: skip
    planted["rich"] = int(rich.sum())
    print(
        json.dumps(
            {
                "round": round_obj.pk,
                "applications": len(owned),
                "planted": planted,
                "lists_seconds": round(lists_seconds, 1),
                "seconds": round(time.perf_counter() - began, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
