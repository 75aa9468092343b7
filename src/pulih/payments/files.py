"""Files of disbursement: transfer files (CSV and XLSX) written only from database rows, so
writing them again gives the same bytes; distribution lists per district for goods; the
report of a return file's rejected rows. Each is written to a temporary name, then renamed.

Transfer files carry full NIKs (the bank needs them): they live under PULIH_PROGRAMMES_DIR,
never under served media, and are handed out only by a view that checks scope and logs.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import os
import re
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from django.conf import settings
from django.utils import timezone

from pulih.exports import safe_cell, workbook
from pulih.payments.models import PAYMENT_REFERENCE_PREFIX, payment_reference
from pulih.privacy import crypto

if TYPE_CHECKING:
    from pulih.payments.models import Batch, ReturnImport
    from pulih.programmes.models import Round

TRANSFER_HEADERS = ("No", "Referensi pembayaran", "NIK", "Nama", "Nominal")
NIK_PURPOSE = "nik"  # registry.services.NIK_PURPOSE: the ciphertexts' associated data
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 50_000


def round_dir(round_id: int) -> Path:
    return Path(settings.PULIH_PROGRAMMES_DIR) / f"round-{round_id}"


def batch_dir(batch: Batch) -> Path:
    return round_dir(batch.round_id) / "batches" / batch.reference


def batch_path(batch: Batch, fmt: str) -> Path:
    return batch_dir(batch) / f"{batch.reference}.{fmt}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """One writer per folder at a time (across processes). The lock goes with its process, so
    a writer killed with SIGKILL never leaves it held; what it left half-written is a *.tmp
    file that the next holder removes."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            for stale in folder.glob("*.tmp*"):
                stale.unlink(missing_ok=True)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _replace(tmp: Path, path: Path) -> None:
    with tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _header_block(batch: Batch) -> list[tuple[str, Any]]:
    created = timezone.localtime(batch.created_at)
    return [
        ("Referensi batch", batch.reference),
        ("Bank", batch.bank),
        ("Jumlah baris (control count)", batch.control_count),
        ("Total nominal (control total)", batch.control_total),
        ("Dibuat pada", f"{created:%d-%m-%Y %H:%M:%S} {created.tzname()}"),
    ]


def transfer_frame(rows: pl.DataFrame) -> pl.DataFrame:
    """The file's columns from the batch's line rows: payment reference, the NIK decrypted
    (the bank needs it whole) and the name made safe for spreadsheets."""
    decrypt = crypto.decrypt
    niks = pl.Series(
        "NIK", [decrypt(c, purpose=NIK_PURPOSE) for c in rows["nik_ciphertext"]], dtype=pl.String
    )
    names = pl.Series("Nama", [safe_cell(n) for n in rows["full_name"]], dtype=pl.String)
    return rows.select(
        pl.col("line_number").alias("No"),
        pl.concat_str(
            pl.lit(PAYMENT_REFERENCE_PREFIX), pl.col("payment_id").cast(pl.String).str.zfill(10)
        ).alias("Referensi pembayaran"),
        pl.lit(niks).alias("NIK"),
        pl.lit(names).alias("Nama"),
        pl.col("amount").alias("Nominal"),
    )


def transfer_csv_write(batch: Batch, frame: pl.DataFrame, path: Path) -> str:
    """`;`-separated UTF-8: the header block, a blank line, the column headers, the lines."""
    tmp = path.with_name(path.name + ".tmp")
    head = io.StringIO()
    out = csv.writer(head, delimiter=";", lineterminator="\r\n")
    for label, value in _header_block(batch):
        out.writerow([label, safe_cell(value)])
    out.writerow([])
    body = io.BytesIO()
    frame.write_csv(body, separator=";", line_terminator="\r\n", quote_style="necessary")
    data = head.getvalue().encode("utf-8") + body.getvalue()
    tmp.write_bytes(data)
    _replace(tmp, path)
    return hashlib.sha256(data).hexdigest()


def _fixed_properties(book: Any, title: str, stamp: datetime, comments: str = "") -> None:
    # XlsxWriter stamps every zip member with 1980-01-31; with the creation time taken from
    # the database too, the same rows give the same bytes.
    book.set_properties(
        {"title": title, "author": "Pulih", "company": "", "created": stamp, "comments": comments}
    )


