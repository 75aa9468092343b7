"""The preview an officer maps columns on is the same text the whole-file read gives later."""

from datetime import date, datetime, time

import openpyxl
import polars as pl

from pulih.intake.reader import SAMPLE_ROWS, _read_xlsx_head, read_sample, read_table


def _book(path, rows, *, start="A1"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Daftar"
    row0, col0 = openpyxl.utils.cell.coordinate_to_tuple(start)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is not None:
                sheet.cell(row=row0 + r, column=col0 + c, value=value)
    book.save(path)
    return path


TYPED_ROWS = [
    ["NIK", "Nama", "Tgl Lahir", "Omzet", "Aktif", "Jam", "Rasio", 2021],
    [3172050311800154, "Siti", datetime(1985, 3, 12), 2400000.0, True, time(10, 30), 0.1 + 0.2],
    ["3172050311800155", "  Budi ", date(1980, 5, 17), 1.5, False, None, 1e20, "x"],
    [None, None, None, None, None, None, None, None],
    [44197, "=1+1", "12-03-1985", -3, 0, None, 123456.789, None],
    *([["3172050311800156", "Ani", "1 Januari 1990", "2,4 jt", "", "", "", ""]] * 10),
]


def test_xlsx_preview_matches_the_whole_sheet(tmp_path):
    path = _book(tmp_path / "daftar.xlsx", TYPED_ROWS)
    assert _read_xlsx_head(path, sheet="Daftar", rows=SAMPLE_ROWS) is not None  # streamed
    sample, sheets = read_sample(path, "xlsx")
    whole = read_table(path, "xlsx")
    assert sheets == ["Daftar"]
    assert sample.headers == whole.headers
    assert sample.headers[-1] == "2021"
    assert sample.frame.height == SAMPLE_ROWS
    assert sample.frame.to_dicts() == whole.frame.head(SAMPLE_ROWS).to_dicts()


def test_xlsx_preview_of_a_sheet_starting_elsewhere_matches_too(tmp_path):
    path = _book(tmp_path / "geser.xlsx", TYPED_ROWS, start="C3")
    assert _read_xlsx_head(path, sheet="Daftar", rows=SAMPLE_ROWS) is None  # calamine decides
    sample, _sheets = read_sample(path, "xlsx")
    whole = read_table(path, "xlsx")
    assert sample.headers == whole.headers
    assert sample.frame.to_dicts() == whole.frame.head(SAMPLE_ROWS).to_dicts()
    assert sample.frame.schema[sample.headers[0]] == pl.String
