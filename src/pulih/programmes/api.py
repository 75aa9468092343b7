"""Programmes over REST: programmes and rounds, applications (the owner's own, or an officer's
on someone's behalf), and what-if. Handlers parse input, call selectors and services, and
shape the answer; a record outside the user's regions is a 404 here as on the web.
"""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Query, Router, Schema, Status

from pulih.accounts.models import User
from pulih.paging import capped_count
from pulih.programmes import selectors, services
from pulih.programmes.definition import parse
from pulih.programmes.error_codes import ProgrammeError, ProgrammeErrorCode as E
from pulih.programmes.models import Application, ApplicationStatus, Programme, Round
from pulih.programmes.services import ApplicationData
from pulih.registry import selectors as registry_selectors
from pulih.registry.schemas import (
    REGION_CODE_PATTERN,
    ErrorOut,
    OwnerOut,
    PageQuery,
    _Input,
)

router = Router()

TAG = "program bantuan"
DEFINITION_MAX_CHARS = 256 * 1024

_ERROR_STATUS = {
    E.PERMISSION_DENIED: 403,
    E.MAKER_CANNOT_CHECK: 403,
    E.ALREADY_APPLIED: 409,
    E.DECISION_PENDING: 409,
    E.DECISION_NOT_PROPOSED: 409,
    E.TRANSITION_NOT_ALLOWED: 409,
    E.APPEAL_OPEN: 409,
    E.APPEAL_DECIDED: 409,
}
_WRITE_ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 403: ErrorOut, 409: ErrorOut}


def programme_error_handler(request: HttpRequest, exc: ProgrammeError) -> HttpResponse:
    """Registered on the NinjaAPI in config/api.py: `{"code", "detail"}` with 400, 403 or 409."""
    return JsonResponse(
        {"code": str(exc.code), "detail": exc.message}, status=_ERROR_STATUS.get(exc.code, 400)
    )


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


# --- shapes ------------------------------------------------------------------------------------


class RoundItemOut(Schema):
    id: int
    code: str
    name: str
    status: str
    status_label: str
    opens_on: date
    closes_on: date
    appeal_days: int
    amount: int
    budget: int
    committed: int
    disbursed: int
    banks: list[str]


class ProgrammeOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    agency: str
    description: str
    version: int | None
    rounds: list[RoundItemOut]


class ProgrammePageOut(Schema):
    count: int
    count_exact: bool = True
    page: int
    page_size: int
    results: list[ProgrammeOut]


class DeclarationOut(Schema):
    field: str
    label: str
    type: str
    required: bool


class RuleOut(Schema):
    code: str
    label: str


class RunOut(Schema):
    finished_at: datetime | None
    version: int
    applications: int
    eligible: int
    failures: dict[str, int]


class RoundOut(RoundItemOut):
    programme_id: int
    programme_code: str
    programme_name: str
    declarations: list[DeclarationOut]
    rules: list[RuleOut]
    counts: dict[str, int] | None = Field(
        None, description="Pengajuan per status di wilayah Anda (hanya petugas)."
    )
    last_run: RunOut | None = None


class ApplicationQuery(PageQuery):
    status: ApplicationStatus | None = None
    rule: str = Field("", max_length=60, description="Kode syarat yang gagal.")
    region: str | None = Field(None, pattern=REGION_CODE_PATTERN)
    search: str = Field("", max_length=100, description="Awal nama, NIK lengkap atau tersamar.")


class ApplicationItemOut(Schema):
    id: int
    round_id: int
    person: OwnerOut
    business_id: int
    business_name: str
    region_code: str
    channel: str
    proposer: str
    status: str
    status_label: str
    eligible: bool | None
    submitted_at: datetime


class ApplicationPageOut(Schema):
    count: int
    count_exact: bool = True
    page: int
    page_size: int
    results: list[ApplicationItemOut]


class ResultOut(Schema):
    code: str
    label: str
    passed: bool
    seen: str


class AppealOut(Schema):
    id: int
    status: str
    status_label: str
    reason: str
    submitted_at: datetime
    decided_at: datetime | None
    outcome_note: str


class ApplicationOut(ApplicationItemOut):
    declarations: dict[str, Any]
    bank: str
    evaluated_at: datetime | None
    evaluated_version: int | None
    results: list[ResultOut]
    appeal_deadline: date | None
    appeals: list[AppealOut]


class ApplicationIn(_Input):
    person_id: int | None = Field(
        None, description="Wajib untuk petugas (pengajuan atas nama); pemilik usaha: kosongkan."
    )
    business_id: int
    declarations: dict[str, Any] = Field(default_factory=dict)
    bank: str = Field("", max_length=20)


class WhatIfIn(_Input):
    source: str | None = Field(
        None, max_length=DEFINITION_MAX_CHARS, description="Teks definisi yang diubah (TOML)."
    )
    amount: int | None = Field(None, gt=0, le=10**15, description="Nilai per penerima (Rp).")


