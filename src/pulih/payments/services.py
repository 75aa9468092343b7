"""Every write of the payments app. Benefits are created and withdrawn only by a decision's
approval (programmes.kinds calls these), each with its ledger entries in the same transaction;
then cash goes out in bank batches and comes back in return files, goods are handed over.

Officers prepare batches, import return files and record handovers; approvers and
administrators may too; owners never. Every refusal is a PaymentError with its message.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import uuid
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import polars as pl
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext

from pulih.accounts.models import Role
from pulih.accounts.selectors import region_in_scope
from pulih.intake.error_codes import IntakeError
from pulih.payments import files, pipeline, returns
from pulih.payments.error_codes import PaymentError, PaymentErrorCode as PE
from pulih.payments.models import (
    Batch,
    BatchDownload,
    BatchStatus,
    Handover,
    HandoverStatus,
    ImportStatus,
    Payment,
    PaymentStatus,
    ReturnImport,
)
from pulih.programmes.error_codes import ProgrammeError, ProgrammeErrorCode as E
from pulih.programmes.kinds import KINDS
from pulih.programmes.ledger import ledger_post, ledger_post_query
from pulih.programmes.models import LedgerKind, Round, RoundEvent
from pulih.registry.bulk import db_timestamp, key_share, writer_for_connection

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from pulih.accounts.models import User
    from pulih.intake.reader import Table
    from pulih.programmes.models import Decision

PAYMENT_COLUMNS = ("round_id", "person_id", "application_id", "decision_id", "amount", "bank",
                   "status", "failure_reason", "created_at", "updated_at")  # fmt: skip
HANDOVER_COLUMNS = ("round_id", "person_id", "application_id", "decision_id", "value", "items",
                    "region_code", "status", "photo", "note", "created_at")  # fmt: skip
PREPARING_ROLES = frozenset({Role.OFFICER, Role.APPROVER, Role.ADMIN})
# Return files up to this size are reconciled during the upload; larger ones by a worker.
RETURN_INLINE_BYTES = 4 * 1024 * 1024
# A return import queued or running this long has lost its worker (500,000 rows take ~30 s).
RETURN_STALE_SECONDS = 600
# A reconciled import writes its report right after; missing this long, it is not coming.
RETURN_REPORT_GRACE_SECONDS = 120
REFERENCE_LENGTH = 40


def _stamp() -> str:
    return db_timestamp(timezone.now())


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


# --- common checks --------------------------------------------------------------------------


def _require(actor: User) -> None:
    if not actor.is_authenticated or (actor.role not in PREPARING_ROLES and not actor.is_superuser):
        raise PaymentError(PE.PERMISSION_DENIED)


def _require_region(actor: User, region_code: str) -> None:
    if not region_in_scope(actor, region_code):
        raise PaymentError(PE.PERMISSION_DENIED)


def _event(round_id: int, actor: User, action: str, **detail: Any) -> None:
    RoundEvent.objects.create(round_id=round_id, actor=actor, action=action, detail=detail)


def _cash_round(round_obj: Round) -> None:
    if not KINDS[round_obj.programme.kind].pays_through_banks:
        raise PaymentError(PE.NOT_A_CASH_ROUND)


def _goods_round(round_obj: Round) -> None:
    if KINDS[round_obj.programme.kind].pays_through_banks:
        raise PaymentError(PE.NOT_A_GOODS_ROUND)


def _bank(round_obj: Round, bank: str) -> str:
    choice = bank.strip().upper()
    if choice not in round_obj.banks:
        raise PaymentError(PE.BANK_UNKNOWN, bank=bank, banks=", ".join(round_obj.banks))
    return choice


# --- batches ----------------------------------------------------------------------------------


def batch_reference(round_obj: Round, bank: str, number: int) -> str:
    """ "BPUM-2021-DKI-TAHAP-1-BRI-001": programme, round, bank and the bank's batch number."""
    tail = f"-{bank}-{number:03d}"
    base = f"{round_obj.programme.code}-{round_obj.code}".upper()
    if len(base) + len(tail) > REFERENCE_LENGTH:
        base = f"PULIH-R{round_obj.pk}"
    return f"{base}{tail}"


