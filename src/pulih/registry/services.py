"""Every write to the registry: registration, edits, photos, state changes, NIK reveal."""

import io
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from pulih.accounts.models import Role, User
from pulih.accounts.selectors import region_in_scope
from pulih.privacy import crypto
from pulih.privacy.models import PersonalDataAccess
from pulih.reference.models import EkrafSubsector, KbliSection, Region, RegionLevel
from pulih.registry import transitions
from pulih.registry.error_codes import RegistryError, RegistryErrorCode as E
from pulih.registry.identifiers import (
    business_size_class,
    mask_phone,
    nik_mismatches,
    normalize_nib,
    normalize_phone,
    parse_nik,
    validate_birth_date,
)
from pulih.registry.models import (
    Business,
    NikConflict,
    OnlineChannel,
    PandemicImpact,
    Person,
    Product,
    ProductPhoto,
    RegistrationEvent,
    RegistrationStatus,
    Sex,
)

MAX_PHOTOS_PER_PRODUCT = 5
PHOTO_MAX_SIDE = 1600
# A small file can still decode to a huge bitmap (a "pixel bomb"); 40 MP is beyond any phone photo.
MAX_PHOTO_PIXELS = 40_000_000
NIK_PURPOSE = "nik"
PHONE_PURPOSE = "phone"
# History says these changed, never the values: a birth date and sex beside a masked NIK would
# give away the six digits the mask hides.
PERSON_SECRET_FIELDS = frozenset(
    {"nik_ciphertext", "phone_ciphertext", "nik_hash", "phone_hash", "birth_date", "sex"}
)
DECIDING_ROLES = frozenset({Role.OFFICER, Role.APPROVER, Role.ADMIN})


@dataclass(frozen=True)
class PersonData:
    full_name: str
    nik: str
    birth_date: date
    sex: str
    address: str
    village_code: str
    phone: str = ""
    birth_place: str = ""
    email: str = ""
    rt: str = ""
    rw: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class BusinessData:
    name: str
    kbli_section: str
    address: str
    village_code: str
    capital: int | None = None
    annual_sales: int | None = None
    nib: str = ""
    kbli_code: str = ""
    ekraf_subsector: str | None = None
    description: str = ""
    started_year: int | None = None
    employees: int = 0
    monthly_turnover: int | None = None
    online_channels: Sequence[str] = field(default_factory=tuple)
    pandemic_impact: str = "none"
    pandemic_impact_note: str = ""


@dataclass(frozen=True)
class ProductData:
    name: str
    description: str = ""
    price: int | None = None
    unit: str = ""


def search_key(text: str) -> str:
    """Lower-case, single-spaced: what name prefix search compares against."""
    return " ".join(text.split()).lower()


def nik_hash(nik: str) -> str:
    return crypto.blind_index(nik, purpose=NIK_PURPOSE)


def nik_hashes(niks: Iterable[str]) -> list[str]:
    """nik_hash of each NIK, for bulk paths."""
    return crypto.blind_indexes(niks, purpose=NIK_PURPOSE)


def phone_hash(phone: str) -> str:
    return crypto.blind_index(phone, purpose=PHONE_PURPOSE)


# --- permission checks shared by web, API and commands -------------------------------------


def _is_owner_of(actor: User, person: Person) -> bool:
    return person.account_id is not None and person.account_id == actor.pk


def _check_can_edit(actor: User, business: Business) -> None:
    if _is_owner_of(actor, business.owner):
        return
    if actor.role in DECIDING_ROLES and region_in_scope(actor, business.region_code):
        return
    raise RegistryError(E.PERMISSION_DENIED)


def _village(code: str) -> Region:
    region = Region.objects.filter(code=code, level=RegionLevel.VILLAGE).first()
    if region is None:
        raise RegistryError(E.REGION_NOT_VILLAGE, code=code)
    return region


