"""Every write of the programmes app: definitions and their versions, applications from each
door, eligibility over a round or one application, decisions with maker-checker, appeals."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from pulih.accounts.models import Role, User
from pulih.accounts.selectors import region_in_scope
from pulih.programmes import annex, pipeline
from pulih.programmes.definition import parse, rules_of
from pulih.programmes.error_codes import ProgrammeError, ProgrammeErrorCode as E
from pulih.programmes.kinds import KINDS
from pulih.programmes.models import (
    Appeal,
    AppealStatus,
    Application,
    ApplicationStatus,
    Channel,
    Decision,
    DecisionEntry,
    DecisionKind,
    DecisionStatus,
    EligibilityRun,
    EntryChange,
    Programme,
    ProgrammeVersion,
    RegionQuota,
    Round,
    RoundEvent,
    RoundStatus,
)
from pulih.reference.selectors import common_region, region_get
from pulih.registry.bulk import (
    db_timestamp,
    query_frame,
    references_checked_in_bulk,
    writer_for_connection,
)
from pulih.registry.models import Business, Person

PREPARING_ROLES = frozenset({Role.OFFICER, Role.ADMIN})
APPROVING_ROLES = frozenset({Role.APPROVER, Role.ADMIN})
DEFINING_ROLES = frozenset({Role.OFFICER, Role.APPROVER, Role.ADMIN})
ROUND_TRANSITIONS = {
    RoundStatus.OPEN: frozenset({RoundStatus.DRAFT, RoundStatus.CLOSED}),
    RoundStatus.CLOSED: frozenset({RoundStatus.OPEN}),
    RoundStatus.FINISHED: frozenset({RoundStatus.CLOSED}),
}


def _require(actor: User, roles: frozenset[str]) -> None:
    if not actor.is_authenticated or (actor.role not in roles and not actor.is_superuser):
        raise ProgrammeError(E.PERMISSION_DENIED)


def _require_covers(actor: User, region_code: str) -> None:
    """A list that moves money is prepared and decided only by staff whose regions hold every
    line of it (a city's head of division does not approve the province's list)."""
    if not region_in_scope(actor, region_code):
        region = region_get(code=region_code) if region_code else None
        raise ProgrammeError(
            E.OUTSIDE_REGION,
            region=f"{region.code} {region.name}"
            if region
            else gettext("lebih dari satu provinsi"),
        )


def _event(round_obj: Round, actor: User, action: str, **detail: Any) -> None:
    RoundEvent.objects.create(round=round_obj, actor=actor, action=action, detail=detail)


# --- definitions ------------------------------------------------------------------------------


def programme_load(
    *,
    actor: User,
    source: str,
    note: str = "",
    expected_code: str | None = None,
    new: bool = False,
) -> ProgrammeVersion:
    """Save a definition file as the programme's next version and bring its rounds in line.

    Loading the text of the current version again changes nothing. A round that already has an
    approved decision keeps its amount and banks (what was promised stays promised); its budget
    may change, but never below what is committed (the database refuses it). `expected_code`:
    the programme being edited (its code may not change); `new`: refuse a code already taken.
    """
    _require(actor, DEFINING_ROLES)
    definition = parse(source)
    head = definition["programme"]
    if expected_code is not None and head["code"] != expected_code:
        raise ProgrammeError(E.DEFINITION_CODE_CHANGED, old=expected_code, new=head["code"])
    digest = hashlib.sha256(source.encode()).hexdigest()
    with transaction.atomic():
        programme = Programme.objects.select_for_update().filter(code=head["code"]).first()
        if programme is not None and new:
            raise ProgrammeError(E.PROGRAMME_EXISTS, code=head["code"])
        if programme is None:
            programme = Programme.objects.create(
                code=head["code"], name=head["name"], kind=head["kind"], agency=head["agency"],
                description=head["description"], created_by=actor,
            )  # fmt: skip
        elif (
            programme.kind != head["kind"]
            and programme.rounds.filter(decisions__isnull=False).exists()
        ):
            raise ProgrammeError(
                E.DEFINITION_BAD_VALUE,
                where="[programme]",
                detail="jenis program tidak dapat diubah setelah ada penetapan",
            )
        current = programme.current_version
        if current is not None and current.sha256 == digest:
            return current
        for spec in definition["rounds"]:
            _round_sync(programme, spec, actor)
        number = (current.number if current else 0) + 1
        version = ProgrammeVersion.objects.create(
            programme=programme, number=number, source=source, definition=definition,
            sha256=digest, note=note.strip()[:300], created_by=actor,
        )  # fmt: skip
        Programme.objects.filter(pk=programme.pk).update(
            name=head["name"], kind=head["kind"], agency=head["agency"],
            description=head["description"], current_version=version,
        )  # fmt: skip
        for round_obj in programme.rounds.all():
            _event(round_obj, actor, "definition_saved", version=number, note=note.strip()[:300])
    return version


def _round_sync(programme: Programme, spec: dict[str, Any], actor: User) -> Round:
    values = {
        "name": spec["name"],
        "opens_on": date.fromisoformat(spec["opens"]),
        "closes_on": date.fromisoformat(spec["closes"]),
        "appeal_days": spec["appeal_days"],
        "amount": spec["amount"],
        "items": spec["items"],
        "budget": spec["budget"],
        "banks": spec["banks"],
    }
    round_obj = (
        Round.objects.select_for_update().filter(programme=programme, code=spec["code"]).first()
    )
    if round_obj is None:
        round_obj = Round.objects.create(programme=programme, code=spec["code"], **values)
    else:
        decided = round_obj.decisions.filter(status=DecisionStatus.APPROVED).exists()
        if decided and (round_obj.amount != values["amount"] or round_obj.banks != values["banks"]):
            raise ProgrammeError(E.DEFINITION_ROUND_LOCKED, round=round_obj.code)
        if values["budget"] < round_obj.committed:
            raise ProgrammeError(
                E.DEFINITION_BAD_VALUE,
                where=f"putaran {round_obj.code}",
                detail=f"pagu {values['budget']:,} di bawah yang sudah dialokasikan "
                f"({round_obj.committed:,})".replace(",", "."),
            )
        for key, value in values.items():
            setattr(round_obj, key, value)
        round_obj.save()
    wanted = {q["region"]: q["recipients"] for q in spec["quotas"]}
    RegionQuota.objects.filter(round=round_obj).exclude(region_id__in=wanted).delete()
    for region, recipients in wanted.items():
        RegionQuota.objects.update_or_create(
            round=round_obj, region_id=region, defaults={"recipients": recipients}
        )
    return round_obj


def round_transition(
    *, actor: User, round_obj: Round, to: RoundStatus | str, reason: str = ""
) -> Round:
    _require(actor, PREPARING_ROLES | APPROVING_ROLES)
    to = RoundStatus(to)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_obj.pk)
        if locked.status not in ROUND_TRANSITIONS.get(to, frozenset()):
            raise ProgrammeError(
                E.TRANSITION_NOT_ALLOWED,
                old=RoundStatus(locked.status).label,
                new=RoundStatus(to).label,
            )
        locked.status = to
        locked.save(update_fields=["status"])
        _event(locked, actor, "status", to=to.value, reason=reason.strip()[:300])
    return locked


def version_for(round_obj: Round) -> ProgrammeVersion:
    version = round_obj.programme.current_version
    assert version is not None, "a programme always has a version once loaded"
    return version


# --- applications ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationData:
    person_id: int
    business_id: int
    declarations: dict[str, Any]
    bank: str = ""


def _declarations_clean(round_obj: Round, raw: dict[str, Any]) -> dict[str, Any]:
    """Typed values for the programme's declarations, with the label in every message."""
    out: dict[str, Any] = {}
    for spec in version_for(round_obj).definition["declarations"]:
        value = raw.get(spec["field"])
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec["required"]:
                raise ProgrammeError(E.DECLARATION_MISSING, label=spec["label"])
            continue
        if spec["type"] == "money":
            if isinstance(value, bool):
                raise ProgrammeError(E.DECLARATION_BAD, label=spec["label"], value=value)
            if isinstance(value, str):
                from pulih.intake.normalize import parse_money

                parsed = parse_money(pl.Series([value]))[0]
                if parsed is None:
                    raise ProgrammeError(E.DECLARATION_BAD, label=spec["label"], value=value)
                value = int(parsed)
            if not isinstance(value, int) or value < 0:
                raise ProgrammeError(E.DECLARATION_BAD, label=spec["label"], value=value)
        elif spec["type"] == "yes_no":
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered not in {"ya", "tidak", "yes", "no", "true", "false", "1", "0"}:
                    raise ProgrammeError(E.DECLARATION_BAD, label=spec["label"], value=value)
                value = lowered in {"ya", "yes", "true", "1"}
            if not isinstance(value, bool):
                raise ProgrammeError(E.DECLARATION_BAD, label=spec["label"], value=value)
        else:
            value = " ".join(str(value).split())[:300]
        out[spec["field"]] = value
    return out


