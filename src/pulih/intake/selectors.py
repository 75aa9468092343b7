"""Reads of the intake app, already limited to what the asking user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from pulih.accounts.models import Role, User
from pulih.accounts.selectors import region_code_q, region_codes_for, region_in_scope
from pulih.intake.models import ChangeStatus, IntakeJob, ProposedChange, SourceTemplate

STAFF_ROLES = frozenset({Role.OFFICER, Role.APPROVER, Role.ADMIN})


def _staff(user: User) -> bool:
    return user.is_authenticated and (user.role in STAFF_ROLES or user.is_superuser)


def job_list(*, user: User) -> QuerySet[IntakeJob]:
    """An officer's own imports; administrators see everyone's."""
    if not _staff(user):
        return IntakeJob.objects.none()
    qs = IntakeJob.objects.select_related("source", "created_by").order_by("-id")
    if region_codes_for(user) is None:
        return qs
    return qs.filter(created_by=user)


def job_get(*, user: User, pk: int) -> IntakeJob:
    job = job_list(user=user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def source_names() -> list[str]:
    return list(SourceTemplate.objects.order_by("name").values_list("name", flat=True)[:500])


def proposed_change_list(
    *, user: User, status: str = ChangeStatus.PENDING, job_id: int | None = None
) -> QuerySet[ProposedChange]:
    if not _staff(user):
        return ProposedChange.objects.none()
    qs = ProposedChange.objects.select_related("person", "business", "job").filter(status=status)
    codes = region_codes_for(user)
    if codes is not None:
        qs = qs.filter(region_code_q(codes) if codes else Q(pk__in=[]))
    if job_id is not None:
        qs = qs.filter(job_id=job_id)
    return qs.order_by("id")


def proposed_change_get(*, user: User, pk: int) -> ProposedChange:
    change = (
        ProposedChange.objects.select_related("person", "business", "job").filter(pk=pk).first()
    )
    if change is None or not _staff(user) or not region_in_scope(user, change.region_code):
        raise Http404
    return change