def _clean_person_fields(data: PersonData) -> dict[str, Any]:
    nik = parse_nik(data.nik)
    birth_date = validate_birth_date(data.birth_date)
    mismatch_codes = {err.code for err in nik_mismatches(nik, birth_date=birth_date, sex=data.sex)}
    village = _village(data.village_code)
    phone = normalize_phone(data.phone) if data.phone.strip() else ""
    full_name = _text(data.full_name, field="Nama lengkap", max_length=150, required=True)
    if data.sex not in Sex.values:
        raise RegistryError(E.CHOICE_INVALID, value=data.sex, field="jenis kelamin")
    return {
        "full_name": full_name,
        "name_search": search_key(full_name),
        "nik_hash": nik_hash(nik.value),
        "nik_ciphertext": crypto.encrypt(nik.value, purpose=NIK_PURPOSE),
        "nik_masked": nik.masked,
        "birth_place": _text(data.birth_place, field="Tempat lahir", max_length=80),
        "birth_date": birth_date,
        "sex": data.sex,
        "nik_birth_date_mismatch": E.NIK_BIRTH_DATE_MISMATCH in mismatch_codes,
        "nik_sex_mismatch": E.NIK_SEX_MISMATCH in mismatch_codes,
        "phone_ciphertext": crypto.encrypt(phone, purpose=PHONE_PURPOSE) if phone else "",
        "phone_hash": phone_hash(phone) if phone else "",
        "phone_masked": mask_phone(phone) if phone else "",
        "email": data.email.strip(),
        "address": _text(data.address, field="Alamat", max_length=250, required=True),
        "rt": data.rt.strip().zfill(3) if data.rt.strip() else "",
        "rw": data.rw.strip().zfill(3) if data.rw.strip() else "",
        "village": village,
        "region_code": village.code,
        "postcode": data.postcode.strip(),
    }


def _record_nik_conflict(*, actor: User, nik_digest: str, attempted_name: str) -> None:
    existing = Person.objects.filter(nik_hash=nik_digest).only("pk").first()
    if existing is not None:
        NikConflict.objects.create(
            person=existing, attempted_by=actor, attempted_name=attempted_name[:150]
        )


def person_register(*, actor: User, data: PersonData, account: User | None = None) -> Person:
    """Create the owner record. An owner registers themself; staff may register on someone's behalf.

    A NIK already in the registry is refused without saying whose it is, and the attempt is
    kept as a NikConflict for the officers of the existing person's region.
    """
    if actor.role == Role.OWNER:
        account = actor
        if Person.objects.filter(account=actor).exists():
            raise RegistryError(E.PERSON_ALREADY_EXISTS)
    elif actor.role not in DECIDING_ROLES:
        raise RegistryError(E.PERMISSION_DENIED)
    fields = _clean_person_fields(data)
    if actor.role != Role.OWNER and not region_in_scope(actor, fields["region_code"]):
        raise RegistryError(E.PERMISSION_DENIED)
    try:
        with transaction.atomic():
            person = Person.objects.create(account=account, **fields)
    except IntegrityError:
        # The unique blind index is the arbiter, also when two registrations race.
        if Person.objects.filter(nik_hash=fields["nik_hash"]).exists():
            _record_nik_conflict(
                actor=actor, nik_digest=fields["nik_hash"], attempted_name=fields["full_name"]
            )
            raise RegistryError(E.NIK_ALREADY_REGISTERED) from None
        raise
    return person


def person_update(*, actor: User, person: Person, data: PersonData) -> Person:
    if not (
        _is_owner_of(actor, person)
        or (actor.role in DECIDING_ROLES and region_in_scope(actor, person.region_code))
    ):
        raise RegistryError(E.PERMISSION_DENIED)
    if person.verified_at is not None:
        raise RegistryError(E.NOT_EDITABLE)
    fields = _clean_person_fields(data)
    changes = _diff(person, fields, secret=PERSON_SECRET_FIELDS)
    if not changes:
        return person
    try:
        with transaction.atomic():
            Person.objects.filter(pk=person.pk).update(**fields, updated_at=timezone.now())
            for business in person.businesses.all():
                RegistrationEvent.objects.create(
                    business=business, actor=actor, action="person_edited", changes=changes
                )
    except IntegrityError:
        _record_nik_conflict(
            actor=actor, nik_digest=fields["nik_hash"], attempted_name=fields["full_name"]
        )
        raise RegistryError(E.NIK_ALREADY_REGISTERED) from None
    person.refresh_from_db()
    return person


