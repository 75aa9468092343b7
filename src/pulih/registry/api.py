"""The registry over REST: businesses, their owners and products, and the registration decisions.

Handlers parse input, call selectors and services, and shape the answer; every record comes
from a scoped selector, so one outside the user's regions is a 404 here as on the web.
"""

from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router, Status

from pulih.accounts.models import User
from pulih.paging import capped_count
from pulih.registry import selectors, services
from pulih.registry.error_codes import RegistryError, RegistryErrorCode
from pulih.registry.models import (
    Business,
    PandemicImpact,
    Person,
    Product,
    RegistrationEvent,
    RegistrationStatus,
)
from pulih.registry.schemas import (
    BusinessIn,
    BusinessItemOut,
    BusinessOut,
    BusinessPageOut,
    BusinessQuery,
    ErrorOut,
    EventOut,
    NikOut,
    NoteIn,
    OwnerOut,
    PersonIn,
    PersonItemOut,
    PersonOut,
    PersonPageOut,
    PersonQuery,
    PhotoOut,
    ProductIn,
    ProductOut,
    ReasonIn,
    RevealIn,
    StatusOut,
)

router = Router()

TAG_BUSINESS = "usaha"
TAG_PERSON = "pemilik usaha"
TAG_PRODUCT = "produk"
TAG_DECISION = "verifikasi pendaftaran"

# Every other RegistryError is a refused input: 400.
_ERROR_STATUS = {
    RegistryErrorCode.PERMISSION_DENIED: 403,
    RegistryErrorCode.TRANSITION_NOT_ALLOWED: 409,
}
# The documented refusals of a write; ninja answers 422 for malformed bodies by itself.
_WRITE_ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 403: ErrorOut, 409: ErrorOut}
# History entries say that these changed, not what to: with the masked NIK beside it, a birth
# date gives away the six digits the mask hides.
_UNDISCLOSED_CHANGES = frozenset({"birth_date"})


def registry_error_handler(request: HttpRequest, exc: RegistryError) -> HttpResponse:
    """Registered on the NinjaAPI in config/api.py: `{"code", "detail"}` with 400, 403 or 409."""
    return JsonResponse(
        {"code": str(exc.code), "detail": exc.message}, status=_ERROR_STATUS.get(exc.code, 400)
    )


def _user(request: HttpRequest) -> User:
    # Whichever of token, API key or session authenticated the request, auth is the User.
    return request.auth  # type: ignore[attr-defined,no-any-return]


M = TypeVar("M", Business, Person)


def _page(qs: "QuerySet[M]", *, page: int, page_size: int) -> tuple[int, bool, list[M]]:
    """One capped COUNT and one SELECT, whatever the page size."""
    start = (page - 1) * page_size
    count, exact = capped_count(qs)
    return count, exact, list(qs[start : start + page_size])


# --- shaping ------------------------------------------------------------------------------------


def _business_fields(business: Business) -> dict[str, Any]:
    owner = business.owner
    return {
        "id": business.pk,
        "name": business.name,
        "status": business.status,
        "status_label": str(business.get_status_display()),
        "size_class": business.size_class,
        "kbli_section": business.kbli_section_id,
        "region_code": business.region_code,
        "village_name": business.village.name,
        "owner": OwnerOut(id=owner.pk, full_name=owner.full_name, nik_masked=owner.nik_masked),
        "submitted_at": business.submitted_at,
    }


def _photo_url(request: HttpRequest, url: str) -> str:
    return request.build_absolute_uri(url)


def _product_out(request: HttpRequest, product: Product) -> ProductOut:
    return ProductOut(
        id=product.pk,
        name=product.name,
        description=product.description,
        price=product.price,
        unit=product.unit,
        photos=[
            PhotoOut(id=p.pk, url=_photo_url(request, p.image.url), width=p.width, height=p.height)
            for p in product.photos.all()
        ],
        created_at=product.created_at,
    )


def _event_out(event: RegistrationEvent) -> EventOut:
    actor = event.actor
    return EventOut(
        at=event.at,
        actor=actor.full_name or actor.username,
        action=event.action,
        from_status=event.from_status,
        to_status=event.to_status,
        reason=event.reason,
        changes={
            name: "diubah" if name in _UNDISCLOSED_CHANGES else value
            for name, value in event.changes.items()
        },
    )


