"""Region scope (404 outside it), NIK privacy (masking, reveal log) and duplicate NIKs."""

import pytest
from django.urls import reverse

from pulih.accounts.models import Role
from pulih.privacy import crypto
from pulih.privacy.models import PersonalDataAccess
from pulih.registry import services
from pulih.registry.error_codes import RegistryError, RegistryErrorCode as E
from pulih.registry.models import NikConflict, Person
from pulih.testing.factories import person_data, registration_make, user_make


@pytest.mark.django_db
def test_officer_of_kota_bandung_gets_404_on_dki_record_in_the_ui(client):
    dki = registration_make(village="31.71.01.1001")
    bandung_officer = user_make(role=Role.OFFICER, regions=("32.73",))
    client.force_login(bandung_officer)
    assert client.get(reverse("registry:business_detail", args=[dki.pk])).status_code == 404
    assert client.get(reverse("registry:business_products", args=[dki.pk])).status_code == 404
    decide = client.post(reverse("registry:business_decide", args=[dki.pk]), {"action": "verify"})
    assert decide.status_code == 404
    reveal = client.post(reverse("registry:person_reveal_nik", args=[dki.owner_id]))
    assert reveal.status_code == 404
    dki.refresh_from_db()
    assert dki.status == "submitted"


@pytest.mark.django_db
def test_officer_queue_lists_only_records_in_scope(client):
    bandung = registration_make(village="32.73.01.1001")
    dki = registration_make(village="31.71.01.1001")
    officer = user_make(role=Role.OFFICER, regions=("32.73.01",))
    client.force_login(officer)
    page = client.get(reverse("registry:queue")).content.decode()
    assert bandung.name in page and f"/usaha/{bandung.pk}/" in page
    assert f"/usaha/{dki.pk}/" not in page


@pytest.mark.django_db
def test_village_level_scope_sees_its_village_only(client):
    inside = registration_make(village="32.73.01.1001")
    next_door = registration_make(village="32.73.01.1002")
    officer = user_make(role=Role.OFFICER, regions=("32.73.01.1001",))
    client.force_login(officer)
    assert client.get(reverse("registry:business_detail", args=[inside.pk])).status_code == 200
    assert client.get(reverse("registry:business_detail", args=[next_door.pk])).status_code == 404


@pytest.mark.django_db
def test_owner_gets_404_on_someone_elses_business(client):
    mine = registration_make()
    theirs = registration_make()
    client.force_login(mine.owner.account)
    assert client.get(reverse("registry:business_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("registry:business_detail", args=[mine.pk])).status_code == 200


@pytest.mark.django_db
def test_nik_is_encrypted_at_rest_and_masked_on_screen(client):
    business = registration_make()
    person = business.owner
    raw = crypto.decrypt(person.nik_ciphertext, purpose="nik")
    assert raw not in person.nik_ciphertext
    assert person.nik_masked == raw[:6] + "******" + raw[-4:]
    assert person.phone_ciphertext and "8123456" not in person.phone_ciphertext
    officer = user_make(role=Role.OFFICER, regions=("32.73",))
    client.force_login(officer)
    page = client.get(reverse("registry:business_detail", args=[business.pk])).content.decode()
    assert person.nik_masked in page
    assert raw not in page


@pytest.mark.django_db
def test_revealing_a_nik_needs_the_permission_and_is_logged(client):
    business = registration_make()
    person = business.owner
    plain_officer = user_make(role=Role.OFFICER, regions=("32.73",))
    with pytest.raises(RegistryError) as exc:
        services.person_reveal_nik(actor=plain_officer, person=person)
    assert exc.value.code == E.PERMISSION_DENIED
    assert PersonalDataAccess.objects.count() == 0

    approver = user_make(role=Role.APPROVER, regions=("32.73",), reveal=True)
    client.force_login(approver)
    response = client.post(
        reverse("registry:person_reveal_nik", args=[person.pk]), {"reason": "cek KTP"}
    )
    assert response.status_code == 200
    assert crypto.decrypt(person.nik_ciphertext, purpose="nik") in response.content.decode()
    log = PersonalDataAccess.objects.get()
    assert (log.actor_id, log.person_id, log.field, log.reason) == (
        approver.pk,
        person.pk,
        "nik",
        "cek KTP",
    )


@pytest.mark.django_db
def test_registering_an_existing_nik_tells_the_owner_to_contact_the_agency_without_saying_whose(
    client,
):
    first = registration_make(name="Siti Aminah", serial=77)
    intruder = user_make(role=Role.OWNER)
    with pytest.raises(RegistryError) as exc:
        services.person_register(actor=intruder, data=person_data(name="Orang Lain", serial=77))
    assert exc.value.code == E.NIK_ALREADY_REGISTERED
    assert "Siti" not in exc.value.message and "hubungi dinas" in exc.value.message.lower()
    assert Person.objects.filter(account=intruder).count() == 0
    conflict = NikConflict.objects.get()
    assert (conflict.person_id, conflict.attempted_by_id) == (first.owner_id, intruder.pk)

    officer = user_make(role=Role.OFFICER, regions=("32.73",))
    client.force_login(officer)
    page = client.get(reverse("registry:business_detail", args=[first.pk])).content.decode()
    assert "Konflik NIK" in page and "Orang Lain" in page


@pytest.mark.django_db
def test_the_duplicate_nik_form_error_reveals_nothing(client):
    registration_make(name="Siti Aminah", serial=78)
    intruder = user_make(role=Role.OWNER)
    client.force_login(intruder)
    data = person_data(name="Orang Lain", serial=78)
    response = client.post(
        reverse("registry:person_edit"),
        {
            "full_name": data.full_name,
            "nik": data.nik,
            "birth_date": data.birth_date.isoformat(),
            "sex": data.sex,
            "phone": data.phone,
            "address": data.address,
            "village_code": data.village_code,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "sudah terdaftar" in page and "Siti" not in page


@pytest.mark.django_db
def test_officer_without_reveal_permission_sees_birth_year_not_birth_date(client):
    business = registration_make()
    officer = user_make(role=Role.OFFICER, regions=("32.73",))
    client.force_login(officer)
    page = client.get(reverse("registry:business_detail", args=[business.pk])).content.decode()
    assert "1985" in page and "12 Maret 1985" not in page


@pytest.mark.django_db
def test_history_records_that_birth_date_changed_without_the_values():
    business = registration_make(submitted=False)
    owner = business.owner.account
    data = person_data(serial=900)
    from datetime import date

    changed = services.PersonData(**{**data.__dict__, "birth_date": date(1985, 3, 14)})
    services.person_update(actor=owner, person=business.owner, data=changed)
    event = business.events.get(action="person_edited")
    assert event.changes["birth_date"] == "diubah"
    assert "1985-03-14" not in str(event.changes)


@pytest.mark.django_db
def test_history_and_channels_show_labels_not_codes(client):
    business = registration_make(submitted=False)
    owner = business.owner.account
    from pulih.testing.factories import business_data

    services.business_update(
        actor=owner, business=business, data=business_data(name="Keripik Baru")
    )
    client.force_login(owner)
    page = client.get(reverse("registry:business_detail", args=[business.pk])).content.decode()
    assert "Data usaha diubah: nama usaha" in page
    assert "Shopee, WhatsApp" in page and "shopee" not in page
