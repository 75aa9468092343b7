"""Reading proposer files safely: CSV (UTF-8 or Windows-1252, `,` `;` or tab) and XLSX.

Every cell comes back as text with the row number the sender sees in their own program, so a
reason in the report points at the right line. Anything that is not a readable file of the
kind it claims to be is refused with an IntakeError before a row is looked at.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import fastexcel
import polars as pl

from pulih.intake.error_codes import IntakeError, IntakeErrorCode as E

ROW = "__row"  # the sender's row number (the header is row 1)
PROBLEM = "__problem"  # a structural problem with the row itself (wrong number of cells)
FORMATS = ("csv", "xlsx")
ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls or an encrypted .xlsx
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# Sheet XML compresses well (10-30x for real lists); a ratio far beyond that is a zip bomb.
MAX_ZIP_RATIO = 200
MAX_UNZIPPED_BYTES = 4 * 1024**3
CSV_DELIMITERS = (",", ";", "\t", "|")
SAMPLE_ROWS = 5


@dataclass
class Table:
    headers: list[str]
    frame: pl.DataFrame  # one String column per header, plus ROW and PROBLEM
    sheet: str


def file_format(original_name: str) -> str:
    suffix = Path(original_name).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise IntakeError(E.UNKNOWN_EXTENSION)
    return suffix


def check_file(path: Path, fmt: str, *, max_bytes: int) -> None:
    """Size, emptiness and "is it what its name says" before any parser sees the bytes."""
    size = path.stat().st_size
    if size == 0:
        raise IntakeError(E.FILE_EMPTY)
    if size > max_bytes:
        raise IntakeError(
            E.FILE_TOO_LARGE, size=round(size / 1024**2, 1), limit=round(max_bytes / 1024**2)
        )
    with path.open("rb") as handle:
        head = handle.read(8192)
    if fmt == "xlsx":
        _check_xlsx(path, head)
    elif head.startswith((ZIP_MAGIC, CFB_MAGIC)) or b"\x00" in head:
        raise IntakeError(E.NOT_CSV)


def _check_xlsx(path: Path, head: bytes) -> None:
    if head.startswith(CFB_MAGIC):
        # An encrypted .xlsx is an OLE container holding an "EncryptedPackage" stream.
        with path.open("rb") as handle:
            directory = handle.read(1024 * 1024)
        raise IntakeError(
            E.PASSWORD_PROTECTED if ENCRYPTED_STREAM in directory else E.XLS_OLD_FORMAT
        )
    if not head.startswith(ZIP_MAGIC):
        raise IntakeError(E.NOT_XLSX)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise IntakeError(E.TRUNCATED) from exc
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise IntakeError(E.NOT_XLSX)
    unzipped = sum(m.file_size for m in members)
    zipped = sum(m.compress_size for m in members) or 1
    if unzipped > MAX_UNZIPPED_BYTES or unzipped / zipped > MAX_ZIP_RATIO:
        raise IntakeError(E.ZIP_BOMB)


def sheet_names(path: Path) -> list[str]:
    try:
        return list(fastexcel.read_excel(str(path)).sheet_names)
    except Exception as exc:  # calamine reports every broken archive its own way
        raise IntakeError(E.TRUNCATED) from exc


def _unique_headers(raw: list[object]) -> list[str]:
    headers: list[str] = []
    seen: dict[str, int] = {}
    for index, value in enumerate(raw, start=1):
        text = " ".join(str(value).split()) if value is not None else ""
        text = text or f"Kolom {index}"
        if text in seen:
            seen[text] += 1
            text = f"{text} ({seen[text]})"
        else:
            seen[text] = 1
        headers.append(text)
    return headers


# --- CSV -------------------------------------------------------------------------------------


def _csv_text(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Indonesian Windows saves "CSV" as Windows-1252; the five bytes it leaves
        # undefined become U+FFFD rather than failing the whole file.
        return data.decode("cp1252", errors="replace")


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in CSV_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path, *, max_rows: int | None) -> Table:
    text = _csv_text(path)
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    header_row = next(csv.reader([first_line], delimiter=delimiter), [])
    if not any(cell.strip() for cell in header_row):
        raise IntakeError(E.NO_HEADER)
    headers = _unique_headers(list(header_row))
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            separator=delimiter,
            has_header=False,
            skip_rows=1,
            new_columns=headers,
            infer_schema=False,
            n_rows=None if max_rows is None else max_rows + 1,
            empty_string_is_null=False,
            truncate_ragged_lines=False,
        )
        frame = frame.with_columns(
            pl.int_range(2, pl.len() + 2, dtype=pl.UInt32).alias(ROW),
            pl.lit(None, dtype=pl.String).alias(PROBLEM),
        )
    except pl.exceptions.PolarsError:
        # A row with more cells than the header (a stray delimiter): read row by row and keep
        # every row, reporting the ones whose shape is wrong instead of guessing their columns.
        frame = _read_csv_slow(text, delimiter, headers, max_rows)
    return Table(headers=headers, frame=_drop_blank_rows(frame, headers), sheet="")


def _read_csv_slow(
    text: str, delimiter: str, headers: list[str], max_rows: int | None
) -> pl.DataFrame:
    width = len(headers)
    columns: list[list[str]] = [[] for _ in headers]
    rows: list[int] = []
    problems: list[str | None] = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader, None)
    for number, record in enumerate(reader, start=2):
        if max_rows is not None and len(rows) > max_rows:
            break
        if len(record) != width and any(cell.strip() for cell in record):
            problems.append(f"{len(record)}/{width}")
        else:
            problems.append(None)
        record = (record + [""] * width)[:width]
        for column, cell in zip(columns, record, strict=True):
            column.append(cell)
        rows.append(number)
    data: dict[str, pl.Series] = {
        h: pl.Series(h, c, dtype=pl.String) for h, c in zip(headers, columns, strict=True)
    }
    data[ROW] = pl.Series(ROW, rows, dtype=pl.UInt32)
    data[PROBLEM] = pl.Series(PROBLEM, problems, dtype=pl.String)
    return pl.DataFrame(data)


# --- XLSX ------------------------------------------------------------------------------------


def _chosen_sheet(path: Path, sheet: str) -> tuple[list[str], str]:
    """The workbook's sheet names and the one to read: `sheet`, or the first."""
    names = sheet_names(path)
    chosen = sheet or (names[0] if names else "")
    if chosen not in names:
        raise IntakeError(E.SHEET_NOT_FOUND, sheet=chosen, sheets=", ".join(names))
    return names, chosen


