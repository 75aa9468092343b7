"""Demo logins, one per role, and the system user that the bulk demo data is attributed to."""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from pulih.accounts.models import Role, User
from pulih.accounts.services import system_user_get_or_create, user_create
from pulih.demo.generator import nik_compose
from pulih.reference.models import Region, RegionLevel
from pulih.registry import services

# Public on purpose: the command prints it, and only demo databases hold these accounts.
DEMO_PASSWORD = "pulih-demo-2026"  # noqa: S105
SYSTEM_USERNAME = "sistem.demo"
OWNER_REGION = "32.73"  # Kota Bandung
# Above every generated serial (generator.MAX_GENERATED_SERIAL): no bulk person takes this NIK.
OWNER_NIK_SERIAL = 9999


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    scope: str


@dataclass(frozen=True)
class _Account:
    username: str
    role: Role
    full_name: str
    agency: str = ""
    regions: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    scope_note: str = field(default="")


DEMO_ACCOUNTS = (
    _Account("pemilik", Role.OWNER, "Sari Wulandari", scope_note="Usaha sendiri di Kota Bandung"),
    _Account("petugas.dki", Role.OFFICER, "Rudi Hartono", "Dinas PPKUKM Provinsi DKI Jakarta", ("31",)),
    _Account("petugas.bandung", Role.OFFICER, "Asep Saepudin", "Dinas KUKM Kota Bandung", ("32.73",)),
    _Account("petugas.jateng", Role.OFFICER, "Endang Sulastri", "Dinas Koperasi dan UKM Provinsi Jawa Tengah", ("33",)),
    _Account(
        "kabid.dki", Role.APPROVER, "Hj. Ratna Dewi", "Dinas PPKUKM Provinsi DKI Jakarta", ("31",),
        ("registry.reveal_nik",),
    ),
    _Account("mitra", Role.PARTNER, "Inkubator Bisnis Universitas", "Universitas mitra", scope_note="Usaha yang ditugaskan"),
    _Account("pimpinan", Role.LEADERSHIP, "Kepala Dinas PPKUKM DKI", "Dinas PPKUKM Provinsi DKI Jakarta", ("31",)),
    _Account("admin", Role.ADMIN, "Administrator Pulih", scope_note="Seluruh Indonesia"),
)  # fmt: skip


def demo_system_user() -> User:
    """The user recorded as actor of bulk-generated history; it has no usable password."""
    return system_user_get_or_create(
        username=SYSTEM_USERNAME,
        role=Role.OFFICER,
        full_name="Sistem data demo",
        agency="Pulih (data sintetis)",
    )


def demo_accounts_create() -> list[DemoLogin]:
    """One login per role with the shared demo password; existing ones are left as they are."""
    names = dict(
        Region.objects.filter(code__in={c for a in DEMO_ACCOUNTS for c in a.regions}).values_list(
            "code", "name"
        )
    )
    logins = []
    for account in DEMO_ACCOUNTS:
        if not User.objects.filter(username=account.username).exists():
            with transaction.atomic():
                user = user_create(
                    username=account.username,
                    password=DEMO_PASSWORD,
                    role=account.role,
                    full_name=account.full_name,
                    agency=account.agency,
                    region_codes=account.regions,
                    permissions=account.permissions,
                )
                if account.role == Role.OWNER:
                    _owner_registration_create(user)
        scope = account.scope_note or ", ".join(
            f"{c} {names.get(c, '')}".strip() for c in account.regions
        )
        logins.append(DemoLogin(account.username, DEMO_PASSWORD, str(account.role.label), scope))
    return logins


def _owner_registration_create(owner: User) -> None:
    """A complete, submitted registration made through the registry services, as an owner would."""
    village = (
        Region.objects.filter(
            level=RegionLevel.VILLAGE, code__gte=OWNER_REGION + ".", code__lt=OWNER_REGION + "/"
        )
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    if village is None:
        raise ValueError(f"Wilayah {OWNER_REGION} belum dimuat; jalankan `pulih load_reference`.")
    birth_date = date(1984, 8, 17)
    person = services.person_register(
        actor=owner,
        data=services.PersonData(
            full_name="Sari Wulandari",
            nik=nik_compose(village[:8], birth_date, "P", OWNER_NIK_SERIAL),
            birth_date=birth_date,
            sex="P",
            birth_place="Bandung",
            address="Jl. Gegerkalong Hilir No. 12",
            rt="003",
            rw="007",
            village_code=village,
            postcode="40153",
            phone="0812-2233-4455",
            email="sari.wulandari@example.com",
        ),
    )
    business = services.business_create(
        actor=owner,
        owner=person,
        data=services.BusinessData(
            name="Keripik Tempe Bu Sari",
            kbli_section="C",
            kbli_code="10794",
            ekraf_subsector="kuliner",
            address="Jl. Gegerkalong Hilir No. 12",
            village_code=village,
            capital=15_000_000,
            annual_sales=144_000_000,
            monthly_turnover=12_000_000,
            employees=2,
            started_year=2016,
            description="Keripik tempe rumahan tanpa pengawet, dijual ke warung sekitar dan lewat Shopee.",
            online_channels=("shopee", "whatsapp", "instagram"),
            pandemic_impact="turnover_down",
            pandemic_impact_note="Omzet turun sekitar separuh selama PPKM.",
        ),
    )
    services.product_create(
        actor=owner,
        business=business,
        data=services.ProductData(
            name="Keripik Tempe Original 250 g",
            price=15_000,
            unit="bungkus",
            description="Tanpa pengawet.",
        ),
    )
    services.registration_submit(actor=owner, business=business)