def batch_generate(*, actor: User, round_obj: Round, bank: str, request_key: str = "") -> Batch:
    """A batch of every committed payment of the bank not yet sent, and its two files.

    `request_key` is the confirmation form's one-time key: a second submit with the same key
    (a double click, a retried request) gets the batch the first one made.
    """
    return _batch_make(actor, round_obj, bank, PaymentStatus.COMMITTED, request_key)


def batch_follow_up_generate(
    *, actor: User, round_obj: Round, bank: str, request_key: str = ""
) -> Batch:
    """A follow-up batch: every payment of the bank whose last sending failed, sent again
    (corrected first, if an officer recorded a fix). Each line says which attempt it is."""
    return _batch_make(actor, round_obj, bank, PaymentStatus.FAILED, request_key)


def _batch_make(
    actor: User, round_obj: Round, bank: str, source: PaymentStatus, request_key: str
) -> Batch:
    _require(actor)
    round_obj = Round.objects.select_related("programme").get(pk=round_obj.pk)
    _cash_round(round_obj)
    bank = _bank(round_obj, bank)
    request_key = request_key.strip()[:64]
    # Files a stopped process left unwritten are finished first, so that every batch the
    # officer sees has its files.
    batch_files_resume(round_obj=round_obj, bank=bank)
    try:
        batch = _batch_rows_create(actor, round_obj, bank, source, request_key)
    except IntegrityError:
        # Two submits with one key raced past the look-up: the first one's batch is the answer.
        if not request_key:
            raise
        batch = Batch.objects.get(request_key=request_key)
    return batch_files_write(batch=batch)


def _batch_rows_create(
    actor: User, round_obj: Round, bank: str, source: PaymentStatus, request_key: str
) -> Batch:
    with transaction.atomic():
        # The round's row lock puts batch makers (and decisions, which lock it too) in a queue.
        locked = Round.objects.select_for_update().get(pk=round_obj.pk)
        if request_key:
            done = Batch.objects.filter(request_key=request_key, round=locked).first()
            if done is not None:
                return done
        found = pipeline.candidates_count(round_id=locked.pk, bank=bank, status=source)
        if found.count == 0:
            raise PaymentError(PE.NOTHING_TO_BATCH, bank=bank)
        # The file holds the full NIK of every line: only someone whose regions cover them all.
        _require_region(actor, found.region_code)
        number = (
            Batch.objects.filter(round=locked, bank=bank).aggregate(top=Max("number"))["top"] or 0
        ) + 1
        now = timezone.now()
        batch = Batch.objects.create(
            round=locked, bank=bank, number=number,
            reference=batch_reference(round_obj, bank, number), region_code=found.region_code,
            control_count=found.count, control_total=found.total, request_key=request_key,
            created_by=actor, created_at=now,
        )  # fmt: skip
        # The lines' parents: the batch just made, and payments (and their persons) that the
        # UPDATE below locks; so the per-row foreign-key triggers may sit this one out.
        with pipeline.row_triggers_off():
            pipeline.lines_insert(batch_id=batch.pk, round_id=locked.pk, bank=bank, status=source)
        count, total, attempt = pipeline.lines_totals(batch.pk)
        if (count, total) != (found.count, found.total):
            raise RuntimeError(f"batch {batch.reference}: lines differ from the payments counted")
        pipeline.payments_of_batch_set(batch_id=batch.pk, status=PaymentStatus.SENT, at=now)
        if attempt != batch.attempt:
            Batch.objects.filter(pk=batch.pk).update(attempt=attempt)
            batch.attempt = attempt
        _event(locked.pk, actor, "batch_generated", batch=batch.reference, bank=bank,
               lines=count, total=total, attempt=attempt)  # fmt: skip
    return batch


