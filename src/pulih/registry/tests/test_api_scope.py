"""The API answers 404 for records outside the asking user's regions, exactly as the web does."""

import pytest

from pulih.accounts.models import Role
from pulih.privacy.models import PersonalDataAccess
from pulih.testing.factories import (
    business_data,
    client_for,
    person_data,
    registration_make,
    user_make,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
BANDUNG_VILLAGE = "32.73.01.1001"
DKI_VILLAGE = "31.71.01.1001"


@pytest.fixture
def bandung_officer(db):
    return user_make(role=Role.OFFICER, regions=("32.73",), reveal=True)


@pytest.fixture
def dki_business(db):
    return registration_make(village=DKI_VILLAGE)


def test_officer_of_kota_bandung_gets_404_on_dki_business(bandung_officer, dki_business):
    client = client_for(bandung_officer)
    assert client.get(f"{API}/businesses/{dki_business.pk}").status_code == 404
    assert client.get(f"{API}/businesses/{dki_business.pk}/products").status_code == 404
    listed = client.get(f"{API}/businesses").json()
    assert dki_business.pk not in [row["id"] for row in listed["results"]]


def test_officer_of_kota_bandung_gets_404_on_dki_person(bandung_officer, dki_business):
    client = client_for(bandung_officer)
    assert client.get(f"{API}/persons/{dki_business.owner_id}").status_code == 404
    listed = client.get(f"{API}/persons").json()
    assert dki_business.owner_id not in [row["id"] for row in listed["results"]]


def test_officer_of_kota_bandung_gets_404_revealing_dki_nik_and_nothing_is_logged(
    bandung_officer, dki_business
):
    response = client_for(bandung_officer).post(
        f"{API}/persons/{dki_business.owner_id}/reveal-nik",
        {"reason": "cek berkas"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert "nik" not in response.json()
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("action", ["verify", "request-fix", "reject", "submit"])
def test_officer_of_kota_bandung_gets_404_deciding_a_dki_registration(
    bandung_officer, dki_business, action
):
    response = client_for(bandung_officer).post(
        f"{API}/businesses/{dki_business.pk}/{action}",
        {"reason": "data kurang"},
        content_type="application/json",
    )
    assert response.status_code == 404
    dki_business.refresh_from_db()
    assert dki_business.status == "submitted"


def test_officer_of_kota_bandung_gets_404_adding_a_product_to_a_dki_business(
    bandung_officer, dki_business
):
    response = client_for(bandung_officer).post(
        f"{API}/businesses/{dki_business.pk}/products",
        {"name": "Kopi"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not dki_business.products.exists()


def test_officer_of_kota_bandung_gets_404_adding_a_business_for_a_dki_person(
    bandung_officer, dki_business
):
    payload = {"owner_id": dki_business.owner_id, **_business_payload(BANDUNG_VILLAGE)}
    response = client_for(bandung_officer).post(
        f"{API}/businesses", payload, content_type="application/json"
    )
    assert response.status_code == 404


def test_officer_of_kota_bandung_sees_a_bandung_business(bandung_officer):
    business = registration_make(village=BANDUNG_VILLAGE)
    client = client_for(bandung_officer)
    assert client.get(f"{API}/businesses/{business.pk}").status_code == 200
    assert client.get(f"{API}/persons/{business.owner_id}").status_code == 200


def test_officer_registering_a_person_outside_their_region_is_refused(bandung_officer):
    data = person_data(village=DKI_VILLAGE)
    payload = {**data.__dict__, "birth_date": data.birth_date.isoformat()}
    response = client_for(bandung_officer).post(
        f"{API}/persons", payload, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_owner_sees_only_their_own_business_and_person():
    mine = registration_make(village=BANDUNG_VILLAGE)
    theirs = registration_make(village=BANDUNG_VILLAGE)
    client = client_for(mine.owner.account)
    listed = client.get(f"{API}/businesses").json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]
    assert client.get(f"{API}/businesses/{theirs.pk}").status_code == 404
    assert client.get(f"{API}/persons/{theirs.owner_id}").status_code == 404
    assert [row["id"] for row in client.get(f"{API}/persons").json()["results"]] == [mine.owner_id]


def test_partner_without_regions_sees_nothing():
    registration_make(village=BANDUNG_VILLAGE)
    client = client_for(user_make(role=Role.PARTNER))
    assert client.get(f"{API}/businesses").json()["count"] == 0


def _business_payload(village: str) -> dict:
    data = business_data(village=village)
    return {**data.__dict__, "online_channels": list(data.online_channels)}


@pytest.mark.django_db
def test_api_404_body_is_indonesian_and_same_for_absent_and_out_of_scope(client):
    dki = registration_make(village="31.71.01.1001")
    client.force_login(user_make(role=Role.OFFICER, regions=("32.73",)))
    out_of_scope = client.get(f"/api/v1/businesses/{dki.pk}")
    absent = client.get("/api/v1/businesses/999999999")
    assert out_of_scope.status_code == absent.status_code == 404
    assert out_of_scope.json() == absent.json() == {"detail": "Data tidak ditemukan."}