def _business_out(request: HttpRequest, business: Business) -> BusinessOut:
    village = business.village
    district = village.parent
    city = district.parent if district else None
    province = city.parent if city else None
    ekraf = business.ekraf_subsector
    decider = business.decided_by
    return BusinessOut(
        **_business_fields(business),
        nib=business.nib,
        kbli_section_name=business.kbli_section.name if business.kbli_section else "",
        kbli_code=business.kbli_code,
        ekraf_subsector=ekraf.slug if ekraf else None,
        ekraf_subsector_name=ekraf.name if ekraf else None,
        description=business.description,
        started_year=business.started_year,
        capital=business.capital,
        annual_sales=business.annual_sales,
        employees=business.employees,
        monthly_turnover=business.monthly_turnover,
        online_channels=list(business.online_channels),
        pandemic_impact=business.pandemic_impact,
        pandemic_impact_label=str(PandemicImpact(business.pandemic_impact).label),
        pandemic_impact_note=business.pandemic_impact_note,
        address=business.address,
        district_name=district.name if district else "",
        city_name=city.name if city else "",
        province_name=province.name if province else "",
        status_reason=business.status_reason,
        decided_at=business.decided_at,
        decided_by=(decider.full_name or decider.username) if decider else None,
        created_at=business.created_at,
        updated_at=business.updated_at,
        products=[_product_out(request, p) for p in selectors.business_products(business=business)],
        history=[_event_out(e) for e in selectors.business_history(business=business)],
    )


def _status_out(business: Business) -> StatusOut:
    return StatusOut(
        id=business.pk,
        status=business.status,
        status_label=str(RegistrationStatus(business.status).label),
        status_reason=business.status_reason,
        submitted_at=business.submitted_at,
        decided_at=business.decided_at,
    )


def _person_fields(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "full_name": person.full_name,
        "nik_masked": person.nik_masked,
        "phone_masked": person.phone_masked,
        "sex": person.sex,
        "region_code": person.region_code,
        "village_name": person.village.name,
        "nik_birth_date_mismatch": person.nik_birth_date_mismatch,
        "nik_sex_mismatch": person.nik_sex_mismatch,
        "verified_at": person.verified_at,
    }


def _person_out(person: Person) -> PersonOut:
    return PersonOut(
        **_person_fields(person),
        birth_place=person.birth_place,
        email=person.email,
        address=person.address,
        rt=person.rt,
        rw=person.rw,
        postcode=person.postcode,
        has_account=person.account_id is not None,
        created_at=person.created_at,
        updated_at=person.updated_at,
    )


# --- businesses ---------------------------------------------------------------------------------


@router.get(
    "/businesses",
    response=BusinessPageOut,
    tags=[TAG_BUSINESS],
    summary="Daftar usaha di wilayah Anda",
)
def business_list(request: HttpRequest, query: Query[BusinessQuery]) -> BusinessPageOut:
    """Newest first (the submitted queue: oldest first). Filter by region (any level), status,
    or search by name or NIK. `count` is exact up to 10,000; beyond it `count_exact` is false."""
    filters = selectors.BusinessFilters(
        search=query.search, status=query.status or "", region=query.region or ""
    )
    qs = selectors.business_list(user=_user(request), filters=filters)
    count, count_exact, rows = _page(qs, page=query.page, page_size=query.page_size)
    return BusinessPageOut(
        count=count,
        count_exact=count_exact,
        page=query.page,
        page_size=query.page_size,
        results=[BusinessItemOut(**_business_fields(b)) for b in rows],
    )


@router.get(
    "/businesses/{business_id}", response=BusinessOut, tags=[TAG_BUSINESS], summary="Satu usaha"
)
def business_detail(request: HttpRequest, business_id: int) -> BusinessOut:
    """With its products, the history of its registration, and the officer's last decision."""
    business = selectors.business_get(user=_user(request), pk=business_id)
    return _business_out(request, business)


@router.post(
    "/businesses",
    response={201: BusinessOut, **_WRITE_ERRORS},
    tags=[TAG_BUSINESS],
    summary="Daftarkan usaha",
)
def business_create(request: HttpRequest, payload: BusinessIn) -> tuple[int, BusinessOut]:
    """A draft business of `owner_id`: the owner's own, or by an officer of the business's region."""
    user = _user(request)
    owner = selectors.person_get(user=user, pk=payload.owner_id)
    data = services.BusinessData(**payload.model_dump(exclude={"owner_id"}))
    business = services.business_create(actor=user, owner=owner, data=data)
    return Status(201, _business_out(request, selectors.business_get(user=user, pk=business.pk)))


# --- products -----------------------------------------------------------------------------------


@router.get(
    "/businesses/{business_id}/products",
    response=list[ProductOut],
    tags=[TAG_PRODUCT],
    summary="Produk satu usaha",
)
def product_list(request: HttpRequest, business_id: int) -> list[ProductOut]:
    business = selectors.business_get(user=_user(request), pk=business_id)
    return [_product_out(request, p) for p in selectors.business_products(business=business)]