def batch_files_write(*, batch: Batch) -> Batch:
    """The batch's CSV and XLSX from its rows, atomically; their SHA-256 on the batch.

    Files already there with the recorded hashes are left alone. Written again (lost, or a
    process stopped half-way), they must hash the same: the rows they come from never change.
    """
    folder = files.batch_dir(batch)
    with files.folder_lock(folder):
        fresh = Batch.objects.get(pk=batch.pk)
        paths = {fmt: files.batch_path(fresh, fmt) for fmt in files.FORMATS}
        recorded = {"csv": fresh.csv_sha256, "xlsx": fresh.xlsx_sha256}
        if all(recorded.values()) and all(
            paths[f].exists() and files.sha256_of(paths[f]) == recorded[f] for f in paths
        ):
            return fresh
        frame = files.transfer_frame(pipeline.transfer_rows(fresh.pk))
        written = {
            "csv": files.transfer_csv_write(fresh, frame, paths["csv"]),
            "xlsx": files.transfer_xlsx_write(fresh, frame, paths["xlsx"]),
        }
        if all(recorded.values()) and written != recorded:
            raise PaymentError(PE.FILES_CHANGED, reference=fresh.reference)
        Batch.objects.filter(pk=fresh.pk).update(
            csv_sha256=written["csv"], xlsx_sha256=written["xlsx"]
        )
        fresh.csv_sha256, fresh.xlsx_sha256 = written["csv"], written["xlsx"]
    return fresh


def batch_files_resume(*, round_obj: Round, bank: str = "") -> list[Batch]:
    """Write the files of the round's batches whose rows committed but whose files did not
    (a process killed between the two): the same files an uninterrupted run writes."""
    pending = Batch.objects.filter(round_id=round_obj.pk, csv_sha256="").exclude(
        status=BatchStatus.CANCELLED
    )
    if bank:
        pending = pending.filter(bank=bank)
    return [batch_files_write(batch=b) for b in pending.order_by("id")]


def batch_download(*, actor: User, batch: Batch, file_format: str, channel: str = "web") -> Path:
    """The path of a transfer file for someone allowed to see every NIK in it; logged."""
    _require(actor)
    _require_region(actor, batch.region_code)
    if file_format not in files.FORMATS:
        raise PaymentError(PE.PERMISSION_DENIED)
    if batch.status == BatchStatus.CANCELLED:
        # A cancelled batch must not reach a bank by mistake.
        raise PaymentError(PE.BATCH_CANCELLED, reference=batch.reference)
    batch = batch_files_write(batch=batch)
    BatchDownload.objects.create(
        batch=batch, actor=actor, file_format=file_format, channel=channel, at=timezone.now()
    )
    return files.batch_path(batch, file_format)


def batch_cancel(*, actor: User, batch: Batch, reason: str) -> Batch:
    """Withdraw a batch the bank has not answered (wrong file, the bank refused it whole):
    its payments go back to waiting, committed or failed as they were before it."""
    _require(actor)
    if not reason.strip():
        raise PaymentError(PE.REASON_REQUIRED)
    with transaction.atomic():
        Round.objects.select_for_update().get(pk=batch.round_id)
        locked = Batch.objects.select_for_update().get(pk=batch.pk)
        _require_region(actor, locked.region_code)
        if locked.status == BatchStatus.CANCELLED:
            raise PaymentError(PE.BATCH_CANCELLED, reference=locked.reference)
        answered = locked.paid_count + locked.failed_count
        if answered or locked.status != BatchStatus.GENERATED:
            raise PaymentError(PE.BATCH_RETURNED, answered=answered)
        now = timezone.now()
        pipeline.payments_of_batch_restore(batch_id=locked.pk, at=now)
        Batch.objects.filter(pk=locked.pk).update(status=BatchStatus.CANCELLED)
        _event(locked.round_id, actor, "batch_cancelled", batch=locked.reference,
               reason=reason.strip()[:300])  # fmt: skip
    locked.refresh_from_db()
    return locked


