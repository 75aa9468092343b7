"""Reading a bank's return file: its columns in the bank's words, each row checked against the
batch (wrong batch, unknown line, amount, duplicates, an answer contradicting an earlier one)
and the reconciliation plan, all as Polars expressions over the whole file at once."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from pulih.intake.columns import header_key
from pulih.intake.normalize import parse_money
from pulih.intake.reader import PROBLEM, ROW, Table, check_file, file_format, read_table
from pulih.payments.error_codes import MESSAGES, PaymentError, PaymentErrorCode as E
from pulih.payments.models import PAYMENT_REFERENCE_PREFIX, LineStatus
from pulih.payments.pipeline import Reconciliation

# The headers banks use, after header_key ("No. Baris" -> "no baris").
ALIASES: dict[str, frozenset[str]] = {
    "batch": frozenset({
        "batch", "id batch", "batch id", "no batch", "nomor batch", "referensi batch",
        "ref batch", "batch reference", "batch ref", "kode batch", "referensi berkas",
    }),
    "line": frozenset({
        "no", "no baris", "nomor baris", "baris", "line", "line number", "line no", "no urut",
        "nomor urut", "urut",
    }),
    "reference": frozenset({
        "referensi pembayaran", "ref pembayaran", "payment reference", "payment ref",
        "no referensi", "nomor referensi", "referensi", "reference", "ref",
    }),
    "status": frozenset({
        "status", "hasil", "status transfer", "status pembayaran", "result", "keterangan status",
        "status penyaluran",
    }),
    "reason": frozenset({
        "alasan", "keterangan", "reason", "alasan gagal", "catatan", "pesan", "keterangan gagal",
        "remark", "remarks", "alasan penolakan",
    }),
    "bank_reference": frozenset({
        "referensi bank", "ref bank", "bank reference", "bank ref", "no transaksi",
        "nomor transaksi", "kode transaksi", "id transaksi", "no ref bank",
    }),
    "amount": frozenset({"nominal", "jumlah", "amount", "nilai", "jumlah rp", "nominal rp"}),
}  # fmt: skip
FIELD_LABELS = {
    "batch": "referensi batch",
    "line": "nomor baris",
    "reference": "referensi pembayaran",
    "status": "status",
}
# The bank's word for the outcome, after header_key ("Berhasil!" -> "berhasil").
OUTCOMES: dict[str, str] = {
    **dict.fromkeys(
        ("berhasil", "sukses", "success", "successful", "paid", "dibayar", "sudah dibayar",
         "terbayar", "lunas", "ok", "berhasil ditransfer", "transfer berhasil", "done",
         "selesai", "completed", "settled"),
        LineStatus.PAID.value,
    ),
    **dict.fromkeys(
        ("gagal", "failed", "fail", "ditolak", "tolak", "rejected", "reject", "retur", "return",
         "returned", "dikembalikan", "tidak berhasil", "transfer gagal", "gagal transfer",
         "error"),
        LineStatus.FAILED.value,
    ),
}  # fmt: skip
NO_REASON = "(bank tidak menyebutkan alasan)"
_PARAM = re.compile(r"%\((\w+)\)s")


def return_columns(headers: list[str]) -> dict[str, str]:
    """field -> header. Required: batch, status and a line number or payment reference."""
    found: dict[str, str] = {}
    for header in headers:
        key = header_key(header)
        for name, aliases in ALIASES.items():
            if key in aliases and name not in found:
                found[name] = header
                break
    missing = [FIELD_LABELS[f] for f in ("batch", "status") if f not in found]
    if "line" not in found and "reference" not in found:
        missing.append(f"{FIELD_LABELS['line']} atau {FIELD_LABELS['reference']}")
    if missing:
        raise PaymentError(
            E.RETURN_COLUMNS_MISSING,
            missing=", ".join(missing),
            known="; ".join(f"{FIELD_LABELS.get(f, f)}: {', '.join(sorted(a)[:4])}"
                            for f, a in ALIASES.items() if f in FIELD_LABELS),
        )  # fmt: skip
    return found


def return_read(path: Path, original_name: str, *, max_bytes: int, max_rows: int) -> Table:
    """The file through intake's reader: size, zip-bomb, truncation and password checks."""
    fmt = file_format(original_name)
    check_file(path, fmt, max_bytes=max_bytes)
    return read_table(path, fmt, max_rows=max_rows)


def _text(columns: dict[str, str], name: str) -> pl.Expr:
    if name not in columns:
        return pl.lit("", dtype=pl.String)
    return pl.col(columns[name]).cast(pl.String).fill_null("").str.strip_chars()


