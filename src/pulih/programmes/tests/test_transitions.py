"""The state machines of rounds, decisions, applications and appeals: what may follow what,
and that a refused move changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from pulih.accounts.models import Role
from pulih.linkage.models import ListKind
from pulih.payments.models import Payment, PaymentStatus
from pulih.programmes import services
from pulih.programmes.error_codes import ProgrammeError, ProgrammeErrorCode as E
from pulih.programmes.ledger import ledger_totals
from pulih.programmes.models import (
    AppealStatus,
    Application,
    ApplicationStatus,
    DecisionKind,
    DecisionStatus,
    EntryChange,
    Round,
    RoundStatus,
)
from pulih.programmes.services import ApplicationData
from pulih.programmes.tests.conftest import (
    SMALL_CASH,
    cash_round,
    dki_business,
    nik_of,
    screening_list,
)
from pulih.testing.factories import user_make

pytestmark = pytest.mark.django_db


def _apply(actor, round_obj, business, savings=1_000_000):
    return services.application_submit(
        actor=actor,
        round_obj=round_obj,
        data=ApplicationData(
            person_id=business.owner_id,
            business_id=business.pk,
            declarations={"savings_balance": savings},
        ),
    )


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        (RoundStatus.DRAFT, RoundStatus.OPEN, True),
        (RoundStatus.OPEN, RoundStatus.CLOSED, True),
        (RoundStatus.CLOSED, RoundStatus.OPEN, True),
        (RoundStatus.CLOSED, RoundStatus.FINISHED, True),
        (RoundStatus.DRAFT, RoundStatus.CLOSED, False),
        (RoundStatus.DRAFT, RoundStatus.FINISHED, False),
        (RoundStatus.OPEN, RoundStatus.FINISHED, False),
        (RoundStatus.FINISHED, RoundStatus.OPEN, False),
    ],
)
def test_round_transitions(officer, start, to, allowed):
    version = services.programme_load(
        actor=officer, source=SMALL_CASH.replace("{budget}", "1000000000")
    )
    round_obj = version.programme.rounds.get()
    Round.objects.filter(pk=round_obj.pk).update(status=start)
    if allowed:
        assert services.round_transition(actor=officer, round_obj=round_obj, to=to).status == to
        assert round_obj.events.filter(action="status").exists()
    else:
        with pytest.raises(ProgrammeError) as refused:
            services.round_transition(actor=officer, round_obj=round_obj, to=to)
        assert refused.value.code == E.TRANSITION_NOT_ALLOWED
        round_obj.refresh_from_db()
        assert round_obj.status == start


def test_applications_only_while_the_round_is_open(officer):
    round_obj = cash_round(officer)
    services.round_transition(actor=officer, round_obj=round_obj, to=RoundStatus.CLOSED)
    round_obj.refresh_from_db()
    with pytest.raises(ProgrammeError) as refused:
        _apply(officer, round_obj, dki_business())
    assert refused.value.code == E.ROUND_NOT_OPEN
    assert not Application.objects.exists()


def test_owner_applies_only_for_themself_and_within_the_dates(officer):
    round_obj = cash_round(officer)
    mine = dki_business()
    owner = mine.owner.account
    other = dki_business(serial=77)
    with pytest.raises(ProgrammeError) as refused:
        _apply(owner, round_obj, other)
    assert refused.value.code == E.PERMISSION_DENIED
    late = round_obj.closes_on + timedelta(days=1)
    with pytest.raises(ProgrammeError) as closed:
        services.application_submit(
            actor=owner, round_obj=round_obj,
            data=ApplicationData(person_id=mine.owner_id, business_id=mine.pk,
                                 declarations={"savings_balance": 5}),
            today=late,
        )  # fmt: skip
    assert closed.value.code == E.ROUND_NOT_OPEN
    application = _apply(owner, round_obj, mine)
    assert application.channel == "owner" and application.status == ApplicationStatus.ELIGIBLE


def test_officer_outside_the_region_cannot_apply_for_someone(officer):
    round_obj = cash_round(officer)
    bandung_officer = user_make(role=Role.OFFICER, regions=("32.73",))
    with pytest.raises(ProgrammeError) as refused:
        _apply(bandung_officer, round_obj, dki_business())
    assert refused.value.code == E.PERMISSION_DENIED


def test_missing_or_bad_declaration_is_refused_with_its_label(officer):
    round_obj = cash_round(officer)
    business = dki_business()
    for value in (None, "banyak sekali", -5):
        with pytest.raises(ProgrammeError) as refused:
            _apply(officer, round_obj, business, savings=value)
        assert "Saldo tabungan (Rp)" in refused.value.message
    assert _apply(officer, round_obj, business, savings="Rp1.500.000").declarations == {
        "savings_balance": 1_500_000
    }


def test_one_list_waits_for_approval_at_a_time(officer, approver):
    round_obj = cash_round(officer)
    _apply(officer, round_obj, dki_business())
    services.decision_propose(actor=officer, round_obj=round_obj)
    _apply(officer, round_obj, dki_business(serial=55))
    with pytest.raises(ProgrammeError) as pending:
        services.decision_propose(actor=officer, round_obj=round_obj)
    assert pending.value.code == E.DECISION_PENDING


def test_returned_decision_cannot_be_approved_later(officer, approver):
    round_obj = cash_round(officer)
    _apply(officer, round_obj, dki_business())
    decision = services.decision_propose(actor=officer, round_obj=round_obj)
    services.decision_return(actor=approver, decision=decision, note="Data belum lengkap")
    with pytest.raises(ProgrammeError) as refused:
        services.decision_approve(actor=approver, decision=decision)
    assert refused.value.code == E.DECISION_NOT_PROPOSED
    assert not Payment.objects.exists()


def test_an_owner_or_officer_cannot_approve(officer):
    round_obj = cash_round(officer)
    business = dki_business()
    _apply(officer, round_obj, business)
    decision = services.decision_propose(actor=officer, round_obj=round_obj)
    another_officer = user_make(role=Role.OFFICER, regions=("31",))
    for actor in (business.owner.account, another_officer):
        with pytest.raises(ProgrammeError) as refused:
            services.decision_approve(actor=actor, decision=decision)
        assert refused.value.code == E.PERMISSION_DENIED


def test_appeal_upheld_joins_the_next_amendment(officer, approver, tmp_path):
    round_obj = cash_round(officer)
    first = dki_business(serial=31)
    listed = dki_business(serial=32, name="Rina Kartika")
    screening_list(officer, tmp_path, ListKind.ASN, [(nik_of(listed), "Rina Kartika", "")])
    _apply(officer, round_obj, first)
    refused = _apply(officer, round_obj, listed)
    assert refused.status == ApplicationStatus.INELIGIBLE
    decision = services.decision_propose(actor=officer, round_obj=round_obj)
    services.decision_approve(actor=approver, decision=decision)

    owner = listed.owner.account
    appeal = services.appeal_submit(
        actor=owner, application=refused, reason="Saya bukan ASN; itu saudara saya."
    )
    with pytest.raises(ProgrammeError) as again:
        services.appeal_submit(actor=owner, application=refused, reason="lagi")
    assert again.value.code == E.APPEAL_OPEN
    # The officer checks with the civil service agency: the list entry is a different person
    # after all, and the list is corrected (a new version without the entry).
    screening_list(officer, tmp_path, ListKind.ASN, [("3171010101800001", "Orang Lain", "")])
    reviewed = services.appeal_review(actor=officer, appeal=appeal, note="BKD: bukan ASN.")
    assert reviewed.status == AppealStatus.UPHELD
    assert [c for c, ok, _ in reviewed.results_before if not ok] == ["bukan_aparatur"]
    assert all(ok for _, ok, _ in reviewed.results_after)
    refused.refresh_from_db()
    assert refused.status == ApplicationStatus.ELIGIBLE

    amendment = services.decision_propose(actor=officer, round_obj=round_obj)
    assert amendment.kind == DecisionKind.AMENDMENT and amendment.amends_id == decision.pk
    assert [(e.change, e.application_id) for e in amendment.entries.all()] == [
        (EntryChange.ADD, refused.pk)
    ]
    services.decision_approve(actor=approver, decision=amendment)
    assert Payment.objects.filter(round=round_obj).count() == 2


def test_appeal_dismissed_when_the_recheck_still_fails(officer, tmp_path):
    round_obj = cash_round(officer)
    rich = _apply(officer, round_obj, dki_business(serial=41), savings=9_000_000)
    appeal = services.appeal_submit(actor=officer, application=rich, reason="Salah isi")
    reviewed = services.appeal_review(
        actor=officer, appeal=appeal, note="Rekening koran tetap di atas batas.",
        declarations={"savings_balance": 4_000_000},
    )  # fmt: skip
    assert reviewed.status == AppealStatus.DISMISSED
    with pytest.raises(ProgrammeError) as decided:
        services.appeal_review(actor=officer, appeal=appeal, note="lagi")
    assert decided.value.code == E.APPEAL_DECIDED


def test_appeal_only_within_the_window_and_only_for_refusals(officer):
    round_obj = cash_round(officer)
    ok = _apply(officer, round_obj, dki_business(serial=51))
    with pytest.raises(ProgrammeError) as not_refused:
        services.appeal_submit(actor=officer, application=ok, reason="x")
    assert not_refused.value.code == E.APPEAL_NOT_ALLOWED
    refused = _apply(officer, round_obj, dki_business(serial=52), savings=9_000_000)
    late = timezone.localdate() + timedelta(days=round_obj.appeal_days + 1)
    with pytest.raises(ProgrammeError) as closed:
        services.appeal_submit(actor=officer, application=refused, reason="x", today=late)
    assert closed.value.code == E.APPEAL_WINDOW_CLOSED


def test_amendment_removes_a_recipient_found_ineligible_and_releases_the_money(
    officer, approver, tmp_path
):
    round_obj = cash_round(officer)
    stays = dki_business(serial=61)
    dies = dki_business(serial=62, name="Sutrisno Hadi")
    _apply(officer, round_obj, stays)
    gone = _apply(officer, round_obj, dies)
    services.decision_approve(
        actor=approver, decision=services.decision_propose(actor=officer, round_obj=round_obj)
    )
    round_obj.refresh_from_db()
    assert round_obj.committed == 2 * round_obj.amount
    screening_list(officer, tmp_path, ListKind.ASN, [(nik_of(dies), "Sutrisno Hadi", "")])
    services.eligibility_run(actor=officer, round_obj=round_obj)
    gone.refresh_from_db()
    assert gone.status == ApplicationStatus.RECIPIENT and gone.eligible is False  # held
    amendment = services.decision_propose(actor=officer, round_obj=round_obj)
    assert amendment.recipients_removed == 1 and amendment.recipients_added == 0
    services.decision_approve(actor=approver, decision=amendment)
    gone.refresh_from_db()
    assert gone.status == ApplicationStatus.INELIGIBLE
    assert gone.payment.status == PaymentStatus.CANCELLED
    round_obj.refresh_from_db()
    assert round_obj.committed == round_obj.amount == ledger_totals(round_obj)["committed"]
    assert amendment.status == DecisionStatus.PROPOSED  # the object passed in is not mutated
