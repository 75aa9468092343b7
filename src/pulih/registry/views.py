"""Registry pages: the owner's registration wizard and status, the officer's queue and decisions."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pulih.accounts.models import Role
from pulih.paging import CappedPaginator
from pulih.reference import selectors as reference
from pulih.registry import selectors, services
from pulih.registry.error_codes import RegistryError
from pulih.registry.forms import (
    BusinessForm,
    DecisionForm,
    PersonForm,
    ProductForm,
    QueueFilterForm,
    add_service_error,
)
from pulih.registry.models import Business, Person, RegistrationStatus
from pulih.registry.transitions import EDITABLE

QUEUE_PAGE_SIZE = 25


def owner_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.role != Role.OWNER:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.role == Role.OWNER:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _picker(code: str | None) -> dict[str, Any]:
    """Choices at each level of the region picker for an existing village code."""
    code = code or ""
    levels = [
        ("province", None, 2),
        ("city", code[:2], 5),
        ("district", code[:5], 8),
        ("village", code[:8], 13),
    ]
    picker: dict[str, Any] = {}
    for name, parent, length in levels:
        if name == "province" or (parent and len(code) >= len(parent)):
            picker[name] = list(reference.region_children(parent_code=parent))
        else:
            picker[name] = []
        picker[f"{name}_selected"] = code[:length] if len(code) >= length else ""
    return picker


# --- owner ---------------------------------------------------------------------------------


@owner_required
def owner_home(request: HttpRequest) -> HttpResponse:
    person = selectors.person_for_owner(user=request.user)
    businesses = person.businesses.select_related("kbli_section").order_by("id") if person else []
    return render(request, "registry/owner_home.html", {"person": person, "businesses": businesses})


@owner_required
def person_edit(request: HttpRequest) -> HttpResponse:
    person = selectors.person_for_owner(user=request.user)
    if person and person.verified_at:
        messages.warning(
            request,
            _(
                "Data diri sudah diverifikasi dan tidak dapat diubah. Hubungi dinas bila ada perubahan."
            ),
        )
        return redirect("registry:owner_home")
    initial = _person_initial(person) if person else {"full_name": request.user.full_name}
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if person:
                services.person_update(actor=request.user, person=person, data=form.to_data())
            else:
                services.person_register(actor=request.user, data=form.to_data())
        except RegistryError as err:
            add_service_error(form, err)
        else:
            messages.success(request, _("Data diri tersimpan."))
            has_business = person is not None and person.businesses.exists()
            return redirect("registry:owner_home" if has_business else "registry:business_create")
    village = (
        form.data.get("village_code") if form.is_bound else (person.region_code if person else "")
    )
    return render(
        request,
        "registry/person_form.html",
        {"form": form, "person": person, "step": 1, **_picker(village)},
    )


def _person_initial(person: Person) -> dict[str, Any]:
    return {
        "full_name": person.full_name,
        "nik": "",
        "birth_place": person.birth_place,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "phone": "",
        "email": person.email,
        "address": person.address,
        "rt": person.rt,
        "rw": person.rw,
        "village_code": person.region_code,
        "postcode": person.postcode,
    }


@owner_required
def business_create(request: HttpRequest) -> HttpResponse:
    person = selectors.person_for_owner(user=request.user)
    if person is None:
        return redirect("registry:person_edit")
    form = BusinessForm(
        request.POST or None,
        initial={"address": person.address, "village_code": person.region_code},
    )
    if request.method == "POST" and form.is_valid():
        try:
            business = services.business_create(
                actor=request.user, owner=person, data=form.to_data()
            )
        except RegistryError as err:
            add_service_error(form, err)
        else:
            messages.success(request, _("Data usaha tersimpan. Tambahkan produk Anda."))
            return redirect("registry:business_products", pk=business.pk)
    village = form.data.get("village_code") if form.is_bound else person.region_code
    return render(
        request, "registry/business_form.html", {"form": form, "step": 2, **_picker(village)}
    )


@login_required
def business_edit(request: HttpRequest, pk: int) -> HttpResponse:
    business = selectors.business_get(user=request.user, pk=pk)
    if business.status not in EDITABLE:
        messages.warning(request, _("Pendaftaran ini tidak dapat diubah lagi."))
        return redirect("registry:business_detail", pk=pk)
    initial = {
        "name": business.name,
        "kbli_section": business.kbli_section_id,
        "kbli_code": business.kbli_code,
        "ekraf_subsector": business.ekraf_subsector_id,
        "nib": business.nib,
        "description": business.description,
        "started_year": business.started_year,
        "capital": business.capital,
        "annual_sales": business.annual_sales,
        "monthly_turnover": business.monthly_turnover,
        "employees": business.employees,
        "online_channels": business.online_channels,
        "pandemic_impact": business.pandemic_impact,
        "pandemic_impact_note": business.pandemic_impact_note,
        "address": business.address,
        "village_code": business.region_code,
    }
    form = BusinessForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.business_update(actor=request.user, business=business, data=form.to_data())
        except RegistryError as err:
            add_service_error(form, err)
        else:
            messages.success(request, _("Perubahan tersimpan."))
            return redirect("registry:business_products", pk=pk)
    village = form.data.get("village_code") if form.is_bound else business.region_code
    return render(
        request,
        "registry/business_form.html",
        {"form": form, "business": business, "step": 2, **_picker(village)},
    )


@login_required
def business_products(request: HttpRequest, pk: int) -> HttpResponse:
    business = selectors.business_get(user=request.user, pk=pk)
    form = ProductForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if business.status not in EDITABLE:
            raise Http404
        if form.is_valid():
            try:
                services.product_create(
                    actor=request.user,
                    business=business,
                    data=form.to_data(),
                    photos=form.cleaned_data["photos"],
                )
            except RegistryError as err:
                add_service_error(form, err)
            else:
                messages.success(request, _("Produk ditambahkan."))
                return redirect("registry:business_products", pk=pk)
    return render(
        request,
        "registry/products.html",
        {
            "business": business,
            "products": selectors.business_products(business=business),
            "form": form,
            "step": 3,
            "editable": business.status in EDITABLE,
            "max_photo_mb": settings.PULIH_MAX_PHOTO_BYTES // (1024 * 1024),
            "max_photo_bytes": settings.PULIH_MAX_PHOTO_BYTES,
        },
    )


@login_required
@require_POST
def product_delete(request: HttpRequest, pk: int) -> HttpResponse:
    product = selectors.product_get(user=request.user, pk=pk)
    try:
        services.product_delete(actor=request.user, product=product)
    except RegistryError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Produk dihapus."))
    return redirect("registry:business_products", pk=product.business_id)


@login_required
def business_submit(request: HttpRequest, pk: int) -> HttpResponse:
    business = selectors.business_get(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.registration_submit(actor=request.user, business=business)
        except RegistryError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("Pendaftaran diajukan. Petugas dinas akan memeriksanya."))
            return redirect("registry:business_detail", pk=pk)
    return render(
        request,
        "registry/review.html",
        {
            "business": business,
            "person": business.owner,
            "products": selectors.business_products(business=business),
            "step": 4,
            "show_birth_date": request.user.role == Role.OWNER,
        },
    )


# --- officer -------------------------------------------------------------------------------


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = RegistrationStatus.SUBMITTED
    form = QueueFilterForm(data)
    filters = selectors.BusinessFilters()
    if form.is_valid():
        filters = selectors.BusinessFilters(
            search=form.cleaned_data["q"],
            status=form.cleaned_data["status"],
            region=form.cleaned_data["region"],
        )
    paginator = CappedPaginator(
        selectors.business_list(user=request.user, filters=filters), QUEUE_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = (
        "registry/queue_table.html" if request.headers.get("HX-Request") else "registry/queue.html"
    )
    return render(request, template, context)


@login_required
def business_detail(request: HttpRequest, pk: int) -> HttpResponse:
    business = selectors.business_get(user=request.user, pk=pk)
    is_staff = request.user.role != Role.OWNER
    context = {
        "business": business,
        "person": business.owner,
        "products": selectors.business_products(business=business),
        "history": selectors.business_history(business=business),
        "is_staff": is_staff,
        "editable": business.status in EDITABLE,
        "can_decide": is_staff
        and business.status in {RegistrationStatus.SUBMITTED, RegistrationStatus.NEEDS_FIX}
        and request.user.role in services.DECIDING_ROLES,
        "can_reveal": is_staff and request.user.has_perm("registry.reveal_nik"),
        "show_birth_date": not is_staff or request.user.has_perm("registry.reveal_nik"),
        "conflicts": selectors.nik_conflicts_for(user=request.user, person=business.owner)
        if is_staff
        else [],
        "decision_form": DecisionForm(),
    }
    return render(request, "registry/business_detail.html", context)


_DECISIONS: dict[str, Callable[..., Business]] = {
    "verify": lambda *, actor, business, reason: services.registration_verify(
        actor=actor, business=business, note=reason
    ),
    "request_fix": lambda *, actor, business, reason: services.registration_request_fix(
        actor=actor, business=business, reason=reason
    ),
    "reject": lambda *, actor, business, reason: services.registration_reject(
        actor=actor, business=business, reason=reason
    ),
}
_DECISION_MESSAGES = {
    "verify": _("Pendaftaran diverifikasi."),
    "request_fix": _("Permintaan perbaikan dikirim ke pemilik usaha."),
    "reject": _("Pendaftaran ditolak."),
}


@staff_required
@require_POST
def business_decide(request: HttpRequest, pk: int) -> HttpResponse:
    business = selectors.business_get(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih keputusan yang sah."))
        return redirect("registry:business_detail", pk=pk)
    action = form.cleaned_data["action"]
    try:
        _DECISIONS[action](
            actor=request.user, business=business, reason=form.cleaned_data["reason"]
        )
    except RegistryError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, str(_DECISION_MESSAGES[action]))
    return redirect("registry:business_detail", pk=pk)


@staff_required
@require_POST
def person_reveal_nik(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    try:
        nik = services.person_reveal_nik(
            actor=request.user, person=person, reason=request.POST.get("reason", "")
        )
    except RegistryError as err:
        return render(request, "registry/nik_revealed.html", {"error": err.message}, status=403)
    return render(request, "registry/nik_revealed.html", {"nik": nik})
