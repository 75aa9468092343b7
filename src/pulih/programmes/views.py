"""Programme pages. Officers and approvers (menu "Program"): programmes and their definition
versions, rounds, applications, eligibility, what-if, decisions with maker-checker, appeals.
Business owners (menu "Bantuan"): open rounds, applying, their applications and appeals.

Every write goes through programmes.services; every read through programmes.selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST
from django_tasks import TaskResultStatus

from pulih.accounts.models import User
from pulih.accounts.selectors import region_in_scope
from pulih.paging import CappedPaginator
from pulih.programmes import annex, selectors, services
from pulih.programmes.definition import parse
from pulih.programmes.error_codes import ProgrammeError, ProgrammeErrorCode as E
from pulih.programmes.forms import (
    AppealForm,
    AppealReviewForm,
    ApplicationFilterForm,
    ApplyForm,
    ApproveForm,
    DefinitionForm,
    IntakeApplicationsForm,
    PersonSearchForm,
    ProgrammeNewForm,
    ProposeForm,
    ReturnForm,
    RoundTransitionForm,
    WhatIfForm,
    add_service_error,
    evidence_discard,
    evidence_max_bytes,
    evidence_path,
    evidence_store,
)
from pulih.programmes.kinds import KINDS
from pulih.programmes.models import (
    AppealStatus,
    Application,
    ApplicationStatus,
    Decision,
    DecisionStatus,
    Round,
    RoundStatus,
)
from pulih.programmes.rules import rupiah
from pulih.registry import selectors as registry_selectors

PROGRAMMES_PAGE_SIZE = 20
VERSIONS_PAGE_SIZE = 20
APPLICATIONS_PAGE_SIZE = 25
ENTRIES_PAGE_SIZE = 50
APPEALS_PAGE_SIZE = 25
PERSON_RESULTS = 10

# Round status buttons: (target, label, confirmation) for each status a round may move to.
TRANSITION_BUTTONS = {
    RoundStatus.OPEN: (
        gettext_lazy("Buka putaran"),
        gettext_lazy("Buka putaran ini? Pemilik usaha dapat mengajukan sampai tanggal tutup."),
    ),
    RoundStatus.CLOSED: (
        gettext_lazy("Tutup putaran"),
        gettext_lazy("Tutup putaran ini? Pengajuan baru tidak diterima lagi."),
    ),
    RoundStatus.FINISHED: (
        gettext_lazy("Selesaikan putaran"),
        gettext_lazy("Nyatakan putaran ini selesai? Status ini tidak dapat dikembalikan."),
    ),
}


# Round history in words; an action another app records (batches, handovers) shows its code.
EVENT_LABELS = {
    "status": gettext_lazy("Status putaran diubah"),
    "definition_saved": gettext_lazy("Definisi program disimpan"),
    "evaluated": gettext_lazy("Kelayakan diperiksa"),
    "proposer_list": gettext_lazy("Daftar pengusul dijadikan pengajuan"),
    "decision_proposed": gettext_lazy("Penetapan diusulkan"),
    "decision_approved": gettext_lazy("Penetapan disetujui"),
    "decision_returned": gettext_lazy("Penetapan dikembalikan"),
    "appeal_submitted": gettext_lazy("Sanggahan diajukan"),
    "appeal_reviewed": gettext_lazy("Sanggahan diperiksa"),
}


def eligibility_inline_limit() -> int:
    """Rounds up to this many applications are checked within the request; larger ones by a
    worker, with progress on the page."""
    return int(getattr(settings, "PULIH_ELIGIBILITY_INLINE_APPLICATIONS", 5000))


def staff_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not selectors.is_staff(_user(request)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def owner_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not selectors.is_owner(_user(request)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    # Every view here is behind login_required: the user is a signed-in account.
    return cast(User, request.user)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def _can_define(request: HttpRequest) -> bool:
    user = _user(request)
    return user.is_superuser or user.role in services.DEFINING_ROLES


def _can_prepare(request: HttpRequest) -> bool:
    user = _user(request)
    return user.is_superuser or user.role in services.PREPARING_ROLES


def _can_approve(request: HttpRequest) -> bool:
    user = _user(request)
    return user.is_superuser or user.role in services.APPROVING_ROLES


def _follow_up(round_obj: Round) -> tuple[str, str] | None:
    """(url, label) of the round's benefit screen (batches or handovers), once that app has
    its pages; before that the link is simply not shown."""
    kind = KINDS.get(round_obj.programme.kind)
    if kind is None:
        return None
    try:
        url = reverse(kind.follow_up, kwargs={"round_id": round_obj.pk})
    except NoReverseMatch:
        return None
    label = _("Penyaluran dan berkas bank") if kind.pays_through_banks else _("Serah terima")
    return url, label


def _transitions(round_obj: Round) -> list[dict[str, str]]:
    return [
        {"to": to.value, "label": str(label), "confirm": str(confirm)}
        for to, (label, confirm) in TRANSITION_BUTTONS.items()
        if round_obj.status in services.ROUND_TRANSITIONS[to]
    ]


def _page(request: HttpRequest, qs: Any, size: int) -> Any:
    return CappedPaginator(qs, size).get_page(request.GET.get("page"))


# --- programmes ----------------------------------------------------------------------------------


@staff_required
def programme_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.programme_list(user=_user(request)), PROGRAMMES_PAGE_SIZE)
    programmes = list(page.object_list)
    rounds = selectors.rounds_of(programmes)
    rows = [{"programme": p, "rounds": rounds[p.pk]} for p in programmes]
    return render(
        request,
        "programmes/programme_list.html",
        {"page": page, "rows": rows, "can_define": _can_define(request)},
    )


@staff_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=_user(request), pk=pk)
    rounds = selectors.rounds_of([programme])[programme.pk]
    versions = _page(request, selectors.version_list(programme=programme), VERSIONS_PAGE_SIZE)
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "version": programme.current_version,
            "rounds": [{"round": r, "transitions": _transitions(r)} for r in rounds],
            "versions": versions,
            "can_define": _can_define(request),
            "can_transition": _can_prepare(request) or _can_approve(request),
        },
    )


@staff_required
def programme_new(request: HttpRequest) -> HttpResponse:
    if not _can_define(request):
        raise Http404
    form = ProgrammeNewForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source"]
        try:
            version = services.programme_load(
                actor=_user(request),
                source=source,
                note=form.cleaned_data["note"] or _("Program baru"),
                new=True,
            )
            messages.success(request, _("Program tersimpan sebagai versi 1."))
            return redirect("programmes:programme_detail", pk=version.programme_id)
        except ProgrammeError as err:
            add_service_error(form, err)
        if form.cleaned_data.get("file"):
            # The uploaded text goes into the text box, so it is not lost with the error.
            data = request.POST.copy()
            data["source"] = source
            form.data = data
    return render(
        request,
        "programmes/programme_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@staff_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not _can_define(request):
        raise Http404
    programme = selectors.programme_get(user=_user(request), pk=pk)
    current = programme.current_version
    form = DefinitionForm(
        request.POST or None, initial={"source": current.source if current else ""}
    )
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source"]
        try:
            version = services.programme_load(
                actor=_user(request),
                source=source,
                note=form.cleaned_data["note"],
                expected_code=programme.code,
            )
        except ProgrammeError as err:
            add_service_error(form, err)
        else:
            if current is not None and version.pk == current.pk:
                messages.info(
                    request, _("Teks sama dengan versi yang berlaku; tidak ada versi baru.")
                )
            else:
                messages.success(
                    request,
                    _("Versi %(number)s tersimpan dan berlaku.") % {"number": version.number},
                )
            return redirect("programmes:programme_detail", pk=programme.pk)
    return render(
        request,
        "programmes/programme_edit.html",
        {"programme": programme, "version": current, "form": form},
        status=400 if form.errors else 200,
    )


@staff_required
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = selectors.version_get(user=_user(request), programme_id=pk, number=number)
    return render(
        request,
        "programmes/version_detail.html",
        {"version": version, "programme": version.programme},
    )


# --- rounds --------------------------------------------------------------------------------------


@staff_required
@require_POST
def round_transition(request: HttpRequest, pk: int) -> HttpResponse:
    round_obj = selectors.round_get(user=_user(request), pk=pk)
    form = RoundTransitionForm(request.POST)
    cast(forms.ChoiceField, form.fields["to"]).choices = [
        (s.value, s.label) for s in TRANSITION_BUTTONS
    ]
    if not form.is_valid():
        messages.error(request, _("Pilih status tujuan putaran."))
    else:
        try:
            changed = services.round_transition(
                actor=_user(request),
                round_obj=round_obj,
                to=RoundStatus(form.cleaned_data["to"]),
                reason=form.cleaned_data["reason"],
            )
        except ProgrammeError as err:
            messages.error(request, err.message)
        else:
            messages.success(
                request,
                _("Status putaran sekarang: %(status)s.")
                % {"status": changed.get_status_display()},
            )
    if request.POST.get("back") == "programme":
        return redirect("programmes:programme_detail", pk=round_obj.programme_id)
    return redirect("programmes:round_detail", pk=round_obj.pk)


def _failures_labelled(failures: dict[str, int], definition: dict[str, Any] | None) -> list[Any]:
    labels = selectors.rule_labels(definition)
    order = list(labels)
    rows = [
        {"code": code, "label": labels.get(code, code), "count": count}
        for code, count in failures.items()
    ]
    rows.sort(key=lambda r: order.index(r["code"]) if r["code"] in order else len(order))
    return rows


def _round_context(request: HttpRequest, round_obj: Round) -> dict[str, Any]:
    version = round_obj.programme.current_version
    run = selectors.latest_run(round_obj=round_obj)
    counts = selectors.status_counts(user=_user(request), round_obj=round_obj)
    jobs = selectors.intake_jobs_done(user=_user(request)) if _can_prepare(request) else []
    return {
        "round": round_obj,
        "programme": round_obj.programme,
        "version": version,
        "counts": [
            {"status": s.value, "label": s.label, "count": counts[s.value]}
            for s in ApplicationStatus
        ],
        "total": sum(counts.values()),
        "run": run,
        "run_failures": (
            _failures_labelled(run.failures, run.version.definition) if run is not None else []
        ),
        "decisions": list(selectors.decision_list(round_obj=round_obj)),
        "transitions": _transitions(round_obj),
        "follow_up": _follow_up(round_obj),
        "intake_form": IntakeApplicationsForm(jobs=jobs) if jobs else None,
        "what_if_form": WhatIfForm(initial={"source": version.source if version else ""}),
        "events": [
            {"event": e, "label": EVENT_LABELS.get(e.action, e.action)}
            for e in selectors.round_events(round_obj=round_obj, limit=30)
        ],
        "task_id": request.GET.get("periksa", ""),
        "can_prepare": _can_prepare(request),
        "can_transition": _can_prepare(request) or _can_approve(request),
        "is_open": round_obj.status == RoundStatus.OPEN,
        "remaining": round_obj.budget - round_obj.committed,
    }


@staff_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_obj = selectors.round_get(user=_user(request), pk=pk)
    return render(request, "programmes/round_detail.html", _round_context(request, round_obj))


@staff_required
@require_POST
def eligibility_start(request: HttpRequest, pk: int) -> HttpResponse:
    round_obj = selectors.round_get(user=_user(request), pk=pk)
    size = Application.objects.filter(round=round_obj).count()
    if size > eligibility_inline_limit():
        from pulih.programmes.tasks import eligibility_run_task

        result = eligibility_run_task.enqueue(round_obj.pk, _user(request).pk)
        messages.info(
            request,
            _("Pemeriksaan %(n)s pengajuan dijalankan di latar belakang.")
            % {"n": f"{size:,}".replace(",", ".")},
        )
        return redirect(
            reverse("programmes:round_detail", kwargs={"pk": round_obj.pk})
            + f"?periksa={result.id}#kelayakan"
        )
    try:
        run = services.eligibility_run(actor=_user(request), round_obj=round_obj)
    except ProgrammeError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _run_summary(run.eligible, run.applications))
    return redirect(reverse("programmes:round_detail", kwargs={"pk": round_obj.pk}) + "#kelayakan")


def _run_summary(eligible: int, applications: int) -> str:
    return _("Pemeriksaan selesai: %(eligible)s dari %(total)s pengajuan memenuhi syarat.") % {
        "eligible": f"{eligible:,}".replace(",", "."),
        "total": f"{applications:,}".replace(",", "."),
    }


@staff_required
def eligibility_progress(request: HttpRequest, pk: int, task_id: str) -> HttpResponse:
    """The background check's state; polled by htmx until it ends, then the page reloads."""
    from django_tasks.exceptions import TaskResultDoesNotExist

    from pulih.programmes.tasks import eligibility_run_task

    round_obj = selectors.round_get(user=_user(request), pk=pk)
    try:
        result = eligibility_run_task.get_result(task_id)
    except TaskResultDoesNotExist:
        raise Http404 from None
    if not result.args or result.args[0] != round_obj.pk:
        raise Http404
    outcome: dict[str, Any] = (
        dict(result.return_value or {}) if result.status == TaskResultStatus.SUCCESSFUL else {}
    )
    if result.is_finished and _is_htmx(request):
        if outcome.get("error"):
            messages.error(request, outcome["error"])
        elif result.status == TaskResultStatus.SUCCESSFUL:
            run = selectors.latest_run(round_obj=round_obj)
            if run is not None:
                messages.success(request, _run_summary(run.eligible, run.applications))
        else:
            messages.error(request, _("Pemeriksaan kelayakan gagal. Coba jalankan lagi."))
        response = HttpResponse(status=204)
        response["HX-Redirect"] = (
            reverse("programmes:round_detail", kwargs={"pk": round_obj.pk}) + "#kelayakan"
        )
        return response
    return render(
        request,
        "programmes/_eligibility_progress.html",
        {"round": round_obj, "result": result, "outcome": outcome, "task_id": task_id},
    )


