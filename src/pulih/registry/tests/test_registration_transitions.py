"""The registration state machine: every allowed and every refused transition."""

import itertools

import pytest

from pulih.accounts.models import Role
from pulih.registry import services
from pulih.registry.error_codes import RegistryError, RegistryErrorCode as E
from pulih.registry.models import Business, RegistrationEvent, RegistrationStatus as S
from pulih.registry.transitions import ALLOWED, is_allowed
from pulih.testing.factories import registration_make, user_make

EXPECTED_ALLOWED = {
    (S.DRAFT, S.SUBMITTED),
    (S.NEEDS_FIX, S.SUBMITTED),
    (S.SUBMITTED, S.NEEDS_FIX),
    (S.SUBMITTED, S.VERIFIED),
    (S.SUBMITTED, S.REJECTED),
    (S.NEEDS_FIX, S.REJECTED),
}
ALL_PAIRS = list(itertools.product(S, S))


def test_transition_table_is_exactly_the_documented_one():
    actual = {(f, t) for t, froms in ALLOWED.items() for f in froms}
    assert actual == EXPECTED_ALLOWED


def _run(actor, business, to):
    if to == S.SUBMITTED:
        return services.registration_submit(actor=actor, business=business)
    if to == S.NEEDS_FIX:
        return services.registration_request_fix(
            actor=actor, business=business, reason="Foto KTP buram"
        )
    if to == S.VERIFIED:
        return services.registration_verify(actor=actor, business=business)
    if to == S.REJECTED:
        return services.registration_reject(
            actor=actor, business=business, reason="Bukan usaha mikro"
        )
    raise AssertionError(to)


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), [p for p in ALL_PAIRS if p[1] != S.DRAFT])
def test_every_transition_is_allowed_or_refused_as_the_table_says(from_status, to_status):
    business = registration_make(submitted=False)
    owner = business.owner.account
    officer = user_make(role=Role.OFFICER, regions=("32.73",))
    Business.objects.filter(pk=business.pk).update(status=from_status)
    business.refresh_from_db()
    actor = owner if to_status == S.SUBMITTED else officer
    events_before = RegistrationEvent.objects.filter(business=business).count()
    if is_allowed(from_status, to_status):
        result = _run(actor, business, to_status)
        assert result.status == to_status
        last = RegistrationEvent.objects.filter(business=business).latest("id")
        assert (last.from_status, last.to_status, last.actor_id) == (
            from_status,
            to_status,
            actor.pk,
        )
    else:
        with pytest.raises(RegistryError) as exc:
            _run(actor, business, to_status)
        assert exc.value.code == E.TRANSITION_NOT_ALLOWED
        business.refresh_from_db()
        assert business.status == from_status
        assert RegistrationEvent.objects.filter(business=business).count() == events_before


@pytest.mark.django_db
def test_fix_request_and_rejection_need_a_reason():
    business = registration_make()
    officer = user_make(role=Role.OFFICER, regions=("32.73",))
    for call in (services.registration_request_fix, services.registration_reject):
        with pytest.raises(RegistryError) as exc:
            call(actor=officer, business=business, reason="   ")
        assert exc.value.code == E.REASON_REQUIRED
    business.refresh_from_db()
    assert business.status == S.SUBMITTED


@pytest.mark.django_db
def test_owner_cannot_verify_own_registration():
    business = registration_make()
    with pytest.raises(RegistryError) as exc:
        services.registration_verify(actor=business.owner.account, business=business)
    assert exc.value.code == E.PERMISSION_DENIED


@pytest.mark.django_db
def test_officer_outside_region_cannot_decide():
    business = registration_make(village="32.73.01.1001")
    dki_officer = user_make(role=Role.OFFICER, regions=("31",))
    with pytest.raises(RegistryError) as exc:
        services.registration_verify(actor=dki_officer, business=business)
    assert exc.value.code == E.PERMISSION_DENIED


@pytest.mark.django_db
def test_double_click_on_verify_decides_once():
    business = registration_make()
    officer = user_make(role=Role.OFFICER, regions=("32.73.01",))
    services.registration_verify(actor=officer, business=business)
    with pytest.raises(RegistryError) as exc:
        services.registration_verify(actor=officer, business=business)
    assert exc.value.code == E.TRANSITION_NOT_ALLOWED
    assert RegistrationEvent.objects.filter(business=business, to_status=S.VERIFIED).count() == 1


@pytest.mark.django_db
def test_verification_marks_the_owner_verified_and_locks_editing():
    business = registration_make()
    officer = user_make(role=Role.OFFICER, regions=("32.73",))
    services.registration_verify(actor=officer, business=business)
    business.owner.refresh_from_db()
    assert business.owner.verified_at is not None
    with pytest.raises(RegistryError) as exc:
        services.business_update(
            actor=business.owner.account,
            business=business,
            data=services.BusinessData(
                name="Nama Baru",
                kbli_section="C",
                address="Jl. X",
                village_code="32.73.01.1001",
                capital=1,
            ),
        )
    assert exc.value.code == E.NOT_EDITABLE


@pytest.mark.django_db
def test_resubmission_after_fix_clears_the_reason_and_keeps_history():
    business = registration_make()
    officer = user_make(role=Role.OFFICER, regions=("32.73",))
    services.registration_request_fix(actor=officer, business=business, reason="Lengkapi NIB")
    business.refresh_from_db()
    assert business.status_reason == "Lengkapi NIB"
    services.registration_submit(actor=business.owner.account, business=business)
    business.refresh_from_db()
    assert business.status == S.SUBMITTED and business.status_reason == ""
    history = list(business.events.values_list("action", "from_status", "to_status", "reason"))
    assert ("status", "submitted", "needs_fix", "Lengkapi NIB") in history
    assert ("status", "needs_fix", "submitted", "") in history