def return_frame(table: Table, columns: dict[str, str]) -> pl.DataFrame:
    """One typed row per file row: the line it names (number and/or payment id), outcome,
    reason, bank reference and amount, keeping the raw text for messages."""
    frame = table.frame.select(
        pl.col(ROW).cast(pl.Int64).alias("row"),
        pl.col(PROBLEM).alias("problem"),
        _text(columns, "batch").str.to_uppercase().alias("batch_ref"),
        _text(columns, "line").alias("line_raw"),
        _text(columns, "reference")
        .str.to_uppercase()
        .str.replace_all(r"\s", "")
        .alias("reference_raw"),
        _text(columns, "status").alias("status_raw"),
        _text(columns, "reason").str.replace_all(r"\s+", " ").str.slice(0, 300).alias("reason"),
        _text(columns, "bank_reference").str.slice(0, 60).alias("bank_reference"),
        _text(columns, "amount").alias("amount_raw"),
    )
    # Spreadsheets turn 12 into "12.0": a whole number either way.
    line = pl.col("line_raw")
    amounts = parse_money(frame["amount_raw"]).cast(pl.Int64)
    return frame.with_columns(
        pl.when(line.str.contains(r"^\d{1,9}(\.0+)?$"))
        .then(line.str.extract(r"^(\d+)").cast(pl.Int64))
        .alias("line_number"),
        pl.col("reference_raw")
        .str.extract(rf"^{PAYMENT_REFERENCE_PREFIX}(\d{{1,12}})$")
        .cast(pl.Int64)
        .alias("ref_payment"),
        pl.col("status_raw")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
        .replace_strict(OUTCOMES, default=None, return_dtype=pl.String)
        .alias("outcome"),
        amounts.alias("amount"),
    )


def _message(code: E, **params: pl.Expr | str) -> pl.Expr:
    """The code's Indonesian message with per-row values filled in, as one expression."""
    text = str(MESSAGES[code])
    parts: list[pl.Expr] = []
    at = 0
    for match in _PARAM.finditer(text):
        parts.append(pl.lit(text[at : match.start()]))
        value = params[match.group(1)]
        parts.append(value.cast(pl.String) if isinstance(value, pl.Expr) else pl.lit(value))
        at = match.end()
    parts.append(pl.lit(text[at:]))
    return pl.concat_str(parts, ignore_nulls=True)


def _rupiah(expr: pl.Expr) -> pl.Expr:
    """1200000 -> "1.200.000": digits grouped by three from the right."""
    return (
        expr.cast(pl.String).str.reverse().str.extract_all(r"\d{1,3}").list.join(".").str.reverse()
    )


def _reference(payment_id: pl.Expr) -> pl.Expr:
    return pl.concat_str(pl.lit(PAYMENT_REFERENCE_PREFIX), payment_id.cast(pl.String).str.zfill(10))


_LINE_LABELS = {s.value: str(s.label).lower() for s in LineStatus}


def _label(expr: pl.Expr) -> pl.Expr:
    return expr.replace_strict(_LINE_LABELS, default=expr, return_dtype=pl.String)