@router.post(
    "/businesses/{business_id}/products",
    response={201: ProductOut, **_WRITE_ERRORS},
    tags=[TAG_PRODUCT],
    summary="Tambah produk",
)
def product_create(
    request: HttpRequest, business_id: int, payload: ProductIn
) -> tuple[int, ProductOut]:
    """Without photos: those are uploaded on the web form."""
    user = _user(request)
    business = selectors.business_get(user=user, pk=business_id)
    product = services.product_create(
        actor=user, business=business, data=services.ProductData(**payload.model_dump())
    )
    return Status(201, _product_out(request, product))


# --- registration decisions ---------------------------------------------------------------------


@router.post(
    "/businesses/{business_id}/submit",
    response={200: StatusOut, **_WRITE_ERRORS},
    tags=[TAG_DECISION],
    summary="Ajukan pendaftaran untuk diverifikasi",
)
def registration_submit(request: HttpRequest, business_id: int) -> StatusOut:
    user = _user(request)
    business = selectors.business_get(user=user, pk=business_id)
    return _status_out(services.registration_submit(actor=user, business=business))


@router.post(
    "/businesses/{business_id}/verify",
    response={200: StatusOut, **_WRITE_ERRORS},
    tags=[TAG_DECISION],
    summary="Verifikasi pendaftaran",
)
def registration_verify(
    request: HttpRequest, business_id: int, payload: NoteIn | None = None
) -> StatusOut:
    user = _user(request)
    business = selectors.business_get(user=user, pk=business_id)
    note = payload.note if payload else ""
    return _status_out(services.registration_verify(actor=user, business=business, note=note))


@router.post(
    "/businesses/{business_id}/request-fix",
    response={200: StatusOut, **_WRITE_ERRORS},
    tags=[TAG_DECISION],
    summary="Minta perbaikan data",
)
def registration_request_fix(
    request: HttpRequest, business_id: int, payload: ReasonIn | None = None
) -> StatusOut:
    """The reason is required and shown to the owner."""
    user = _user(request)
    business = selectors.business_get(user=user, pk=business_id)
    reason = payload.reason if payload else ""
    return _status_out(
        services.registration_request_fix(actor=user, business=business, reason=reason)
    )


@router.post(
    "/businesses/{business_id}/reject",
    response={200: StatusOut, **_WRITE_ERRORS},
    tags=[TAG_DECISION],
    summary="Tolak pendaftaran",
)
def registration_reject(
    request: HttpRequest, business_id: int, payload: ReasonIn | None = None
) -> StatusOut:
    """The reason is required and shown to the owner."""
    user = _user(request)
    business = selectors.business_get(user=user, pk=business_id)
    reason = payload.reason if payload else ""
    return _status_out(services.registration_reject(actor=user, business=business, reason=reason))


# --- persons ------------------------------------------------------------------------------------


@router.get(
    "/persons",
    response=PersonPageOut,
    tags=[TAG_PERSON],
    summary="Daftar pemilik usaha di wilayah Anda",
)
def person_list(request: HttpRequest, query: Query[PersonQuery]) -> PersonPageOut:
    """NIK and phone number are masked; see reveal-nik for the full NIK."""
    qs = selectors.person_list(user=_user(request), search=query.search)
    count, count_exact, rows = _page(qs, page=query.page, page_size=query.page_size)
    return PersonPageOut(
        count=count,
        count_exact=count_exact,
        page=query.page,
        page_size=query.page_size,
        results=[PersonItemOut(**_person_fields(p)) for p in rows],
    )


@router.get(
    "/persons/{person_id}", response=PersonOut, tags=[TAG_PERSON], summary="Satu pemilik usaha"
)
def person_detail(request: HttpRequest, person_id: int) -> PersonOut:
    return _person_out(selectors.person_get(user=_user(request), pk=person_id))


@router.post(
    "/persons",
    response={201: PersonOut, **_WRITE_ERRORS},
    tags=[TAG_PERSON],
    summary="Daftarkan pemilik usaha",
)
def person_register(request: HttpRequest, payload: PersonIn) -> tuple[int, PersonOut]:
    """An owner registers themself; an officer registers someone living in their region."""
    user = _user(request)
    person = services.person_register(actor=user, data=services.PersonData(**payload.model_dump()))
    return Status(201, _person_out(selectors.person_get(user=user, pk=person.pk)))


@router.post(
    "/persons/{person_id}/reveal-nik",
    response={200: NikOut, 403: ErrorOut},
    tags=[TAG_PERSON],
    summary="Tampilkan NIK lengkap (dicatat)",
)
def person_reveal_nik(request: HttpRequest, person_id: int, payload: RevealIn) -> NikOut:
    """Needs the reveal permission; every reveal is logged with its reason."""
    user = _user(request)
    person = selectors.person_get(user=user, pk=person_id)
    nik = services.person_reveal_nik(
        actor=user, person=person, reason=payload.reason, channel="api"
    )
    return NikOut(nik=nik)
