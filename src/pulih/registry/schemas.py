"""Shapes of the registry API: what it accepts and what it answers, with masked identifiers only.

Input limits mirror the column sizes, so an over-long value is a 422 naming the field rather
than a database error. A person's birth date is accepted but never returned: the masked NIK
hides exactly the six birth-date digits, so the date beside it would give the full NIK away
without the logged reveal.
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from pulih.reference.models import EkrafSubsector
from pulih.registry.models import OnlineChannel, PandemicImpact, RegistrationStatus, Sex

# Kemendagri codes with dots, at any level: 32 / 32.73 / 32.73.01 / 32.73.01.1001.
REGION_CODE_PATTERN = r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"
BIGINT_MAX = 2**63 - 1
MAX_PAGE_SIZE = 100
# Deep enough for any real list; keeps OFFSET inside what both databases accept.
MAX_PAGE = 1_000_000


class _Input(Schema):
    # Leading and trailing spaces never count: "  " is an empty name, not a two-letter one.
    # Choices arrive in the services as the plain strings the web forms also pass.
    model_config = ConfigDict(str_strip_whitespace=True, use_enum_values=True)


# --- query parameters ---------------------------------------------------------------------------


class PageQuery(_Input):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Nomor halaman, mulai dari 1.")
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE, description="Baris per halaman (maks. 100).")


class BusinessQuery(PageQuery):
    region: str | None = Field(
        None, pattern=REGION_CODE_PATTERN, description="Kode wilayah tingkat mana pun, mis. 32.73."
    )
    status: RegistrationStatus | None = None
    search: str = Field(
        "",
        max_length=100,
        description="Awal nama usaha atau pemilik, NIK lengkap, atau NIK tersamar.",
    )


class PersonQuery(PageQuery):
    search: str = Field(
        "", max_length=100, description="Awal nama, NIK lengkap, atau NIK tersamar."
    )


# --- request bodies -----------------------------------------------------------------------------


class PersonIn(_Input):
    full_name: str = Field(min_length=1, max_length=150)
    nik: str = Field(max_length=32)
    birth_date: date
    sex: Sex
    address: str = Field(min_length=1, max_length=250)
    village_code: str = Field(min_length=1, max_length=13)
    phone: str = Field("", max_length=32)
    birth_place: str = Field("", max_length=80)
    email: str = Field("", max_length=254)
    rt: str = Field("", pattern=r"^\d{0,3}$")
    rw: str = Field("", pattern=r"^\d{0,3}$")
    postcode: str = Field("", pattern=r"^(\d{5})?$")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise ValueError("Alamat surel tidak sah.") from None
        return value


class BusinessIn(_Input):
    owner_id: int
    name: str = Field(min_length=1, max_length=150)
    # KBLI 2020 has exactly the sections A to U.
    kbli_section: str = Field(pattern=r"^[A-U]$")
    address: str = Field(min_length=1, max_length=250)
    village_code: str = Field(min_length=1, max_length=13)
    capital: int | None = Field(None, le=BIGINT_MAX)
    annual_sales: int | None = Field(None, le=BIGINT_MAX)
    nib: str = Field("", max_length=32)
    kbli_code: str = Field("", pattern=r"^\d{0,5}$")
    ekraf_subsector: str | None = Field(None, max_length=40)
    description: str = Field("", max_length=5000)
    started_year: int | None = Field(None, ge=1900)
    employees: int = Field(0, ge=0, le=2**31 - 1)
    monthly_turnover: int | None = Field(None, ge=0, le=BIGINT_MAX)
    online_channels: list[OnlineChannel] = Field(
        default_factory=list, max_length=len(OnlineChannel)
    )
    pandemic_impact: PandemicImpact = PandemicImpact.NONE
    pandemic_impact_note: str = Field("", max_length=300)

    # The service stores the slug as given, and an unknown one would only fail on the foreign
    # key at COMMIT (a 500); refuse it here as bad input instead.
    @field_validator("ekraf_subsector")
    @classmethod
    def _ekraf_known(cls, value: str | None) -> str | None:
        if value and not EkrafSubsector.objects.filter(pk=value).exists():
            raise ValueError("Subsektor ekonomi kreatif tidak dikenal.")
        return value or None

    @field_validator("started_year")
    @classmethod
    def _year_not_in_future(cls, value: int | None) -> int | None:
        if value is not None and value > timezone.localdate().year:
            raise ValueError("Tahun mulai tidak boleh di masa depan.")
        return value


class ProductIn(_Input):
    name: str = Field(min_length=1, max_length=150)
    description: str = Field("", max_length=5000)
    price: int | None = Field(None, ge=0, le=BIGINT_MAX)
    unit: str = Field("", max_length=30)


class ReasonIn(_Input):
    # Not required here: a blank reason is the service's REASON_REQUIRED (400), as on the web.
    reason: str = Field("", max_length=2000)


class NoteIn(_Input):
    note: str = Field("", max_length=2000)


class RevealIn(_Input):
    reason: str = Field(min_length=1, max_length=300)


# --- responses ----------------------------------------------------------------------------------


class ErrorOut(Schema):
    code: str
    detail: str


class OwnerOut(Schema):
    id: int
    full_name: str
    nik_masked: str


class BusinessItemOut(Schema):
    id: int
    name: str
    status: str
    status_label: str
    size_class: str
    kbli_section: str | None
    region_code: str
    village_name: str
    owner: OwnerOut
    submitted_at: datetime | None


class BusinessPageOut(Schema):
    count: int
    count_exact: bool = True
    page: int
    page_size: int
    results: list[BusinessItemOut]


class PhotoOut(Schema):
    id: int
    url: str
    width: int
    height: int


class ProductOut(Schema):
    id: int
    name: str
    description: str
    price: int | None
    unit: str
    photos: list[PhotoOut]
    created_at: datetime


class EventOut(Schema):
    at: datetime
    actor: str
    action: str
    from_status: str
    to_status: str
    reason: str
    changes: dict[str, Any]


class BusinessOut(BusinessItemOut):
    nib: str
    kbli_section_name: str
    kbli_code: str
    ekraf_subsector: str | None
    ekraf_subsector_name: str | None
    description: str
    started_year: int | None
    capital: int | None
    annual_sales: int | None
    employees: int
    monthly_turnover: int | None
    online_channels: list[str]
    pandemic_impact: str
    pandemic_impact_label: str
    pandemic_impact_note: str
    address: str
    district_name: str
    city_name: str
    province_name: str
    status_reason: str
    decided_at: datetime | None
    decided_by: str | None
    created_at: datetime
    updated_at: datetime
    products: list[ProductOut]
    history: list[EventOut]


class StatusOut(Schema):
    id: int
    status: str
    status_label: str
    status_reason: str
    submitted_at: datetime | None
    decided_at: datetime | None


class PersonItemOut(Schema):
    id: int
    full_name: str
    nik_masked: str
    phone_masked: str
    sex: str
    region_code: str
    village_name: str
    nik_birth_date_mismatch: bool
    nik_sex_mismatch: bool
    verified_at: datetime | None


class PersonPageOut(Schema):
    count: int
    count_exact: bool = True
    page: int
    page_size: int
    results: list[PersonItemOut]


class PersonOut(PersonItemOut):
    birth_place: str
    email: str
    address: str
    rt: str
    rw: str
    postcode: str
    has_account: bool
    created_at: datetime
    updated_at: datetime


class NikOut(Schema):
    nik: str
