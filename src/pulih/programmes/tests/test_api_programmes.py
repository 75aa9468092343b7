"""The programmes API: programmes and rounds, scoped application lists, applying (owner or on
behalf), what-if; refusals as `{"code", "detail"}` in Indonesian; constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pulih.accounts.models import Role
from pulih.programmes import services
from pulih.programmes.models import (
    Application,
    ApplicationStatus,
    EligibilityRun,
    ProgrammeVersion,
    Round,
)
from pulih.programmes.services import ApplicationData
from pulih.programmes.tests.conftest import (
    BANDUNG_VILLAGE,
    SMALL_CASH,
    cash_round,
    dki_business,
)
from pulih.testing.factories import client_for, registration_make, user_make

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _post(client: Client, path: str, body: dict):
    return client.post(f"{API}{path}", body, content_type="application/json")


def _apply(officer, round_obj, business, savings=1_000_000):
    return services.application_submit(
        actor=officer,
        round_obj=round_obj,
        data=ApplicationData(
            person_id=business.owner_id,
            business_id=business.pk,
            declarations={"savings_balance": savings},
        ),
    )


def _draft_programme(officer):
    source = (
        SMALL_CASH.replace("{budget}", "5000000")
        .replace("modal-uji", "modal-draf")
        .replace("Bantuan Modal Uji", "Bantuan Draf")
    )
    return services.programme_load(actor=officer, source=source).programme


# --- reading ----------------------------------------------------------------------------------


def test_programmes_for_staff_and_only_open_rounds_for_owners(officer):
    round_obj = cash_round(officer)
    _draft_programme(officer)
    staff = client_for(officer).get(f"{API}/programmes").json()
    assert staff["count"] == 2
    by_code = {p["code"]: p for p in staff["results"]}
    assert by_code["modal-uji"]["rounds"][0]["status"] == "open"
    assert by_code["modal-uji"]["rounds"][0]["amount"] == 1_200_000
    assert by_code["modal-draf"]["rounds"][0]["status_label"] == "Disiapkan"
    owner = client_for(user_make(role=Role.OWNER)).get(f"{API}/programmes").json()
    assert [p["code"] for p in owner["results"]] == ["modal-uji"]
    assert [r["id"] for r in owner["results"][0]["rounds"]] == [round_obj.pk]


def test_programme_list_query_count_is_constant(officer, django_assert_max_num_queries):
    cash_round(officer)
    client = client_for(officer)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"{API}/programmes").status_code == 200
    few = len(captured)
    for n in range(3):
        source = SMALL_CASH.replace("{budget}", "1").replace("modal-uji", f"modal-{n}")
        services.programme_load(actor=officer, source=source)
    with django_assert_max_num_queries(few):
        assert client.get(f"{API}/programmes").json()["count"] == 4


def test_round_with_counts_for_officers_and_without_for_owners(officer):
    round_obj = cash_round(officer)
    _apply(officer, round_obj, dki_business(serial=10))
    _apply(officer, round_obj, dki_business(serial=11), savings=9_000_000)
    body = client_for(officer).get(f"{API}/rounds/{round_obj.pk}").json()
    assert body["counts"]["eligible"] == 1 and body["counts"]["ineligible"] == 1
    assert body["declarations"] == [
        {"field": "savings_balance", "label": "Saldo tabungan (Rp)", "type": "money",
         "required": True}
    ]  # fmt: skip
    assert {"code": "saldo", "label": "saldo tabungan <= Rp2.000.000"} in body["rules"]
    owner = client_for(user_make(role=Role.OWNER)).get(f"{API}/rounds/{round_obj.pk}")
    assert owner.status_code == 200 and owner.json()["counts"] is None
    draft = _draft_programme(officer).rounds.get()
    assert client_for(user_make(role=Role.OWNER)).get(f"{API}/rounds/{draft.pk}").status_code == 404
    assert client_for(officer).get(f"{API}/rounds/999999").json() == {
        "detail": "Data tidak ditemukan."
    }


def test_application_list_is_scoped_filtered_and_paged(officer):
    round_obj = cash_round(officer)
    for i in range(3):
        _apply(officer, round_obj, dki_business(name=f"Siti {i}", serial=20 + i))
    _apply(officer, round_obj, dki_business(name="Budi", serial=30), savings=9_000_000)
    client = client_for(officer)
    url = f"{API}/rounds/{round_obj.pk}/applications"
    everything = client.get(url).json()
    assert everything["count"] == 4
    assert client.get(url, {"rule": "saldo"}).json()["count"] == 1
    assert client.get(url, {"status": "eligible", "search": "siti"}).json()["count"] == 3
    page = client.get(url, {"page": 2, "page_size": 3}).json()
    assert [r["person"]["full_name"] for r in page["results"]] == ["Budi"]
    assert page["results"][0]["person"]["nik_masked"].count("*") == 6
    assert client.get(url, {"region": "Jakarta"}).status_code == 422
    bandung = client_for(user_make(role=Role.OFFICER, regions=("32.73",)))
    assert bandung.get(url).json()["count"] == 0


def test_application_list_query_count_is_constant(officer, django_assert_max_num_queries):
    round_obj = cash_round(officer)
    _apply(officer, round_obj, dki_business(serial=40))
    client = client_for(officer)
    url = f"{API}/rounds/{round_obj.pk}/applications?page_size=100"
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    few = len(captured)
    for i in range(6):
        _apply(officer, round_obj, dki_business(serial=41 + i))
    with django_assert_max_num_queries(few):
        assert client.get(url).json()["count"] == 7


def test_application_detail_has_each_rule_with_its_label_and_value_seen(officer):
    round_obj = cash_round(officer)
    business = dki_business(serial=50)
    application = _apply(officer, round_obj, business, savings=3_000_000)
    body = client_for(officer).get(f"{API}/applications/{application.pk}").json()
    saldo = next(r for r in body["results"] if r["code"] == "saldo")
    assert saldo == {
        "code": "saldo",
        "label": "saldo tabungan <= Rp2.000.000",
        "passed": False,
        "seen": "saldo tabungan Rp3.000.000",
    }
    assert body["status"] == "ineligible" and body["appeal_deadline"]
    owner = client_for(business.owner.account)
    assert owner.get(f"{API}/applications/{application.pk}").status_code == 200
    for outsider in (
        user_make(role=Role.OWNER),
        user_make(role=Role.OFFICER, regions=("32.73",)),
    ):
        assert client_for(outsider).get(f"{API}/applications/{application.pk}").status_code == 404


# --- applying -----------------------------------------------------------------------------------


def test_owner_applies_and_gets_the_outcome_at_once(officer):
    round_obj = cash_round(officer)
    business = dki_business(serial=60)
    client = client_for(business.owner.account)
    url = f"/rounds/{round_obj.pk}/applications"
    missing = _post(client, url, {"business_id": business.pk})
    assert missing.status_code == 400
    assert missing.json() == {
        "code": "declaration_missing",
        "detail": "Saldo tabungan (Rp) wajib diisi.",
    }
    made = _post(
        client,
        url,
        {"business_id": business.pk, "declarations": {"savings_balance": "Rp1.500.000"}},
    )
    assert made.status_code == 201, made.content
    assert made.json()["status"] == "eligible"
    assert made.json()["channel"] == "owner"
    again = _post(client, url, {"business_id": business.pk, "declarations": {"savings_balance": 1}})
    assert again.status_code == 409
    assert again.json()["detail"] == "Orang ini sudah diajukan pada putaran ini."
    other = dki_business(serial=61)
    foreign = _post(
        client,
        url,
        {"person_id": other.owner_id, "business_id": other.pk, "declarations": {}},
    )
    assert foreign.status_code == 403
    assert foreign.json()["detail"] == "Anda tidak berwenang melakukan ini."


def test_officer_applies_on_behalf_only_for_people_in_scope(officer):
    round_obj = cash_round(officer)
    business = dki_business(serial=70)
    client = client_for(officer)
    url = f"/rounds/{round_obj.pk}/applications"
    no_person = _post(client, url, {"business_id": business.pk})
    assert no_person.status_code == 400
    assert no_person.json()["code"] == "person_required"
    made = _post(
        client,
        url,
        {
            "person_id": business.owner_id,
            "business_id": business.pk,
            "declarations": {"savings_balance": 0},
            "bank": "bni",
        },
    )
    assert made.status_code == 201
    assert (made.json()["channel"], made.json()["bank"]) == ("officer", "BNI")
    bandung = registration_make(village=BANDUNG_VILLAGE)
    outside = _post(
        client,
        url,
        {"person_id": bandung.owner_id, "business_id": bandung.pk, "declarations": {}},
    )
    assert outside.status_code == 404
    wrong_bank = dki_business(serial=71)
    refused = _post(
        client,
        url,
        {
            "person_id": wrong_bank.owner_id,
            "business_id": wrong_bank.pk,
            "declarations": {"savings_balance": 0},
            "bank": "Mandiri",
        },
    )
    assert refused.status_code == 400
    assert refused.json()["detail"] == "Bank “Mandiri” bukan bank penyalur putaran ini (BRI, BNI)."


# --- what-if --------------------------------------------------------------------------------


def test_what_if_over_the_api_saves_nothing(officer):
    round_obj = cash_round(officer)
    _apply(officer, round_obj, dki_business(serial=80))
    _apply(officer, round_obj, dki_business(serial=81), savings=5_000_000)
    services.eligibility_run(actor=officer, round_obj=round_obj)
    source = round_obj.programme.current_version.source.replace(
        "max = 2_000_000", "max = 6_000_000"
    )
    before = (
        ProgrammeVersion.objects.count(),
        EligibilityRun.objects.count(),
        list(Application.objects.values_list("status", "results")),
        Round.objects.filter(pk=round_obj.pk).values().get(),
    )
    client = client_for(officer)
    response = _post(client, f"/rounds/{round_obj.pk}/what-if", {"source": source, "amount": 1_000})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["applicants"], body["eligible"], body["cost"]) == (2, 2, 2_000)
    assert body["by_city"][0]["region"] == "31.71"
    assert body["by_district"][0]["name"] == "Gambir"
    assert {"code": "saldo", "label": "saldo tabungan <= Rp6.000.000", "count": 0} in body[
        "failures"
    ]
    plain = _post(client, f"/rounds/{round_obj.pk}/what-if", {}).json()
    assert plain["eligible"] == 1
    broken = _post(client, f"/rounds/{round_obj.pk}/what-if", {"source": "[programme"})
    assert broken.status_code == 400 and broken.json()["code"] == "definition_syntax"
    assert (
        ProgrammeVersion.objects.count(),
        EligibilityRun.objects.count(),
        list(Application.objects.values_list("status", "results")),
        Round.objects.filter(pk=round_obj.pk).values().get(),
    ) == before
    assert Application.objects.filter(status=ApplicationStatus.ELIGIBLE).count() == 1
    owner = client_for(user_make(role=Role.OWNER))
    assert _post(owner, f"/rounds/{round_obj.pk}/what-if", {}).status_code == 404


def test_api_token_reaches_the_programmes_router(officer):
    from pulih.accounts.services import api_token_create

    cash_round(officer)
    _, key = api_token_create(user=officer, name="laptop")
    response = Client().get(f"{API}/programmes", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200 and response.json()["count"] == 1
    assert Client().get(f"{API}/programmes").status_code == 401