def _bank_clean(round_obj: Round, bank: str) -> str:
    banks = list(round_obj.banks)
    if not banks:
        return ""
    choice = bank.strip().upper() or banks[0]
    if choice not in banks:
        raise ProgrammeError(E.BANK_UNKNOWN, bank=bank, banks=", ".join(banks))
    return choice


def application_submit(
    *, actor: User, round_obj: Round, data: ApplicationData, today: date | None = None
) -> Application:
    """An application from the owner (for themself) or an officer (for someone in scope),
    evaluated at once so the applicant sees the outcome and its reasons."""
    today = today or timezone.localdate()
    person = Person.objects.filter(pk=data.person_id).first()
    business = Business.objects.filter(pk=data.business_id, owner_id=data.person_id).first()
    if person is None or business is None:
        raise ProgrammeError(E.BUSINESS_NOT_OWNED)
    if actor.role == Role.OWNER:
        if person.account_id != actor.pk:
            raise ProgrammeError(E.PERMISSION_DENIED)
        channel = Channel.OWNER
        if not (round_obj.opens_on <= today <= round_obj.closes_on):
            raise ProgrammeError(
                E.ROUND_NOT_OPEN,
                opens=round_obj.opens_on.strftime("%d-%m-%Y"),
                closes=round_obj.closes_on.strftime("%d-%m-%Y"),
            )
    else:
        _require(actor, PREPARING_ROLES)
        if not region_in_scope(actor, business.region_code):
            raise ProgrammeError(E.PERMISSION_DENIED)
        channel = Channel.OFFICER
    if round_obj.status != RoundStatus.OPEN:
        raise ProgrammeError(
            E.ROUND_NOT_OPEN,
            opens=round_obj.opens_on.strftime("%d-%m-%Y"),
            closes=round_obj.closes_on.strftime("%d-%m-%Y"),
        )
    declarations = _declarations_clean(round_obj, data.declarations)
    bank = _bank_clean(round_obj, data.bank)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                round=round_obj, person=person, business=business, channel=channel,
                declarations=declarations, bank=bank, submitted_by=actor,
                submitted_at=timezone.now(), region_code=business.region_code,
            )  # fmt: skip
    except IntegrityError as exc:
        raise ProgrammeError(E.ALREADY_APPLIED) from exc
    return application_evaluate(actor=actor, application=application)