@staff_required
@require_POST
def what_if(request: HttpRequest, pk: int) -> HttpResponse:
    """Rules and amount not yet saved, over the round's applicants: nothing is written."""
    round_obj = selectors.round_get(user=_user(request), pk=pk)
    version = round_obj.programme.current_version
    form = WhatIfForm(request.POST)
    context: dict[str, Any] = {"round": round_obj, "form": form}
    if form.is_valid():
        source = form.cleaned_data["source"]
        edited = bool(source.strip()) and (version is None or source != version.source)
        try:
            definition = parse(source) if edited else (version.definition if version else None)
            result = services.what_if(
                actor=_user(request),
                round_obj=round_obj,
                source=source if edited else None,
                amount=form.cleaned_data["amount"],
            )
        except ProgrammeError as err:
            context["error"] = err.message
        else:
            context.update(_what_if_context(result, definition, edited=edited))
    status = 200 if "result" in context else 400
    template = "programmes/_what_if.html" if _is_htmx(request) else "programmes/what_if.html"
    return render(request, template, context, status=status)


def _what_if_context(result: Any, definition: dict[str, Any] | None, *, edited: bool) -> dict:
    codes = [r["region"] for r in result.by_city] + [r["region"] for r in result.by_district]
    names = selectors.region_names([c for c in codes if c])
    for row in [*result.by_city, *result.by_district]:
        row["name"] = names.get(row["region"], row["region"] or "—")
    return {
        "result": result,
        "failures": _failures_labelled(result.failures, definition),
        "edited": edited,
        "unit": result.cost // result.eligible if result.eligible else None,
    }


