"""GET /api/v1/businesses: filters, search, paging, masked output, and a constant query count."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pulih.accounts.models import Role, User
from pulih.registry import services
from pulih.testing.factories import business_data, client_for, person_data, user_make

pytestmark = pytest.mark.django_db

URL = "/api/v1/businesses"


@pytest.fixture
def admin(db):
    return user_make(role=Role.ADMIN)


@pytest.fixture
def staff_client(admin) -> Client:
    return client_for(admin)


def _register(
    *,
    village: str = "32.73.01.1001",
    owner_name: str = "Siti Aminah",
    business_name: str = "Keripik Tempe Bu Siti",
    submitted: bool = True,
):
    """A registration made at the agency's desk, with the full NIK that was typed."""
    # One registering administrator rather than an owner account each: hashing a password
    # per owner would make the 30-row test slow without testing anything more.
    actor = User.objects.filter(role=Role.ADMIN).first() or user_make(role=Role.ADMIN)
    data = person_data(village=village, name=owner_name)
    person = services.person_register(actor=actor, data=data)
    business = services.business_create(
        actor=actor, owner=person, data=business_data(village=village, name=business_name)
    )
    if submitted:
        business = services.registration_submit(actor=actor, business=business)
    return business, data.nik


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_region_filter_at_every_level_returns_the_businesses_below_it(staff_client):
    sukasari, _ = _register(village="32.73.01.1001")
    coblong, _ = _register(village="32.73.02.1001")
    gambir, _ = _register(village="31.71.01.1001")
    assert _ids(staff_client.get(URL, {"region": "32.73.01.1001"})) == {sukasari.pk}
    assert _ids(staff_client.get(URL, {"region": "32.73.01"})) == {sukasari.pk}
    assert _ids(staff_client.get(URL, {"region": "32.73"})) == {sukasari.pk, coblong.pk}
    assert _ids(staff_client.get(URL, {"region": "32"})) == {sukasari.pk, coblong.pk}
    assert _ids(staff_client.get(URL, {"region": "31"})) == {gambir.pk}
    assert _ids(staff_client.get(URL)) >= {sukasari.pk, coblong.pk, gambir.pk}


def test_region_filter_narrows_but_never_widens_an_officers_scope():
    sukasari, _ = _register(village="32.73.01.1001")
    gambir, _ = _register(village="31.71.01.1001")
    client = client_for(user_make(role=Role.OFFICER, regions=("32.73",)))
    assert _ids(client.get(URL, {"region": "31.71"})) == set()
    assert _ids(client.get(URL, {"region": "32.73.01"})) == {sukasari.pk}
    assert gambir.pk not in _ids(client.get(URL))


def test_search_by_business_name_prefix_ignores_case(staff_client):
    keripik, _ = _register(business_name="Keripik Tempe Bu Siti")
    _register(business_name="Batik Sekar Jagad")
    assert _ids(staff_client.get(URL, {"search": "kERIPIK tem"})) == {keripik.pk}


def test_search_by_owner_name_prefix(staff_client):
    dewi, _ = _register(owner_name="Dewi Lestari")
    _register(owner_name="Siti Aminah")
    assert _ids(staff_client.get(URL, {"search": "dewi"})) == {dewi.pk}


def test_search_by_full_nik_finds_the_owners_business(staff_client):
    wanted, nik = _register()
    _register()
    assert _ids(staff_client.get(URL, {"search": nik})) == {wanted.pk}


def test_search_by_masked_nik_as_shown_finds_the_owners_business(staff_client):
    wanted, nik = _register()
    _register()
    masked = wanted.owner.nik_masked
    assert masked == f"{nik[:6]}******{nik[12:]}"
    assert _ids(staff_client.get(URL, {"search": masked})) == {wanted.pk}


def test_status_filter(staff_client):
    draft, _ = _register(submitted=False)
    submitted, _ = _register(submitted=True)
    assert _ids(staff_client.get(URL, {"status": "draft"})) == {draft.pk}
    assert _ids(staff_client.get(URL, {"status": "submitted"})) == {submitted.pk}
    assert _ids(staff_client.get(URL, {"status": "verified"})) == set()


@pytest.mark.parametrize(
    "params",
    [
        {"status": "approved"},
        {"region": "Bandung"},
        {"region": "32.7"},
        {"page": 0},
        {"page_size": 0},
        {"page_size": 101},
    ],
)
def test_bad_filters_are_a_422_not_a_crash(staff_client, params):
    assert staff_client.get(URL, params).status_code == 422


def test_paging_reports_count_and_returns_newest_submission_first(staff_client):
    made = [_register(business_name=f"Usaha {n}")[0] for n in range(7)]
    first = staff_client.get(URL, {"page_size": 5}).json()
    second = staff_client.get(URL, {"page_size": 5, "page": 2}).json()
    beyond = staff_client.get(URL, {"page_size": 5, "page": 3}).json()
    assert (first["count"], first["page"], first["page_size"]) == (7, 1, 5)
    assert [row["id"] for row in first["results"] + second["results"]] == [
        b.pk for b in reversed(made)
    ]
    assert beyond["results"] == []
    assert staff_client.get(URL).json()["page_size"] == 25


def test_each_row_has_the_listed_fields_and_a_masked_nik_only(staff_client):
    business, nik = _register(village="32.73.01.1001", owner_name="Dewi Lestari")
    response = staff_client.get(URL)
    row = response.json()["results"][0]
    assert row == {
        "id": business.pk,
        "name": "Keripik Tempe Bu Siti",
        "status": "submitted",
        "status_label": "Diajukan",
        "size_class": "mikro",
        "kbli_section": "C",
        "region_code": "32.73.01.1001",
        "village_name": "Sukarasa",
        "owner": {
            "id": business.owner_id,
            "full_name": "Dewi Lestari",
            "nik_masked": business.owner.nik_masked,
        },
        "submitted_at": row["submitted_at"],
    }
    assert row["submitted_at"]
    body = response.content.decode()
    assert nik not in body
    assert "81234567890" not in body


def test_list_query_count_does_not_grow_with_page_size(staff_client):
    for n in range(30):
        _register(
            village=("32.73.01.1001", "32.73.02.1001", "31.71.01.1001")[n % 3],
            business_name=f"Usaha {n}",
        )
    officer = client_for(user_make(role=Role.OFFICER, regions=("32.73", "31.71")))
    counts = {}
    for client_name, client in {"admin": staff_client, "officer": officer}.items():
        for size in (5, 30):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(URL, {"page_size": size})
            assert len(response.json()["results"]) == size
            counts[client_name, size] = len(queries)
    assert counts["admin", 5] == counts["admin", 30]
    assert counts["officer", 5] == counts["officer", 30]


def test_html_in_a_business_name_comes_back_as_the_same_literal_text(staff_client):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)> & Co'
    business, _ = _register(business_name=payload)
    response = staff_client.get(f"{URL}/{business.pk}")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["name"] == payload
    assert staff_client.get(URL).json()["results"][0]["name"] == payload