def payment_fix(*, actor: User, payment: Payment, note: str, bank: str = "") -> Payment:
    """What an officer corrected after a failure (the bank account, or another paying bank),
    before the follow-up batch sends the payment again."""
    _require(actor)
    if not note.strip():
        raise PaymentError(PE.NOTE_REQUIRED)
    with transaction.atomic():
        round_obj = Round.objects.select_for_update().get(pk=payment.round_id)
        locked = (
            Payment.objects.select_for_update().select_related("application").get(pk=payment.pk)
        )
        _require_region(actor, locked.application.region_code)
        if locked.status != PaymentStatus.FAILED:
            raise PaymentError(PE.PAYMENT_NOT_FAILED, status=PaymentStatus(locked.status).label)
        new_bank = _bank(round_obj, bank) if bank.strip() else locked.bank
        old_bank = locked.bank
        Payment.objects.filter(pk=locked.pk).update(
            fix_note=note.strip()[:300], bank=new_bank, updated_at=timezone.now()
        )
        _event(round_obj.pk, actor, "payment_fixed", payment=locked.pk, note=note.strip()[:300],
               bank_before=old_bank, bank_after=new_bank)  # fmt: skip
    locked.refresh_from_db()
    return locked


# --- return files -----------------------------------------------------------------------------


def return_import(
    *, actor: User, batch: Batch, content: IO[bytes], original_name: str
) -> ReturnImport:
    """Keep the bank's return file and reconcile it: now for a small file, by a worker for a
    large one. The same bytes uploaded again for the batch return the first import and
    change nothing."""
    item, size = return_import_create(
        actor=actor, batch=batch, content=content, original_name=original_name
    )
    if return_import_resumable(item):
        return return_import_resume(actor=actor, item=item)
    if item.status != ImportStatus.QUEUED:
        return item
    if size <= RETURN_INLINE_BYTES:
        return return_import_run(import_id=item.pk)
    from pulih.payments.tasks import return_import_task

    transaction.on_commit(lambda: return_import_task.enqueue(item.pk))
    return item


def return_import_create(
    *, actor: User, batch: Batch, content: IO[bytes], original_name: str
) -> tuple[ReturnImport, int]:
    """The stored file and its import row (queued), or the earlier import of the same bytes;
    and the file's size."""
    from pulih.intake.reader import file_format

    _require(actor)
    _require_region(actor, batch.region_code)
    if batch.status == BatchStatus.CANCELLED:
        raise PaymentError(PE.BATCH_CANCELLED, reference=batch.reference)
    fmt = file_format(original_name)
    folder = files.batch_dir(batch) / "returns"
    folder.mkdir(parents=True, exist_ok=True)
    incoming = folder / f"upload-{uuid.uuid4().hex}.{fmt}"
    digest = hashlib.sha256()
    size = 0
    with incoming.open("wb") as out:
        for block in iter(lambda: content.read(1024 * 1024), b""):
            digest.update(block)
            size += len(block)
            out.write(block)
    sha = digest.hexdigest()
    existing = _return_import_same(batch, sha)
    if existing is not None:
        incoming.unlink(missing_ok=True)
        return existing, size
    try:
        with transaction.atomic():
            item = ReturnImport.objects.create(
                batch=batch, original_name=Path(original_name).name[:255], stored_name="",
                sha256=sha, created_by=actor, created_at=timezone.now(),
            )  # fmt: skip
            stored = folder / f"{item.pk}.{fmt}"
            os.replace(incoming, stored)
            ReturnImport.objects.filter(pk=item.pk).update(stored_name=stored.name)
            item.stored_name = stored.name
    except IntegrityError:
        # The same file uploaded twice at once: the other upload's import is this one's.
        incoming.unlink(missing_ok=True)
        same = _return_import_same(batch, sha)
        if same is None:
            raise
        return same, size
    return item, size


def return_import_resumable(item: ReturnImport) -> bool:
    """A worker died under it: queued or running for too long, or reconciled but its report of
    rejected and unanswered rows never written."""
    now = timezone.now()
    if item.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        since = item.started_at or item.created_at
        return (now - since).total_seconds() > RETURN_STALE_SECONDS
    return (
        item.status == ImportStatus.DONE
        and _report_missing(item)
        and item.finished_at is not None
        and (now - item.finished_at).total_seconds() > RETURN_REPORT_GRACE_SECONDS
    )


def _report_missing(item: ReturnImport) -> bool:
    return bool(item.rejected_count or item.missing_count) and not item.report_name


