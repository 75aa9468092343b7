"""Every read of the linkage app, scoped to the asking officer's regions."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from pulih.accounts.models import User
from pulih.accounts.selectors import scope_q
from pulih.linkage.models import (
    CandidateStatus,
    LinkageRun,
    MatchCandidate,
    ScreeningList,
)


def _candidates_visible(user: User) -> QuerySet[MatchCandidate]:
    qs = MatchCandidate.objects.all()
    if not user.is_authenticated or not user.is_staff_role:
        return qs.none()
    mine, theirs = scope_q(user, prefix="person__"), scope_q(user, prefix="other_person__")
    if mine is None or theirs is None:
        return qs
    # A pair is the officer's when either person lives in the officer's regions.
    return qs.filter(mine | theirs)


def candidate_list(
    *, user: User, status: str = CandidateStatus.OPEN, kind: str = ""
) -> QuerySet[MatchCandidate]:
    qs = _candidates_visible(user).filter(status=status)
    if status == CandidateStatus.OPEN:
        qs = qs.filter(current=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("person", "other_person", "entry__screening_list").order_by(
        "-probability", "id"
    )


def candidate_get(*, user: User, pk: int) -> MatchCandidate:
    found = (
        _candidates_visible(user)
        .select_related("person__village", "other_person__village", "entry__screening_list")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def screening_lists(*, user: User) -> QuerySet[ScreeningList]:
    if not user.is_authenticated or not user.is_staff_role:
        return ScreeningList.objects.none()
    return ScreeningList.objects.select_related("created_by").order_by("kind", "source", "-version")


def recent_runs(*, user: User, limit: int = 10) -> list[LinkageRun]:
    if not user.is_authenticated or not user.is_staff_role:
        return []
    return list(LinkageRun.objects.select_related("screening_list", "started_by")[:limit])


def list_hits_for_person(*, person_id: int) -> QuerySet[MatchCandidate]:
    """Confirmed or officer-upheld list hits of a person (what eligibility rules read)."""
    return MatchCandidate.objects.filter(person_id=person_id, kind="list_hit").filter(
        Q(status=CandidateStatus.CONFIRMED) | Q(decisions__outcome="on_list")
    )