def _diff(instance: Any, fields: dict[str, Any], *, secret: frozenset[str]) -> dict[str, Any]:
    """What changed, as {field: [old, new]}; secret fields only say that they changed."""
    changes: dict[str, Any] = {}
    for name, new in fields.items():
        attr = f"{name}_id" if name in {"village", "kbli_section", "ekraf_subsector"} else name
        old = getattr(instance, attr)
        new_cmp = new.pk if hasattr(new, "pk") else new
        if old != new_cmp:
            if name in secret:
                changes[name] = "diubah"
            else:
                changes[name] = [_jsonable(old), _jsonable(new_cmp)]
    return changes


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _text(value: str, *, field: str, max_length: int, required: bool = False) -> str:
    text = " ".join(value.split())
    if required and not text:
        raise RegistryError(E.FIELD_REQUIRED, field=field)
    if len(text) > max_length:
        raise RegistryError(E.FIELD_TOO_LONG, field=field, max=max_length)
    return text


def _not_negative(value: int | None, *, field: str) -> int | None:
    if value is not None and value < 0:
        raise RegistryError(E.AMOUNT_NEGATIVE, field=field)
    return value


def _check_business_choices(data: BusinessData) -> None:
    """Refuse unknown codes with a message, before the database refuses them with a 500."""
    if not KbliSection.objects.filter(pk=data.kbli_section).exists():
        raise RegistryError(E.KBLI_UNKNOWN, code=data.kbli_section)
    if data.ekraf_subsector and not EkrafSubsector.objects.filter(pk=data.ekraf_subsector).exists():
        raise RegistryError(E.EKRAF_UNKNOWN, code=data.ekraf_subsector)
    if data.pandemic_impact not in PandemicImpact.values:
        raise RegistryError(E.CHOICE_INVALID, value=data.pandemic_impact, field="dampak pandemi")
    for channel in data.online_channels:
        if channel not in OnlineChannel.values:
            raise RegistryError(E.CHOICE_INVALID, value=channel, field="kanal daring")


def _clean_business_fields(data: BusinessData) -> dict[str, Any]:
    _check_business_choices(data)
    for amount, label in (
        (data.employees, "Jumlah pekerja"),
        (data.monthly_turnover, "Omzet per bulan"),
    ):
        _not_negative(amount, field=label)
    village = _village(data.village_code)
    size = business_size_class(capital=data.capital, annual_sales=data.annual_sales)
    name = _text(data.name, field="Nama usaha", max_length=150, required=True)
    return {
        "name": name,
        "name_search": search_key(name),
        "nib": normalize_nib(data.nib) if data.nib.strip() else "",
        "kbli_section_id": data.kbli_section,
        "kbli_code": data.kbli_code.strip(),
        "ekraf_subsector_id": data.ekraf_subsector or None,
        "description": _text(data.description, field="Uraian usaha", max_length=5000),
        "started_year": data.started_year,
        "capital": data.capital,
        "annual_sales": data.annual_sales,
        "size_class": size,
        "employees": data.employees,
        "monthly_turnover": data.monthly_turnover,
        "online_channels": sorted(set(data.online_channels)),
        "pandemic_impact": data.pandemic_impact,
        "pandemic_impact_note": _text(
            data.pandemic_impact_note, field="Keterangan dampak", max_length=300
        ),
        "address": _text(data.address, field="Alamat usaha", max_length=250, required=True),
        "village_id": village.code,
        "region_code": village.code,
    }


