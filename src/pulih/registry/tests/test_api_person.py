"""Persons over the API: masked identifiers, the mismatch flags, and the logged NIK reveal."""

from dataclasses import replace
from datetime import date

import pytest
from django.test import Client

from pulih.accounts.models import Role
from pulih.privacy.models import PersonalDataAccess
from pulih.registry import services
from pulih.testing.factories import (
    business_data,
    client_for,
    person_data,
    registration_make,
    user_make,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/persons"


def _reveal(client: Client, person_id: int, reason: object = "Verifikasi berkas bantuan."):
    return client.post(
        f"{API}/{person_id}/reveal-nik", {"reason": reason}, content_type="application/json"
    )


@pytest.fixture
def admin(db):
    return user_make(role=Role.ADMIN)


def test_person_detail_shows_masked_nik_and_phone_only(admin):
    data = person_data(name="Dewi Lestari", phone="0812-3456-7890")
    person = services.person_register(actor=admin, data=data)
    response = client_for(admin).get(f"{API}/{person.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["nik_masked"] == f"{data.nik[:6]}******{data.nik[12:]}"
    assert body["phone_masked"] == "+62812****7890"
    assert body["full_name"] == "Dewi Lestari"
    assert body["village_name"] == "Sukarasa"
    text = response.content.decode()
    assert data.nik not in text
    assert "81234567890" not in text
    # The birth date is the part of the NIK that masking hides: it is never sent.
    assert "birth_date" not in body
    assert data.birth_date.isoformat() not in text


def test_person_detail_flags_a_birth_date_and_sex_that_disagree_with_the_nik(admin):
    data = person_data(sex="P", birth_date=date(1985, 3, 12))
    stated = services.PersonData(**{**data.__dict__, "birth_date": date(1986, 4, 1), "sex": "L"})
    person = services.person_register(actor=admin, data=stated)
    body = client_for(admin).get(f"{API}/{person.pk}").json()
    assert body["nik_birth_date_mismatch"] is True
    assert body["nik_sex_mismatch"] is True


def test_person_list_search_by_name_full_nik_and_masked_nik(admin):
    dewi_data = person_data(name="Dewi Lestari")
    dewi = services.person_register(actor=admin, data=dewi_data)
    services.person_register(actor=admin, data=person_data(name="Siti Aminah"))
    client = client_for(admin)

    def ids(search: str) -> list[int]:
        response = client.get(API, {"search": search})
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert ids("dew") == [dewi.pk]
    assert ids(dewi_data.nik) == [dewi.pk]
    assert ids(dewi.nik_masked) == [dewi.pk]
    body = client.get(API, {"page_size": 1}).json()
    assert (body["count"], body["page_size"], len(body["results"])) == (2, 1, 1)


def test_officer_with_permission_reveals_nik_and_the_reveal_is_logged():
    business = registration_make(village="32.73.01.1001")
    officer = user_make(role=Role.OFFICER, regions=("32.73",), reveal=True)
    response = _reveal(client_for(officer), business.owner_id)
    assert response.status_code == 200
    nik = response.json()["nik"]
    assert len(nik) == 16 and nik.isdigit()
    assert business.owner.nik_masked == f"{nik[:6]}******{nik[12:]}"
    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.person_id, access.field, access.channel) == (
        officer,
        business.owner_id,
        "nik",
        "api",
    )
    assert access.reason == "Verifikasi berkas bantuan."


def test_officer_without_permission_gets_403_and_nothing_is_logged():
    business = registration_make(village="32.73.01.1001")
    officer = user_make(role=Role.OFFICER, regions=("32.73",), reveal=False)
    response = _reveal(client_for(officer), business.owner_id)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not PersonalDataAccess.objects.exists()


def test_owner_cannot_reveal_even_their_own_nik_through_the_api():
    business = registration_make()
    response = _reveal(client_for(business.owner.account), business.owner_id)
    assert response.status_code == 403


@pytest.mark.parametrize("reason", ["", "   "])
def test_reveal_needs_a_reason(reason):
    business = registration_make(village="32.73.01.1001")
    officer = user_make(role=Role.OFFICER, regions=("32.73",), reveal=True)
    assert _reveal(client_for(officer), business.owner_id, reason).status_code == 422
    assert not PersonalDataAccess.objects.exists()


def test_reveal_of_an_unknown_person_is_404(admin):
    assert _reveal(client_for(admin), 999_999_999).status_code == 404


def test_business_history_says_a_birth_date_changed_but_not_to_what(admin):
    data = person_data(name="Siti Aminah", birth_date=date(1985, 3, 12))
    person = services.person_register(actor=admin, data=data)
    business = services.business_create(actor=admin, owner=person, data=business_data())
    corrected = replace(data, birth_date=date(1985, 3, 13), full_name="Siti A.")
    services.person_update(actor=admin, person=person, data=corrected)
    response = client_for(admin).get(f"/api/v1/businesses/{business.pk}")
    edited = [e for e in response.json()["history"] if e["action"] == "person_edited"]
    assert len(edited) == 1
    assert edited[0]["changes"]["birth_date"] == "diubah"
    assert edited[0]["changes"]["full_name"] == ["Siti Aminah", "Siti A."]
    assert "1985-03-13" not in response.content.decode()