# The data rows of a transfer workbook start on this (1-based) row, after the header block.
_FIRST_ROW = 8
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_text(column: pl.Expr) -> pl.Expr:
    return (
        column.str.replace_all(_CONTROL.pattern, "")
        .str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )


def _sheet_rows(frame: pl.DataFrame, money_style: str) -> pl.Series:
    """The <row> elements of the lines, built column-wise: XlsxWriter spends about 20 µs a
    cell, two minutes for half a million lines; this takes a second. Strings are inline
    (t="inlineStr"): a spreadsheet never reads them as formulas."""
    r = (pl.int_range(0, pl.len()) + _FIRST_ROW).cast(pl.String)

    def text_cell(column: str, name: str) -> list[pl.Expr | str]:
        return [f'<c r="{column}', r, '" t="inlineStr"><is><t xml:space="preserve">',
                _xml_text(pl.col(name)), "</t></is></c>"]  # fmt: skip

    parts: list[pl.Expr | str] = [
        '<row r="', r, '"><c r="A', r, '"><v>', pl.col("No").cast(pl.String), "</v></c>",
        *text_cell("B", "Referensi pembayaran"), *text_cell("C", "NIK"), *text_cell("D", "Nama"),
        '<c r="E', r, f'" s="{money_style}"><v>', pl.col("Nominal").cast(pl.String),
        "</v></c></row>",
    ]  # fmt: skip
    exprs = [pl.lit(p) if isinstance(p, str) else p for p in parts]
    return frame.select(pl.concat_str(exprs).alias("xml"))["xml"]


def transfer_xlsx_write(batch: Batch, frame: pl.DataFrame, path: Path) -> str:
    """XlsxWriter makes the workbook (styles, header block, properties, column widths); the
    lines' rows are then put into its sheet, and the archive rewritten member by member with
    XlsxWriter's fixed timestamps, so the same rows give the same bytes."""
    skeleton = path.with_name(path.name + ".tmp-skeleton.xlsx")
    book = workbook(str(skeleton))
    _fixed_properties(
        book, f"Berkas transfer {batch.reference}",
        batch.created_at.astimezone(UTC).replace(tzinfo=None), batch.reference,
    )  # fmt: skip
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0"})
    sheet = book.add_worksheet("Transfer")
    for column, width in enumerate((8, 18, 20, 36, 16)):
        sheet.set_column(column, column, width)
    header = _header_block(batch)
    for r, (label, value) in enumerate(header):
        sheet.write_string(r, 0, label, bold)
        if isinstance(value, int):
            sheet.write_number(r, 1, value, money)
        else:
            sheet.write_string(r, 1, safe_cell(value))
    for c, title in enumerate(TRANSFER_HEADERS):
        sheet.write_string(_FIRST_ROW - 2, c, title, bold)
    book.close()
    tmp = path.with_name(path.name + ".tmp.xlsx")
    with (
        zipfile.ZipFile(skeleton) as source,
        zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            data = source.read(member)
            info = zipfile.ZipInfo(member.filename, member.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = member.external_attr
            if member.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, data)
                continue
            text = data.decode("utf-8")
            money_style = re.search(r'<c r="B4" s="(\d+)"', text)
            assert money_style is not None, "the header block writes the control total in B4"
            last = _FIRST_ROW + frame.height - 1
            text = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:E{max(last, 7)}"/>',
                          text, count=1)  # fmt: skip
            before, after = text.split("</sheetData>", 1)
            rows = _sheet_rows(frame, money_style.group(1))
            with target.open(info, "w") as out:
                out.write(before.encode("utf-8"))
                for start in range(0, rows.len(), CHUNK):
                    out.write("".join(rows.slice(start, CHUNK).to_list()).encode("utf-8"))
                out.write(("</sheetData>" + after).encode("utf-8"))
    skeleton.unlink()
    _replace(tmp, path)
    return sha256_of(path)


# --- return-file report -----------------------------------------------------------------------