def business_create(*, actor: User, owner: Person, data: BusinessData) -> Business:
    if not (_is_owner_of(actor, owner) or actor.role in DECIDING_ROLES):
        raise RegistryError(E.PERMISSION_DENIED)
    fields = _clean_business_fields(data)
    if actor.role in DECIDING_ROLES and not region_in_scope(actor, fields["region_code"]):
        raise RegistryError(E.PERMISSION_DENIED)
    with transaction.atomic():
        business = Business.objects.create(owner=owner, **fields)
        RegistrationEvent.objects.create(
            business=business, actor=actor, action="created", to_status=business.status
        )
    return business


def business_update(*, actor: User, business: Business, data: BusinessData) -> Business:
    _check_can_edit(actor, business)
    fields = _clean_business_fields(data)
    with transaction.atomic():
        locked = Business.objects.select_for_update().get(pk=business.pk)
        if locked.status not in transitions.EDITABLE:
            raise RegistryError(E.NOT_EDITABLE)
        changes = _diff(
            locked, {k.removesuffix("_id"): v for k, v in fields.items()}, secret=frozenset()
        )
        if changes:
            Business.objects.filter(pk=locked.pk).update(**fields, updated_at=timezone.now())
            RegistrationEvent.objects.create(
                business=locked, actor=actor, action="edited", changes=changes
            )
    business.refresh_from_db()
    return business


def _check_product_editable(actor: User, business: Business) -> None:
    _check_can_edit(actor, business)
    if business.status not in transitions.EDITABLE:
        raise RegistryError(E.NOT_EDITABLE)


def _clean_product_fields(data: ProductData) -> dict[str, Any]:
    return {
        "name": _text(data.name, field="Nama produk", max_length=150, required=True),
        "description": _text(data.description, field="Uraian produk", max_length=5000),
        "price": _not_negative(data.price, field="Harga"),
        "unit": _text(data.unit, field="Satuan", max_length=30),
    }


def product_create(
    *, actor: User, business: Business, data: ProductData, photos: Sequence[UploadedFile] = ()
) -> Product:
    _check_product_editable(actor, business)
    prepared = [photo_prepare(upload) for upload in photos]
    if len(prepared) > MAX_PHOTOS_PER_PRODUCT:
        raise RegistryError(E.TOO_MANY_PHOTOS, max=MAX_PHOTOS_PER_PRODUCT)
    with transaction.atomic():
        product = Product.objects.create(business=business, **_clean_product_fields(data))
        for photo in prepared:
            _photo_save(product, photo)
        RegistrationEvent.objects.create(
            business=business,
            actor=actor,
            action="product_added",
            changes={"product": product.name, "photos": len(prepared)},
        )
    return product


def product_photo_add(*, actor: User, product: Product, upload: UploadedFile) -> ProductPhoto:
    _check_product_editable(actor, product.business)
    prepared = photo_prepare(upload)
    with transaction.atomic():
        if product.photos.count() >= MAX_PHOTOS_PER_PRODUCT:
            raise RegistryError(E.TOO_MANY_PHOTOS, max=MAX_PHOTOS_PER_PRODUCT)
        photo = _photo_save(product, prepared)
        RegistrationEvent.objects.create(
            business=product.business,
            actor=actor,
            action="photo_added",
            changes={"product": product.name},
        )
    return photo


def product_delete(*, actor: User, product: Product) -> None:
    _check_product_editable(actor, product.business)
    with transaction.atomic():
        RegistrationEvent.objects.create(
            business=product.business,
            actor=actor,
            action="product_removed",
            changes={"product": product.name},
        )
        for photo in product.photos.all():
            photo.image.delete(save=False)
        product.delete()


@dataclass(frozen=True)
class PreparedPhoto:
    content: bytes
    width: int
    height: int


