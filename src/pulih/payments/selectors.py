"""Reads of the payments app, already limited to what the asking user may see.

A batch is seen by staff whose regions cover its region (the narrowest region holding all its
recipients), since its files carry every recipient's full NIK; a handover or a payment by
staff whose regions cover the recipient's village. Anything else answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from pulih.accounts.models import Role, User
from pulih.accounts.selectors import region_code_q, region_codes_for, region_in_scope
from pulih.payments.models import (
    Batch,
    Handover,
    HandoverStatus,
    LineStatus,
    Payment,
    PaymentStatus,
    ReturnImport,
    TransferLine,
)
from pulih.programmes.models import Round

STAFF_ROLES = frozenset({Role.OFFICER, Role.APPROVER, Role.ADMIN})


def _staff(user: User) -> bool:
    return user.is_authenticated and (user.role in STAFF_ROLES or user.is_superuser)


def _covered_q(user: User) -> Q | None:
    """Batches whose region lies at or below one of the user's regions; None: every batch."""
    codes = region_codes_for(user)
    if codes is None:
        return None
    q = Q(pk__in=[])
    for code in codes:
        q |= Q(region_code=code) | Q(region_code__startswith=code + ".")
    return q


def round_get(*, user: User, round_id: int) -> Round:
    """A round for the disbursement screens: staff only (its rows are then scoped one by one)."""
    if not _staff(user):
        raise Http404
    found = Round.objects.select_related("programme").filter(pk=round_id).first()
    if found is None:
        raise Http404
    return found


def batch_list(*, user: User, round_obj: Round) -> QuerySet[Batch]:
    if not _staff(user):
        return Batch.objects.none()
    qs = Batch.objects.filter(round=round_obj).select_related("created_by").order_by("-id")
    covered = _covered_q(user)
    return qs if covered is None else qs.filter(covered)


def batch_get(*, user: User, pk: int) -> Batch:
    found = Batch.objects.select_related("round__programme", "created_by").filter(pk=pk).first()
    if found is None or not _staff(user) or not region_in_scope(user, found.region_code):
        raise Http404
    return found


def batch_by_reference(*, user: User, reference: str) -> Batch:
    found = Batch.objects.filter(reference=reference.strip().upper()).values_list("pk", flat=True)
    if not found:
        raise Http404
    return batch_get(user=user, pk=found[0])


def line_list(*, batch: Batch, status: str = "") -> QuerySet[TransferLine]:
    """The batch's lines (the batch is already scoped); the person's masked NIK for screens."""
    qs = TransferLine.objects.filter(batch=batch).select_related("payment__person")
    if status in LineStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("line_number")


def import_list(*, batch: Batch) -> QuerySet[ReturnImport]:
    return ReturnImport.objects.filter(batch=batch).select_related("created_by").order_by("-id")


def import_get(*, user: User, pk: int) -> ReturnImport:
    found = ReturnImport.objects.select_related("batch").filter(pk=pk).first()
    if found is None:
        raise Http404
    batch_get(user=user, pk=found.batch_id)
    return found


@dataclass(frozen=True)
class BankQueue:
    """What waits at one bank of a round, and what it has paid."""

    bank: str
    waiting_count: int = 0  # committed, never sent
    waiting_total: int = 0
    failed_count: int = 0  # failed, waiting for a follow-up batch
    failed_total: int = 0
    sent_count: int = 0
    paid_count: int = 0
    paid_total: int = 0


def bank_queues(*, user: User, round_obj: Round) -> list[BankQueue]:
    """Per bank of the round, one grouped query over the payments the user may see."""
    if not _staff(user):
        return []
    qs = Payment.objects.filter(round=round_obj)
    codes = region_codes_for(user)
    if codes is not None:
        qs = qs.filter(region_code_q(codes, field="application__region_code"))
    sums: dict[tuple[str, str], tuple[int, int]] = {
        (row["bank"], row["status"]): (row["n"], int(row["total"] or 0))
        for row in qs.values("bank", "status").annotate(n=Count("id"), total=Sum("amount"))
    }
    banks = list(round_obj.banks) + sorted({b for b, _ in sums} - set(round_obj.banks))
    out = []
    for bank in banks:

        def get(status: PaymentStatus, bank: str = bank) -> tuple[int, int]:
            return sums.get((bank, status.value), (0, 0))

        out.append(
            BankQueue(
                bank=bank,
                waiting_count=get(PaymentStatus.COMMITTED)[0],
                waiting_total=get(PaymentStatus.COMMITTED)[1],
                failed_count=get(PaymentStatus.FAILED)[0],
                failed_total=get(PaymentStatus.FAILED)[1],
                sent_count=get(PaymentStatus.SENT)[0],
                paid_count=get(PaymentStatus.PAID)[0],
                paid_total=get(PaymentStatus.PAID)[1],
            )
        )
    return out


def payment_list(*, user: User, round_obj: Round, status: str = "") -> QuerySet[Payment]:
    if not _staff(user):
        return Payment.objects.none()
    qs = Payment.objects.filter(round=round_obj).select_related("person", "application")
    codes = region_codes_for(user)
    if codes is not None:
        qs = qs.filter(region_code_q(codes, field="application__region_code"))
    if status in PaymentStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("id")


def payment_get(*, user: User, pk: int) -> Payment:
    found = Payment.objects.select_related("application", "round").filter(pk=pk).first()
    if (
        found is None
        or not _staff(user)
        or not region_in_scope(user, found.application.region_code)
    ):
        raise Http404
    return found


def handover_list(
    *, user: User, round_obj: Round, status: str = "", district: str = ""
) -> QuerySet[Handover]:
    if not _staff(user):
        return Handover.objects.none()
    qs = Handover.objects.filter(round=round_obj).select_related("person", "handed_by")
    codes = region_codes_for(user)
    if codes is not None:
        qs = qs.filter(region_code_q(codes))
    if status in HandoverStatus.values:
        qs = qs.filter(status=status)
    if district:
        qs = qs.filter(region_code__gte=district + ".", region_code__lt=district + "/")
    return qs.order_by("region_code", "id")


def handover_get(*, user: User, pk: int) -> Handover:
    found = Handover.objects.select_related("round__programme", "person").filter(pk=pk).first()
    if found is None or not _staff(user) or not region_in_scope(user, found.region_code):
        raise Http404
    return found


def handover_districts(*, user: User, round_obj: Round) -> list[tuple[str, str, int, int]]:
    """(district code, name, recipients, handed over) of the round's districts in scope."""
    from django.db.models.functions import Substr

    from pulih.reference.models import Region

    counts = (
        handover_list(user=user, round_obj=round_obj)
        .exclude(status=HandoverStatus.CANCELLED)
        .annotate(district=Substr("region_code", 1, 8))
        .values("district")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status=HandoverStatus.HANDED_OVER)))
        .order_by("district")
    )
    rows = [(row["district"], row["n"], row["done"]) for row in counts]
    names = dict(Region.objects.filter(code__in=[r[0] for r in rows]).values_list("code", "name"))
    return [(code, names.get(code, code), n, done) for code, n, done in rows]