class FailureOut(Schema):
    code: str
    label: str
    count: int


class SplitOut(Schema):
    region: str
    name: str
    applicants: int
    eligible: int
    cost: int


class WhatIfOut(Schema):
    applicants: int
    eligible: int
    cost: int
    within_budget: int
    failures: list[FailureOut]
    by_city: list[SplitOut]
    by_district: list[SplitOut]


def _round_item(round_obj: Round) -> dict[str, Any]:
    return {
        "id": round_obj.pk,
        "code": round_obj.code,
        "name": round_obj.name,
        "status": round_obj.status,
        "status_label": str(round_obj.get_status_display()),
        "opens_on": round_obj.opens_on,
        "closes_on": round_obj.closes_on,
        "appeal_days": round_obj.appeal_days,
        "amount": round_obj.amount,
        "budget": round_obj.budget,
        "committed": round_obj.committed,
        "disbursed": round_obj.disbursed,
        "banks": list(round_obj.banks),
    }


def _programme_out(programme: Programme, rounds: list[Round]) -> ProgrammeOut:
    version = programme.current_version
    return ProgrammeOut(
        id=programme.pk,
        code=programme.code,
        name=programme.name,
        kind=programme.kind,
        kind_label=str(programme.get_kind_display()),
        agency=programme.agency,
        description=programme.description,
        version=version.number if version else None,
        rounds=[RoundItemOut(**_round_item(r)) for r in rounds],
    )


def _application_item(application: Application) -> dict[str, Any]:
    person = application.person
    return {
        "id": application.pk,
        "round_id": application.round_id,
        "person": OwnerOut(id=person.pk, full_name=person.full_name, nik_masked=person.nik_masked),
        "business_id": application.business_id,
        "business_name": application.business.name,
        "region_code": application.region_code,
        "channel": application.channel,
        "proposer": application.proposer,
        "status": application.status,
        "status_label": str(application.get_status_display()),
        "eligible": application.eligible,
        "submitted_at": application.submitted_at,
    }


def _application_out(application: Application) -> ApplicationOut:
    version = application.evaluated_version
    return ApplicationOut(
        **_application_item(application),
        declarations=dict(application.declarations),
        bank=application.bank,
        evaluated_at=application.evaluated_at,
        evaluated_version=version.number if version else None,
        results=[ResultOut(**vars(r)) for r in selectors.results_of(application)],
        appeal_deadline=services.appeal_deadline(application),
        appeals=[
            AppealOut(
                id=a.pk,
                status=a.status,
                status_label=str(a.get_status_display()),
                reason=a.reason,
                submitted_at=a.submitted_at,
                decided_at=a.decided_at,
                outcome_note=a.outcome_note,
            )
            for a in selectors.appeals_of(application=application)
        ],
    )


# --- endpoints ----------------------------------------------------------------------------------


@router.get("/programmes", response=ProgrammePageOut, tags=[TAG], summary="Daftar program")
def programme_list(request: HttpRequest, query: Query[PageQuery]) -> ProgrammePageOut:
    """Petugas: semua program dan putarannya. Pemilik usaha: program yang putarannya sedang
    dibuka hari ini (hanya putaran itu)."""
    user = _user(request)
    start = (query.page - 1) * query.page_size
    if selectors.is_staff(user):
        qs = selectors.programme_list(user=user)
        count, exact = capped_count(qs)
        programmes = list(qs[start : start + query.page_size])
        rounds = selectors.rounds_of(programmes)
    else:
        open_rounds = list(selectors.rounds_open()) if selectors.is_owner(user) else []
        by_programme: dict[int, Programme] = {}
        rounds = {}
        for r in open_rounds:
            by_programme.setdefault(r.programme_id, r.programme)
            rounds.setdefault(r.programme_id, []).append(r)
        everything = sorted(by_programme.values(), key=lambda p: -p.pk)
        count, exact = len(everything), True
        programmes = everything[start : start + query.page_size]
    return ProgrammePageOut(
        count=count,
        count_exact=exact,
        page=query.page,
        page_size=query.page_size,
        results=[_programme_out(p, rounds.get(p.pk, [])) for p in programmes],
    )


@router.get("/rounds/{round_id}", response=RoundOut, tags=[TAG], summary="Satu putaran")
def round_detail(request: HttpRequest, round_id: int) -> RoundOut:
    """With the programme's declarations (what an application states) and rules; officers also
    get the applications per status in their regions and the last eligibility run."""
    user = _user(request)
    round_obj = selectors.round_for_api(user=user, pk=round_id)
    programme = round_obj.programme
    version = programme.current_version
    definition = version.definition if version else {"declarations": [], "rules": []}
    labels = selectors.rule_labels(definition)
    counts = None
    last_run = None
    if selectors.is_staff(user):
        counts = selectors.status_counts(user=user, round_obj=round_obj)
        run = selectors.latest_run(round_obj=round_obj)
        if run is not None:
            last_run = RunOut(
                finished_at=run.finished_at,
                version=run.version.number,
                applications=run.applications,
                eligible=run.eligible,
                failures=run.failures,
            )
    return RoundOut(
        **_round_item(round_obj),
        programme_id=programme.pk,
        programme_code=programme.code,
        programme_name=programme.name,
        declarations=[DeclarationOut(**d) for d in definition["declarations"]],
        rules=[RuleOut(code=code, label=label) for code, label in labels.items()],
        counts=counts,
        last_run=last_run,
    )