def photo_prepare(upload: UploadedFile) -> PreparedPhoto:
    """Check size and content, then re-encode as JPEG: drops EXIF (GPS of a home kitchen is
    personal data), bounds the size, and turns anything image-shaped into a plain image."""
    max_bytes = settings.PULIH_MAX_PHOTO_BYTES
    if upload.size is None or upload.size > max_bytes:
        raise RegistryError(E.PHOTO_TOO_LARGE, max_mb=max_bytes // (1024 * 1024))
    too_large = RegistryError(E.PHOTO_TOO_LARGE, max_mb=max_bytes // (1024 * 1024))
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            probe.verify()
            if probe.width * probe.height > MAX_PHOTO_PIXELS:
                raise too_large
        upload.seek(0)
        with Image.open(upload) as opened:
            upright = ImageOps.exif_transpose(opened).convert("RGB")
        upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
        out = io.BytesIO()
        upright.save(out, format="JPEG", quality=85, optimize=True)
    except RegistryError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise RegistryError(E.PHOTO_NOT_IMAGE) from None
    return PreparedPhoto(content=out.getvalue(), width=upright.width, height=upright.height)


def _photo_save(product: Product, prepared: PreparedPhoto) -> ProductPhoto:
    photo = ProductPhoto(
        product=product, token=secrets.token_hex(16), width=prepared.width, height=prepared.height
    )
    photo.image.save("photo.jpg", ContentFile(prepared.content), save=False)
    photo.save()
    return photo


# --- registration state changes ---------------------------------------------------------------


def _transition(
    *, actor: User, business: Business, to: RegistrationStatus, reason: str = ""
) -> Business:
    reason = reason.strip()
    if to in transitions.REASON_REQUIRED and not reason:
        raise RegistryError(E.REASON_REQUIRED)
    with transaction.atomic():
        # Lock the row: a double click on "verify" or two officers at once decide only once.
        locked = Business.objects.select_for_update().select_related("owner").get(pk=business.pk)
        if to in transitions.OFFICER_DECISIONS:
            if actor.role not in DECIDING_ROLES or not region_in_scope(actor, locked.region_code):
                raise RegistryError(E.PERMISSION_DENIED)
        else:
            _check_can_edit(actor, locked)
        if not transitions.is_allowed(locked.status, to):
            raise RegistryError(
                E.TRANSITION_NOT_ALLOWED,
                **{"from": RegistrationStatus(locked.status).label, "to": to.label},
            )
        now = timezone.now()
        update: dict[str, Any] = {"status": to, "updated_at": now}
        if to == RegistrationStatus.SUBMITTED:
            update.update(submitted_at=now, status_reason="")
        else:
            update.update(decided_at=now, decided_by=actor, status_reason=reason)
        Business.objects.filter(pk=locked.pk).update(**update)
        if to == RegistrationStatus.VERIFIED:
            Person.objects.filter(pk=locked.owner_id, verified_at__isnull=True).update(
                verified_at=now
            )
        RegistrationEvent.objects.create(
            business=locked,
            actor=actor,
            action="status",
            from_status=locked.status,
            to_status=to,
            reason=reason,
        )
    business.refresh_from_db()
    return business


def registration_submit(*, actor: User, business: Business) -> Business:
    return _transition(actor=actor, business=business, to=RegistrationStatus.SUBMITTED)


def registration_request_fix(*, actor: User, business: Business, reason: str) -> Business:
    return _transition(
        actor=actor, business=business, to=RegistrationStatus.NEEDS_FIX, reason=reason
    )


def registration_verify(*, actor: User, business: Business, note: str = "") -> Business:
    return _transition(actor=actor, business=business, to=RegistrationStatus.VERIFIED, reason=note)


def registration_reject(*, actor: User, business: Business, reason: str) -> Business:
    return _transition(
        actor=actor, business=business, to=RegistrationStatus.REJECTED, reason=reason
    )


# --- privacy ------------------------------------------------------------------------------------


def person_reveal_nik(
    *, actor: User, person: Person, reason: str = "", channel: str = "web"
) -> str:
    """The full NIK, for staff holding the permission and the region; every reveal is logged."""
    from pulih.registry.selectors import person_in_scope

    if not actor.has_perm("registry.reveal_nik") or not person_in_scope(user=actor, person=person):
        raise RegistryError(E.PERMISSION_DENIED)
    PersonalDataAccess.objects.create(
        actor=actor, person=person, field="nik", reason=reason[:300], channel=channel
    )
    return crypto.decrypt(person.nik_ciphertext, purpose=NIK_PURPOSE)