def return_import_resume(*, actor: User, item: ReturnImport) -> ReturnImport:
    """Run an import its worker left unfinished. Running it twice is harmless (the second run
    finds it reconciled under the batch's lock), so this only refuses what is not stuck."""
    _require(actor)
    _require_region(actor, item.batch.region_code)
    if not return_import_resumable(item):
        raise PaymentError(PE.IMPORT_NOT_RESUMABLE, status=item.get_status_display())
    RoundEvent.objects.create(
        round_id=item.batch.round_id, actor=actor, action="return_import_resumed",
        detail={"batch": item.batch.reference, "file": item.original_name},
    )  # fmt: skip
    path = files.batch_dir(item.batch) / "returns" / item.stored_name
    if not path.exists() or path.stat().st_size <= RETURN_INLINE_BYTES:
        return return_import_run(import_id=item.pk)  # a lost file fails the import with a reason
    from pulih.payments.tasks import return_import_task

    ReturnImport.objects.filter(pk=item.pk, status=ImportStatus.RUNNING).update(
        status=ImportStatus.QUEUED
    )
    transaction.on_commit(lambda: return_import_task.enqueue(item.pk))
    item.refresh_from_db()
    return item


def _return_import_same(batch: Batch, sha: str) -> ReturnImport | None:
    return (
        ReturnImport.objects.filter(batch=batch, sha256=sha)
        .exclude(status=ImportStatus.FAILED)
        .first()
    )


def return_import_run(*, import_id: int) -> ReturnImport:
    """Reconcile one stored return file: every accepted line and its payment in two bulk
    updates, one ledger entry per payment paid, the batch's counters; then the report of
    rejected rows and unanswered lines. File-level refusals fail the import with a message."""
    item = ReturnImport.objects.select_related("batch").get(pk=import_id)
    if item.status == ImportStatus.DONE and _report_missing(item):
        return _return_report_rewrite(item)
    if item.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return item
    # Not a claim: a worker killed mid-way leaves "running" and nothing else (its transaction
    # rolled back), so running again is allowed; two runs at once are sorted out in
    # _reconcile, under the batch's lock. Only an unfinished import is marked: a run that
    # read the row before another run finished must not turn "done" back into "running".
    unfinished = ReturnImport.objects.filter(
        pk=item.pk, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    )
    if not unfinished.update(status=ImportStatus.RUNNING, started_at=timezone.now()):
        item.refresh_from_db()
        return item
    try:
        table, frame = _return_file_read(item)
        plan = _reconcile(item, frame)
    except (PaymentError, IntakeError) as exc:
        unfinished.update(
            status=ImportStatus.FAILED, error_message=exc.message[:500],
            finished_at=timezone.now(),
        )  # fmt: skip
        item.refresh_from_db()
        return item
    except Exception:
        # Nothing was reconciled (one transaction); say so, rather than stay "running" forever
        # and answer every later upload of the same file with this import.
        unfinished.update(
            status=ImportStatus.FAILED, finished_at=timezone.now(),
            error_message=gettext("Berkas tidak dapat diproses karena kesalahan sistem; tidak ada "
                            "yang berubah. Hubungi administrator."),
        )  # fmt: skip
        raise
    if plan is not None and (plan.rejected.height or plan.missing.height):
        report = files.return_report_write(item, plan.rejected, table.frame, plan.missing)
        ReturnImport.objects.filter(pk=item.pk).update(report_name=report.name)
    item.refresh_from_db()
    return item


def _return_file_read(item: ReturnImport) -> tuple[Table, pl.DataFrame]:
    """The import's stored file, read and checked, and its lines as a frame."""
    path = files.batch_dir(item.batch) / "returns" / item.stored_name
    table = returns.return_read(
        path, item.original_name, max_bytes=settings.PULIH_INTAKE_MAX_BYTES,
        max_rows=settings.PULIH_INTAKE_MAX_ROWS,
    )  # fmt: skip
    return table, returns.return_frame(table, returns.return_columns(table.headers))


