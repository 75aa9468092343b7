"""Every read of the programmes app that the UI or API shows, scoped to the asking user.

Programmes and rounds are agency-wide and visible to all programme staff; applications,
appeals and decision lines carry the business's village and are filtered by the user's regions.
A record outside scope answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from pulih.accounts.models import Role, User
from pulih.accounts.selectors import region_code_q, region_codes_for, region_in_scope
from pulih.privacy import crypto
from pulih.programmes.models import (
    Appeal,
    AppealStatus,
    Application,
    ApplicationStatus,
    Decision,
    DecisionEntry,
    EligibilityRun,
    Programme,
    ProgrammeVersion,
    Round,
    RoundEvent,
    RoundStatus,
)
from pulih.programmes.rules import ONE_PER_PERSON
from pulih.reference.models import Region
from pulih.registry.models import Business, Person
from pulih.registry.selectors import prefix_range

# Who works on programmes: they define them, run rounds and decide. Partners and leadership
# see nothing here (their screens come with dashboards).
STAFF_ROLES = frozenset({Role.OFFICER, Role.APPROVER, Role.ADMIN})

_DIGITS = re.compile(r"\D")
_MASKED_NIK = re.compile(r"^\d{6}\*{6}\d{4}$")


def is_staff(user: User) -> bool:
    return user.is_authenticated and (user.role in STAFF_ROLES or user.is_superuser)


def is_owner(user: User) -> bool:
    return user.is_authenticated and user.role == Role.OWNER


def _scope(user: User, *, field: str = "region_code") -> Q | None:
    """Rows whose village lies in the user's regions; None: the whole country."""
    codes = region_codes_for(user)
    if codes is None:
        return None
    return region_code_q(codes, field=field) if codes else Q(pk__in=[])


# --- programmes and versions -----------------------------------------------------------------


def programme_list(*, user: User) -> QuerySet[Programme]:
    if not is_staff(user):
        return Programme.objects.none()
    return Programme.objects.select_related("current_version").order_by("-id")


