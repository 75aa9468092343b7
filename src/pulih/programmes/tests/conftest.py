"""Shared set-up for programme tests: real definitions, real people, real screening lists."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pulih.accounts.models import Role, User
from pulih.linkage import services as linkage_services
from pulih.linkage.models import ListKind, ScreeningList
from pulih.privacy import crypto
from pulih.programmes import services
from pulih.programmes.models import Round, RoundStatus
from pulih.registry.models import Business
from pulih.testing.factories import registration_make, user_make

DKI_VILLAGE = "31.71.01.1001"
BANDUNG_VILLAGE = "32.73.01.1001"

SMALL_CASH = """
[programme]
code = "modal-uji"
name = "Bantuan Modal Uji"
kind = "cash"
agency = "Dinas PPKUKM DKI Jakarta"

[[declaration]]
field = "savings_balance"
label = "Saldo tabungan (Rp)"
type = "money"

[[rule]]
code = "usaha_mikro"
check = "business_size"
sizes = ["mikro"]

[[rule]]
code = "domisili_dki"
check = "business_region"
regions = ["31"]

[[rule]]
code = "bukan_aparatur"
check = "not_listed"
lists = ["asn", "tni", "polri"]

[[rule]]
code = "saldo"
check = "declared_at_most"
field = "savings_balance"
max = 2_000_000

[[round]]
code = "tahap-1"
name = "Tahap 1"
opens = 2021-03-01
closes = 2030-12-31
amount = 1_200_000
budget = {budget}
banks = ["BRI", "BNI"]
appeal_days = 14
"""


@pytest.fixture(autouse=True)
def programmes_dir(settings, tmp_path: Path) -> Path:
    settings.PULIH_PROGRAMMES_DIR = tmp_path / "programmes"
    return settings.PULIH_PROGRAMMES_DIR


@pytest.fixture
def officer() -> User:
    return user_make(role=Role.OFFICER, regions=("31",))


@pytest.fixture
def approver() -> User:
    return user_make(role=Role.APPROVER, regions=("31",))


def cash_round(officer: User, *, budget: int = 12_000_000) -> Round:
    version = services.programme_load(
        actor=officer, source=SMALL_CASH.replace("{budget}", str(budget))
    )
    round_obj = version.programme.rounds.get(code="tahap-1")
    return services.round_transition(actor=officer, round_obj=round_obj, to=RoundStatus.OPEN)


def dki_business(**extra: object) -> Business:
    return registration_make(village=DKI_VILLAGE, **extra)


def nik_of(business: Business) -> str:
    return crypto.decrypt(business.owner.nik_ciphertext, purpose="nik")


def screening_list(
    actor: User,
    tmp_path: Path,
    kind: ListKind,
    rows: list[tuple[str, str, str]],
    source: str = "BKD",
) -> ScreeningList:
    """A list file (NIK; name; birth date) imported through the linkage service."""
    path = tmp_path / f"{kind}-{source}.csv"
    lines = ["NIK;Nama Lengkap;Tanggal Lahir"] + [";".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return linkage_services.screening_list_import(
        actor=actor, kind=kind, source=source, as_of=date(2021, 3, 1), path=path,
        original_name=path.name,
    )  # fmt: skip