def _return_report_rewrite(item: ReturnImport) -> ReturnImport:
    """The report of a reconciled import whose worker died before writing it: the file read
    and checked again against the batch as it is now (its rejected rows are rejected for the
    same reasons; the rows it paid read as already recorded; "not answered" means not answered
    by any file so far, so after later imports it can hold fewer lines than the count)."""
    try:
        table, frame = _return_file_read(item)
        plan = returns.reconcile(
            frame, pipeline.batch_lines(item.batch_id), batch_reference=item.batch.reference
        )
    except (PaymentError, IntakeError, OSError):
        return item  # the file was read once; it reads now, or the counts stay without a report
    report = files.return_report_write(item, plan.rejected, table.frame, plan.missing)
    ReturnImport.objects.filter(pk=item.pk).update(report_name=report.name)
    item.refresh_from_db()
    return item


def _reconcile(item: ReturnImport, frame: pl.DataFrame) -> pipeline.Reconciliation | None:
    with transaction.atomic():
        batch = Batch.objects.select_for_update().get(pk=item.batch_id)
        if ReturnImport.objects.filter(pk=item.pk, status=ImportStatus.DONE).exists():
            return None  # another run of this import finished while this one read the file
        if batch.status == BatchStatus.CANCELLED:
            raise PaymentError(PE.BATCH_CANCELLED, reference=batch.reference)
        if pipeline.lines_out_of_step(batch.pk):
            raise RuntimeError(f"{batch.reference}: open lines of payments not sent")
        plan = returns.reconcile(
            frame, pipeline.batch_lines(batch.pk), batch_reference=batch.reference
        )
        now = timezone.now()
        # Every reference written here is to a row this transaction holds: the import and the
        # actor (key share), the round (its total's UPDATE), the payments (their UPDATE) and
        # through them their persons. So the per-row foreign-key triggers may sit this out.
        key_share("payments_returnimport", item.pk)
        key_share("accounts_user", item.created_by_id)
        with pipeline.row_triggers_off():
            pipeline.reconciliation_write(plan, batch_id=batch.pk, import_id=item.pk, at=now)
            ledger_post_query(
                round_id=batch.round_id, kind=LedgerKind.DISBURSE,
                query=pipeline.PAID_BY_IMPORT, params=[batch.pk, item.pk], decision_id=None,
                actor_id=item.created_by_id, at=now,
            )  # fmt: skip
        paid_count, paid_total = plan.totals("paid")
        failed_count, failed_total = plan.totals("failed")
        left = pipeline.pending_left(batch.pk)
        answered = batch.paid_count + batch.failed_count + paid_count + failed_count
        status = (
            BatchStatus.RECONCILED
            if left == 0
            else BatchStatus.PARTIAL
            if answered
            else BatchStatus.GENERATED
        )
        Batch.objects.filter(pk=batch.pk).update(
            status=status,
            paid_count=F("paid_count") + paid_count,
            paid_total=F("paid_total") + paid_total,
            failed_count=F("failed_count") + failed_count,
            failed_total=F("failed_total") + failed_total,
            returned_at=now if plan.accepted.height else batch.returned_at,
        )
        ReturnImport.objects.filter(pk=item.pk).update(
            status=ImportStatus.DONE, rows_read=frame.height, paid_count=paid_count,
            paid_total=paid_total, failed_count=failed_count, failed_total=failed_total,
            already_count=plan.already, rejected_count=plan.rejected.height,
            missing_count=plan.missing.height, finished_at=now,
        )  # fmt: skip
        RoundEvent.objects.create(
            round_id=batch.round_id, actor_id=item.created_by_id, action="return_imported",
            detail={"batch": batch.reference, "file": item.original_name, "paid": paid_count,
                    "failed": failed_count, "rejected": plan.rejected.height},
        )  # fmt: skip
    return plan


# --- goods ------------------------------------------------------------------------------------


def handover_photo_path(handover: Handover) -> Path:
    return files.round_dir(handover.round_id) / "handovers" / f"{handover.photo}.jpg"


