"""Every write of the payments app. Benefits are created and withdrawn only by a decision's
approval (programmes.kinds calls these), each with its ledger entries in the same transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
from django.utils import timezone

from pulih.payments.models import Handover, HandoverStatus, Payment, PaymentStatus
from pulih.programmes.error_codes import ProgrammeError, ProgrammeErrorCode as E
from pulih.programmes.ledger import ledger_post
from pulih.programmes.models import LedgerKind
from pulih.registry.bulk import writer_for_connection

if TYPE_CHECKING:
    from pulih.accounts.models import User
    from pulih.programmes.models import Decision

PAYMENT_COLUMNS = ("round_id", "person_id", "application_id", "decision_id", "amount", "bank",
                   "status", "failure_reason", "created_at", "updated_at")  # fmt: skip
HANDOVER_COLUMNS = ("round_id", "person_id", "application_id", "decision_id", "value", "items",
                    "region_code", "status", "photo", "note", "created_at")  # fmt: skip


def _stamp() -> str:
    from pulih.programmes.pipeline import _stamp as stamp

    return stamp(timezone.now())


def payments_create(*, decision: Decision, recipients: pl.DataFrame, actor: User) -> int:
    """One payment per recipient, committed in the ledger. A person who already has a payment
    in the round (a retried job, a second approval) makes the whole transaction fail: the
    database's unique (round, person) constraint, not this code, is the guarantee."""
    stamp = _stamp()
    rows = [
        (decision.round_id, person_id, application_id, decision.pk, amount, bank,
         PaymentStatus.COMMITTED.value, "", stamp, stamp)
        for application_id, person_id, amount, bank in recipients.select(
            "application_id", "person_id", "amount", "bank"
        ).iter_rows()
    ]  # fmt: skip
    writer_for_connection().insert("payments_payment", PAYMENT_COLUMNS, rows)
    ledger_post(
        round_id=decision.round_id,
        kind=LedgerKind.COMMIT,
        lines=[
            (person_id, amount, f"application:{application_id}")
            for application_id, person_id, amount in recipients.select(
                "application_id", "person_id", "amount"
            ).iter_rows()
        ],
        decision_id=decision.pk,
        actor_id=actor.pk,
        at=timezone.now(),
    )
    return len(rows)


def payments_cancel(*, decision: Decision, application_ids: list[int], actor: User) -> int:
    """Cancel payments not yet sent (or that failed): the committed money is released."""
    payments = list(
        Payment.objects.select_for_update()
        .filter(application_id__in=application_ids)
        .values_list("pk", "person_id", "amount", "status", "application_id")
    )
    gone = [p for p in payments if p[3] not in (PaymentStatus.COMMITTED, PaymentStatus.FAILED)]
    if gone:
        raise ProgrammeError(
            E.TRANSITION_NOT_ALLOWED,
            old=PaymentStatus(gone[0][3]).label,
            new=PaymentStatus.CANCELLED.label,
        )
    Payment.objects.filter(pk__in=[p[0] for p in payments]).update(
        status=PaymentStatus.CANCELLED, updated_at=timezone.now()
    )
    ledger_post(
        round_id=decision.round_id,
        kind=LedgerKind.RELEASE,
        lines=[
            (person_id, amount, f"application:{app}") for _, person_id, amount, _, app in payments
        ],
        decision_id=decision.pk,
        actor_id=actor.pk,
        at=timezone.now(),
    )
    return len(payments)


def handovers_create(*, decision: Decision, recipients: pl.DataFrame, actor: User) -> int:
    """One package per recipient, to be handed over and recorded; its value is committed."""
    import json

    stamp = _stamp()
    items = json.dumps(decision.round.items)
    rows = [
        (decision.round_id, person_id, application_id, decision.pk, amount, items, region,
         HandoverStatus.PENDING.value, "", "", stamp)
        for application_id, person_id, amount, region in recipients.select(
            "application_id", "person_id", "amount", "region_code"
        ).iter_rows()
    ]  # fmt: skip
    writer_for_connection().insert("payments_handover", HANDOVER_COLUMNS, rows)
    ledger_post(
        round_id=decision.round_id,
        kind=LedgerKind.COMMIT,
        lines=[
            (person_id, amount, f"application:{application_id}")
            for application_id, person_id, amount in recipients.select(
                "application_id", "person_id", "amount"
            ).iter_rows()
        ],
        decision_id=decision.pk,
        actor_id=actor.pk,
        at=timezone.now(),
    )
    return len(rows)


def handovers_cancel(*, decision: Decision, application_ids: list[int], actor: User) -> int:
    handovers = list(
        Handover.objects.select_for_update()
        .filter(application_id__in=application_ids)
        .values_list("pk", "person_id", "value", "status", "application_id")
    )
    gone = [h for h in handovers if h[3] != HandoverStatus.PENDING]
    if gone:
        raise ProgrammeError(
            E.TRANSITION_NOT_ALLOWED,
            old=HandoverStatus(gone[0][3]).label,
            new=HandoverStatus.CANCELLED.label,
        )
    Handover.objects.filter(pk__in=[h[0] for h in handovers]).update(
        status=HandoverStatus.CANCELLED
    )
    ledger_post(
        round_id=decision.round_id,
        kind=LedgerKind.RELEASE,
        lines=[
            (person_id, value, f"application:{app}") for _, person_id, value, _, app in handovers
        ],
        decision_id=decision.pk,
        actor_id=actor.pk,
        at=timezone.now(),
    )
    return len(handovers)
