"""Writes of reference data: loading Kemendagri regions from the npm package idn-area-data."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from pulih.reference.models import Region, RegionLevel
from pulih.reference.selectors import district_code_set

# File, level, column holding the parent code (None for provinces).
_REGION_FILES = (
    ("provinces.csv", RegionLevel.PROVINCE, None),
    ("regencies.csv", RegionLevel.CITY, "province_code"),
    ("districts.csv", RegionLevel.DISTRICT, "regency_code"),
    ("villages.csv", RegionLevel.VILLAGE, "district_code"),
)


@dataclass(frozen=True)
class RegionLoadResult:
    provinces: int
    cities: int
    districts: int
    villages: int


def default_region_data_dir() -> Path:
    return settings.NODE_MODULES / "idn-area-data" / "data"


def regions_load(*, data_dir: Path | None = None, batch_size: int = 5000) -> RegionLoadResult:
    """Upsert every region; running it again changes nothing but renamed regions."""
    data_dir = data_dir or default_region_data_dir()
    if not (data_dir / "villages.csv").exists():
        raise FileNotFoundError(
            f"Data wilayah tidak ditemukan di {data_dir}. Jalankan `npm ci` terlebih dahulu."
        )
    counts: dict[RegionLevel, int] = {}
    table = connection.ops.quote_name(Region._meta.db_table)
    # One upsert statement run with executemany: the ORM's bulk_create spends ~90% of its time
    # compiling SQL for 91k rows; this loads them in about a second on either database.
    # The table name is our own model's, quoted; every value is a parameter.
    sql = (
        f"INSERT INTO {table} (code, name, level, parent_id) VALUES (%s, %s, %s, %s) "  # noqa: S608
        "ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, "
        "parent_id = excluded.parent_id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for filename, level, parent_column in _REGION_FILES:
            with (data_dir / filename).open(newline="", encoding="utf-8") as fh:
                rows = [
                    (
                        row["code"],
                        row["name"].strip(),
                        int(level),
                        row[parent_column] if parent_column else None,
                    )
                    for row in csv.DictReader(fh)
                ]
            for i in range(0, len(rows), batch_size):
                cursor.executemany(sql, rows[i : i + batch_size])
            counts[level] = len(rows)
    district_code_set.cache_clear()
    return RegionLoadResult(
        provinces=counts[RegionLevel.PROVINCE],
        cities=counts[RegionLevel.CITY],
        districts=counts[RegionLevel.DISTRICT],
        villages=counts[RegionLevel.VILLAGE],
    )


def reference_fixtures_load() -> None:
    """KBLI 2020 sections and the 17 creative-economy subsectors (fixtures keyed by code)."""
    call_command("loaddata", "kbli_sections", "ekraf_subsectors", verbosity=0)
