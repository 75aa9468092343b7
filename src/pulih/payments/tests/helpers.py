"""Small builders for disbursement tests: return files as a bank would write them."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from pulih.accounts.models import User
from pulih.payments import services
from pulih.payments.models import Batch, ReturnImport

RETURN_HEADERS = ("Referensi Batch", "No Baris", "Status", "Alasan", "Referensi Bank", "Nominal")


def return_csv(path: Path, rows: Sequence[Sequence[object]], headers=RETURN_HEADERS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(headers)
        out.writerows(rows)
    return path


def import_file(actor: User, batch: Batch, path: Path) -> ReturnImport:
    with path.open("rb") as content:
        return services.return_import(
            actor=actor, batch=batch, content=content, original_name=path.name
        )


def answer_all(actor: User, batch: Batch, path: Path, outcome: str = "BERHASIL") -> ReturnImport:
    rows = [
        (batch.reference, line, outcome, "" if outcome == "BERHASIL" else "Rekening ditutup",
         f"TRX{line}", amount)
        for line, amount in batch.lines.order_by("line_number").values_list("line_number", "amount")
    ]  # fmt: skip
    return import_file(actor, batch, return_csv(path, rows))