def _photo_prepare(photo: UploadedFile | None) -> bytes:
    """Re-encoded as the registry does product photos: EXIF (a home's GPS position) dropped,
    size bounded, anything image-shaped turned into a plain JPEG."""
    from pulih.registry.error_codes import RegistryError, RegistryErrorCode
    from pulih.registry.services import photo_prepare

    if photo is None:
        raise PaymentError(PE.PHOTO_REQUIRED)
    try:
        return photo_prepare(photo).content
    except RegistryError as exc:
        if exc.code == RegistryErrorCode.PHOTO_TOO_LARGE:
            raise PaymentError(PE.PHOTO_TOO_LARGE, **exc.params) from exc
        raise PaymentError(PE.PHOTO_NOT_IMAGE) from exc


def handover_record(
    *, actor: User, handover: Handover, handed_at: date, photo: UploadedFile | None,
    note: str = "", today: date | None = None,
) -> Handover:  # fmt: skip
    """The package reached its recipient: when, by whom, with a photo; its value is disbursed
    in the ledger. A handover is recorded once."""
    _require(actor)
    today = today or timezone.localdate()
    content = _photo_prepare(photo)
    with transaction.atomic():
        locked = Handover.objects.select_for_update().select_related("round").get(pk=handover.pk)
        _require_region(actor, locked.region_code)
        if locked.status != HandoverStatus.PENDING:
            raise PaymentError(
                PE.TRANSITION_NOT_ALLOWED,
                old=HandoverStatus(locked.status).label,
                new=HandoverStatus.HANDED_OVER.label,
            )
        if handed_at > today:
            raise PaymentError(PE.HANDOVER_DATE_IN_FUTURE)
        if handed_at < locked.round.opens_on:
            raise PaymentError(
                PE.HANDOVER_DATE_BEFORE_ROUND, opens=locked.round.opens_on.strftime("%d-%m-%Y")
            )
        locked.photo = secrets.token_hex(16)
        path = handover_photo_path(locked)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(content)
        # Before the commit: a photo without its row is harmless, a row without its photo not.
        os.replace(tmp, path)
        now = timezone.now()
        Handover.objects.filter(pk=locked.pk).update(
            status=HandoverStatus.HANDED_OVER, handed_at=handed_at, handed_by=actor,
            photo=locked.photo, note=note.strip()[:300],
        )  # fmt: skip
        ledger_post(
            round_id=locked.round_id, kind=LedgerKind.DISBURSE,
            lines=[(locked.person_id, locked.value, f"payments.handover:{locked.pk}")],
            decision_id=locked.decision_id, actor_id=actor.pk, at=now,
        )  # fmt: skip
    locked.refresh_from_db()
    return locked


def distribution_list_write(*, actor: User, round_obj: Round, district_code: str) -> Path:
    """The XLSX of one district's recipients (NIK masked) for the officers on the ground."""
    from pulih.reference.models import Region, RegionLevel

    _require(actor)
    round_obj = Round.objects.select_related("programme").get(pk=round_obj.pk)
    _goods_round(round_obj)
    _require_region(actor, district_code)
    district = Region.objects.filter(code=district_code, level=RegionLevel.DISTRICT).first()
    if district is None:
        raise PaymentError(PE.PERMISSION_DENIED)
    handovers = list(
        Handover.objects.filter(
            round=round_obj,
            region_code__gte=district_code + ".",
            region_code__lt=district_code + "/",
        )
        .exclude(status=HandoverStatus.CANCELLED)
        .order_by("region_code", "id")
        .values_list("person__full_name", "person__nik_masked", "application__business__address",
                     "region_code", "items", "value", "status", "handed_at")
    )  # fmt: skip
    villages = dict(
        Region.objects.filter(code__in={h[3] for h in handovers}).values_list("code", "name")
    )
    rows = [
        (name, nik, address, villages.get(region, region), files.items_text(_items(items)),
         value, str(HandoverStatus(status).label),
         handed.strftime("%d-%m-%Y") if handed else "")
        for name, nik, address, region, items, value, status, handed in handovers
    ]  # fmt: skip
    return files.distribution_write(
        round_obj, (district_code, district.name), rows, round_obj.created_at
    )


def _items(value: Any) -> list[dict[str, Any]]:
    # Written in bulk as JSON text: SQLite may hand it back as text.
    return json.loads(value) if isinstance(value, str) else list(value or [])
