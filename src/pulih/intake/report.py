"""The rejection report: every refused or duplicate row with its row number, its original
cells and the reason in Indonesian, as an XLSX the sender can fix and send back."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from pulih.exports import safe_cell, workbook
from pulih.intake.reader import ROW

if TYPE_CHECKING:
    from pulih.intake.models import IntakeJob

SUMMARY_LABELS = (
    ("rows_read", "Baris dibaca"),
    ("rows_accepted", "Diterima"),
    ("rows_created", "Baru dibuat"),
    ("rows_updated", "Diperbarui"),
    ("rows_unchanged", "Tidak berubah"),
    ("rows_rejected", "Ditolak"),
    ("rows_duplicate", "Duplikat dalam berkas"),
    ("changes_proposed", "Usulan perubahan untuk petugas"),
)


def report_write(job: IntakeJob, staged: pl.DataFrame, originals: pl.DataFrame, path: Path) -> None:
    refused = (
        staged.filter(pl.col("state") != "accepted")
        .select(ROW, "state", "reasons")
        .join(originals, on=ROW, how="left")
        .sort(ROW)
    )
    headers = [h for h in job.headers if h in originals.columns]
    tmp = path.with_suffix(".tmp.xlsx")
    book = workbook(str(tmp))
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("Ditolak")
    sheet.freeze_panes(1, 0)
    titles = ["Baris", "Status", "Alasan", *headers]
    for c, title in enumerate(titles):
        sheet.write_string(0, c, safe_cell(title), bold)
    sheet.set_column(0, 0, 7)
    sheet.set_column(1, 1, 12)
    sheet.set_column(2, 2, 60)
    sheet.set_column(3, 3 + len(headers), 18)
    state_label = {"rejected": "Ditolak", "duplicate": "Duplikat"}
    columns = [refused[h].to_list() for h in headers]
    for r, (row_number, state, reason) in enumerate(
        zip(
            refused[ROW].to_list(),
            refused["state"].to_list(),
            refused["reasons"].to_list(),
            strict=True,
        ),
        start=1,
    ):
        sheet.write_number(r, 0, row_number)
        sheet.write_string(r, 1, state_label.get(state, state))
        sheet.write_string(r, 2, safe_cell(reason or ""))
        for c, column in enumerate(columns, start=3):
            value = column[r - 1]
            if value:
                sheet.write_string(r, c, safe_cell(str(value)))
    summary = book.add_worksheet("Ringkasan")
    summary.write_string(0, 0, "Berkas", bold)
    summary.write_string(0, 1, safe_cell(job.original_name))
    summary.write_string(1, 0, "Pengirim", bold)
    summary.write_string(1, 1, safe_cell(job.source.name))
    job.refresh_from_db()
    for i, (field, label) in enumerate(SUMMARY_LABELS, start=3):
        summary.write_string(i, 0, label, bold)
        summary.write_number(i, 1, getattr(job, field))
    summary.set_column(0, 0, 32)
    summary.set_column(1, 1, 40)
    book.close()
    os.replace(tmp, path)