def _read_xlsx(path: Path, *, chosen: str, max_rows: int | None) -> Table:
    """Sheet `chosen` (see _chosen_sheet) through calamine, every cell as text."""
    try:
        reader = fastexcel.read_excel(str(path))
        loaded = reader.load_sheet(
            chosen,
            header_row=None,
            dtypes="string",
            n_rows=None if max_rows is None else max_rows + 2,
        )
        frame = loaded.to_polars()
        del loaded, reader
    except Exception as exc:
        raise IntakeError(E.TRUNCATED) from exc
    _return_freed_heap()
    return _shaped(frame, chosen)


def _return_freed_heap() -> None:
    """calamine frees the cells it parsed, but glibc keeps their pages (about 250 MB for a
    500,000-row sheet) and the checks after the read would stand on them: hand them back."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _shaped(frame: pl.DataFrame, sheet: str) -> Table:
    """A sheet read as text, its first row the headers, into a Table."""
    if frame.height == 0:
        raise IntakeError(E.FILE_EMPTY)
    raw_headers = list(frame.row(0))
    if not any(v is not None and str(v).strip() for v in raw_headers):
        raise IntakeError(E.NO_HEADER)
    headers = _unique_headers(raw_headers)
    frame = (
        frame.slice(1)
        .rename(dict(zip(frame.columns, headers, strict=True)))
        .with_columns(pl.col(h).cast(pl.String).fill_null("") for h in headers)
        .with_columns(
            pl.int_range(2, pl.len() + 2, dtype=pl.UInt32).alias(ROW),
            pl.lit(None, dtype=pl.String).alias(PROBLEM),
        )
    )
    return Table(headers=headers, frame=_drop_blank_rows(frame, headers), sheet=sheet)


def _cell_text(value: Any) -> str | None:
    """A cell as calamine gives it with dtypes="string", so that the first rows read here are
    the rows the whole-sheet read gives later."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return f"{value.isoformat()} 00:00:00"
    if isinstance(value, time):
        return f"1899-12-31 {value.strftime('%H:%M:%S')}"
    return str(value)


