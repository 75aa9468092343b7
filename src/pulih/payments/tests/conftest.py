"""Shared set-up for disbursement tests: rounds approved through the real programme services."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulih.accounts.models import Role, User
from pulih.programmes import services as programmes
from pulih.programmes.models import Round, RoundStatus
from pulih.programmes.services import ApplicationData
from pulih.programmes.tests.conftest import cash_round, dki_business
from pulih.testing.factories import registration_make, user_make

GOODS = """
[programme]
code = "sembako-uji"
name = "Paket Sembako Uji"
kind = "food"
agency = "Dinas Sosial Provinsi DKI Jakarta"

[[rule]]
code = "domisili_dki"
check = "business_region"
regions = ["31"]

[[round]]
code = "tahap-1"
name = "Tahap 1"
opens = 2021-03-01
closes = 2030-12-31
amount = 300_000
budget = 3_000_000

[[round.item]]
name = "Beras"
quantity = 10
unit = "kg"

[[round.item]]
name = "Minyak goreng"
quantity = 2
unit = "liter"
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


def apply(officer: User, round_obj: Round, *, bank: str = "", village: str = "") -> None:
    business = registration_make(village=village) if village else dki_business()
    programmes.application_submit(
        actor=officer,
        round_obj=round_obj,
        data=ApplicationData(
            person_id=business.owner_id,
            business_id=business.pk,
            declarations={"savings_balance": 500_000},
            bank=bank,
        ),
    )


def approve(officer: User, approver: User, round_obj: Round) -> None:
    decision = programmes.decision_propose(actor=officer, round_obj=round_obj)
    programmes.decision_approve(actor=approver, decision=decision)


def paid_round(
    officer: User, approver: User, *, banks: tuple[str, ...] = ("BRI",), budget: int = 12_000_000
) -> Round:
    """A cash round (Rp1.200.000 each) with one approved recipient per entry of `banks`."""
    round_obj = cash_round(officer, budget=budget)
    for bank in banks:
        apply(officer, round_obj, bank=bank)
    approve(officer, approver, round_obj)
    return round_obj


def goods_round(officer: User, approver: User, *, villages: tuple[str, ...]) -> Round:
    version = programmes.programme_load(actor=officer, source=GOODS)
    round_obj = version.programme.rounds.get(code="tahap-1")
    round_obj = programmes.round_transition(actor=officer, round_obj=round_obj, to=RoundStatus.OPEN)
    for village in villages:
        apply(officer, round_obj, village=village)
    approve(officer, approver, round_obj)
    return round_obj