@dataclass
class IntakeApplications:
    created: int
    already: int  # the person already had an application in the round (proposer noted on it)
    skipped: int  # rows of the file without a person (refused or duplicate rows)


def applications_from_intake(
    *, actor: User, round_obj: Round, job_id: int, declared: pl.DataFrame | None = None
) -> IntakeApplications:
    """Every person a finished proposer-list import touched becomes an application for the
    round, recording the sender as proposer; someone already applied gets the sender noted.

    `declared`: optional row_number -> declaration columns read from the same file.
    """
    from pulih.intake.models import IntakeJob, IntakeRecord, JobStatus

    _require(actor, PREPARING_ROLES)
    job = IntakeJob.objects.select_related("source").get(pk=job_id)
    if job.status != JobStatus.DONE:
        raise ProgrammeError(E.INTAKE_NOT_DONE)
    if round_obj.status != RoundStatus.OPEN:
        raise ProgrammeError(
            E.ROUND_NOT_OPEN,
            opens=round_obj.opens_on.strftime("%d-%m-%Y"),
            closes=round_obj.closes_on.strftime("%d-%m-%Y"),
        )
    records = pl.DataFrame(
        list(
            IntakeRecord.objects.filter(job=job, business__isnull=False).values_list(
                "row_number", "person_id", "business_id"
            )
        ),
        schema={"row_number": pl.Int64, "person_id": pl.Int64, "business_id": pl.Int64},
        orient="row",
    ).sort("row_number")
    skipped = job.rows_read - records.height
    declarations_spec = version_for(round_obj).definition["declarations"]
    if declared is None and declarations_spec:
        from pulih.intake.pipeline import source_path

        declared = pipeline.declarations_from_file(
            source_path(job), job.file_format, job.sheet, declarations_spec
        )
    default_bank = round_obj.banks[0] if round_obj.banks else ""
    now = timezone.now()
    stamp = db_timestamp(now)
    with transaction.atomic():
        existing = dict(Application.objects.filter(round=round_obj).values_list("person_id", "id"))
        fresh = records.filter(~pl.col("person_id").is_in(list(existing))).unique(
            "person_id", keep="first", maintain_order=True
        )
        again = records.filter(pl.col("person_id").is_in(list(existing)))
        regions = dict(
            Business.objects.filter(intake_records__job_id=job.pk).values_list("pk", "region_code")
        )
        declared_rows = _declared_by_row(declared, declarations_spec)
        rows = [
            (
                round_obj.pk, person_id, business_id, Channel.PROPOSER.value, job.source.name[:150],
                job.pk, row, "[]", _json(declared_rows.get(row, {})), default_bank, actor.pk,
                stamp, ApplicationStatus.SUBMITTED.value, "[]", regions[business_id], stamp,
            )
            for row, person_id, business_id in fresh.iter_rows()
        ]  # fmt: skip
        writer_for_connection().insert(
            "programmes_application",
            ("round_id", "person_id", "business_id", "channel", "proposer", "intake_job_id",
             "intake_row", "also_proposed_by", "declarations", "bank", "submitted_by_id",
             "submitted_at", "status", "results", "region_code", "updated_at"),
            rows,
        )  # fmt: skip
        for person_id in again["person_id"].unique().to_list():
            application = Application.objects.select_for_update().get(pk=existing[person_id])
            note = {"proposer": job.source.name, "job": job.pk}
            if note not in application.also_proposed_by:
                application.also_proposed_by = [*application.also_proposed_by, note]
                application.save(update_fields=["also_proposed_by", "updated_at"])
        _event(round_obj, actor, "proposer_list", job=job.pk, created=len(rows),
               already=again.height)  # fmt: skip
    return IntakeApplications(created=len(rows), already=again.height, skipped=skipped)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"))


