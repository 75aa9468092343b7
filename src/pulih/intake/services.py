"""Every write of the intake app: receiving a file, confirming its columns, starting and
resuming the import, and deciding proposed changes."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pulih.accounts.models import Role, User
from pulih.accounts.selectors import region_in_scope
from pulih.intake import pipeline
from pulih.intake.columns import mapping_apply_template, mapping_check
from pulih.intake.error_codes import IntakeError, IntakeErrorCode as E
from pulih.intake.models import ChangeStatus, IntakeJob, JobStatus, ProposedChange, SourceTemplate
from pulih.intake.reader import Table, check_file, file_format, read_sample
from pulih.privacy import crypto
from pulih.registry import services as registry_services
from pulih.registry.identifiers import mask_phone
from pulih.registry.models import Business, Person, RegistrationEvent

IMPORTING_ROLES = frozenset({Role.OFFICER, Role.APPROVER, Role.ADMIN})
# A worker that has not written a heartbeat for this long is taken to be gone.
STALE_AFTER_SECONDS = 120


def _check_can_import(actor: User) -> None:
    if actor.role not in IMPORTING_ROLES and not actor.is_superuser:
        raise IntakeError(E.PERMISSION_DENIED)


def source_template_get_or_create(*, name: str, actor: User) -> SourceTemplate:
    clean = " ".join(name.split())[:120]
    if not clean:
        raise IntakeError(E.SOURCE_REQUIRED)
    template, _ = SourceTemplate.objects.get_or_create(name=clean, defaults={"updated_by": actor})
    return template


def job_create(
    *,
    actor: User,
    source_name: str,
    original_name: str,
    content: IO[bytes] | Path,
    sheet: str = "",
) -> IntakeJob:
    """Keep the file, check that it is what it claims, and guess its columns.

    A refused file leaves nothing behind. The job waits for the officer to confirm the mapping.
    """
    _check_can_import(actor)
    fmt = file_format(original_name)
    clean_source = " ".join(source_name.split())[:120]
    if not clean_source:
        raise IntakeError(E.SOURCE_REQUIRED)
    existing = SourceTemplate.objects.filter(name=clean_source).first()
    sheet = sheet or (existing.sheet if existing else "")
    # The file is kept and checked in a folder of its own before anything is recorded, so a
    # refused file leaves neither a job nor a new sender behind.
    staging_dir = Path(settings.PULIH_INTAKE_DIR) / f"upload-{uuid.uuid4().hex}"
    staging_dir.mkdir(parents=True, exist_ok=True)
    target = staging_dir / f"source.{fmt}"
    try:
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        else:
            with target.open("wb") as out:
                shutil.copyfileobj(content, out, length=1 << 20)
        check_file(target, fmt, max_bytes=settings.PULIH_INTAKE_MAX_BYTES)
        try:
            sample, sheets = read_sample(target, fmt, sheet=sheet)
        except IntakeError as exc:
            if exc.code != E.SHEET_NOT_FOUND or not existing or sheet != existing.sheet:
                raise
            # The sender's usual sheet is not in this file: fall back to the first one.
            sample, sheets = read_sample(target, fmt)
    except BaseException:
        shutil.rmtree(staging_dir, ignore_errors=True)
        raise
    with transaction.atomic():
        template = existing or source_template_get_or_create(name=clean_source, actor=actor)
        job = IntakeJob.objects.create(
            source=template,
            original_name=Path(original_name).name[:255],
            file_format=fmt,
            file_size=target.stat().st_size,
            file_sha256=pipeline.file_sha256(target),
            sheet=sample.sheet,
            headers=sample.headers,
            sample=_sample_rows(sample),
            sheets=sheets,
            mapping=mapping_apply_template(sample.headers, template.mapping),
            created_by=actor,
        )
    final_dir = pipeline.job_dir(job)
    if final_dir.exists():
        # Left from a database that was reset or restored: job numbers started again, and
        # another file's staged rows must never be taken for this one's.
        shutil.rmtree(final_dir)
    os.replace(staging_dir, final_dir)
    return job


def _sample_rows(sample: Table) -> list[list[str]]:
    return [
        ["" if v is None else str(v)[:200] for v in row]
        for row in sample.frame.select(sample.headers).rows()
    ]


def job_sheet_set(*, actor: User, job: IntakeJob, sheet: str) -> IntakeJob:
    """Read another sheet of the same workbook: new headers, a new guess of the columns."""
    _check_can_import(actor)
    if job.status != JobStatus.MAPPING or job.file_format != "xlsx":
        raise IntakeError(E.JOB_NOT_RESUMABLE, status=job.get_status_display())
    sample, _sheets = read_sample(pipeline.source_path(job), job.file_format, sheet=sheet)
    job.sheet = sample.sheet
    job.headers = sample.headers
    job.sample = _sample_rows(sample)
    job.mapping = mapping_apply_template(sample.headers, job.source.mapping)
    job.save(update_fields=["sheet", "headers", "sample", "mapping"])
    return job


def job_start(
    *,
    actor: User,
    job: IntakeJob,
    mapping: dict[str, str],
    save_template: bool = True,
    enqueue: bool = True,
) -> IntakeJob:
    """Confirm the columns and queue the import. Confirming twice queues it once."""
    _check_can_import(actor)
    if job.created_by_id != actor.pk and actor.role != Role.ADMIN:
        raise IntakeError(E.PERMISSION_DENIED)
    cleaned = mapping_check({h: mapping.get(h, "") for h in job.headers})
    with transaction.atomic():
        locked = IntakeJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != JobStatus.MAPPING:
            return locked
        locked.mapping = cleaned
        locked.status = JobStatus.QUEUED
        locked.save(update_fields=["mapping", "status"])
        if save_template:
            template = locked.source
            template.mapping = {**template.mapping, **cleaned}
            template.sheet = locked.sheet
            template.updated_by = actor
            template.save(update_fields=["mapping", "sheet", "updated_by", "updated_at"])
        if enqueue:
            transaction.on_commit(lambda: _enqueue(locked.pk))
    return locked


def _enqueue(job_id: int) -> None:
    from pulih.intake.tasks import intake_job_run

    intake_job_run.enqueue(job_id)


def job_is_stale(job: IntakeJob) -> bool:
    if job.status not in (JobStatus.RUNNING, JobStatus.QUEUED):
        return False
    beat = job.heartbeat_at or job.created_at
    return (timezone.now() - beat).total_seconds() > STALE_AFTER_SECONDS


def job_resume(*, actor: User, job: IntakeJob) -> IntakeJob:
    """Queue an import again after its worker died; it continues from its checkpoint."""
    _check_can_import(actor)
    if job.status == JobStatus.FAILED or (
        job.status in (JobStatus.RUNNING, JobStatus.QUEUED) and job_is_stale(job)
    ):
        with transaction.atomic():
            IntakeJob.objects.filter(pk=job.pk).update(
                status=JobStatus.QUEUED, heartbeat_at=timezone.now(), error_code="",
                error_message="",
            )  # fmt: skip
            transaction.on_commit(lambda: _enqueue(job.pk))
        job.refresh_from_db()
        return job
    raise IntakeError(E.JOB_NOT_RESUMABLE, status=job.get_status_display())


# --- proposed changes --------------------------------------------------------------------


def proposed_change_decide(*, actor: User, change: ProposedChange, accept: bool) -> ProposedChange:
    """Accept (apply to the record, with history) or dismiss a value a file proposed."""
    if actor.role not in registry_services.DECIDING_ROLES or not region_in_scope(
        actor, change.region_code
    ):
        raise IntakeError(E.PERMISSION_DENIED)
    with transaction.atomic():
        locked = ProposedChange.objects.select_for_update().get(pk=change.pk)
        if locked.status != ChangeStatus.PENDING:
            raise IntakeError(E.CHANGE_ALREADY_DECIDED)
        if accept:
            _apply_change(actor, locked)
        locked.status = ChangeStatus.ACCEPTED if accept else ChangeStatus.DISMISSED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked


def proposed_value_shown(change: ProposedChange) -> str:
    """What the officer sees: a proposed phone number masked, like every phone on screen."""
    if change.field == "phone":
        return mask_phone(proposed_value_plain(change))
    return change.proposed_value


def proposed_value_plain(change: ProposedChange) -> str:
    if change.field == "phone":
        return crypto.decrypt(change.proposed_value, purpose=registry_services.PHONE_PURPOSE)
    return change.proposed_value


def _apply_change(actor: User, change: ProposedChange) -> None:
    value = proposed_value_plain(change)
    reason = f"Usulan dari impor {change.job.original_name} baris {change.row_number} diterima"
    if change.target == "person":
        person = Person.objects.select_for_update().get(pk=change.person_id)
        columns = pipeline.person_columns_for(change.field, value)
        old = getattr(person, change.field if change.field != "phone" else "phone_masked", "")
        Person.objects.filter(pk=person.pk).update(**columns, updated_at=timezone.now())
        history = (
            "diubah"
            if change.field in pipeline.SECRET_FIELDS
            else [str(old) if old is not None else None, value]
        )
        for business in Business.objects.filter(owner_id=person.pk):
            RegistrationEvent.objects.create(
                business=business, actor=actor, action="person_edited",
                reason=reason, changes={change.field: history},
            )  # fmt: skip
        if change.field in ("birth_date", "sex"):
            pipeline.recheck_nik_mismatch([person.pk])
    else:
        assert change.business_id is not None  # business targets always name their business
        business = Business.objects.select_for_update().get(pk=change.business_id)
        columns = pipeline.business_columns_for(change.field, value)
        old = getattr(business, change.field)
        Business.objects.filter(pk=business.pk).update(**columns, updated_at=timezone.now())
        RegistrationEvent.objects.create(
            business=business, actor=actor, action="edited", reason=reason,
            changes={change.field: [str(old) if old is not None else None, value]},
        )  # fmt: skip
        if change.field in ("capital", "annual_sales"):
            pipeline.resize_businesses([business.pk])