def reconcile(frame: pl.DataFrame, lines: pl.DataFrame, *, batch_reference: str) -> Reconciliation:
    """Each row accepted, already recorded, or rejected with the first reason that applies."""
    refs = frame.filter(pl.col("batch_ref") != "")["batch_ref"].unique().sort().to_list()
    if refs and batch_reference not in refs:
        raise PaymentError(
            E.RETURN_WRONG_BATCH, found=", ".join(refs[:3]), expected=batch_reference
        )
    by_number = lines.select(
        "line_number",
        pl.col("line_id").alias("id_by_number"),
        pl.col("payment_id").alias("payment_by_number"),
    )
    by_reference = lines.select(
        pl.col("payment_id").alias("ref_payment"), pl.col("line_id").alias("id_by_reference")
    )
    rows = (
        frame.join(by_number, on="line_number", how="left")
        .join(by_reference, on="ref_payment", how="left")
        .with_columns(pl.coalesce("id_by_number", "id_by_reference").alias("line_id"))
        .join(
            lines.select(
                "line_id",
                pl.col("line_number").alias("batch_line"),
                "line_amount",
                "line_status",
                "payment_id",
            ),
            on="line_id",
            how="left",
        )  # fmt: skip
    )
    has_number = pl.col("line_number").is_not_null()
    has_reference = pl.col("ref_payment").is_not_null()
    unknown = (has_number & pl.col("id_by_number").is_null()) | (
        has_reference & pl.col("id_by_reference").is_null()
    )
    identity = (
        pl.when(pl.col("problem").is_not_null())
        .then(
            _message(
                E.ROW_COLUMNS,
                found=pl.col("problem").str.split("/").list.get(0),
                expected=pl.col("problem").str.split("/").list.get(1),
            )
        )
        .when(pl.col("batch_ref") != batch_reference)
        .then(
            _message(
                E.ROW_OTHER_BATCH,
                found=pl.when(pl.col("batch_ref") == "")
                .then(pl.lit("(kosong)"))
                .otherwise(pl.col("batch_ref")),
                expected=batch_reference,
            )
        )
        .when(~has_number & ~has_reference)
        .then(_message(E.ROW_NO_LINE))
        .when(unknown)
        .then(
            _message(
                E.ROW_LINE_UNKNOWN,
                value=pl.when(has_number & pl.col("id_by_number").is_null())
                .then(pl.col("line_raw"))
                .otherwise(pl.col("reference_raw")),
                batch=batch_reference,
            )
        )
        .when(has_number & has_reference & (pl.col("id_by_number") != pl.col("id_by_reference")))
        .then(
            _message(
                E.ROW_LINE_REFERENCE_MISMATCH,
                line=pl.col("line_number"),
                reference=pl.col("reference_raw"),
                expected=_reference(pl.col("payment_by_number")),
            )
        )
    )
    rows = rows.with_columns(identity.alias("reason_rejected"))
    # A line named by several rows: none of them is trusted (which one would be the bank's?).
    repeated = (
        rows.filter(pl.col("reason_rejected").is_null())
        .group_by("line_id")
        .agg(pl.col("row").sort().cast(pl.String).str.join(", ").alias("dup_rows"), pl.len())
        .filter(pl.col("len") > 1)
        .select("line_id", "dup_rows")
    )
    rows = rows.join(repeated, on="line_id", how="left")
    outcome_label = _label(pl.col("outcome"))
    checks = (
        pl.when(pl.col("reason_rejected").is_not_null())
        .then(pl.col("reason_rejected"))
        .when(pl.col("dup_rows").is_not_null())
        .then(_message(E.ROW_DUPLICATE, line=pl.col("batch_line"), rows=pl.col("dup_rows")))
        .when(pl.col("outcome").is_null())
        .then(_message(E.ROW_STATUS_UNKNOWN, value=pl.col("status_raw")))
        .when((pl.col("amount_raw") != "") & pl.col("amount").is_null())
        .then(_message(E.ROW_AMOUNT_UNREADABLE, value=pl.col("amount_raw")))
        .when(pl.col("amount").is_not_null() & (pl.col("amount") != pl.col("line_amount")))
        .then(
            _message(
                E.ROW_AMOUNT_MISMATCH,
                found=_rupiah(pl.col("amount")),
                expected=_rupiah(pl.col("line_amount")),
            )
        )
        .when(pl.col("line_status") == LineStatus.CANCELLED.value)
        .then(_message(E.ROW_LINE_CANCELLED, line=pl.col("batch_line")))
        .when(
            (pl.col("line_status") != LineStatus.PENDING.value)
            & (pl.col("line_status") != pl.col("outcome"))
        )
        .then(
            _message(
                E.ROW_ALREADY_OTHER_OUTCOME,
                line=pl.col("batch_line"),
                old=_label(pl.col("line_status")),
                new=outcome_label,
            )
        )
    )
    rows = rows.with_columns(checks.alias("reason_rejected"))
    rejected = rows.filter(pl.col("reason_rejected").is_not_null()).select(
        pl.col("row").alias(ROW), pl.col("reason_rejected").alias("reason")
    )
    fine = rows.filter(pl.col("reason_rejected").is_null())
    already = fine.filter(pl.col("line_status") == pl.col("outcome")).height
    accepted = fine.filter(pl.col("line_status") == LineStatus.PENDING.value).select(
        "line_id",
        "payment_id",
        "line_amount",
        "outcome",
        pl.when((pl.col("outcome") == LineStatus.FAILED.value) & (pl.col("reason") == ""))
        .then(pl.lit(NO_REASON))
        .otherwise(pl.col("reason"))
        .alias("reason"),
        "bank_reference",
    )
    named = rows["line_id"].drop_nulls().unique()
    missing = (
        lines.filter(
            (pl.col("line_status") == LineStatus.PENDING.value)
            & ~pl.col("line_id").is_in(named.implode())
        )
        .sort("line_number")
        .select("line_number", "payment_id", "line_amount")
    )
    return Reconciliation(
        accepted=accepted.sort("line_id"),
        rejected=rejected.sort(ROW),
        already=already,
        missing=missing,
    )
