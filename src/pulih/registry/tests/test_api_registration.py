"""The registration decisions over the API: submit, verify, request a fix, reject."""

import pytest
from django.test import Client

from pulih.accounts.models import Role
from pulih.registry import services
from pulih.testing.factories import client_for, registration_make, user_make

pytestmark = pytest.mark.django_db

API = "/api/v1/businesses"


def _post(client: Client, url: str, body: dict | None = None):
    # None sends an empty body, as `curl -X POST` does.
    return client.post(url, "" if body is None else body, content_type="application/json")


@pytest.fixture
def officer(db):
    return user_make(role=Role.OFFICER, regions=("32.73",))


@pytest.fixture
def officer_client(officer) -> Client:
    return client_for(officer)


@pytest.fixture
def submitted(db):
    return registration_make(village="32.73.01.1001")


def test_owner_submits_their_draft(db):
    draft = registration_make(submitted=False)
    response = _post(client_for(draft.owner.account), f"{API}/{draft.pk}/submit")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["status_label"]) == ("submitted", "Diajukan")
    assert body["submitted_at"]
    draft.refresh_from_db()
    assert draft.status == "submitted"


def test_officer_verifies_with_an_optional_note(officer_client, submitted):
    response = _post(officer_client, f"{API}/{submitted.pk}/verify", {"note": "Lengkap."})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "verified"
    assert response.json()["status_reason"] == "Lengkap."
    submitted.owner.refresh_from_db()
    assert submitted.owner.verified_at is not None


def test_officer_verifies_without_a_body(officer_client, submitted):
    response = _post(officer_client, f"{API}/{submitted.pk}/verify")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "verified"


def test_request_fix_then_resubmit_then_verify_is_in_the_history(
    officer, officer_client, submitted
):
    fix = _post(officer_client, f"{API}/{submitted.pk}/request-fix", {"reason": "Foto KTP buram."})
    assert fix.status_code == 200, fix.content
    assert fix.json()["status"] == "needs_fix"
    owner_client = client_for(submitted.owner.account)
    assert owner_client.get(f"{API}/{submitted.pk}").json()["status_reason"] == "Foto KTP buram."
    assert _post(owner_client, f"{API}/{submitted.pk}/submit").json()["status"] == "submitted"
    assert _post(officer_client, f"{API}/{submitted.pk}/verify").json()["status"] == "verified"

    detail = owner_client.get(f"{API}/{submitted.pk}").json()
    moves = [
        (e["from_status"], e["to_status"], e["reason"])
        for e in detail["history"]
        if e["action"] == "status"
    ]
    assert moves == [
        ("draft", "submitted", ""),
        ("submitted", "needs_fix", "Foto KTP buram."),
        ("needs_fix", "submitted", ""),
        ("submitted", "verified", ""),
    ]
    assert detail["decided_by"] == officer.full_name


def test_officer_rejects_with_a_reason(officer_client, submitted):
    response = _post(
        officer_client, f"{API}/{submitted.pk}/reject", {"reason": "Bukan usaha mikro."}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected"
    assert response.json()["status_label"] == "Ditolak"


@pytest.mark.parametrize("action", ["request-fix", "reject"])
@pytest.mark.parametrize("body", [None, {}, {"reason": ""}, {"reason": "   "}])
def test_request_fix_and_reject_without_a_reason_are_400(officer_client, submitted, action, body):
    response = _post(officer_client, f"{API}/{submitted.pk}/{action}", body)
    assert response.status_code == 400
    assert response.json() == {
        "code": "reason_required",
        "detail": "Alasan wajib diisi untuk perubahan status ini.",
    }
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_verifying_a_draft_is_a_409(officer_client):
    draft = registration_make(submitted=False)
    response = _post(officer_client, f"{API}/{draft.pk}/verify")
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert "Draf" in response.json()["detail"]


def test_deciding_twice_is_a_409(officer_client, submitted):
    assert _post(officer_client, f"{API}/{submitted.pk}/verify").status_code == 200
    again = _post(officer_client, f"{API}/{submitted.pk}/reject", {"reason": "Salah klik."})
    assert again.status_code == 409
    submitted.refresh_from_db()
    assert submitted.status == "verified"


def test_submitting_an_already_submitted_registration_is_a_409(submitted):
    response = _post(client_for(submitted.owner.account), f"{API}/{submitted.pk}/submit")
    assert response.status_code == 409


@pytest.mark.parametrize("action", ["verify", "request-fix", "reject"])
def test_owner_cannot_decide_their_own_registration(submitted, action):
    response = _post(
        client_for(submitted.owner.account),
        f"{API}/{submitted.pk}/{action}",
        {"reason": "Saya sendiri."},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_leadership_in_scope_sees_but_cannot_decide(submitted):
    leader = user_make(role=Role.LEADERSHIP, regions=("32",))
    client = client_for(leader)
    assert client.get(f"{API}/{submitted.pk}").status_code == 200
    assert _post(client, f"{API}/{submitted.pk}/verify").status_code == 403


def test_officer_outside_the_region_gets_404_not_403(submitted):
    jakarta = client_for(user_make(role=Role.OFFICER, regions=("31.71",)))
    assert _post(jakarta, f"{API}/{submitted.pk}/verify").status_code == 404
    assert _post(jakarta, f"{API}/{submitted.pk}/reject", {"reason": "x"}).status_code == 404


def test_unknown_business_is_404(officer_client):
    assert _post(officer_client, f"{API}/999999999/verify").status_code == 404


def test_decisions_made_through_the_service_show_in_the_api(officer, officer_client, submitted):
    services.registration_request_fix(actor=officer, business=submitted, reason="NIB salah.")
    detail = officer_client.get(f"{API}/{submitted.pk}").json()
    assert (detail["status"], detail["status_reason"]) == ("needs_fix", "NIB salah.")
