from collections import Counter
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.http import HttpRequest
from django.test import Client

from pulih.accounts.models import User
from pulih.accounts.selectors import region_codes_for
from pulih.demo.accounts import DEMO_PASSWORD, SYSTEM_USERNAME, demo_accounts_create
from pulih.demo.generator import demo_chunks
from pulih.demo.pipeline import DemoLoadError, chunk_prepare, demo_load, village_codes_under
from pulih.privacy import crypto
from pulih.registry import services
from pulih.registry.models import Business, Person, Product, RegistrationEvent, RegistrationStatus

pytestmark = pytest.mark.django_db

BANDUNG = "32.73"


def _raw_person(*, seed: int, people: int, chunk_size: int, index: int) -> services.PersonData:
    villages = village_codes_under([BANDUNG])
    chunk = list(demo_chunks(people=people, villages=villages, seed=seed, chunk_size=chunk_size))[
        index // chunk_size
    ]
    p, i = chunk.persons, index % chunk_size
    return services.PersonData(
        full_name=p["full_name"][i],
        nik=str(p["nik"][i]),
        birth_date=p["birth_date"][i].item(),
        sex=str(p["sex"][i]),
        address=p["address"][i],
        village_code=str(p["village_code"][i]),
        phone=p["phone"][i],
        birth_place=p["birth_place"][i],
        email=p["email"][i],
        rt=p["rt"][i],
        rw=p["rw"][i],
        postcode=str(p["postcode"][i]),
    )


def test_load_creates_people_under_the_region_and_a_rerun_creates_nothing() -> None:
    result = demo_load(people=2000, regions=[BANDUNG], seed=11, chunk_size=700)
    assert result.persons_created == 2000
    assert Person.objects.count() == 2000
    assert not Person.objects.exclude(region_code__startswith=BANDUNG + ".").exists()
    businesses = Business.objects.count()
    assert businesses == result.businesses_created and 2000 < businesses < 2400
    assert not Business.objects.exclude(region_code__startswith=BANDUNG + ".").exists()
    assert Product.objects.count() == result.products_created >= businesses
    assert RegistrationEvent.objects.count() == result.events_created

    again = demo_load(people=2000, regions=[BANDUNG], seed=11, chunk_size=700)
    assert (again.persons_created, again.persons_existing, again.businesses_created) == (0, 2000, 0)
    assert (Person.objects.count(), Business.objects.count()) == (2000, businesses)
    assert RegistrationEvent.objects.count() == result.events_created


def test_derived_person_columns_equal_what_the_registry_service_stores() -> None:
    demo_load(people=300, regions=[BANDUNG], seed=3, chunk_size=100)
    for index in (0, 150, 299):
        data = _raw_person(seed=3, people=300, chunk_size=100, index=index)
        expected = services._clean_person_fields(data)
        stored = Person.objects.get(nik_hash=expected["nik_hash"])
        for name, value in expected.items():
            if name in ("nik_ciphertext", "phone_ciphertext"):
                purpose = (
                    services.NIK_PURPOSE if name == "nik_ciphertext" else services.PHONE_PURPOSE
                )
                decrypted = (
                    crypto.decrypt(getattr(stored, name), purpose=purpose)
                    if getattr(stored, name)
                    else ""
                )
                assert decrypted == (crypto.decrypt(value, purpose=purpose) if value else ""), name
            elif name == "village":
                assert stored.village_id == value.code
            else:
                assert getattr(stored, name) == value, name


def test_derived_business_columns_equal_what_the_registry_service_stores() -> None:
    demo_load(people=200, regions=[BANDUNG], seed=4, chunk_size=200)
    chunk = next(
        demo_chunks(people=200, villages=village_codes_under([BANDUNG]), seed=4, chunk_size=200)
    )
    b = chunk.businesses
    nik_hash = services.nik_hash(str(chunk.persons["nik"][b["owner"][0]]))
    stored = Business.objects.filter(owner__nik_hash=nik_hash).order_by("id").first()
    i = 0
    expected = services._clean_business_fields(
        services.BusinessData(
            name=b["name"][i],
            kbli_section=str(b["kbli_section"][i]),
            address=b["address"][i],
            village_code=str(b["village_code"][i]),
            capital=b["capital"][i],
            annual_sales=int(b["annual_sales"][i]),
            nib=b["nib"][i],
            kbli_code=str(b["kbli_code"][i]),
            ekraf_subsector=b["ekraf_subsector"][i],
            description=b["description"][i],
            started_year=b["started_year"][i],
            employees=int(b["employees"][i]),
            monthly_turnover=b["monthly_turnover"][i],
            online_channels=b["online_channels"][i],
            pandemic_impact=str(b["pandemic_impact"][i]),
            pandemic_impact_note=b["pandemic_impact_note"][i],
        )
    )
    for name, value in expected.items():
        assert getattr(stored, name) == value, name