def programme_get(*, user: User, pk: int) -> Programme:
    found = (
        programme_list(user=user)
        .select_related("current_version__created_by", "created_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def rounds_of(programmes: list[Programme]) -> dict[int, list[Round]]:
    """Each programme's rounds, newest first, in one query."""
    out: dict[int, list[Round]] = {p.pk: [] for p in programmes}
    for round_obj in Round.objects.filter(programme__in=[p.pk for p in programmes]).order_by(
        "-opens_on", "-id"
    ):
        out[round_obj.programme_id].append(round_obj)
    return out


def version_list(*, programme: Programme) -> QuerySet[ProgrammeVersion]:
    return (
        ProgrammeVersion.objects.filter(programme=programme)
        .select_related("created_by")
        .defer("source", "definition")
        .order_by("-number")
    )


def version_get(*, user: User, programme_id: int, number: int) -> ProgrammeVersion:
    programme = programme_get(user=user, pk=programme_id)
    found = (
        ProgrammeVersion.objects.filter(programme=programme, number=number)
        .select_related("created_by", "programme")
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- rounds -----------------------------------------------------------------------------------


def round_get(*, user: User, pk: int) -> Round:
    """A round for programme staff (any region: a round is agency-wide)."""
    if not is_staff(user):
        raise Http404
    found = Round.objects.select_related("programme__current_version").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def round_is_open(round_obj: Round, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        round_obj.status == RoundStatus.OPEN and round_obj.opens_on <= today <= round_obj.closes_on
    )


def rounds_open(*, today: date | None = None) -> QuerySet[Round]:
    """Rounds taking applications today, soonest closing first."""
    today = today or timezone.localdate()
    return (
        Round.objects.filter(status=RoundStatus.OPEN, opens_on__lte=today, closes_on__gte=today)
        .select_related("programme__current_version")
        .order_by("closes_on", "id")
    )


def round_for_owner(*, user: User, pk: int) -> Round:
    """An open round an owner may apply to (any other answers 404)."""
    if not is_owner(user):
        raise Http404
    found = rounds_open().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def round_for_api(*, user: User, pk: int) -> Round:
    """Staff see any round; owners the rounds open today and those they applied to."""
    if is_staff(user):
        return round_get(user=user, pk=pk)
    if not is_owner(user):
        raise Http404
    found = (
        Round.objects.select_related("programme__current_version")
        .filter(pk=pk)
        .filter(
            Q(pk__in=rounds_open().values("pk"))
            | Q(pk__in=Application.objects.filter(person__account=user).values("round_id"))
        )
        .first()
    )
    if found is None:
        raise Http404
    return found


def status_counts(*, user: User, round_obj: Round) -> dict[str, int]:
    """Applications of the round by status, within the user's regions; every status present."""
    qs = _applications_visible(user).filter(round=round_obj)
    counts = {s.value: 0 for s in ApplicationStatus}
    for row in qs.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def latest_run(*, round_obj: Round) -> EligibilityRun | None:
    return (
        EligibilityRun.objects.filter(round=round_obj, finished_at__isnull=False)
        .select_related("started_by", "version")
        .order_by("-id")
        .first()
    )


def round_events(*, round_obj: Round, limit: int = 50) -> list[RoundEvent]:
    return list(
        RoundEvent.objects.filter(round=round_obj)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )


def decision_list(*, round_obj: Round) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(round=round_obj)
        .select_related("prepared_by", "decided_by", "amends")
        .order_by("-number")
    )


def intake_jobs_done(*, user: User, limit: int = 50) -> list[Any]:
    """The user's finished proposer-list imports, newest first (for "Jadikan pengajuan")."""
    from pulih.intake import selectors as intake_selectors
    from pulih.intake.models import JobStatus

    return list(intake_selectors.job_list(user=user).filter(status=JobStatus.DONE)[:limit])


# --- rule labels and results -------------------------------------------------------------------


def rule_labels(definition: dict[str, Any] | None) -> dict[str, str]:
    """rule code -> the label its definition gives it, the built-in rule included."""
    labels = {r["code"]: r["label"] for r in (definition or {}).get("rules", [])}
    labels[ONE_PER_PERSON.code] = ONE_PER_PERSON.label
    return labels


@dataclass(frozen=True)
class RuleResult:
    code: str
    label: str
    passed: bool
    seen: str


def results_of(application: Application) -> list[RuleResult]:
    """Each rule of the application's latest evaluation, with its label and the value seen."""
    version = application.evaluated_version
    labels = rule_labels(version.definition if version is not None else None)
    return [
        RuleResult(code=code, label=labels.get(code, code), passed=bool(passed), seen=str(seen))
        for code, passed, seen in application.results
    ]


def results_labelled(results: list[Any], definition: dict[str, Any] | None) -> list[RuleResult]:
    labels = rule_labels(definition)
    return [
        RuleResult(code=code, label=labels.get(code, code), passed=bool(passed), seen=str(seen))
        for code, passed, seen in results
    ]


# --- applications ------------------------------------------------------------------------------


def _applications_visible(user: User) -> QuerySet[Application]:
    qs = Application.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.OWNER:
        return qs.filter(person__account=user)
    if not is_staff(user):
        return qs.none()
    q = _scope(user)
    return qs if q is None else qs.filter(q)


@dataclass(frozen=True)
class ApplicationFilters:
    status: str = ""
    failed_rule: str = ""
    region: str = ""
    search: str = ""


def _failed_rule_q(code: str) -> Q | RawSQL:
    """Applications whose latest evaluation failed rule `code` (results hold [code, passed, seen])."""
    if connection.vendor == "postgresql":
        # jsonb containment: [[code, false]] is inside [[code, false, "seen"], ...].
        return Q(results__contains=[[code, False]])
    return RawSQL(
        "EXISTS (SELECT 1 FROM json_each(programmes_application.results) r "
        "WHERE json_extract(r.value, '$[0]') = %s AND json_extract(r.value, '$[1]') = 0)",
        [code],
        output_field=BooleanField(),
    )


def _person_search_q(term: str) -> Q:
    """Owner's name prefix, a full NIK (blind index) or a masked NIK as screens show it."""
    term = term.strip()
    digits = _DIGITS.sub("", term)
    if len(digits) == 16 and len(term.replace(" ", "")) == 16:
        nik = crypto.blind_index(digits, purpose="nik")
        return Q(person_id__in=Person.objects.filter(nik_hash=nik).values("id"))
    if _MASKED_NIK.match(term):
        return Q(person_id__in=Person.objects.filter(nik_masked=term).values("id"))
    key, upper = prefix_range(term)
    return Q(
        person_id__in=Person.objects.filter(name_search__gte=key, name_search__lt=upper).values(
            "id"
        )
    )


def application_list(
    *, user: User, round_obj: Round, filters: ApplicationFilters | None = None
) -> QuerySet[Application]:
    """A round's applications in the user's regions, in order of application."""
    filters = filters or ApplicationFilters()
    qs = _applications_visible(user).filter(round=round_obj)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.region:
        qs = qs.filter(region_code_q([filters.region]))
    if filters.failed_rule:
        qs = qs.filter(_failed_rule_q(filters.failed_rule))
    if filters.search.strip():
        qs = qs.filter(_person_search_q(filters.search))
    return qs.select_related("person", "business__village").order_by("id")


def application_get(*, user: User, pk: int) -> Application:
    found = (
        _applications_visible(user)
        .select_related(
            "round__programme__current_version",
            "person",
            "business__village",
            "evaluated_version",
            "submitted_by",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def owner_applications(*, user: User) -> QuerySet[Application]:
    if not is_owner(user):
        return Application.objects.none()
    return (
        Application.objects.filter(person__account=user)
        .select_related("round__programme", "business", "evaluated_version")
        .order_by("-submitted_at", "-id")
    )


def owner_person(*, user: User) -> Person | None:
    if not is_owner(user):
        return None
    return Person.objects.filter(account=user).first()


def owner_businesses(*, user: User) -> list[Business]:
    if not is_owner(user):
        return []
    return list(
        Business.objects.filter(owner__account=user).select_related("village").order_by("id")
    )


def applied_round_ids(*, user: User) -> set[int]:
    if not is_owner(user):
        return set()
    return set(Application.objects.filter(person__account=user).values_list("round_id", flat=True))


def person_businesses_in_scope(*, user: User, person: Person) -> list[Business]:
    """The person's businesses an officer may apply for (those in the officer's regions)."""
    return [
        b
        for b in Business.objects.filter(owner=person).select_related("village").order_by("id")
        if region_in_scope(user, b.region_code)
    ]


# --- decisions ---------------------------------------------------------------------------------


def decision_get(*, user: User, pk: int) -> Decision:
    if not is_staff(user):
        raise Http404
    found = (
        Decision.objects.select_related("round__programme", "prepared_by", "decided_by", "amends")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def decision_entries(*, user: User, decision: Decision) -> QuerySet[DecisionEntry]:
    """The lines of a decision in the user's regions, in order of application (a walk of the
    (decision, application) unique index, however long the list)."""
    qs = DecisionEntry.objects.filter(decision=decision)
    q = _scope(user)
    if q is not None:
        qs = qs.filter(q)
    return qs.order_by("application_id")


# --- appeals -----------------------------------------------------------------------------------


def _appeals_visible(user: User) -> QuerySet[Appeal]:
    qs = Appeal.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.OWNER:
        return qs.filter(application__person__account=user)
    if not is_staff(user):
        return qs.none()
    q = _scope(user, field="application__region_code")
    return qs if q is None else qs.filter(q)


def appeal_queue(*, user: User, status: str = AppealStatus.OPEN) -> QuerySet[Appeal]:
    """Appeals waiting for (or given) an officer's review, oldest first."""
    if not is_staff(user):
        return Appeal.objects.none()
    return (
        _appeals_visible(user)
        .filter(status=status)
        .select_related("application__person", "application__round__programme", "submitted_by")
        .order_by("id")
    )


def appeal_get(*, user: User, pk: int) -> Appeal:
    found = (
        _appeals_visible(user)
        .select_related(
            "application__round__programme__current_version",
            "application__person",
            "application__business__village",
            "application__evaluated_version",
            "submitted_by",
            "decided_by",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def appeals_of(*, application: Application) -> list[Appeal]:
    return list(application.appeals.select_related("decided_by").order_by("-id"))


# --- regions -----------------------------------------------------------------------------------


def region_names(codes: list[str]) -> dict[str, str]:
    """Names of the given region codes (one query)."""
    if not codes:
        return {}
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))
