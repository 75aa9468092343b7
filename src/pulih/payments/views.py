"""Officer screens for disbursement: a round's banks and batches, the confirmation before a
batch is made, a batch with its files and return files, failed payments and their fixes, and
goods handovers with their distribution lists."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pulih.intake.error_codes import IntakeError
from pulih.paging import CappedPaginator
from pulih.payments import files, selectors, services
from pulih.payments.error_codes import PaymentError
from pulih.payments.models import (
    BatchStatus,
    HandoverStatus,
    ImportStatus,
    LineStatus,
    PaymentStatus,
)
from pulih.programmes.kinds import KINDS

BATCHES_PAGE_SIZE = 20
LINES_PAGE_SIZE = 50
PAYMENTS_PAGE_SIZE = 50
HANDOVERS_PAGE_SIZE = 50
FOLLOW_UP = "ulang"  # ?jenis=ulang: a follow-up batch of failed payments


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Owners, partners and leaders get the 404 a missing page gives: nothing to see here."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.role not in selectors.STAFF_ROLES and not request.user.is_superuser:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _pays_through_banks(round_obj: Any) -> bool:
    return KINDS[round_obj.programme.kind].pays_through_banks


@staff_required
def batch_list(request: HttpRequest, round_id: int) -> HttpResponse:
    round_obj = selectors.round_get(user=request.user, round_id=round_id)
    if not _pays_through_banks(round_obj):
        return redirect("payments:handover_list", round_id=round_obj.pk)
    page = CappedPaginator(
        selectors.batch_list(user=request.user, round_obj=round_obj), BATCHES_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/batch_list.html",
        {
            "round": round_obj,
            "queues": selectors.bank_queues(user=request.user, round_obj=round_obj),
            "page": page,
            "follow_up": FOLLOW_UP,
        },
    )


@staff_required
def batch_confirm(request: HttpRequest, round_id: int) -> HttpResponse:
    """GET: what the batch will hold, and a one-time key; POST: make it (once per key)."""
    round_obj = selectors.round_get(user=request.user, round_id=round_id)
    if not _pays_through_banks(round_obj):
        raise Http404
    source = request.POST if request.method == "POST" else request.GET
    bank = source.get("bank", "").strip().upper()
    follow_up = source.get("jenis") == FOLLOW_UP
    queue = next(
        (q for q in selectors.bank_queues(user=request.user, round_obj=round_obj)
         if q.bank == bank),
        None,
    )  # fmt: skip
    if queue is None:
        raise Http404
    if request.method == "POST":
        make = services.batch_follow_up_generate if follow_up else services.batch_generate
        try:
            batch = make(
                actor=request.user, round_obj=round_obj, bank=bank,
                request_key=request.POST.get("request_key", ""),
            )  # fmt: skip
        except PaymentError as exc:
            messages.error(request, exc.message)
            return redirect("payments:batch_list", round_id=round_obj.pk)
        messages.success(
            request,
            _("Batch %(reference)s dibuat: %(count)s baris.")
            % {"reference": batch.reference, "count": batch.control_count},
        )
        return redirect("payments:batch_detail", pk=batch.pk)
    count, total = (
        (queue.failed_count, queue.failed_total)
        if follow_up
        else (queue.waiting_count, queue.waiting_total)
    )
    return render(
        request,
        "payments/batch_confirm.html",
        {
            "round": round_obj,
            "bank": bank,
            "follow_up": follow_up,
            "follow_up_value": FOLLOW_UP,
            "count": count,
            "total": total,
            "request_key": uuid.uuid4().hex,
        },
    )


def _import_context(item: Any) -> dict[str, Any]:
    resumable = services.return_import_resumable(item)
    return {
        "item": item,
        "running": item.status in (ImportStatus.QUEUED, ImportStatus.RUNNING) and not resumable,
        "resumable": resumable,
    }


@staff_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Pilih berkas balikan bank (.csv atau .xlsx)."))
        else:
            try:
                item = services.return_import(
                    actor=request.user, batch=batch, content=upload, original_name=upload.name
                )
            except (PaymentError, IntakeError) as exc:
                messages.error(request, exc.message)
            else:
                if item.status == ImportStatus.FAILED:
                    messages.error(request, item.error_message)
                return redirect(reverse("payments:batch_detail", args=[batch.pk]) + "#balikan")
        return redirect("payments:batch_detail", pk=batch.pk)
    status = request.GET.get("status", "")
    page = CappedPaginator(
        selectors.line_list(batch=batch, status=status), LINES_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    imports = list(selectors.import_list(batch=batch)[:20])
    return render(
        request,
        "payments/batch_detail.html",
        {
            "batch": batch,
            "round": batch.round,
            "page": page,
            "status": status,
            "statuses": LineStatus.choices,
            "imports": [_import_context(i) for i in imports],
            "query": urlencode({"status": status}) if status else "",
            "files_ready": bool(batch.csv_sha256),
            "cancellable": batch.status == BatchStatus.GENERATED,
            "cancelled": batch.status == BatchStatus.CANCELLED,
        },
    )


@staff_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One return file's summary (htmx polls it while a worker reconciles)."""
    item = selectors.import_get(user=request.user, pk=pk)
    return render(request, "payments/_import.html", _import_context(item))


