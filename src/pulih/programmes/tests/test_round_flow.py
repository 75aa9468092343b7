"""A cash round from applications to approved recipients: reasons, maker-checker, budget."""

from __future__ import annotations

import pytest

from pulih.accounts.models import Role, User
from pulih.linkage.models import ListKind
from pulih.payments.models import Payment
from pulih.programmes import services
from pulih.programmes.error_codes import ProgrammeError, ProgrammeErrorCode as E
from pulih.programmes.ledger import ledger_totals
from pulih.programmes.models import (
    Application,
    ApplicationStatus,
    Decision,
    DecisionStatus,
    LedgerEntry,
)
from pulih.programmes.services import ApplicationData
from pulih.programmes.tests.conftest import (
    BANDUNG_VILLAGE,
    DKI_VILLAGE,
    cash_round,
    dki_business,
    nik_of,
    screening_list,
)
from pulih.testing.factories import registration_make, user_make

pytestmark = pytest.mark.django_db


def _apply(officer, round_obj, business, savings=1_000_000, bank=""):
    return services.application_submit(
        actor=officer,
        round_obj=round_obj,
        data=ApplicationData(
            person_id=business.owner_id,
            business_id=business.pk,
            declarations={"savings_balance": savings},
            bank=bank,
        ),
    )


def _results(application: Application) -> dict[str, tuple[bool, str]]:
    return {code: (passed, seen) for code, passed, seen in application.results}


def test_each_rule_records_its_outcome_and_the_value_it_saw(officer, tmp_path):
    round_obj = cash_round(officer)
    clean = dki_business(name="Siti Aminah")
    rich = dki_business(name="Budi Santoso", serial=2)
    civil_servant = dki_business(name="Ani Lestari", serial=3)
    screening_list(officer, tmp_path, ListKind.ASN, [(nik_of(civil_servant), "Ani Lestari", "")])

    ok = _apply(officer, round_obj, clean)
    too_rich = _apply(officer, round_obj, rich, savings=3_500_000)
    listed = _apply(officer, round_obj, civil_servant)

    assert ok.status == ApplicationStatus.ELIGIBLE and ok.eligible is True
    assert _results(ok)["saldo"] == (True, "saldo tabungan Rp1.000.000")
    assert too_rich.status == ApplicationStatus.INELIGIBLE
    assert _results(too_rich)["saldo"] == (False, "saldo tabungan Rp3.500.000")
    assert listed.status == ApplicationStatus.INELIGIBLE
    assert _results(listed)["bukan_aparatur"] == (False, "tercantum di daftar ASN (pegawai negeri)")
    assert _results(listed)["domisili_dki"][0] is True


def test_business_outside_the_region_is_refused_with_where_it_is(officer):
    round_obj = cash_round(officer)
    admin = officer.__class__.objects.create_superuser("root", password="x", role="admin")
    bandung = registration_make(village=BANDUNG_VILLAGE)
    application = _apply(admin, round_obj, bandung)
    passed, seen = _results(application)["domisili_dki"]
    assert passed is False
    assert "Kota Bandung" in seen


def test_a_person_applies_once_per_round(officer):
    round_obj = cash_round(officer)
    business = dki_business()
    _apply(officer, round_obj, business)
    with pytest.raises(ProgrammeError) as refused:
        _apply(officer, round_obj, business)
    assert refused.value.code == E.ALREADY_APPLIED


def test_preparer_cannot_approve_and_approval_commits_money_once(officer, approver):
    round_obj = cash_round(officer)
    businesses = [dki_business(serial=i + 10) for i in range(4)]
    for business in businesses:
        _apply(officer, round_obj, business)
    decision = services.decision_propose(actor=officer, round_obj=round_obj)
    assert decision.recipients_added == 4

    with pytest.raises(ProgrammeError) as refused:
        services.decision_approve(actor=officer, decision=decision)
    assert refused.value.code in (E.PERMISSION_DENIED, E.MAKER_CANNOT_CHECK)

    approved = services.decision_approve(actor=approver, decision=decision)
    assert approved.status == DecisionStatus.APPROVED
    assert len(approved.content_sha256) == 64
    with pytest.raises(ProgrammeError) as twice:
        services.decision_approve(actor=approver, decision=decision)
    assert twice.value.code == E.DECISION_NOT_PROPOSED

    assert Payment.objects.filter(round=round_obj).count() == 4
    round_obj.refresh_from_db()
    assert round_obj.committed == 4 * 1_200_000
    assert ledger_totals(round_obj)["committed"] == round_obj.committed
    assert LedgerEntry.objects.filter(round=round_obj).count() == 4
    assert set(Application.objects.filter(round=round_obj).values_list("status", flat=True)) == {
        ApplicationStatus.RECIPIENT
    }