def _read_xlsx_head(path: Path, *, sheet: str, rows: int) -> Table | None:
    """The header and first rows without parsing the whole sheet (calamine reads all of it: 4 s
    for 500,000 rows, for a five-row preview). openpyxl streams the sheet from its start. None
    when the sheet does not start at A1 or does not state its size: there calamine's range
    decides which cells are the header, so calamine reads the sample too."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - calamine then reads it and names the problem
        return None
    try:
        if sheet not in book.sheetnames:
            return None
        worksheet = book[sheet]
        if (worksheet.min_row, worksheet.min_column) != (1, 1) or not worksheet.max_column:
            return None
        width = worksheet.max_column
        values = [
            [_cell_text(v) for v in r]
            # A few spare rows: blank ones are dropped before the preview is cut to `rows`.
            for r in worksheet.iter_rows(max_row=rows * 4 + 1, max_col=width, values_only=True)
        ]
    except Exception:  # noqa: BLE001
        return None
    finally:
        book.close()
    names = [f"column_{i}" for i in range(width)]
    frame = pl.DataFrame(
        [r + [None] * (width - len(r)) for r in values],
        schema=dict.fromkeys(names, pl.String),
        orient="row",
    )
    return _shaped(frame, sheet)


def _drop_blank_rows(frame: pl.DataFrame, headers: list[str]) -> pl.DataFrame:
    """Rows with no text at all are formatting, not data: they are neither read nor rejected."""
    blank = pl.all_horizontal(pl.col(h).str.strip_chars().eq("") for h in headers)
    return frame.filter(~blank)


def read_table(path: Path, fmt: str, *, sheet: str = "", max_rows: int | None = None) -> Table:
    """The whole file; raises TOO_MANY_ROWS beyond max_rows."""
    table = (
        _read_xlsx(path, chosen=_chosen_sheet(path, sheet)[1], max_rows=max_rows)
        if fmt == "xlsx"
        else _read_csv(path, max_rows=max_rows)
    )
    if max_rows is not None and table.frame.height > max_rows:
        raise IntakeError(E.TOO_MANY_ROWS, limit=f"{max_rows:,}".replace(",", "."))
    if table.frame.height == 0:
        raise IntakeError(E.FILE_EMPTY)
    return table


def read_sample(path: Path, fmt: str, *, sheet: str = "") -> tuple[Table, list[str]]:
    """Headers and the first rows, for the mapping screen; and the file's sheet names."""
    if fmt != "xlsx":
        table = _read_csv(path, max_rows=SAMPLE_ROWS)
        table.frame = table.frame.head(SAMPLE_ROWS)
        return table, []
    sheets, chosen = _chosen_sheet(path, sheet)
    head = _read_xlsx_head(path, sheet=chosen, rows=SAMPLE_ROWS)
    table = head or _read_xlsx(path, chosen=chosen, max_rows=SAMPLE_ROWS)
    table.frame = table.frame.head(SAMPLE_ROWS)
    return table, sheets
