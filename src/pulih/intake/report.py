"""The rejection report: every refused or duplicate row with its row number, its original
cells and the reason in Indonesian, as an XLSX the sender can fix and send back.

A large import writes the report in a helper process while the merge runs (`ReportInBackground`):
the refused rows are known once the file is staged, and only the summary sheet waits for the
merge's counts."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from pulih.exports import safe_cell, workbook
from pulih.intake.reader import ROW

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
STATE_LABELS = {"rejected": "Ditolak", "duplicate": "Duplikat"}
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportSource:
    """What the report needs from the job: plain values, so a helper process needs no database."""

    staged: str  # the staged Parquet file
    originals: str  # the refused rows' original cells
    path: str  # where the report goes
    headers: tuple[str, ...]
    original_name: str
    source_name: str


class _Report:
    """The workbook, written to a temporary file of its own and moved into place on close."""

    def __init__(self, source: ReportSource) -> None:
        self.source = source
        self.tmp = Path(source.path).with_suffix(f".{uuid.uuid4().hex}.tmp.xlsx")
        self.book = workbook(str(self.tmp))
        self.bold = self.book.add_format({"bold": True})

    def rows_write(self) -> None:
        staged = pl.scan_parquet(self.source.staged).select(ROW, "state", "reasons")
        originals = pl.read_parquet(self.source.originals)
        refused = (
            staged.filter(pl.col("state") != "accepted")
            .collect()
            .join(originals, on=ROW, how="left")
            .sort(ROW)
        )
        headers = [h for h in self.source.headers if h in originals.columns]
        sheet = self.book.add_worksheet("Ditolak")
        sheet.freeze_panes(1, 0)
        for c, title in enumerate(["Baris", "Status", "Alasan", *headers]):
            sheet.write_string(0, c, safe_cell(title), self.bold)
        sheet.set_column(0, 0, 7)
        sheet.set_column(1, 1, 12)
        sheet.set_column(2, 2, 60)
        sheet.set_column(3, 3 + len(headers), 18)
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
            sheet.write_string(r, 1, STATE_LABELS.get(state, state))
            sheet.write_string(r, 2, safe_cell(reason or ""))
            for c, column in enumerate(columns, start=3):
                value = column[r - 1]
                if value:
                    sheet.write_string(r, c, safe_cell(str(value)))

    def finish(self, counts: dict[str, int]) -> None:
        summary = self.book.add_worksheet("Ringkasan")
        summary.write_string(0, 0, "Berkas", self.bold)
        summary.write_string(0, 1, safe_cell(self.source.original_name))
        summary.write_string(1, 0, "Pengirim", self.bold)
        summary.write_string(1, 1, safe_cell(self.source.source_name))
        for i, (field, label) in enumerate(SUMMARY_LABELS, start=3):
            summary.write_string(i, 0, label, self.bold)
            summary.write_number(i, 1, counts[field])
        summary.set_column(0, 0, 32)
        summary.set_column(1, 1, 40)
        self.book.close()
        os.replace(self.tmp, self.source.path)  # a half-written report never looks finished

    def discard(self) -> None:
        with contextlib.suppress(Exception):
            self.book.close()
        self.tmp.unlink(missing_ok=True)


def report_write(source: ReportSource, counts: dict[str, int]) -> None:
    report = _Report(source)
    try:
        report.rows_write()
        report.finish(counts)
    except BaseException:
        report.discard()
        raise


def _report_child(conn: Any, source: ReportSource) -> None:
    report = _Report(source)
    try:
        report.rows_write()
        counts = conn.recv()  # the parent's counts once the merge is done; EOF if it died
        if counts is None:
            report.discard()
            return
        report.finish(counts)
        conn.send("")
    except BaseException:
        report.discard()
        with contextlib.suppress(Exception):
            conn.send(traceback.format_exc())


class ReportInBackground:
    """The report's rows written by a spawned process while the caller merges; `finish(counts)`
    adds the summary and waits for the file. On any failure in the helper, `finish` writes the
    report in this process instead, so a report is never missing because of the helper."""

    def __init__(self, source: ReportSource) -> None:
        self.source = source
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_report_child, args=(child, source), daemon=True)
        self.process.start()
        child.close()

    def finish(self, counts: dict[str, int]) -> None:
        error = "helper ended early"
        try:
            self.conn.send(counts)
            error = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            pass
        finally:
            self.process.join(timeout=60)
            if self.process.is_alive():
                self.process.terminate()
            self.conn.close()
        if error:
            log.warning("report helper failed, writing the report here: %s", error)
            report_write(self.source, counts)

    def cancel(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.send(None)
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()
        self.conn.close()