@staff_required
@require_POST
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Run again an import whose worker died (stuck, or its report never written)."""
    item = selectors.import_get(user=request.user, pk=pk)
    try:
        item = services.return_import_resume(actor=request.user, item=item)
    except PaymentError as exc:
        messages.error(request, exc.message)
    else:
        if item.status == ImportStatus.DONE:
            messages.success(request, _("Berkas balikan selesai diproses ulang."))
        elif item.status == ImportStatus.FAILED:
            messages.error(request, item.error_message)
        else:
            messages.info(request, _("Berkas balikan diantrekan untuk diproses ulang."))
    return redirect(reverse("payments:batch_detail", args=[item.batch_id]) + "#balikan")


@staff_required
def batch_file(request: HttpRequest, pk: int, file_format: str) -> FileResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    try:
        path = services.batch_download(actor=request.user, batch=batch, file_format=file_format)
    except PaymentError:
        raise Http404 from None
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=path.name,
        content_type=files.CONTENT_TYPES[file_format],
    )


@staff_required
@require_POST
def batch_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    try:
        services.batch_cancel(
            actor=request.user, batch=batch, reason=request.POST.get("reason", "")
        )
    except PaymentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Batch dibatalkan; pembayarannya kembali menunggu."))
    return redirect("payments:batch_detail", pk=batch.pk)


@staff_required
def import_report(request: HttpRequest, pk: int) -> FileResponse:
    item = selectors.import_get(user=request.user, pk=pk)
    path = files.return_report_path(item)
    if not item.report_name or not path.exists():
        raise Http404
    stem = item.original_name.rsplit(".", 1)[0][:80]
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"balikan-ditolak-{stem}.xlsx",
        content_type=files.CONTENT_TYPES["xlsx"],
    )  # fmt: skip


@staff_required
def payment_list(request: HttpRequest, round_id: int) -> HttpResponse:
    round_obj = selectors.round_get(user=request.user, round_id=round_id)
    status = request.GET.get("status", PaymentStatus.FAILED.value)
    page = CappedPaginator(
        selectors.payment_list(user=request.user, round_obj=round_obj, status=status),
        PAYMENTS_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/payment_list.html",
        {
            "round": round_obj,
            "page": page,
            "status": status,
            "statuses": PaymentStatus.choices,
            "query": urlencode({"status": status}),
        },  # fmt: skip
    )


@staff_required
@require_POST
def payment_fix(request: HttpRequest, pk: int) -> HttpResponse:
    payment = selectors.payment_get(user=request.user, pk=pk)
    try:
        services.payment_fix(
            actor=request.user, payment=payment, note=request.POST.get("note", ""),
            bank=request.POST.get("bank", ""),
        )  # fmt: skip
    except PaymentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Perbaikan dicatat; pembayaran ikut batch ulang berikutnya."))
    return redirect(
        reverse("payments:payment_list", args=[payment.round_id]) + f"?status={payment.status}"
    )


# --- goods --------------------------------------------------------------------------------------


@staff_required
def handover_list(request: HttpRequest, round_id: int) -> HttpResponse:
    round_obj = selectors.round_get(user=request.user, round_id=round_id)
    if _pays_through_banks(round_obj):
        return redirect("payments:batch_list", round_id=round_obj.pk)
    status = request.GET.get("status", "")
    district = request.GET.get("kecamatan", "")
    page = CappedPaginator(
        selectors.handover_list(
            user=request.user, round_obj=round_obj, status=status, district=district
        ),
        HANDOVERS_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/handover_list.html",
        {
            "round": round_obj,
            "page": page,
            "status": status,
            "district": district,
            "statuses": HandoverStatus.choices,
            "districts": selectors.handover_districts(user=request.user, round_obj=round_obj),
            "query": urlencode(
                {k: v for k, v in (("status", status), ("kecamatan", district)) if v}
            ),
            "today": timezone.localdate().isoformat(),
        },
    )


@staff_required
@require_POST
def handover_record(request: HttpRequest, pk: int) -> HttpResponse:
    handover = selectors.handover_get(user=request.user, pk=pk)
    try:
        handed_at = date.fromisoformat(request.POST.get("handed_at", ""))
    except ValueError:
        messages.error(request, _("Tanggal serah terima tidak terbaca."))
    else:
        try:
            services.handover_record(
                actor=request.user, handover=handover, handed_at=handed_at,
                photo=request.FILES.get("photo"), note=request.POST.get("note", ""),
            )  # fmt: skip
        except PaymentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Serah terima untuk %(name)s dicatat.") % {"name": handover.person.full_name},
            )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("payments:handover_list", args=[handover.round_id])
    return redirect(back)


@staff_required
def handover_photo(request: HttpRequest, pk: int) -> FileResponse:
    handover = selectors.handover_get(user=request.user, pk=pk)
    path = services.handover_photo_path(handover)
    if not handover.photo or not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), content_type="image/jpeg")


@staff_required
def distribution_list(request: HttpRequest, round_id: int, district: str) -> FileResponse:
    round_obj = selectors.round_get(user=request.user, round_id=round_id)
    try:
        path = services.distribution_list_write(
            actor=request.user, round_obj=round_obj, district_code=district
        )
    except PaymentError:
        raise Http404 from None
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name,
        content_type=files.CONTENT_TYPES["xlsx"],
    )  # fmt: skip
