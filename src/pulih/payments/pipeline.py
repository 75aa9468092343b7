"""Set-based disbursement work: a batch's lines made by one INSERT ... SELECT, the rows of its
transfer files read as one frame, and a bank's return file reconciled against the batch in
Polars and written back in bulk (no per-row ORM save, whatever the batch's size)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import polars as pl
from django.db import connection

from pulih.payments.models import LineStatus, PaymentStatus
from pulih.reference.selectors import common_region
from pulih.registry.bulk import (
    db_timestamp,
    query_frame,
    replica_role_local,
    writer_for_connection,
)


@contextmanager
def row_triggers_off() -> Iterator[None]:
    """On PostgreSQL, the statements inside run without row triggers: the foreign-key checks,
    which for half a million rows run half a million look-ups at commit, about half the time of
    a batch or a return file. Only for rows whose references hold by construction (they come
    from a join with their parents, which the same transaction locks or protects); CHECK and
    UNIQUE constraints, the money rules among them, apply as always (registry.bulk's
    replica_role_local; without the right to set the role the triggers run)."""
    with replica_role_local():
        yield


# --- batches ------------------------------------------------------------------------------------

# Payments a new batch takes: of the round and bank, in the wanted status. A payment in an
# open line is "sent", so never among them; the partial unique index line_one_open_per_payment
# would refuse a second open line anyway. (A NOT EXISTS on the lines here made PostgreSQL scan
# the table being inserted into once per row: quadratic.)
_CANDIDATES = "p.round_id = %s AND p.bank = %s AND p.status = %s"


@dataclass(frozen=True)
class Candidates:
    count: int
    total: int
    region_code: str  # the narrowest region holding them all ("" when they span provinces)


def candidates_count(*, round_id: int, bank: str, status: PaymentStatus) -> Candidates:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*), COALESCE(SUM(p.amount), 0), MIN(a.region_code), MAX(a.region_code)
            FROM payments_payment p JOIN programmes_application a ON a.id = p.application_id
            WHERE {_CANDIDATES}
            """,  # noqa: S608 - fixed SQL
            [round_id, bank, status.value],
        )
        count, total, low, high = cursor.fetchone()
    return Candidates(int(count), int(total), common_region(low or "", high or ""))


def lines_insert(*, batch_id: int, round_id: int, bank: str, status: PaymentStatus) -> None:
    """One line per candidate payment, numbered 1.. in payment id order (so the same payments
    always make the same file), with the name and NIK the file will print."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO payments_transferline (batch_id, line_number, payment_id, attempt, amount,
                full_name, nik_ciphertext, status, bank_reference, failure_reason)
            SELECT %s, ROW_NUMBER() OVER (ORDER BY p.id), p.id, 1, p.amount, r.full_name,
                r.nik_ciphertext, 'pending', '', ''
            FROM payments_payment p JOIN registry_person r ON r.id = p.person_id
            WHERE {_CANDIDATES}
            ORDER BY p.id
            """,  # noqa: S608 - fixed SQL
            [batch_id, round_id, bank, status.value],
        )
        if status == PaymentStatus.FAILED:
            # A follow-up: each line's attempt is one more than its payment's failed sendings,
            # counted in one grouped pass (a per-row count would rescan the growing table).
            cursor.execute(
                """
                UPDATE payments_transferline SET attempt = f.failures + 1
                FROM (
                    SELECT payment_id, COUNT(*) AS failures FROM payments_transferline
                    WHERE status = 'failed' AND payment_id IN (
                        SELECT payment_id FROM payments_transferline WHERE batch_id = %s
                    )
                    GROUP BY payment_id
                ) f
                WHERE payments_transferline.batch_id = %s
                  AND payments_transferline.payment_id = f.payment_id
                """,
                [batch_id, batch_id],
            )