def test_budget_limits_the_list_and_the_rest_wait_as_reserves(officer, approver):
    round_obj = cash_round(officer, budget=2 * 1_200_000)
    for i in range(3):
        _apply(officer, round_obj, dki_business(serial=i + 20))
    decision = services.decision_propose(actor=officer, round_obj=round_obj)
    assert decision.recipients_added == 2
    services.decision_approve(actor=approver, decision=decision)
    statuses = list(
        Application.objects.filter(round=round_obj).order_by("id").values_list("status", flat=True)
    )
    assert statuses == [ApplicationStatus.RECIPIENT] * 2 + [ApplicationStatus.RESERVE]
    with pytest.raises(ProgrammeError) as nothing:
        services.decision_propose(actor=officer, round_obj=round_obj)
    assert nothing.value.code == E.NOTHING_TO_DECIDE


def test_database_refuses_a_commit_beyond_the_budget(officer, approver):
    from pulih.programmes.ledger import ledger_post
    from pulih.programmes.models import LedgerKind

    round_obj = cash_round(officer, budget=1_200_000)
    business = dki_business()
    with pytest.raises(ProgrammeError) as over:
        ledger_post(
            round_id=round_obj.pk, kind=LedgerKind.COMMIT,
            lines=[(business.owner_id, 1_200_001, "uji")], decision_id=None,
            actor_id=officer.pk, at=round_obj.created_at,
        )  # fmt: skip
    assert over.value.code == E.OVER_BUDGET
    round_obj.refresh_from_db()
    assert round_obj.committed == 0
    assert not LedgerEntry.objects.filter(round=round_obj).exists()


def test_returned_list_goes_back_to_eligible(officer, approver):
    round_obj = cash_round(officer)
    application = _apply(officer, round_obj, dki_business())
    decision = services.decision_propose(actor=officer, round_obj=round_obj)
    with pytest.raises(ProgrammeError):
        services.decision_return(actor=approver, decision=decision, note="  ")
    services.decision_return(actor=approver, decision=decision, note="Cek ulang kuota")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ELIGIBLE
    assert Decision.objects.get(pk=decision.pk).status == DecisionStatus.RETURNED
    assert not Payment.objects.exists()


def test_lists_are_prepared_and_decided_only_by_staff_covering_every_line(officer, approver):
    round_obj = cash_round(officer)
    for i, village in enumerate(("31.71.01.1001", "31.72.01.1001")):
        _apply(officer, round_obj, registration_make(village=village, serial=i + 30))
    city_officer = user_make(role=Role.OFFICER, regions=("31.71",))
    with pytest.raises(ProgrammeError) as outside:
        services.decision_propose(actor=city_officer, round_obj=round_obj)
    assert outside.value.code == E.OUTSIDE_REGION
    assert "31 " in str(outside.value) and "wilayah kewenangan" in str(outside.value)
    assert not Decision.objects.filter(round=round_obj).exists()

    decision = services.decision_propose(actor=officer, round_obj=round_obj)
    assert decision.region_code == "31"
    for stranger in (
        user_make(role=Role.APPROVER, regions=("32.73",)),
        user_make(role=Role.APPROVER, regions=("31.71",)),
    ):
        with pytest.raises(ProgrammeError) as refused:
            services.decision_approve(actor=stranger, decision=decision)
        assert refused.value.code == E.OUTSIDE_REGION
        with pytest.raises(ProgrammeError) as not_returned:
            services.decision_return(actor=stranger, decision=decision, note="bukan wilayah saya")
        assert not_returned.value.code == E.OUTSIDE_REGION
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PROPOSED
    assert not Payment.objects.filter(round=round_obj).exists()

    assert services.decision_approve(actor=approver, decision=decision).status == (
        DecisionStatus.APPROVED
    )


def test_a_list_spanning_provinces_needs_a_national_approver(officer):
    admin = User.objects.create_superuser("root", password="x", role="admin")
    round_obj = cash_round(officer)
    _apply(officer, round_obj, dki_business(serial=40))
    _apply(admin, round_obj, registration_make(village=BANDUNG_VILLAGE, serial=41))
    # The Bandung applicant fails the DKI domicile rule; the list is still the DKI one.
    assert services.decision_propose(actor=officer, round_obj=round_obj).region_code == (
        DKI_VILLAGE
    )
    Decision.objects.all().delete()
    Application.objects.update(status=ApplicationStatus.ELIGIBLE, eligible=True)
    with pytest.raises(ProgrammeError) as outside:
        services.decision_propose(actor=officer, round_obj=round_obj)
    assert outside.value.code == E.OUTSIDE_REGION
    assert "lebih dari satu provinsi" in str(outside.value)
    decision = services.decision_propose(actor=admin, round_obj=round_obj)
    assert decision.region_code == ""
    province_approver = user_make(role=Role.APPROVER, regions=("31",))
    with pytest.raises(ProgrammeError):
        services.decision_approve(actor=province_approver, decision=decision)
    other_admin = User.objects.create_superuser("root2", password="x", role="admin")
    assert services.decision_approve(actor=other_admin, decision=decision).recipients_added == 2