# --- applications (officer) ------------------------------------------------------------------


@staff_required
def application_list(request: HttpRequest, pk: int) -> HttpResponse:
    round_obj = selectors.round_get(user=_user(request), pk=pk)
    version = round_obj.programme.current_version
    labels = selectors.rule_labels(version.definition if version else None)
    form = ApplicationFilterForm(request.GET or None, rule_labels=labels)
    filters = selectors.ApplicationFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.ApplicationFilters(
            status=form.cleaned_data["status"],
            failed_rule=form.cleaned_data["rule"],
            region=form.cleaned_data["region"],
            search=form.cleaned_data["q"],
        )
    qs = selectors.application_list(user=_user(request), round_obj=round_obj, filters=filters)
    page = _page(request, qs, APPLICATIONS_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "round": round_obj,
        "programme": round_obj.programme,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": any(vars(filters).values()),
    }
    template = (
        "programmes/_application_table.html"
        if _is_htmx(request)
        else "programmes/application_list.html"
    )
    return render(request, template, context)


def _declarations_shown(application: Application) -> list[dict[str, Any]]:
    version = application.evaluated_version or application.round.programme.current_version
    specs = version.definition["declarations"] if version else []
    shown = []
    for spec in specs:
        value = application.declarations.get(spec["field"])
        if value is None:
            text = "—"
        elif spec["type"] == "money" and isinstance(value, int):
            text = rupiah(value)
        elif spec["type"] == "yes_no":
            text = str(_("Ya") if value else _("Tidak"))
        else:
            text = str(value)
        shown.append({"label": spec["label"], "value": text})
    return shown