def _declared_by_row(
    declared: pl.DataFrame | None, spec: list[dict[str, Any]]
) -> dict[int, dict[str, Any]]:
    if declared is None or declared.height == 0:
        return {}
    fields = [d["field"] for d in spec if d["field"] in declared.columns]
    return {
        row["row_number"]: {f: row[f] for f in fields if row[f] is not None}
        for row in declared.select("row_number", *fields).iter_rows(named=True)
    }


# --- eligibility ------------------------------------------------------------------------------


def eligibility_run(*, actor: User, round_obj: Round) -> EligibilityRun:
    """Evaluate every application of the round under the programme's current version."""
    _require(actor, PREPARING_ROLES | APPROVING_ROLES)
    version = version_for(round_obj)
    run = EligibilityRun.objects.create(round=round_obj, version=version, started_by=actor)
    frame = pipeline.applicant_frame(round_obj, version.definition["declarations"])
    evaluated = pipeline.evaluate(frame, rules_of(version.definition))
    now = timezone.now()
    with transaction.atomic():
        pipeline.evaluation_write(evaluated.frame, version_id=version.pk, at=now)
        EligibilityRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(),
            applications=evaluated.frame.height,
            eligible=int(evaluated.frame["eligible"].sum()),
            failures=evaluated.failures,
        )
        _event(round_obj, actor, "evaluated", run=run.pk, version=version.number)
    pipeline.snapshot_write(round_obj, frame)
    run.refresh_from_db()
    return run


