"""Officer screens: the review queue of possible duplicates and list hits, and screening lists."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pulih.intake.error_codes import IntakeError
from pulih.linkage import selectors, services
from pulih.linkage.error_codes import LinkageError
from pulih.linkage.forms import DecisionForm, ScreeningListForm
from pulih.linkage.models import CandidateKind, CandidateStatus, Outcome
from pulih.paging import CappedPaginator

PAGE_SIZE = 25


def reviewer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.role not in services.LINKAGE_ROLES and not request.user.is_superuser:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@reviewer_required
def candidate_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", CandidateStatus.OPEN)
    if status not in CandidateStatus.values:
        status = CandidateStatus.OPEN
    kind = request.GET.get("jenis", "")
    if kind not in CandidateKind.values:
        kind = ""
    qs = selectors.candidate_list(user=request.user, status=status, kind=kind)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "linkage/candidate_list.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "statuses": CandidateStatus.choices,
            "kinds": CandidateKind.choices,
            "runs": selectors.recent_runs(user=request.user, limit=5),
        },
    )


@reviewer_required
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.candidate_get(user=request.user, pk=pk)
    allowed = services.OUTCOMES[CandidateKind(candidate.kind)]
    form = DecisionForm(request.POST or None)
    form.fields["outcome"].choices = [(o.value, o.label) for o in Outcome if o in allowed]
    if request.method == "POST" and form.is_valid():
        try:
            services.candidate_decide(
                actor=request.user,
                candidate=candidate,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                keep_person_id=form.cleaned_data.get("keep") or None,
            )
        except LinkageError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Keputusan disimpan."))
            return redirect("linkage:candidate_list")
    return render(
        request,
        "linkage/candidate_detail.html",
        {
            "c": candidate,
            "form": form,
            "decisions": candidate.decisions.select_related("decided_by"),
        },
        status=400 if form.errors else 200,
    )


@reviewer_required
@require_POST
def dedupe_start(request: HttpRequest) -> HttpResponse:
    from pulih.linkage.tasks import dedupe_run_task

    dedupe_run_task.enqueue(request.user.pk)
    messages.success(request, _("Pencarian data ganda dimulai; hasilnya masuk ke antrean ini."))
    return redirect("linkage:candidate_list")


@reviewer_required
def list_index(request: HttpRequest) -> HttpResponse:
    form = ScreeningListForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory(prefix="pulih-list-") as folder:
            path = Path(folder) / f"list{Path(upload.name).suffix.lower()}"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                screening_list = services.screening_list_import(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    source=form.cleaned_data["source"],
                    as_of=form.cleaned_data["as_of"],
                    path=path,
                    original_name=upload.name,
                    sheet=form.cleaned_data["sheet"],
                )
            except (LinkageError, IntakeError) as exc:
                form.add_error("file", exc.message)
            else:
                from pulih.linkage.tasks import rescreen_task

                rescreen_task.enqueue(request.user.pk, screening_list.pk)
                messages.success(
                    request,
                    _(
                        "Daftar %(list)s disimpan: %(n)s baris; %(r)s baris ditolak. Penyaringan dimulai."
                    )
                    % {
                        "list": screening_list,
                        "n": screening_list.entry_count,
                        "r": screening_list.rejected_count,
                    },
                )
                return redirect("linkage:list_index")
    return render(
        request,
        "linkage/list_index.html",
        {"form": form, "lists": selectors.screening_lists(user=request.user),
         "runs": selectors.recent_runs(user=request.user)},
        status=400 if form.errors else 200,
    )  # fmt: skip


@reviewer_required
@require_POST
def rescreen_start(request: HttpRequest) -> HttpResponse:
    from pulih.linkage.tasks import rescreen_task

    rescreen_task.enqueue(request.user.pk, None)
    messages.success(request, _("Penyaringan ulang terhadap semua daftar terbaru dimulai."))
    return redirect("linkage:list_index")