@staff_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get(user=_user(request), pk=pk)
    return render(
        request,
        "programmes/application_detail.html",
        {
            "application": application,
            "round": application.round,
            "results": selectors.results_of(application),
            "declarations": _declarations_shown(application),
            "appeals": selectors.appeals_of(application=application),
            "deadline": services.appeal_deadline(application),
        },
    )


@staff_required
def apply_on_behalf(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer applies for a registered person in scope: find them, pick the business,
    fill the programme's declarations and the bank."""
    if not _can_prepare(request):
        raise Http404
    round_obj = selectors.round_get(user=_user(request), pk=pk)
    version = round_obj.programme.current_version
    search = PersonSearchForm(request.GET or None)
    people: list[Any] = []
    if search.is_bound and search.is_valid() and search.cleaned_data["q"].strip():
        people = list(
            registry_selectors.person_list(user=_user(request), search=search.cleaned_data["q"])[
                :PERSON_RESULTS
            ]
        )
    person = None
    form = None
    person_id = request.POST.get("person") or request.GET.get("orang")
    if person_id and str(person_id).isdigit():
        person = registry_selectors.person_get(user=_user(request), pk=int(person_id))
        businesses = selectors.person_businesses_in_scope(user=_user(request), person=person)
        form = ApplyForm(
            request.POST or None,
            businesses=businesses,
            declarations=version.definition["declarations"] if version else [],
            banks=list(round_obj.banks),
        )
        if request.method == "POST" and form.is_valid():
            try:
                application = services.application_submit(
                    actor=_user(request),
                    round_obj=round_obj,
                    data=form.to_data(person_id=person.pk),
                )
            except ProgrammeError as err:
                add_service_error(form, err)
            else:
                messages.success(request, _outcome_message(application))
                return redirect("programmes:application_detail", pk=application.pk)
    return render(
        request,
        "programmes/apply_on_behalf.html",
        {
            "round": round_obj,
            "programme": round_obj.programme,
            "search": search,
            "people": people,
            "person": person,
            "form": form,
            "is_open": round_obj.status == RoundStatus.OPEN,
        },
        status=400 if form is not None and form.errors else 200,
    )


def _outcome_message(application: Application) -> str:
    if application.eligible:
        return _("Pengajuan tersimpan dan memenuhi syarat.")
    if application.status == ApplicationStatus.INELIGIBLE:
        return _("Pengajuan tersimpan, tetapi tidak memenuhi syarat; alasannya ada di bawah.")
    return _("Pengajuan tersimpan.")


@staff_required
@require_POST
def applications_from_intake(request: HttpRequest, pk: int) -> HttpResponse:
    if not _can_prepare(request):
        raise Http404
    round_obj = selectors.round_get(user=_user(request), pk=pk)
    form = IntakeApplicationsForm(
        request.POST, jobs=selectors.intake_jobs_done(user=_user(request))
    )
    if not form.is_valid():
        messages.error(request, _("Pilih daftar pengusul yang sudah selesai diimpor."))
    else:
        try:
            made = services.applications_from_intake(
                actor=_user(request), round_obj=round_obj, job_id=form.cleaned_data["job"]
            )
        except ProgrammeError as err:
            messages.error(request, err.message)
        else:
            messages.success(
                request,
                _(
                    "Dari daftar pengusul: %(created)s pengajuan baru, %(already)s sudah pernah "
                    "diajukan (pengusul dicatat), %(skipped)s baris dilewati (ditolak atau ganda "
                    "saat impor). Jalankan pemeriksaan kelayakan."
                )
                % {"created": made.created, "already": made.already, "skipped": made.skipped},
            )
    return redirect("programmes:round_detail", pk=round_obj.pk)


# --- decisions -------------------------------------------------------------------------------


@staff_required
@require_POST
def decision_propose(request: HttpRequest, pk: int) -> HttpResponse:
    round_obj = selectors.round_get(user=_user(request), pk=pk)
    form = ProposeForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        decision = services.decision_propose(actor=_user(request), round_obj=round_obj, note=note)
    except ProgrammeError as err:
        messages.error(request, err.message)
        return redirect("programmes:round_detail", pk=round_obj.pk)
    messages.success(
        request,
        _("Daftar penerima diusulkan (%(n)s orang). Penetapan menunggu persetujuan.")
        % {"n": decision.recipients_added},
    )
    return redirect("programmes:decision_detail", pk=decision.pk)


def _annex_links(decision: Decision) -> dict[str, bool]:
    folder = annex.annex_dir(decision)
    return {
        "xlsx": bool(decision.annex_xlsx) and (folder / decision.annex_xlsx).exists(),
        "pdf": bool(decision.annex_pdf) and (folder / decision.annex_pdf).exists(),
    }


@staff_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get(user=_user(request), pk=pk)
    page = _page(
        request,
        selectors.decision_entries(user=_user(request), decision=decision),
        ENTRIES_PAGE_SIZE,
    )
    names = selectors.region_names([e.region_code for e in page.object_list])
    for entry in page.object_list:
        entry.village_name = names.get(entry.region_code, "")
    proposed = decision.status == DecisionStatus.PROPOSED
    is_preparer = decision.prepared_by_id == request.user.pk
    covers = region_in_scope(_user(request), decision.region_code)
    return render(
        request,
        "programmes/decision_detail.html",
        {
            "decision": decision,
            "round": decision.round,
            "page": page,
            "proposed": proposed,
            "is_preparer": is_preparer,
            "can_decide": proposed and _can_approve(request) and not is_preparer and covers,
            "outside_region": proposed and _can_approve(request) and not covers,
            "decision_region": selectors.region_names([decision.region_code]).get(
                decision.region_code, ""
            ),
            "approve_form": ApproveForm(),
            "return_form": ReturnForm(),
            "annex": _annex_links(decision),
            "follow_up": _follow_up(decision.round),
            "net": decision.amount_added - decision.amount_removed,
        },
    )


@staff_required
@require_POST
def decision_approve(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get(user=_user(request), pk=pk)
    form = ApproveForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.decision_approve(actor=_user(request), decision=decision, note=note)
    except ProgrammeError as err:
        if err.code == E.DECISION_NOT_PROPOSED:
            # A second click (or a colleague first): the list is decided once, and that is fine.
            decision.refresh_from_db()
            messages.info(
                request,
                _(
                    "Penetapan ini sudah diputuskan (%(status)s) oleh %(who)s; tidak ada yang diubah."
                )
                % {
                    "status": decision.get_status_display(),
                    "who": decision.decided_by or "—",
                },
            )
        else:
            messages.error(request, err.message)
    else:
        messages.success(request, _("Penetapan disetujui. Daftar dikunci dan lampirannya dibuat."))
    return redirect("programmes:decision_detail", pk=decision.pk)


@staff_required
@require_POST
def decision_return(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get(user=_user(request), pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tulis alasan mengapa daftar ini dikembalikan."))
        return redirect("programmes:decision_detail", pk=decision.pk)
    try:
        services.decision_return(
            actor=_user(request), decision=decision, note=form.cleaned_data["note"]
        )
    except ProgrammeError as err:
        if err.code == E.DECISION_NOT_PROPOSED:
            messages.info(request, err.message)
        else:
            messages.error(request, err.message)
    else:
        messages.success(request, _("Daftar dikembalikan kepada penyusun."))
    return redirect("programmes:decision_detail", pk=decision.pk)


@staff_required
def annex_download(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    decision = selectors.decision_get(user=_user(request), pk=pk)
    name = {"xlsx": decision.annex_xlsx, "pdf": decision.annex_pdf}.get(kind, "")
    if decision.status != DecisionStatus.APPROVED or not name:
        raise Http404
    path = annex.annex_dir(decision) / name
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


# --- appeals (officer) -----------------------------------------------------------------------


@staff_required
def appeal_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", AppealStatus.OPEN)
    if status not in AppealStatus.values:
        status = AppealStatus.OPEN
    page = _page(
        request, selectors.appeal_queue(user=_user(request), status=status), APPEALS_PAGE_SIZE
    )
    return render(
        request,
        "programmes/appeal_queue.html",
        {"page": page, "status": status, "statuses": AppealStatus.choices},
    )


@staff_required
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get(user=_user(request), pk=pk)
    application = appeal.application
    version = application.round.programme.current_version
    definition = version.definition if version else None
    form = None
    if appeal.status == AppealStatus.OPEN and _can_prepare(request):
        form = AppealReviewForm(
            request.POST or None,
            declarations=definition["declarations"] if definition else [],
            current=application.declarations,
        )
        if request.method == "POST" and form.is_valid():
            try:
                reviewed = services.appeal_review(
                    actor=_user(request),
                    appeal=appeal,
                    note=form.cleaned_data["note"],
                    declarations=form.corrected() or None,
                )
            except ProgrammeError as err:
                if err.code == E.APPEAL_DECIDED:
                    messages.info(request, err.message)
                    return redirect("programmes:appeal_detail", pk=appeal.pk)
                add_service_error(form, err)
            else:
                if reviewed.status == AppealStatus.UPHELD:
                    messages.success(
                        request, _("Sanggahan diterima: pengajuan kini memenuhi syarat.")
                    )
                else:
                    messages.warning(
                        request, _("Sanggahan ditolak: pengajuan tetap tidak memenuhi syarat.")
                    )
                return redirect("programmes:appeal_detail", pk=appeal.pk)
    evaluated = application.evaluated_version
    return render(
        request,
        "programmes/appeal_detail.html",
        {
            "appeal": appeal,
            "application": application,
            "before": selectors.results_labelled(appeal.results_before, definition),
            "after": selectors.results_labelled(
                appeal.results_after, evaluated.definition if evaluated else definition
            ),
            "current": selectors.results_of(application),
            "declarations": _declarations_shown(application),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def appeal_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """The appeal's evidence file, for the applicant and for officers of its region."""
    appeal = selectors.appeal_get(user=_user(request), pk=pk)
    path = evidence_path(appeal.evidence)
    if path is None or not path.exists():
        raise Http404
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"bukti-sanggahan-{appeal.pk}{path.suffix}"
    )


# --- owners ("Bantuan") ------------------------------------------------------------------------


@owner_required
def owner_home(request: HttpRequest) -> HttpResponse:
    applied = selectors.applied_round_ids(user=_user(request))
    rounds = list(selectors.rounds_open())
    return render(
        request,
        "programmes/owner_home.html",
        {
            "rounds": [{"round": r, "applied": r.pk in applied} for r in rounds],
            "applications": list(selectors.owner_applications(user=_user(request))[:50]),
            "person": selectors.owner_person(user=_user(request)),
        },
    )


@owner_required
def owner_apply(request: HttpRequest, pk: int) -> HttpResponse:
    round_obj = selectors.round_for_owner(user=_user(request), pk=pk)
    person = selectors.owner_person(user=_user(request))
    if person is None:
        messages.warning(request, _("Lengkapi data diri Anda sebelum mengajukan bantuan."))
        return redirect("registry:person_edit")
    existing = selectors.owner_applications(user=_user(request)).filter(round=round_obj).first()
    if existing is not None:
        messages.info(request, _("Anda sudah mengajukan pada putaran ini."))
        return redirect("programmes:owner_application", pk=existing.pk)
    businesses = selectors.owner_businesses(user=_user(request))
    if not businesses:
        messages.warning(request, _("Daftarkan usaha Anda terlebih dahulu."))
        return redirect("registry:business_create")
    version = round_obj.programme.current_version
    form = ApplyForm(
        request.POST or None,
        businesses=businesses,
        declarations=version.definition["declarations"] if version else [],
        banks=list(round_obj.banks),
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                actor=_user(request), round_obj=round_obj, data=form.to_data(person_id=person.pk)
            )
        except ProgrammeError as err:
            if err.code == E.ALREADY_APPLIED:
                messages.info(request, err.message)
                return redirect("programmes:owner_home")
            add_service_error(form, err)
        else:
            messages.success(request, _("Pengajuan Anda terkirim."))
            return redirect("programmes:owner_application", pk=application.pk)
    return render(
        request,
        "programmes/owner_apply.html",
        {"round": round_obj, "programme": round_obj.programme, "form": form},
        status=400 if form.errors else 200,
    )


def _owner_application_context(
    request: HttpRequest, application: Application, form: AppealForm | None = None
) -> dict[str, Any]:
    results = selectors.results_of(application)
    appeals = selectors.appeals_of(application=application)
    deadline = services.appeal_deadline(application)
    open_appeal = next((a for a in appeals if a.status == AppealStatus.OPEN), None)
    can_appeal = (
        application.status == ApplicationStatus.INELIGIBLE
        and deadline is not None
        and timezone.localdate() <= deadline
        and open_appeal is None
    )
    return {
        "application": application,
        "round": application.round,
        "failed": [r for r in results if not r.passed],
        "passed": [r for r in results if r.passed],
        "appeals": appeals,
        "deadline": deadline,
        "can_appeal": can_appeal,
        "window_closed": (
            application.status == ApplicationStatus.INELIGIBLE
            and deadline is not None
            and timezone.localdate() > deadline
        ),
        "form": form or AppealForm(),
        "max_mb": evidence_max_bytes() // (1024 * 1024),
    }


@owner_required
def owner_application(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get(user=_user(request), pk=pk)
    return render(
        request,
        "programmes/owner_application.html",
        _owner_application_context(request, application),
    )


@owner_required
@require_POST
def owner_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get(user=_user(request), pk=pk)
    form = AppealForm(request.POST, request.FILES)
    if form.is_valid():
        prepared = form.cleaned_data["evidence"]
        stored = evidence_store(prepared) if prepared is not None else ""
        try:
            services.appeal_submit(
                actor=_user(request),
                application=application,
                reason=form.cleaned_data["reason"],
                evidence=stored,
            )
        except ProgrammeError as err:
            if stored:
                evidence_discard(stored)
            form.add_error("reason" if err.code == E.REASON_REQUIRED else None, err.message)
        else:
            messages.success(
                request, _("Sanggahan terkirim. Petugas dinas akan memeriksanya kembali.")
            )
            return redirect("programmes:owner_application", pk=application.pk)
    return render(
        request,
        "programmes/owner_application.html",
        _owner_application_context(request, application, form),
        status=400,
    )