def application_evaluate(*, actor: User, application: Application) -> Application:
    """The same evaluation for one application (a new one, or an appeal being re-checked)."""
    round_obj = application.round
    version = version_for(round_obj)
    frame = pipeline.applicant_frame(
        round_obj, version.definition["declarations"], application_ids=[application.pk]
    )
    evaluated = pipeline.evaluate(frame, rules_of(version.definition))
    with transaction.atomic():
        pipeline.evaluation_write(evaluated.frame, version_id=version.pk, at=timezone.now())
    application.refresh_from_db()
    return application


def what_if(
    *, actor: User, round_obj: Round, source: str | None = None, amount: int | None = None
) -> pipeline.WhatIf:
    """The outcome of an unsaved definition text and/or amount over the latest snapshot."""
    _require(actor, PREPARING_ROLES | APPROVING_ROLES)
    version = version_for(round_obj)
    definition = parse(source) if source is not None else version.definition
    frame = pipeline.snapshot_read(round_obj)
    if frame is None:
        frame = pipeline.applicant_frame(round_obj, definition["declarations"])
        pipeline.snapshot_write(round_obj, frame)
    missing = {f"declared_{d['field']}" for d in definition["declarations"]} - set(frame.columns)
    if missing:
        # A declaration the snapshot was taken without: read the stored answers again.
        frame = pipeline.applicant_frame(round_obj, definition["declarations"])
    spec = next((r for r in definition["rounds"] if r["code"] == round_obj.code), None)
    unit = amount or (spec["amount"] if spec else round_obj.amount)
    budget = spec["budget"] if spec else round_obj.budget
    return pipeline.what_if(
        frame, rules_of(definition), amount=unit, budget_left=budget - round_obj.committed
    )


# --- decisions -------------------------------------------------------------------------------


