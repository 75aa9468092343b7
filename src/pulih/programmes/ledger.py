"""The round ledger: every rupiah committed, released, disbursed or reversed is an entry, and
the round's running totals move in the same statement batch, under the database's checks.

Call inside a transaction. A commit beyond the budget fails in the database itself
(`round_within_budget`), however many processes try at once: the UPDATE of the round row
serialises them, and the loser's whole transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum

from pulih.programmes.error_codes import ProgrammeError, ProgrammeErrorCode as E
from pulih.programmes.models import LedgerEntry, LedgerKind, Round
from pulih.registry.bulk import db_timestamp, writer_for_connection

LEDGER_COLUMNS = ("round_id", "kind", "amount", "person_id", "decision_id", "subject", "actor_id",
                  "at")  # fmt: skip
# kind -> (round total it moves, sign)
MOVES = {
    LedgerKind.COMMIT: ("committed", 1),
    LedgerKind.RELEASE: ("committed", -1),
    LedgerKind.DISBURSE: ("disbursed", 1),
    LedgerKind.REVERSE: ("disbursed", -1),
}


def ledger_post(
    *,
    round_id: int,
    kind: LedgerKind,
    lines: Sequence[tuple[int, int, str]],  # (person id, amount, subject)
    decision_id: int | None,
    actor_id: int,
    at: datetime,
) -> int:
    """Append the entries and move the round's total; the total moved."""
    if not lines:
        return 0
    total = sum(amount for _, amount, _ in lines)
    _total_move(round_id, kind, total)
    stamp = db_timestamp(at)
    writer_for_connection().insert(
        "programmes_ledgerentry",
        LEDGER_COLUMNS,
        [
            (round_id, kind.value, amount, person_id, decision_id, subject, actor_id, stamp)
            for person_id, amount, subject in lines
        ],
    )
    return total


def _total_move(round_id: int, kind: LedgerKind, total: int) -> None:
    column, sign = MOVES[kind]
    try:
        with transaction.atomic():
            Round.objects.filter(pk=round_id).update(**{column: F(column) + sign * total})
    except IntegrityError as exc:
        current = Round.objects.get(pk=round_id)
        raise ProgrammeError(
            E.OVER_BUDGET,
            committed=f"{current.committed:,}".replace(",", "."),
            budget=f"{current.budget:,}".replace(",", "."),
            amount=f"{total:,}".replace(",", "."),
        ) from exc


def ledger_post_query(
    *,
    round_id: int,
    kind: LedgerKind,
    query: str,
    params: Sequence[Any],
    decision_id: int | None,
    actor_id: int,
    at: datetime,
) -> int:
    """ledger_post for the entries a query selects (columns `person_id`, `amount`,
    `subject`): a bulk step posts half a million entries without bringing them into Python.
    The same checks apply: the round's total moves first, under its constraints."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM ({query}) entries",  # noqa: S608
            params,
        )
        count, total = cursor.fetchone()
        if not count:
            return 0
        _total_move(round_id, kind, int(total))
        # PostgreSQL types a bare parameter in a SELECT list as text: say what each one is.
        typed = connection.vendor == "postgresql"
        number, moment = ("::bigint", "::timestamptz") if typed else ("", "")
        cursor.execute(
            f"""
            INSERT INTO programmes_ledgerentry ({", ".join(LEDGER_COLUMNS)})
            SELECT %s{number}, %s, amount, person_id, %s{number}, subject, %s{number}, %s{moment}
            FROM ({query}) entries
            """,  # noqa: S608 - the query is the caller's own fixed SQL
            [round_id, kind.value, decision_id, actor_id, db_timestamp(at), *params],
        )
    return int(total)


def ledger_totals(round_obj: Round) -> dict[str, int]:
    """The sums of the round's entries by kind, and the totals they imply."""
    sums = {
        row["kind"]: int(row["total"] or 0)
        for row in LedgerEntry.objects.filter(round=round_obj)
        .values("kind")
        .annotate(total=Sum("amount"))
    }
    return {
        **{k.value: sums.get(k.value, 0) for k in LedgerKind},
        "committed": sums.get("commit", 0) - sums.get("release", 0),
        "disbursed": sums.get("disburse", 0) - sums.get("reverse", 0),
    }
