"""Small proposer files for tests, written the way senders write them."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import xlsxwriter

from pulih.accounts.models import User
from pulih.intake import pipeline, services
from pulih.intake.models import IntakeJob
from pulih.testing.factories import build_nik

HEADERS = [
    "No", "NIK", "Nama Lengkap", "Tempat/Tgl Lahir", "Jenis Kelamin", "Alamat", "RT/RW",
    "Kelurahan", "Kecamatan", "Kabupaten/Kota", "Provinsi", "No HP", "Nama Usaha",
    "Bidang Usaha", "Omzet per Bulan",
]  # fmt: skip

# Pondok Bambu, Duren Sawit, Jakarta Timur.
VILLAGE = "31.75.07.1002"


def row(
    n: int,
    *,
    nik: str | None = None,
    name: str = "Siti Aminah",
    place_date: str = "JAKARTA, 12-03-1985",
    sex: str = "P",
    birth: date = date(1985, 3, 12),
    address: str = "Jl. Raya Bekasi No. 5",
    rt_rw: str = "005/002",
    village: str = "Pondok Bambu",
    district: str = "Duren Sawit",
    city: str = "KOTA ADM. JAKARTA TIMUR",
    province: str = "DKI JAKARTA",
    phone: str = "0812-3456-7890",
    business: str = "Warung Berkah",
    sector: str = "Kuliner",
    turnover: str = "Rp2.400.000",
) -> list[str]:
    nik = nik if nik is not None else build_nik("31.75.07", birth, sex, n)
    return [
        str(n), nik, name, place_date, sex, address, rt_rw, village, district, city, province,
        phone, business, sector, turnover,
    ]  # fmt: skip


def write_csv(
    path: Path,
    rows: list[list[str]],
    *,
    headers: list[str] = HEADERS,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_xlsx(
    path: Path, rows: list[list[str]], *, headers: list[str] = HEADERS, sheet: str = "Sheet1",
    extra_sheets: tuple[str, ...] = (),
) -> Path:  # fmt: skip
    book = xlsxwriter.Workbook(str(path))
    for name in extra_sheets:
        book.add_worksheet(name).write_string(0, 0, "catatan")
    ws = book.add_worksheet(sheet)
    for c, h in enumerate(headers):
        ws.write_string(0, c, h)
    for r, values in enumerate(rows, start=1):
        for c, v in enumerate(values):
            ws.write_string(r, c, v)
    book.close()
    return path


def run_import(
    actor: User, path: Path, *, source: str = "Dinas Uji", sheet: str = "", chunk_rows: int = 1000
) -> IntakeJob:
    job = services.job_create(
        actor=actor, source_name=source, original_name=path.name, content=path, sheet=sheet
    )
    services.job_start(actor=actor, job=job, mapping=job.mapping, enqueue=False)
    return pipeline.job_run(job.pk, chunk_rows=chunk_rows)
