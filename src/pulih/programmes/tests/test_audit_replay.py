"""The state auditor's 2020 BPUM findings, replayed: every category planted among clean
applicants, the BPUM 2021 (DKI) definition run from proposer files to payments, and each planted
person stopped before money moves with the right reason, no clean one stopped, nobody paid twice.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from pulih.accounts.models import Role
from pulih.intake.tests.files import HEADERS, row, run_import, write_csv
from pulih.linkage.models import ListKind
from pulih.payments.models import Payment
from pulih.privacy import crypto
from pulih.programmes import services
from pulih.programmes.error_codes import ProgrammeError, ProgrammeErrorCode as E
from pulih.programmes.ledger import ledger_totals
from pulih.programmes.models import (
    Application,
    ApplicationStatus,
    DecisionEntry,
    EntryChange,
    RoundStatus,
)
from pulih.programmes.tests.conftest import screening_list
from pulih.registry.models import Person
from pulih.testing.factories import user_make

pytestmark = pytest.mark.django_db

DEFINITION = Path(__file__).resolve().parents[1] / "definitions" / "bpum-2021-dki.toml"
FILE_HEADERS = [*HEADERS, "Modal Usaha", "Saldo Tabungan", "Kredit Bank"]

# category -> the rule that must stop it (None: refused at intake, before any application)
PLANTED = {
    "nik_not_in_dukcapil": "nik_dukcapil",
    "nik_of_someone_else": "nik_dukcapil",
    "anomalous_nik": None,
    "asn": "bukan_aparatur",
    "tni": "bukan_aparatur",
    "polri": "bukan_aparatur",
    "bumn": "bukan_aparatur",
    "bumd": "bukan_aparatur",
    "deceased": "masih_hidup",
    "not_micro": "usaha_mikro",
    "bank_credit": "tanpa_kredit",
    "already_received": "belum_menerima",
    "moved_abroad": "di_dalam_negeri",
    "savings_too_high": "saldo",
}
LIST_OF = {
    "asn": ListKind.ASN, "tni": ListKind.TNI, "polri": ListKind.POLRI, "bumn": ListKind.BUMN,
    "bumd": ListKind.BUMD, "deceased": ListKind.DECEASED, "bank_credit": ListKind.BANK_CREDIT,
    "already_received": ListKind.PRIOR_RECIPIENT, "moved_abroad": ListKind.ABROAD,
}  # fmt: skip
GIVEN = ["Agus", "Bambang", "Citra", "Dewi", "Eko", "Fitri", "Gita", "Hadi", "Indra", "Joko",
         "Kiki", "Lina", "Made", "Nur", "Oka", "Putu", "Rudi", "Sri", "Tono", "Umi", "Vera",
         "Wawan", "Yanti", "Zaki"]  # fmt: skip
FAMILY = ["Saputra", "Wijaya", "Lestari", "Nugroho", "Hidayat", "Kusuma", "Pratama", "Rahayu",
          "Siregar", "Simanjuntak", "Wibowo", "Setiawan"]  # fmt: skip


def _person_row(n: int, *, capital: str = "Rp50.000.000", savings: str = "Rp1.500.000",
                credit: str = "Tidak", nik: str | None = None) -> list[str]:  # fmt: skip
    sex = "L" if n % 2 else "P"
    birth = date(1960 + n % 35, 1 + n % 12, 1 + n % 27)
    name = f"{GIVEN[n % len(GIVEN)]} {FAMILY[n // len(GIVEN) % len(FAMILY)]}"
    values = row(
        n, nik=nik, name=name, sex=sex, birth=birth,
        place_date=f"JAKARTA, {birth:%d-%m-%Y}", phone=f"0812-{n:04d}-{n * 7 % 10000:04d}",
        business=f"Usaha {name}", address=f"Jl. Kemuning No. {n}",
    )  # fmt: skip
    return [*values, capital, savings, credit]


def test_every_audit_finding_is_stopped_before_money_moves(tmp_path):
    officer = user_make(role=Role.OFFICER, regions=("31",))
    approver = user_make(role=Role.APPROVER, regions=("31",))
    version = services.programme_load(actor=officer, source=DEFINITION.read_text())
    round_obj = services.round_transition(
        actor=officer, round_obj=version.programme.rounds.get(code="tahap-1"), to=RoundStatus.OPEN
    )

    clean = {f"bersih-{i}": _person_row(100 + i) for i in range(24)}
    planted: dict[str, list[str]] = {}
    for n, category in enumerate(PLANTED, start=1):
        if category == "not_micro":
            planted[category] = _person_row(n, capital="Rp2.500.000.000")
        elif category == "savings_too_high":
            planted[category] = _person_row(n, savings="Rp7.500.000")
        elif category == "anomalous_nik":
            # Day 45 is a woman's 5th, but month 13 exists for nobody.
            planted[category] = _person_row(n, nik="3175074513850007")
        else:
            planted[category] = _person_row(n)
    everyone = {**clean, **planted}
    nik_at, name_at, birth_at = 1, 2, 3

    # The civil registry extract: every real person, except the NIK that is not in it, and the
    # NIK that belongs to someone else (other name, other birth date).
    dukcapil = []
    for key, values in everyone.items():
        if key in ("nik_not_in_dukcapil", "anomalous_nik"):
            continue
        if key == "nik_of_someone_else":
            dukcapil.append((values[nik_at], "Hartono Gunawan", "01-01-1950"))
            continue
        dukcapil.append((values[nik_at], values[name_at], values[birth_at].split(", ")[1]))
    screening_list(officer, tmp_path, ListKind.CIVIL_REGISTRY, dukcapil, source="Dukcapil DKI")
    for category, kind in LIST_OF.items():
        values = planted[category]
        screening_list(officer, tmp_path, kind, [(values[nik_at], values[name_at], "")],
                       source=f"Sumber {kind}")  # fmt: skip

    # Two proposers: the second list names one clean person again ("received more than once").
    first = write_csv(tmp_path / "usulan-jaktim.csv", list(everyone.values()), headers=FILE_HEADERS)
    second = write_csv(tmp_path / "usulan-koperasi.csv", [clean["bersih-0"]], headers=FILE_HEADERS)
    job_one = run_import(officer, first, source="Dinas PPKUKM Jakarta Timur")
    job_two = run_import(officer, second, source="Koperasi Maju Bersama")
    assert job_one.rows_rejected == 1  # the anomalous NIK, refused at intake with its reason
    made = services.applications_from_intake(actor=officer, round_obj=round_obj, job_id=job_one.pk)
    again = services.applications_from_intake(actor=officer, round_obj=round_obj, job_id=job_two.pk)
    assert (made.created, again.created, again.already) == (len(everyone) - 1, 0, 1)

    run = services.eligibility_run(actor=officer, round_obj=round_obj)
    decision = services.decision_propose(actor=officer, round_obj=round_obj)
    services.decision_approve(actor=approver, decision=decision)

    by_nik = {
        crypto.decrypt(p.nik_ciphertext, purpose="nik"): p.pk
        for p in Person.objects.all().only("nik_ciphertext")
    }
    applications = {a.person_id: a for a in Application.objects.filter(round=round_obj)}
    paid_people = set(Payment.objects.filter(round=round_obj).values_list("person_id", flat=True))

    for key, values in clean.items():
        application = applications[by_nik[values[nik_at]]]
        failed = [code for code, ok, _ in application.results if not ok]
        assert failed == [], f"{key} was stopped by {failed}"
        assert application.status == ApplicationStatus.RECIPIENT
    for category, rule in PLANTED.items():
        nik = planted[category][nik_at]
        if rule is None:
            assert nik not in by_nik, f"{category} reached the registry"
            continue
        application = applications[by_nik[nik]]
        failed = [code for code, ok, _ in application.results if not ok]
        assert rule in failed, f"{category}: expected {rule}, failed {failed}"
        assert application.status == ApplicationStatus.INELIGIBLE
        assert by_nik[nik] not in paid_people

    # Paid exactly the clean people, once each, all of them in the approved annex.
    assert paid_people == {by_nik[v[nik_at]] for v in clean.values()}
    assert Payment.objects.filter(round=round_obj).count() == len(clean)
    annex = set(
        DecisionEntry.objects.filter(decision=decision, change=EntryChange.ADD).values_list(
            "application_id", flat=True
        )
    )
    assert (
        set(Payment.objects.filter(round=round_obj).values_list("application_id", flat=True))
        <= annex
    )
    noted = applications[by_nik[clean["bersih-0"][nik_at]]].also_proposed_by
    assert [n["proposer"] for n in noted] == ["Koperasi Maju Bersama"]
    assert run.failures["bukan_aparatur"] == 5

    # Paid twice: a second approval is refused, and the database refuses a second payment.
    with pytest.raises(ProgrammeError) as twice:
        services.decision_approve(actor=approver, decision=decision)
    assert twice.value.code == E.DECISION_NOT_PROPOSED
    payment = Payment.objects.filter(round=round_obj).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            round=round_obj, person_id=payment.person_id,
            application=Application.objects.filter(round=round_obj, status="ineligible").first(),
            decision=decision, amount=payment.amount, bank=payment.bank,
            created_at=payment.created_at, updated_at=payment.updated_at,
        )  # fmt: skip
    round_obj.refresh_from_db()
    assert round_obj.committed == len(clean) * 1_200_000 == ledger_totals(round_obj)["committed"]
