"""Who may call the API: tokens, API keys, sessions; public regions; the OpenAPI document."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from pulih.accounts.models import ApiToken, Role
from pulih.accounts.services import api_token_create, api_token_revoke
from pulih.testing.factories import registration_make, user_make

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def officer(db):
    return user_make(role=Role.OFFICER, regions=("32.73",))


def test_bearer_token_authenticates_as_its_user(officer):
    business = registration_make(village="32.73.01.1001")
    registration_make(village="31.71.01.1001")
    _, key = api_token_create(user=officer, name="dasbor")
    response = Client().get(f"{API}/businesses", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [business.pk]


def test_api_key_header_authenticates_too(officer):
    _, key = api_token_create(user=officer, name="dasbor")
    assert Client().get(f"{API}/businesses", HTTP_X_API_KEY=key).status_code == 200


def test_session_login_authenticates(officer):
    client = Client()
    client.force_login(officer)
    assert client.get(f"{API}/persons").status_code == 200


def test_revoked_token_is_401(officer):
    token, key = api_token_create(user=officer, name="lama")
    api_token_revoke(token=token)
    response = Client().get(f"{API}/businesses", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401


def test_token_of_a_deactivated_user_is_401(officer):
    _, key = api_token_create(user=officer, name="dasbor")
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert Client().get(f"{API}/businesses", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_made_up_token_is_401(db):
    response = Client().get(f"{API}/businesses", HTTP_AUTHORIZATION="Bearer plh_tebakan")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/businesses"),
        ("get", "/businesses/1"),
        ("get", "/businesses/1/products"),
        ("get", "/persons"),
        ("get", "/persons/1"),
        ("post", "/persons/1/reveal-nik"),
        ("post", "/businesses/1/verify"),
        ("post", "/businesses"),
        ("post", "/persons"),
    ],
)
def test_anonymous_is_401_everywhere_but_regions(db, method, path):
    client = Client()
    if method == "post":
        response = client.post(f"{API}{path}", {}, content_type="application/json")
    else:
        response = client.get(f"{API}{path}")
    assert response.status_code == 401


def test_regions_are_public(db):
    client = Client()
    city = client.get(f"{API}/regions/32.73")
    assert city.status_code == 200
    assert city.json() == {"code": "32.73", "name": "Kota Bandung", "level": 2, "parent": "32"}
    districts = client.get(f"{API}/regions", {"parent": "32.73"})
    assert districts.status_code == 200
    assert len(districts.json()) == 30
    assert {d["level"] for d in districts.json()} == {3}
    assert client.get(f"{API}/regions/99.99").status_code == 404
    assert client.get(f"{API}/regions", {"parent": "99.99"}).status_code == 404


def test_openapi_lists_the_registry_paths(db):
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/businesses",
        "/api/v1/businesses/{business_id}",
        "/api/v1/businesses/{business_id}/products",
        "/api/v1/businesses/{business_id}/submit",
        "/api/v1/businesses/{business_id}/verify",
        "/api/v1/businesses/{business_id}/request-fix",
        "/api/v1/businesses/{business_id}/reject",
        "/api/v1/persons",
        "/api/v1/persons/{person_id}",
        "/api/v1/persons/{person_id}/reveal-nik",
        "/api/v1/regions",
        "/api/v1/regions/{code}",
    ]:
        assert path in paths
    assert set(paths["/api/v1/businesses"]) == {"get", "post"}
    assert "409" in paths["/api/v1/businesses/{business_id}/verify"]["post"]["responses"]


def test_api_token_command_prints_a_working_token_once(officer):
    out, err = StringIO(), StringIO()
    call_command("api_token", officer.username, name="sinkronisasi", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("plh_")
    assert "tidak akan ditampilkan lagi" in err.getvalue()
    token = ApiToken.objects.get(user=officer)
    assert token.name == "sinkronisasi"
    assert token.key_hash == ApiToken.hash_key(key) != key
    assert Client().get(f"{API}/persons", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_api_token_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("api_token", "siapa", name="x", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_api_token_command_refuses_an_empty_name(officer):
    with pytest.raises(CommandError):
        call_command("api_token", officer.username, name="  ", stdout=StringIO(), stderr=StringIO())