def decision_propose(*, actor: User, round_obj: Round, note: str = "") -> Decision:
    """The preparer's list: eligible applicants in order of application, within each region's
    quota and what is left of the budget; in an amendment also the recipients a newer
    evaluation found ineligible (if their benefit has not gone out)."""
    _require(actor, PREPARING_ROLES)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_obj.pk)
        if locked.decisions.filter(status=DecisionStatus.PROPOSED).exists():
            raise ProgrammeError(E.DECISION_PENDING)
        if (
            Application.objects.filter(round=locked, eligible__isnull=True)
            .exclude(status=ApplicationStatus.WITHDRAWN)
            .exists()
        ):
            raise ProgrammeError(E.NOT_EVALUATED)
        approved = locked.decisions.filter(status=DecisionStatus.APPROVED)
        previous = approved.order_by("-number").first()
        candidates = pl.DataFrame(
            list(
                Application.objects.filter(
                    round=locked,
                    status__in=[ApplicationStatus.ELIGIBLE, ApplicationStatus.RESERVE],
                    eligible=True,
                ).values_list("pk", "person_id", "region_code")
            ),
            schema={
                "application_id": pl.Int64,
                "person_id": pl.Int64,
                "business_region": pl.String,
            },
            orient="row",
        )
        quotas = dict(
            RegionQuota.objects.filter(round=locked).values_list("region_id", "recipients")
        )
        already = _recipients_per_quota(locked, quotas)
        removed = list(
            Application.objects.filter(
                round=locked, status=ApplicationStatus.RECIPIENT, eligible=False
            )
            .filter(_benefit_not_gone_out())
            .values_list("pk", "person_id")
        )
        budget_left = locked.budget - locked.committed + len(removed) * locked.amount
        chosen = pipeline.select_recipients(
            candidates, quotas=quotas, already=already, slots=budget_left // locked.amount
        )
        if chosen.height == 0 and not removed:
            raise ProgrammeError(E.NOTHING_TO_DECIDE)
        shown = _annex_columns([*chosen["application_id"].to_list(), *(a for a, _ in removed)])
        regions = [line[3] for line in shown.values()]
        region_code = common_region(min(regions), max(regions))
        _require_covers(actor, region_code)
        number = (
            locked.decisions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        decision = Decision.objects.create(
            round=locked,
            kind=DecisionKind.AMENDMENT if previous else DecisionKind.INITIAL,
            number=number,
            amends=previous,
            note=note.strip(),
            prepared_by=actor,
            recipients_added=chosen.height,
            recipients_removed=len(removed),
            amount_added=chosen.height * locked.amount,
            amount_removed=len(removed) * locked.amount,
            region_code=region_code,
        )
        with references_checked_in_bulk():
            writer_for_connection().insert(
                "programmes_decisionentry",
                ("decision_id", "application_id", "person_id", "change", "amount", "reason",
                 "nik_masked", "full_name", "business_name", "region_code"),
                [
                    (decision.pk, app_id, person_id, EntryChange.ADD.value, locked.amount, "",
                     *shown[app_id])
                    for app_id, person_id in chosen.select("application_id", "person_id").iter_rows()
                ]
                + [
                    (decision.pk, app_id, person_id, EntryChange.REMOVE.value, locked.amount,
                     "tidak lagi memenuhi syarat", *shown[app_id])
                    for app_id, person_id in removed
                ],
            )  # fmt: skip
        _statuses_set_by_entries(decision.pk, EntryChange.ADD, ApplicationStatus.SELECTED)
        # Eligible applicants the quota or the budget left out wait as reserves.
        left_out = Application.objects.filter(
            round=locked, status=ApplicationStatus.ELIGIBLE, eligible=True
        )
        left_out.update(status=ApplicationStatus.RESERVE, updated_at=timezone.now())
        _event(locked, actor, "decision_proposed", decision=decision.number,
               added=chosen.height, removed=len(removed))  # fmt: skip
    return decision


def _annex_columns(application_ids: list[int]) -> dict[int, tuple[str, str, str, str]]:
    """NIK (masked), name, business name and village of each application, for its annex line."""
    if not application_ids:
        return {}
    match, params = writer_for_connection().keys_in("a.id", application_ids)
    frame = query_frame(
        f"""
        SELECT a.id, p.nik_masked, p.full_name, b.name, a.region_code
        FROM programmes_application a
        JOIN registry_person p ON p.id = a.person_id
        JOIN registry_business b ON b.id = a.business_id
        WHERE {match}
        """,  # noqa: S608
        params,
        {"id": pl.Int64, "nik": pl.String, "name": pl.String, "business": pl.String,
         "region": pl.String},
    )  # fmt: skip
    return {row[0]: row[1:] for row in frame.iter_rows()}


def _benefit_not_gone_out() -> Q:
    from pulih.payments.models import HandoverStatus, PaymentStatus

    return (
        Q(payment__status=PaymentStatus.COMMITTED)
        | Q(payment__status=PaymentStatus.FAILED)
        | Q(handover__status=HandoverStatus.PENDING)
    )


def _recipients_per_quota(round_obj: Round, quotas: dict[str, int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for code in quotas:
        counts[code] = (
            Application.objects.filter(
                round=round_obj,
                status__in=[ApplicationStatus.RECIPIENT, ApplicationStatus.SELECTED],
            )
            .filter(Q(region_code=code) | Q(region_code__startswith=code + "."))
            .count()
        )
    return counts


def _statuses_set_by_entries(
    decision_id: int, change: EntryChange, status: ApplicationStatus
) -> None:
    """The status of every application the decision adds (or removes): one UPDATE joined to
    the decision's lines, rather than shipping 400,000 ids to a temporary table first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE programmes_application SET status = %s, updated_at = %s WHERE id IN ("
            "SELECT application_id FROM programmes_decisionentry "
            "WHERE decision_id = %s AND change = %s)",
            [status.value, db_timestamp(timezone.now()), decision_id, change.value],
        )


def decision_approve(*, actor: User, decision: Decision, note: str = "") -> Decision:
    """The checker approves: benefits are created, the money committed in the ledger, the
    list locked and its annex fixed by content hash. Clicking twice, or two approvers at
    once, approves once: the second finds the decision already decided."""
    _require(actor, APPROVING_ROLES)
    with transaction.atomic():
        locked = (
            Decision.objects.select_for_update()
            .select_related("round__programme")
            .get(pk=decision.pk)
        )
        if locked.status != DecisionStatus.PROPOSED:
            raise ProgrammeError(E.DECISION_NOT_PROPOSED, status=locked.get_status_display())
        if locked.prepared_by_id == actor.pk:
            raise ProgrammeError(E.MAKER_CANNOT_CHECK)
        _require_covers(actor, locked.region_code)
        round_obj = Round.objects.select_for_update().get(pk=locked.round_id)
        now = timezone.now()
        entries = pl.DataFrame(
            list(
                DecisionEntry.objects.filter(decision=locked).values_list(
                    "application_id", "person_id", "change", "amount"
                )
            ),
            schema={"application_id": pl.Int64, "person_id": pl.Int64, "change": pl.String,
                    "amount": pl.Int64},
            orient="row",
        )  # fmt: skip
        added = entries.filter(pl.col("change") == EntryChange.ADD.value)
        removed = entries.filter(pl.col("change") == EntryChange.REMOVE.value)
        kind = KINDS[round_obj.programme.kind]
        if removed.height:
            kind.benefit.cancel(
                decision=locked, application_ids=removed["application_id"].to_list(), actor=actor
            )
            _statuses_set_by_entries(locked.pk, EntryChange.REMOVE, ApplicationStatus.INELIGIBLE)
        if added.height:
            recipients = _recipients_frame(added, locked.pk)
            with references_checked_in_bulk():
                kind.benefit.create(decision=locked, recipients=recipients, actor=actor)
            _statuses_set_by_entries(locked.pk, EntryChange.ADD, ApplicationStatus.RECIPIENT)
        content = annex.annex_rows(locked)
        Decision.objects.filter(pk=locked.pk).update(
            status=DecisionStatus.APPROVED,
            decided_by=actor,
            decided_at=now,
            decision_note=note.strip(),
            content_sha256=annex.content_sha256(content),
        )
        _event(round_obj, actor, "decision_approved", decision=locked.number,
               added=added.height, removed=removed.height)  # fmt: skip
    locked.refresh_from_db()
    annex.annex_schedule(locked)
    return locked


def _recipients_frame(added: pl.DataFrame, decision_id: int) -> pl.DataFrame:
    """The identity (after merges), bank and region of each added application."""
    info = query_frame(
        """
        SELECT a.id, m.merged_into_id, a.bank, a.region_code
        FROM programmes_decisionentry e
        JOIN programmes_application a ON a.id = e.application_id
        -- Only merged persons matter (the partial index holds them), not a walk of them all.
        LEFT JOIN (
            SELECT id, merged_into_id FROM registry_person WHERE merged_into_id IS NOT NULL
        ) m ON m.id = a.person_id
        WHERE e.decision_id = %s AND e.change = %s
        """,
        [decision_id, EntryChange.ADD.value],
        {"application_id": pl.Int64, "merged_into": pl.Int64, "bank": pl.String,
         "region_code": pl.String},
    )  # fmt: skip
    return added.join(info, on="application_id").select(
        "application_id",
        pl.coalesce("merged_into", "person_id").alias("person_id"),
        "amount",
        "bank",
        "region_code",
    )


def decision_return(*, actor: User, decision: Decision, note: str) -> Decision:
    """The checker sends the list back; its applicants wait for the next proposal."""
    _require(actor, APPROVING_ROLES)
    if not note.strip():
        raise ProgrammeError(E.REASON_REQUIRED)
    with transaction.atomic():
        locked = Decision.objects.select_for_update().get(pk=decision.pk)
        if locked.status != DecisionStatus.PROPOSED:
            raise ProgrammeError(E.DECISION_NOT_PROPOSED, status=locked.get_status_display())
        if locked.prepared_by_id == actor.pk:
            raise ProgrammeError(E.MAKER_CANNOT_CHECK)
        _require_covers(actor, locked.region_code)
        Decision.objects.filter(pk=locked.pk).update(
            status=DecisionStatus.RETURNED, decided_by=actor, decided_at=timezone.now(),
            decision_note=note.strip(),
        )  # fmt: skip
        _statuses_set_by_entries(locked.pk, EntryChange.ADD, ApplicationStatus.ELIGIBLE)
        Application.objects.filter(
            round_id=locked.round_id, status=ApplicationStatus.RESERVE
        ).update(status=ApplicationStatus.ELIGIBLE)
        _event(locked.round, actor, "decision_returned", decision=locked.number, note=note.strip())
    locked.refresh_from_db()
    return locked


# --- appeals ----------------------------------------------------------------------------------


def appeal_deadline(application: Application) -> date | None:
    if application.evaluated_at is None:
        return None
    return timezone.localdate(application.evaluated_at) + timedelta(
        days=application.round.appeal_days
    )


def appeal_submit(
    *, actor: User, application: Application, reason: str, evidence: str = "",
    today: date | None = None,
) -> Appeal:  # fmt: skip
    """The applicant (or an officer for them) contests a refusal within the window."""
    today = today or timezone.localdate()
    if actor.role == Role.OWNER:
        if application.person.account_id != actor.pk:
            raise ProgrammeError(E.PERMISSION_DENIED)
    else:
        _require(actor, PREPARING_ROLES)
    if application.status != ApplicationStatus.INELIGIBLE:
        raise ProgrammeError(E.APPEAL_NOT_ALLOWED)
    deadline = appeal_deadline(application)
    if deadline is None or today > deadline:
        raise ProgrammeError(
            E.APPEAL_WINDOW_CLOSED, deadline=deadline.strftime("%d-%m-%Y") if deadline else "-"
        )
    if not reason.strip():
        raise ProgrammeError(E.REASON_REQUIRED)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                application=application, reason=reason.strip(), evidence=evidence,
                submitted_by=actor, results_before=application.results,
            )  # fmt: skip
            _event(application.round, actor, "appeal_submitted", application=application.pk)
    except IntegrityError as exc:
        raise ProgrammeError(E.APPEAL_OPEN) from exc
    return appeal


def appeal_review(
    *, actor: User, appeal: Appeal, note: str, declarations: dict[str, Any] | None = None
) -> Appeal:
    """An officer re-checks the application with the new evidence: corrected declarations,
    and whatever changed meanwhile (an officer's decision on a list hit, a new Dukcapil
    extract). Upheld if the re-evaluation passes; the outcome and both results are kept."""
    _require(actor, PREPARING_ROLES)
    if not note.strip():
        raise ProgrammeError(E.REASON_REQUIRED)
    with transaction.atomic():
        locked = (
            Appeal.objects.select_for_update()
            .select_related("application__round")
            .get(pk=appeal.pk)
        )
        if locked.status != AppealStatus.OPEN:
            raise ProgrammeError(E.APPEAL_DECIDED)
        application = locked.application
        if not region_in_scope(actor, application.region_code):
            raise ProgrammeError(E.PERMISSION_DENIED)
        if declarations:
            merged = {**application.declarations, **declarations}
            application.declarations = _declarations_clean(application.round, merged)
            application.save(update_fields=["declarations", "updated_at"])
        application = application_evaluate(actor=actor, application=application)
        locked.status = AppealStatus.UPHELD if application.eligible else AppealStatus.DISMISSED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.outcome_note = note.strip()
        locked.results_after = application.results
        locked.save()
        _event(application.round, actor, "appeal_reviewed", application=application.pk,
               outcome=locked.status)  # fmt: skip
    return locked