@router.get(
    "/rounds/{round_id}/applications",
    response=ApplicationPageOut,
    tags=[TAG],
    summary="Pengajuan pada satu putaran",
)
def application_list(
    request: HttpRequest, round_id: int, query: Query[ApplicationQuery]
) -> ApplicationPageOut:
    """Officers: the round's applications in their regions; owners: their own. In order of
    application; `count` is exact up to 10,000."""
    user = _user(request)
    round_obj = selectors.round_for_api(user=user, pk=round_id)
    filters = selectors.ApplicationFilters(
        status=query.status or "",
        failed_rule=query.rule,
        region=query.region or "",
        search=query.search,
    )
    qs = selectors.application_list(user=user, round_obj=round_obj, filters=filters)
    start = (query.page - 1) * query.page_size
    count, exact = capped_count(qs)
    rows = list(qs[start : start + query.page_size])
    return ApplicationPageOut(
        count=count,
        count_exact=exact,
        page=query.page,
        page_size=query.page_size,
        results=[ApplicationItemOut(**_application_item(a)) for a in rows],
    )


@router.get(
    "/applications/{application_id}",
    response=ApplicationOut,
    tags=[TAG],
    summary="Satu pengajuan, dengan hasil setiap syarat",
)
def application_detail(request: HttpRequest, application_id: int) -> ApplicationOut:
    return _application_out(selectors.application_get(user=_user(request), pk=application_id))


@router.post(
    "/rounds/{round_id}/applications",
    response={201: ApplicationOut, **_WRITE_ERRORS},
    tags=[TAG],
    summary="Ajukan (pemilik usaha) atau ajukan atas nama (petugas)",
)
def application_submit(
    request: HttpRequest, round_id: int, payload: ApplicationIn
) -> Status[ApplicationOut] | Status[ErrorOut]:
    """Evaluated at once: the answer carries the outcome of every rule and the value it saw."""
    user = _user(request)
    round_obj = selectors.round_for_api(user=user, pk=round_id)
    if selectors.is_owner(user):
        person = selectors.owner_person(user=user)
        if person is None or (payload.person_id is not None and payload.person_id != person.pk):
            raise ProgrammeError(E.PERMISSION_DENIED)
        person_id = person.pk
    else:
        if payload.person_id is None:
            return Status(
                400,
                ErrorOut(
                    code="person_required",
                    detail="person_id wajib diisi untuk pengajuan atas nama orang lain.",
                ),
            )
        person_id = registry_selectors.person_get(user=user, pk=payload.person_id).pk
    application = services.application_submit(
        actor=user,
        round_obj=round_obj,
        data=ApplicationData(
            person_id=person_id,
            business_id=payload.business_id,
            declarations=payload.declarations,
            bank=payload.bank,
        ),
    )
    return Status(201, _application_out(selectors.application_get(user=user, pk=application.pk)))


@router.post(
    "/rounds/{round_id}/what-if",
    response={200: WhatIfOut, **_WRITE_ERRORS},
    tags=[TAG],
    summary="Simulasi aturan atau nilai yang belum disimpan",
)
def what_if(request: HttpRequest, round_id: int, payload: WhatIfIn) -> WhatIfOut:
    """How many applicants would pass, the cost, and the split by city and district, under an
    edited definition text and/or amount. Nothing is saved."""
    user = _user(request)
    round_obj = selectors.round_get(user=user, pk=round_id)
    version = round_obj.programme.current_version
    source = payload.source if payload.source and payload.source.strip() else None
    definition = parse(source) if source is not None else (version.definition if version else None)
    result = services.what_if(actor=user, round_obj=round_obj, source=source, amount=payload.amount)
    labels = selectors.rule_labels(definition)
    codes = [r["region"] for r in [*result.by_city, *result.by_district] if r["region"]]
    names = selectors.region_names(codes)

    def split(rows: list[dict[str, Any]]) -> list[SplitOut]:
        return [
            SplitOut(
                region=r["region"] or "",
                name=names.get(r["region"], r["region"] or ""),
                applicants=r["applicants"],
                eligible=r["eligible"],
                cost=r["cost"],
            )
            for r in rows
        ]

    return WhatIfOut(
        applicants=result.applicants,
        eligible=result.eligible,
        cost=result.cost,
        within_budget=result.within_budget,
        failures=[
            FailureOut(code=code, label=labels.get(code, code), count=count)
            for code, count in result.failures.items()
        ],
        by_city=split(result.by_city),
        by_district=split(result.by_district),
    )