def test_history_status_dates_and_verified_owners_are_consistent() -> None:
    demo_load(people=600, regions=[BANDUNG], seed=5)
    system = User.objects.get(username=SYSTEM_USERNAME)
    assert not system.has_usable_password()
    events = Counter(RegistrationEvent.objects.values_list("action", flat=True))
    businesses = Business.objects.count()
    drafts = Business.objects.filter(status=RegistrationStatus.DRAFT).count()
    assert events == {"created": businesses, "status": businesses - drafts}
    assert not RegistrationEvent.objects.exclude(actor=system).exists()
    for business in Business.objects.exclude(status=RegistrationStatus.DRAFT)[:50]:
        status_event = business.events.get(action="status")
        assert status_event.to_status == business.status
        assert status_event.reason == business.status_reason
        assert business.created_at <= business.submitted_at <= datetime(2026, 7, 1, tzinfo=UTC)
        if business.status in ("verified", "needs_fix", "rejected"):
            assert (
                business.decided_by_id == system.pk and business.decided_at >= business.submitted_at
            )
    verified_owner_ids = set(
        Business.objects.filter(status="verified").values_list("owner_id", flat=True)
    )
    assert (
        set(Person.objects.filter(verified_at__isnull=False).values_list("id", flat=True))
        == verified_owner_ids
    )


def test_ids_stay_correct_when_the_registry_already_has_rows() -> None:
    demo_load(people=100, regions=["31"], seed=9)
    result = demo_load(people=150, regions=[BANDUNG], seed=10, chunk_size=60)
    assert result.persons_created == 150
    for business in Business.objects.filter(region_code__startswith=BANDUNG + ".").select_related(
        "owner"
    ):
        assert business.owner.region_code.startswith(BANDUNG + ".")
    assert Business.objects.filter(region_code__startswith="31.").count() >= 100


def test_the_worker_process_writes_the_same_rows() -> None:
    demo_load(people=500, regions=[BANDUNG], seed=12, chunk_size=200, parallel=True)
    villages = village_codes_under([BANDUNG])
    expected = set()
    for chunk in demo_chunks(people=500, villages=villages, seed=12, chunk_size=200):
        expected.update(chunk_prepare(chunk, vendor=connection.vendor, actor_id=0).nik_hashes)
    assert set(Person.objects.values_list("nik_hash", flat=True)) == expected


def test_unknown_region_is_refused() -> None:
    with pytest.raises(DemoLoadError, match="99.99"):
        demo_load(people=10, regions=["99.99"])


def test_demo_accounts_log_in_and_officers_see_their_region() -> None:
    logins = demo_accounts_create()
    assert {login.username for login in logins} >= {
        "pemilik", "petugas.dki", "petugas.bandung", "petugas.jateng", "kabid.dki", "mitra", "pimpinan", "admin",
    }  # fmt: skip
    for login in logins:
        assert Client().login(
            request=HttpRequest(), username=login.username, password=login.password
        ), login
        assert login.password == DEMO_PASSWORD
    assert region_codes_for(User.objects.get(username="petugas.bandung")) == [BANDUNG]
    assert region_codes_for(User.objects.get(username="petugas.jateng")) == ["33"]
    kabid = User.objects.get(username="kabid.dki")
    assert region_codes_for(kabid) == ["31"] and kabid.has_perm("registry.reveal_nik")
    owner = User.objects.get(username="pemilik")
    business = Business.objects.get(owner__account=owner)
    assert business.status == RegistrationStatus.SUBMITTED
    assert business.region_code.startswith(BANDUNG + ".") and business.products.count() == 1

    users = User.objects.count()
    assert demo_accounts_create() == logins
    assert User.objects.count() == users


def test_owner_login_can_register_after_a_bulk_load_in_the_same_district() -> None:
    # Generated serials stop below the one the demo owner's NIK uses, so the two never collide.
    demo_load(people=3000, regions=["32.73.01"], seed=2020)
    demo_accounts_create()
    assert Person.objects.filter(
        account__username="pemilik", region_code__startswith="32.73.01."
    ).exists()