def lines_totals(batch_id: int) -> tuple[int, int, int]:
    """(count, total, highest attempt) of a batch's lines."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COALESCE(SUM(amount), 0), COALESCE(MAX(attempt), 1) "
            "FROM payments_transferline WHERE batch_id = %s",
            [batch_id],
        )
        count, total, attempt = cursor.fetchone()
    return int(count), int(total), int(attempt)


def payments_of_batch_set(*, batch_id: int, status: PaymentStatus, at: datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE payments_payment SET status = %s, updated_at = %s WHERE id IN "
            "(SELECT payment_id FROM payments_transferline WHERE batch_id = %s)",
            [status.value, db_timestamp(at), batch_id],
        )
        return int(cursor.rowcount)


def payments_of_batch_restore(*, batch_id: int, at: datetime) -> int:
    """Payments of a cancelled batch go back to where they were: failed if an earlier
    sending failed (they wait for a follow-up), otherwise committed."""
    of_batch = "SELECT payment_id FROM payments_transferline WHERE batch_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE payments_payment SET status = 'committed', updated_at = %s "  # noqa: S608
            f"WHERE id IN ({of_batch})",
            [db_timestamp(at), batch_id],
        )
        count = int(cursor.rowcount)
        cursor.execute(
            "UPDATE payments_payment SET status = 'failed' WHERE id IN ("  # noqa: S608
            "SELECT payment_id FROM payments_transferline WHERE status = 'failed' "
            f"AND payment_id IN ({of_batch}))",
            [batch_id],
        )
        cursor.execute(
            "UPDATE payments_transferline SET status = 'cancelled' WHERE batch_id = %s",
            [batch_id],
        )
    return count


TRANSFER_SCHEMA = {
    "line_number": pl.Int64,
    "payment_id": pl.Int64,
    "nik_ciphertext": pl.String,
    "full_name": pl.String,
    "amount": pl.Int64,
}


def transfer_rows(batch_id: int) -> pl.DataFrame:
    """What the transfer files hold, in line order, read only from the database."""
    return query_frame(
        """
        SELECT l.line_number, l.payment_id, l.nik_ciphertext, l.full_name, l.amount
        FROM payments_transferline l
        WHERE l.batch_id = %s
        ORDER BY l.line_number
        """,
        [batch_id],
        TRANSFER_SCHEMA,
    )


# --- reconciliation ---------------------------------------------------------------------------

LINE_SCHEMA = {
    "line_id": pl.Int64,
    "line_number": pl.Int64,
    "payment_id": pl.Int64,
    "line_amount": pl.Int64,
    "line_status": pl.String,
}


def batch_lines(batch_id: int) -> pl.DataFrame:
    return query_frame(
        "SELECT id, line_number, payment_id, amount, status FROM payments_transferline "
        "WHERE batch_id = %s",
        [batch_id],
        LINE_SCHEMA,
    )


def lines_out_of_step(batch_id: int) -> int:
    """Open lines whose payment is not out at the bank: never, unless rows were changed
    behind the services' back (then no money may move)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM payments_transferline l "
            "JOIN payments_payment p ON p.id = l.payment_id "
            "WHERE l.batch_id = %s AND l.status = 'pending' AND p.status <> 'sent'",
            [batch_id],
        )
        return int(cursor.fetchone()[0])


@dataclass
class Reconciliation:
    """What a return file does to a batch. `accepted`: line_id, payment_id, line_amount,
    outcome, reason, bank_reference of lines still open; `rejected`: __row and reason."""

    accepted: pl.DataFrame
    rejected: pl.DataFrame
    already: int
    missing: pl.DataFrame  # line_number, payment_id, line_amount of lines still unanswered

    def totals(self, outcome: str) -> tuple[int, int]:
        chosen = self.accepted.filter(pl.col("outcome") == outcome)
        return chosen.height, int(chosen["line_amount"].sum() or 0)


def reconciliation_write(
    plan: Reconciliation, *, batch_id: int, import_id: int, at: datetime
) -> None:
    """The answered lines in one bulk UPDATE ... FROM (each with the import that answered
    it), then their payments from those lines in one UPDATE ... FROM, in the database."""
    if plan.accepted.height == 0:
        return
    stamp = db_timestamp(at)
    accepted = plan.accepted.with_columns(
        pl.when(pl.col("outcome") == LineStatus.PAID.value)
        .then(pl.lit(""))
        .otherwise(pl.col("reason"))
        .alias("failure_reason")
    )
    writer_for_connection().update_from(
        "payments_transferline",
        key="id",
        columns=("status", "bank_reference", "failure_reason", "returned_at", "return_import_id"),
        rows=[
            (line_id, outcome, bank_reference, reason, stamp, import_id)
            for line_id, outcome, bank_reference, reason in accepted.select(
                "line_id", "outcome", "bank_reference", "failure_reason"
            ).iter_rows()
        ],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE payments_payment SET
                status = CASE WHEN l.status = 'paid' THEN 'paid' ELSE 'failed' END,
                failure_reason = l.failure_reason,
                paid_at = CASE WHEN l.status = 'paid' THEN l.returned_at ELSE NULL END,
                updated_at = l.returned_at
            FROM payments_transferline l
            WHERE l.batch_id = %s AND l.return_import_id = %s AND payments_payment.id = l.payment_id
            """,
            [batch_id, import_id],
        )


def pending_left(batch_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM payments_transferline WHERE batch_id = %s AND status = %s",
            [batch_id, LineStatus.PENDING.value],
        )
        return int(cursor.fetchone()[0])


# The ledger entries of the payments one return file confirmed paid (ledger_post_query).
PAID_BY_IMPORT = """
    SELECT p.person_id AS person_id, l.amount AS amount,
           'payments.payment:' || CAST(p.id AS VARCHAR(20)) AS subject
    FROM payments_transferline l JOIN payments_payment p ON p.id = l.payment_id
    WHERE l.batch_id = %s AND l.return_import_id = %s AND l.status = 'paid'
"""
