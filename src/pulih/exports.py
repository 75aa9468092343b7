"""Spreadsheet exports that cannot run code: every cell a spreadsheet would read as a formula
is neutralised, in every export Pulih writes (OWASP "CSV injection")."""

from __future__ import annotations

from typing import Any

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would take for a formula gets a leading apostrophe; numbers stay."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def workbook(path: str) -> xlsxwriter.Workbook:
    """An XLSX writer that streams rows (constant memory) and never turns text into formulas."""
    return xlsxwriter.Workbook(
        path,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
