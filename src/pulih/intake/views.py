"""Officer screens for proposer lists: upload, column mapping, progress, report, proposed changes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from pulih.intake import pipeline, selectors, services
from pulih.intake.error_codes import IntakeError
from pulih.intake.forms import UploadForm, field_choices
from pulih.intake.models import JobStatus
from pulih.paging import CappedPaginator

JOBS_PAGE_SIZE = 20
CHANGES_PAGE_SIZE = 50
CHANGE_FIELD_LABELS = {
    "full_name": gettext_lazy("Nama lengkap"),
    "name_titles": gettext_lazy("Gelar"),
    "birth_place": gettext_lazy("Tempat lahir"),
    "birth_date": gettext_lazy("Tanggal lahir"),
    "sex": gettext_lazy("Jenis kelamin"),
    "phone": gettext_lazy("Nomor HP"),
    "email": gettext_lazy("Surel"),
    "address": gettext_lazy("Alamat"),
    "rt": "RT",
    "rw": "RW",
    "village_id": gettext_lazy("Kelurahan/desa"),
    "postcode": gettext_lazy("Kode pos"),
    "nib": "NIB",
    "kbli_section_id": gettext_lazy("Sektor (KBLI)"),
    "kbli_code": gettext_lazy("Kode KBLI"),
    "description": gettext_lazy("Bidang usaha"),
    "capital": gettext_lazy("Modal usaha (Rp)"),
    "annual_sales": gettext_lazy("Penjualan tahunan (Rp)"),
    "monthly_turnover": gettext_lazy("Omzet per bulan (Rp)"),
    "employees": gettext_lazy("Jumlah pekerja"),
    "started_year": gettext_lazy("Tahun mulai usaha"),
}


def importer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.role not in services.IMPORTING_ROLES and not request.user.is_superuser:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@importer_required
def job_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.job_create(
                actor=request.user,
                source_name=form.cleaned_data["source"],
                original_name=upload.name,
                content=upload,
                sheet=form.cleaned_data["sheet"],
            )
        except IntakeError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("intake:job_mapping", pk=job.pk)
    page = CappedPaginator(selectors.job_list(user=request.user), JOBS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "intake/job_list.html",
        {"form": form, "page": page, "sources": selectors.source_names()},
        status=400 if form.errors else 200,
    )


@importer_required
def job_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(user=request.user, pk=pk)
    if job.status != JobStatus.MAPPING:
        return redirect("intake:job_detail", pk=job.pk)
    error = ""
    mapping = dict(job.mapping)
    if request.method == "POST":
        mapping = {h: request.POST.get(f"col-{i}", "") for i, h in enumerate(job.headers)}
        try:
            services.job_start(
                actor=request.user,
                job=job,
                mapping=mapping,
                save_template=request.POST.get("save_template") == "on",
            )
        except IntakeError as exc:
            error = exc.message
        else:
            return redirect("intake:job_detail", pk=job.pk)
    rows, sheets = job.sample, job.sheets
    columns = [
        {
            "index": i,
            "header": header,
            "field": mapping.get(header, ""),
            "samples": [row[i] for row in rows[:3] if i < len(row)],
        }
        for i, header in enumerate(job.headers)
    ]
    return render(
        request,
        "intake/job_mapping.html",
        {"job": job, "columns": columns, "choices": field_choices(), "error": error,
         "sheets": sheets},
        status=400 if error else 200,
    )  # fmt: skip


@importer_required
@require_POST
def job_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(user=request.user, pk=pk)
    try:
        services.job_sheet_set(actor=request.user, job=job, sheet=request.POST.get("sheet", ""))
    except IntakeError as exc:
        messages.error(request, exc.message)
    return redirect("intake:job_mapping", pk=job.pk)


def _job_context(job: Any) -> dict[str, Any]:
    return {
        "job": job,
        "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
        "stale": services.job_is_stale(job),
        "report_ready": job.status == JobStatus.DONE and pipeline.report_path(job).exists(),
    }


@importer_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(user=request.user, pk=pk)
    template = (
        "intake/_job_progress.html"
        if request.headers.get("HX-Request")
        else "intake/job_detail.html"
    )
    return render(request, template, _job_context(job))


@importer_required
@require_POST
def job_resume(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(user=request.user, pk=pk)
    try:
        services.job_resume(actor=request.user, job=job)
    except IntakeError as exc:
        messages.error(request, exc.message)
    return redirect("intake:job_detail", pk=job.pk)


@importer_required
def job_report(request: HttpRequest, pk: int) -> FileResponse:
    job = selectors.job_get(user=request.user, pk=pk)
    path = pipeline.report_path(job)
    if job.status != JobStatus.DONE or not path.exists():
        raise Http404
    stem = job.original_name.rsplit(".", 1)[0][:80]
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"ditolak-{stem}.xlsx")


@importer_required
def change_list(request: HttpRequest) -> HttpResponse:
    job_id = request.GET.get("impor")
    qs = selectors.proposed_change_list(
        user=request.user, job_id=int(job_id) if job_id and job_id.isdigit() else None
    )
    page = CappedPaginator(qs, CHANGES_PAGE_SIZE).get_page(request.GET.get("page"))
    for change in page.object_list:
        change.field_label = CHANGE_FIELD_LABELS.get(change.field, change.field)
        change.shown_value = services.proposed_value_shown(change)
    return render(request, "intake/change_list.html", {"page": page})


@importer_required
@require_POST
def change_decide(request: HttpRequest, pk: int) -> HttpResponse:
    change = selectors.proposed_change_get(user=request.user, pk=pk)
    accept = request.POST.get("decision") == "accept"
    try:
        services.proposed_change_decide(actor=request.user, change=change, accept=accept)
    except IntakeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Usulan diterima dan diterapkan.") if accept else _("Usulan diabaikan.")
        )
    return redirect("intake:change_list")
