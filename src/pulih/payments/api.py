"""Disbursement over REST: a round's batches, one batch with its return files, and the upload
of a bank's return file. Every batch comes from a scoped selector: one whose recipients lie
outside the user's regions is a 404 here as on the web."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from pulih.accounts.models import User
from pulih.intake.error_codes import IntakeError
from pulih.paging import capped_count
from pulih.payments import selectors, services
from pulih.payments.error_codes import PaymentError, PaymentErrorCode as PE
from pulih.payments.models import Batch, ReturnImport
from pulih.registry.schemas import ErrorOut, PageQuery

router = Router(tags=["penyaluran"])

_ERROR_STATUS = {
    PE.PERMISSION_DENIED: 403,
    PE.BATCH_CANCELLED: 409,
    PE.TRANSITION_NOT_ALLOWED: 409,
}


def payment_error_handler(request: HttpRequest, exc: PaymentError) -> HttpResponse:
    """Registered on the NinjaAPI in config/api.py: `{"code", "detail"}` with 400, 403 or 409."""
    return JsonResponse(
        {"code": str(exc.code), "detail": exc.message}, status=_ERROR_STATUS.get(exc.code, 400)
    )


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


class BatchOut(Schema):
    id: int
    reference: str
    round_id: int
    bank: str
    number: int
    attempt: int
    status: str
    status_label: str
    control_count: int
    control_total: int
    paid_count: int
    paid_total: int
    failed_count: int
    failed_total: int
    csv_sha256: str
    xlsx_sha256: str
    created_at: datetime
    returned_at: datetime | None


class BatchPageOut(Schema):
    count: int
    count_exact: bool
    items: list[BatchOut]


class ReturnImportOut(Schema):
    id: int
    batch_id: int
    original_name: str
    sha256: str
    status: str
    status_label: str
    error: str
    rows_read: int
    paid_count: int
    paid_total: int
    failed_count: int
    failed_total: int
    already_count: int
    rejected_count: int
    not_in_file_count: int
    rejected_report: bool
    created_at: datetime
    finished_at: datetime | None


class BatchDetailOut(BatchOut):
    imports: list[ReturnImportOut]


def _batch_out(batch: Batch) -> BatchOut:
    return BatchOut(
        id=batch.pk, reference=batch.reference, round_id=batch.round_id, bank=batch.bank,
        number=batch.number, attempt=batch.attempt, status=batch.status,
        status_label=str(batch.get_status_display()), control_count=batch.control_count,
        control_total=batch.control_total, paid_count=batch.paid_count,
        paid_total=batch.paid_total, failed_count=batch.failed_count,
        failed_total=batch.failed_total, csv_sha256=batch.csv_sha256,
        xlsx_sha256=batch.xlsx_sha256, created_at=batch.created_at,
        returned_at=batch.returned_at,
    )  # fmt: skip


def _import_out(item: ReturnImport) -> ReturnImportOut:
    return ReturnImportOut(
        id=item.pk, batch_id=item.batch_id, original_name=item.original_name, sha256=item.sha256,
        status=item.status, status_label=str(item.get_status_display()),
        error=item.error_message, rows_read=item.rows_read, paid_count=item.paid_count,
        paid_total=item.paid_total, failed_count=item.failed_count,
        failed_total=item.failed_total, already_count=item.already_count,
        rejected_count=item.rejected_count, not_in_file_count=item.missing_count,
        rejected_report=bool(item.report_name), created_at=item.created_at,
        finished_at=item.finished_at,
    )  # fmt: skip


@router.get(
    "/payments/rounds/{round_id}/batches",
    response=BatchPageOut,
    summary="Batch transfer sebuah putaran (di wilayah pengguna)",
)
def batch_list(request: HttpRequest, round_id: int, query: Query[PageQuery]) -> BatchPageOut:
    user = _user(request)
    round_obj = selectors.round_get(user=user, round_id=round_id)
    qs = selectors.batch_list(user=user, round_obj=round_obj)
    count, exact = capped_count(qs)
    start = (query.page - 1) * query.page_size
    items = [_batch_out(b) for b in qs[start : start + query.page_size]]
    return BatchPageOut(count=count, count_exact=exact, items=items)


@router.get(
    "/payments/batches/{batch_id}",
    response=BatchDetailOut,
    summary="Satu batch dan berkas balikannya",
)
def batch_detail(request: HttpRequest, batch_id: int) -> BatchDetailOut:
    batch = selectors.batch_get(user=_user(request), pk=batch_id)
    imports = [_import_out(i) for i in selectors.import_list(batch=batch)[:100]]
    return BatchDetailOut(**_batch_out(batch).model_dump(), imports=imports)


@router.post(
    "/payments/batches/{batch_id}/returns",
    response={200: ReturnImportOut, 201: ReturnImportOut, 400: ErrorOut, 403: ErrorOut,
              409: ErrorOut},
    summary="Unggah berkas balikan bank (CSV/XLSX) dan cocokkan dengan batch",
    description="Berkas kecil dicocokkan langsung; berkas besar oleh pekerja latar (status "
    "`queued`, lihat `GET /payments/returns/{id}`). Berkas yang sama untuk batch yang sama "
    "menghasilkan impor yang pertama (200) dan tidak mengubah apa pun.",
)  # fmt: skip
def return_upload(request: HttpRequest, batch_id: int, file: File[UploadedFile]) -> Status:
    user = _user(request)
    batch = selectors.batch_get(user=user, pk=batch_id)
    before = set(selectors.import_list(batch=batch).values_list("pk", flat=True))
    try:
        item = services.return_import(
            actor=user, batch=batch, content=file, original_name=file.name or "balikan.csv"
        )
    except IntakeError as exc:
        return Status(400, ErrorOut(code=str(exc.code), detail=exc.message))
    return Status(200 if item.pk in before else 201, _import_out(item))


@router.get(
    "/payments/returns/{import_id}",
    response=ReturnImportOut,
    summary="Hasil pencocokan satu berkas balikan",
)
def return_detail(request: HttpRequest, import_id: int) -> ReturnImportOut:
    return _import_out(selectors.import_get(user=_user(request), pk=import_id))