def return_report_path(item: ReturnImport) -> Path:
    return batch_dir(item.batch) / "returns" / f"{item.pk}-ditolak.xlsx"


def return_report_write(
    item: ReturnImport, rejected: pl.DataFrame, original: pl.DataFrame, missing: pl.DataFrame
) -> Path:
    """Sheet "Ditolak": file row number, reason and the row's own cells; sheet "Belum
    dijawab": lines of the batch the file did not mention."""
    from pulih.intake.reader import PROBLEM, ROW

    path = return_report_path(item)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own: a report written again while the first is still being written must
    # not share (and pull away) its half-written file.
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp.xlsx")
    book = workbook(str(tmp))
    _fixed_properties(book, f"Balikan ditolak {item.original_name}",
                      item.created_at.astimezone(UTC).replace(tzinfo=None))  # fmt: skip
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("Ditolak")
    cells = [c for c in original.columns if c not in (ROW, PROBLEM)]
    for c, title in enumerate(["Baris", "Alasan", *cells]):
        sheet.write_string(0, c, safe_cell(title), bold)
    sheet.set_column(1, 1, 60)
    joined = rejected.join(original, on=ROW, how="left").sort(ROW)
    for r, values in enumerate(joined.select(ROW, "reason", *cells).iter_rows(), start=1):
        sheet.write_number(r, 0, values[0])
        for c, value in enumerate(values[1:], start=1):
            sheet.write_string(r, c, safe_cell("" if value is None else str(value)))
    waiting = book.add_worksheet("Belum dijawab")
    for c, title in enumerate(("No baris", "Referensi pembayaran", "Nominal")):
        waiting.write_string(0, c, title, bold)
    for r, (line, payment, amount) in enumerate(missing.iter_rows(), start=1):
        waiting.write_number(r, 0, line)
        waiting.write_string(r, 1, payment_reference(payment))
        waiting.write_number(r, 2, amount)
    book.close()
    _replace(tmp, path)
    return path


# --- goods: distribution lists ------------------------------------------------------------------

DISTRIBUTION_HEADERS = ("No", "Nama penerima", "NIK", "Alamat", "Kelurahan/desa", "Isi paket",
                        "Nilai (Rp)", "Status", "Tanggal serah", "Tanda tangan")  # fmt: skip


def distribution_path(round_obj: Round, district_code: str) -> Path:
    return round_dir(round_obj.pk) / "distribution" / f"daftar-{district_code}.xlsx"


def items_text(items: list[dict[str, Any]]) -> str:
    return "; ".join(
        " ".join(str(p) for p in (i.get("quantity", ""), i.get("unit", ""), i.get("name", "")) if p)
        for i in items
    )


def distribution_write(
    round_obj: Round, district: tuple[str, str], rows: list[tuple[Any, ...]], stamp: datetime
) -> Path:
    """One district's recipients for the officers handing packages over (NIK masked)."""
    code, name = district
    path = distribution_path(round_obj, code)
    with folder_lock(path.parent):
        tmp = path.with_name(path.name + ".tmp.xlsx")
        book = workbook(str(tmp))
        title = f"Daftar penyaluran {round_obj.name} · Kecamatan {name}"
        _fixed_properties(book, title, stamp.astimezone(UTC).replace(tzinfo=None))
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0"})
        sheet = book.add_worksheet("Daftar")
        sheet.write_string(0, 0, safe_cell(title), bold)
        sheet.write_string(1, 0, safe_cell(f"{round_obj.programme.name} ({code})"))
        for c, header in enumerate(DISTRIBUTION_HEADERS):
            sheet.write_string(3, c, header, bold)
        for c, width in enumerate((6, 32, 18, 40, 22, 40, 12, 16, 14, 20)):
            sheet.set_column(c, c, width)
        for r, row in enumerate(rows, start=4):
            sheet.write_number(r, 0, r - 3)
            for c, value in enumerate(row, start=1):
                if isinstance(value, int):
                    sheet.write_number(r, c, value, money)
                else:
                    sheet.write_string(r, c, safe_cell(str(value)))
            sheet.write_string(r, len(row) + 1, "")
        book.close()
        _replace(tmp, path)
    return path
