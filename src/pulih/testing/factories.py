"""Factories for tests: real records made through the real services, never raw fixtures."""

import itertools
from datetime import date

from django.contrib.auth.models import Permission
from django.test import Client

from pulih.accounts.models import RegionScope, Role, User
from pulih.registry import services
from pulih.registry.models import Business, Person

_serials = itertools.count(1)
PASSWORD = "uji-Sandi-2026"


def build_nik(district_code: str, birth_date: date, sex: str, serial: int) -> str:
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{district_code.replace('.', '')}{day:02d}{birth_date:%m%y}{serial:04d}"


def user_make(
    *,
    role: str = Role.OWNER,
    regions: tuple[str, ...] = (),
    username: str | None = None,
    reveal: bool = False,
) -> User:
    n = next(_serials)
    user = User.objects.create_user(
        username=username or f"{role}{n}",
        password=PASSWORD,
        role=role,
        full_name=f"Pengguna {role} {n}",
    )
    for code in regions:
        RegionScope.objects.create(user=user, region_id=code)
    if reveal:
        user.user_permissions.add(Permission.objects.get(codename="reveal_nik"))
        user = User.objects.get(pk=user.pk)  # drop the permission cache
    return user


def person_data(
    *,
    village: str = "32.73.01.1001",
    name: str = "Siti Aminah",
    sex: str = "P",
    birth_date: date = date(1985, 3, 12),
    serial: int | None = None,
    **extra: str,
) -> services.PersonData:
    nik = build_nik(
        village[:8], birth_date, sex, serial if serial is not None else next(_serials) % 9999 + 1
    )
    values: dict = dict(
        full_name=name,
        nik=nik,
        birth_date=birth_date,
        sex=sex,
        address="Jl. Merdeka No. 5",
        village_code=village,
        phone="0812-3456-7890",
    )
    values.update(extra)
    return services.PersonData(**values)


def business_data(
    *, village: str = "32.73.01.1001", name: str = "Keripik Tempe Bu Siti", **extra: object
) -> services.BusinessData:
    values: dict = dict(
        name=name,
        kbli_section="C",
        address="Jl. Merdeka No. 5",
        village_code=village,
        capital=15_000_000,
        annual_sales=120_000_000,
        employees=2,
        monthly_turnover=10_000_000,
        ekraf_subsector="kuliner",
        online_channels=("shopee", "whatsapp"),
        pandemic_impact="turnover_down",
    )
    values.update(extra)
    return services.BusinessData(**values)


def registration_make(
    *,
    village: str = "32.73.01.1001",
    owner: User | None = None,
    submitted: bool = True,
    business_name: str = "Keripik Tempe Bu Siti",
    **person_extra: object,
) -> Business:
    """An owner with an account, a person and one business, submitted by default."""
    owner = owner or user_make(role=Role.OWNER)
    person: Person = services.person_register(
        actor=owner, data=person_data(village=village, **person_extra)
    )
    business = services.business_create(
        actor=owner, owner=person, data=business_data(village=village, name=business_name)
    )
    if submitted:
        business = services.registration_submit(actor=owner, business=business)
    return business


def client_for(user: User) -> Client:
    """A test client signed in as `user` (session auth, as the browser uses)."""
    client = Client()
    client.force_login(user)
    return client
