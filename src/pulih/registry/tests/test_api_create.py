"""Registering persons, businesses and products over the API, and what it refuses."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from pulih.accounts.models import Role
from pulih.registry import services
from pulih.registry.models import Business, Person
from pulih.testing.factories import (
    business_data,
    client_for,
    person_data,
    registration_make,
    user_make,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _post(client: Client, path: str, body: dict):
    return client.post(f"{API}{path}", body, content_type="application/json")


def _person_payload(**changes: object) -> dict:
    data = person_data(**changes)  # type: ignore[arg-type]
    return {**data.__dict__, "birth_date": data.birth_date.isoformat()}


def _business_payload(owner_id: int, **changes: object) -> dict:
    data = business_data(**changes)
    return {**data.__dict__, "online_channels": list(data.online_channels), "owner_id": owner_id}


@pytest.fixture
def officer(db):
    return user_make(role=Role.OFFICER, regions=("32.73",))


# --- persons ------------------------------------------------------------------------------------


def test_owner_registers_themself_once(db):
    owner = user_make(role=Role.OWNER)
    client = client_for(owner)
    response = _post(client, "/persons", _person_payload(name="  Dewi   Lestari "))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["full_name"] == "Dewi Lestari"
    assert body["has_account"] is True
    assert Person.objects.get(pk=body["id"]).account == owner

    again = _post(client, "/persons", _person_payload())
    assert again.status_code == 400
    assert again.json()["code"] == "person_already_exists"


def test_officer_registers_someone_in_their_region(officer):
    response = _post(client_for(officer), "/persons", _person_payload(village="32.73.02.1001"))
    assert response.status_code == 201, response.content
    assert response.json()["has_account"] is False
    assert response.json()["region_code"] == "32.73.02.1001"


def test_a_nik_already_registered_is_refused_without_saying_whose(officer):
    payload = _person_payload()
    assert _post(client_for(officer), "/persons", payload).status_code == 201
    again = _post(client_for(officer), "/persons", {**payload, "full_name": "Orang Lain"})
    assert again.status_code == 400
    assert again.json() == {
        "code": "nik_already_registered",
        "detail": "NIK ini sudah terdaftar. Silakan hubungi dinas untuk bantuan.",
    }


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"nik": "12345"}, "nik_wrong_length"),
        ({"nik": ""}, "nik_empty"),
        ({"village_code": "32.73"}, "region_not_village"),
        ({"phone": "12"}, "phone_invalid"),
    ],
)
def test_service_refusals_are_400_with_the_code(officer, changes, code):
    response = _post(client_for(officer), "/persons", {**_person_payload(), **changes})
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "changes",
    [
        {"full_name": "   "},
        {"full_name": "x" * 151},
        {"sex": "X"},
        {"birth_date": "12-03-1985"},
        {"email": "bukan-surel"},
        {"rt": "1234"},
        {"postcode": "4011"},
        {"address": ""},
    ],
)
def test_malformed_person_input_is_422(officer, changes):
    response = _post(client_for(officer), "/persons", {**_person_payload(), **changes})
    assert response.status_code == 422
    assert not Person.objects.exists()


def test_missing_required_person_field_is_422(officer):
    payload = _person_payload()
    del payload["nik"]
    assert _post(client_for(officer), "/persons", payload).status_code == 422


# --- businesses ---------------------------------------------------------------------------------


def test_owner_registers_a_business_and_gets_its_detail(db):
    owner = user_make(role=Role.OWNER)
    client = client_for(owner)
    person_id = _post(client, "/persons", _person_payload()).json()["id"]
    payload = _business_payload(person_id, nib="9120001234567", kbli_code="10792")
    response = _post(client, "/businesses", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["submitted_at"] is None
    assert body["size_class"] == "mikro"
    assert (body["capital"], body["annual_sales"], body["monthly_turnover"]) == (
        15_000_000,
        120_000_000,
        10_000_000,
    )
    assert body["online_channels"] == ["shopee", "whatsapp"]
    assert (body["pandemic_impact"], body["pandemic_impact_label"]) == (
        "turnover_down",
        "Omzet turun",
    )
    assert (body["ekraf_subsector"], body["kbli_section"], body["nib"]) == (
        "kuliner",
        "C",
        "9120001234567",
    )
    assert (body["village_name"], body["district_name"], body["city_name"]) == (
        "Sukarasa",
        "Sukasari",
        "Kota Bandung",
    )
    assert body["province_name"] == "Jawa Barat"
    assert body["products"] == []
    assert [e["action"] for e in body["history"]] == ["created"]

    assert _post(client, f"/businesses/{body['id']}/submit", {}).json()["status"] == "submitted"


def test_officer_registers_a_business_for_a_person_in_scope(officer):
    person = services.person_register(actor=officer, data=person_data())
    response = _post(client_for(officer), "/businesses", _business_payload(person.pk))
    assert response.status_code == 201, response.content
    assert Business.objects.get(pk=response.json()["id"]).owner == person


def test_owner_cannot_register_a_business_for_someone_else(db):
    other = registration_make()
    owner = user_make(role=Role.OWNER)
    response = _post(client_for(owner), "/businesses", _business_payload(other.owner_id))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "changes",
    [
        {"kbli_section": "Z"},
        {"ekraf_subsector": "bukan-subsektor"},
        {"online_channels": ["friendster"]},
        {"pandemic_impact": "meteor"},
        {"monthly_turnover": -1},
        {"employees": -3},
        {"started_year": 3000},
        {"kbli_code": "10A"},
        {"name": ""},
        {"capital": 2**63},
    ],
)
def test_malformed_business_input_is_422(officer, changes):
    person = services.person_register(actor=officer, data=person_data())
    response = _post(
        client_for(officer), "/businesses", {**_business_payload(person.pk), **changes}
    )
    assert response.status_code == 422, response.content
    assert not Business.objects.exists()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"capital": 20_000_000_000}, "size_above_menengah"),
        ({"capital": -5}, "size_negative_amount"),
        ({"capital": None, "annual_sales": None}, "size_no_figures"),
        ({"nib": "123"}, "nib_wrong_format"),
        ({"village_code": "32.73.01"}, "region_not_village"),
    ],
)
def test_business_service_refusals_are_400(officer, changes, code):
    person = services.person_register(actor=officer, data=person_data())
    response = _post(
        client_for(officer), "/businesses", {**_business_payload(person.pk), **changes}
    )
    assert response.status_code == 400
    assert response.json()["code"] == code


# --- products -----------------------------------------------------------------------------------


def test_owner_adds_a_product_and_lists_it(db):
    business = registration_make(submitted=False)
    client = client_for(business.owner.account)
    response = _post(
        client,
        f"/businesses/{business.pk}/products",
        {"name": "Keripik Pedas", "price": 15000, "unit": "bungkus"},
    )
    assert response.status_code == 201, response.content
    listed = client.get(f"{API}/businesses/{business.pk}/products").json()
    assert [(p["name"], p["price"], p["unit"], p["photos"]) for p in listed] == [
        ("Keripik Pedas", 15000, "bungkus", [])
    ]


def test_products_of_a_decided_registration_cannot_be_added(officer):
    business = registration_make(village="32.73.01.1001")
    services.registration_verify(actor=officer, business=business)
    response = _post(
        client_for(business.owner.account), f"/businesses/{business.pk}/products", {"name": "Baru"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_editable"


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "Kopi", "price": -1}, {"price": 100}])
def test_malformed_product_input_is_422(db, body):
    business = registration_make(submitted=False)
    response = _post(
        client_for(business.owner.account), f"/businesses/{business.pk}/products", body
    )
    assert response.status_code == 422


def test_product_photos_come_back_as_absolute_urls(officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    business = registration_make(village="32.73.01.1001")
    services.product_create(
        actor=officer, business=business, data=services.ProductData(name="Kopi"), photos=[_png()]
    )
    client = client_for(officer)
    products = client.get(f"{API}/businesses/{business.pk}/products").json()
    photo = products[0]["photos"][0]
    assert photo["url"].startswith("http://testserver/media/products/")
    assert (photo["width"], photo["height"]) == (40, 30)
    detail = client.get(f"{API}/businesses/{business.pk}").json()
    assert detail["products"] == products


def test_business_detail_query_count_does_not_grow_with_products_and_photos(
    officer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    small = registration_make(village="32.73.01.1001")
    large = registration_make(village="32.73.01.1001")
    services.product_create(
        actor=officer, business=small, data=services.ProductData(name="Satu"), photos=[_png()]
    )
    for n in range(4):
        services.product_create(
            actor=officer,
            business=large,
            data=services.ProductData(name=f"Produk {n}"),
            photos=[_png(), _png()],
        )
    client = client_for(officer)
    counts = []
    for business in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}/businesses/{business.pk}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, format="PNG")
    return SimpleUploadedFile("foto.png", buffer.getvalue(), content_type="image/png")
