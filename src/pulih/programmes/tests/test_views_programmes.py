"""Programme screens: the list, a new programme from a file or pasted text, editing the
definition (checked before saving, the text never lost), versions and their texts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pulih.accounts.models import Role
from pulih.programmes.models import Programme, ProgrammeVersion
from pulih.programmes.tests.conftest import SMALL_CASH, cash_round
from pulih.testing.factories import client_for, user_make

pytestmark = pytest.mark.django_db

SOURCE = SMALL_CASH.replace("{budget}", "12000000")  # as cash_round() loads it


def _url(name, *args):
    return reverse(f"programmes:{name}", args=args)


def test_new_programme_from_pasted_text(officer):
    client = client_for(officer)
    response = client.post(_url("programme_new"), {"source": SOURCE, "note": ""})
    programme = Programme.objects.get(code="modal-uji")
    assert response["Location"] == _url("programme_detail", programme.pk)
    version = programme.current_version
    assert (version.number, version.note, version.created_by) == (1, "Program baru", officer)


def test_new_programme_from_an_uploaded_file(officer):
    upload = SimpleUploadedFile("modal.toml", SOURCE.encode(), content_type="text/plain")
    response = client_for(officer).post(_url("programme_new"), {"file": upload, "source": ""})
    assert response.status_code == 302
    assert Programme.objects.filter(code="modal-uji").exists()


def test_new_programme_refuses_a_taken_code_and_a_broken_file_keeping_the_text(officer):
    cash_round(officer)
    client = client_for(officer)
    taken = client.post(_url("programme_new"), {"source": SOURCE})
    assert taken.status_code == 400
    assert "Kode program “modal-uji” sudah dipakai" in taken.content.decode()
    assert ProgrammeVersion.objects.count() == 1

    broken = SOURCE.replace('kind = "cash"', 'kind = "hibah"').replace("modal-uji", "modal-dua")
    upload = SimpleUploadedFile("dua.toml", broken.encode())
    refused = client.post(_url("programme_new"), {"file": upload, "source": ""})
    assert refused.status_code == 400
    assert refused.context["form"].errors["source"] == [
        "Jenis program “hibah” tidak dikenal. Pilihan: cash, capital, goods, food."
    ]
    # The uploaded text is in the box now, so fixing it needs no second upload.
    assert refused.context["form"]["source"].value() == broken
    assert "kind = &quot;hibah&quot;" in refused.content.decode()
    empty = client.post(_url("programme_new"), {"source": "  "})
    assert "Unggah berkas definisi atau tempel isinya." in empty.content.decode()


def test_edit_checks_before_saving_and_never_loses_the_text(officer):
    round_obj = cash_round(officer)
    programme = round_obj.programme
    client = client_for(officer)
    page = client.get(_url("programme_edit", programme.pk))
    assert page.context["form"]["source"].value() == SOURCE

    bad = SOURCE.replace('sizes = ["mikro"]', 'sizes = ["raksasa"]')
    refused = client.post(_url("programme_edit", programme.pk), {"source": bad, "note": "uji"})
    assert refused.status_code == 400
    errors = refused.context["form"].errors["source"]
    assert errors == ["aturan ke-1: skala raksasa tidak dikenal (mikro, kecil, menengah)"]
    assert refused.context["form"]["source"].value() == bad
    assert 'data-field="source"' in refused.content.decode()

    renamed = SOURCE.replace('code = "modal-uji"', 'code = "modal-lain"')
    moved = client.post(_url("programme_edit", programme.pk), {"source": renamed, "note": "x"})
    assert "Kode program tidak boleh diubah (tersimpan: modal-uji, di berkas: modal-lain)." in (
        moved.content.decode()
    )
    no_note = client.post(_url("programme_edit", programme.pk), {"source": SOURCE, "note": ""})
    assert no_note.status_code == 400
    assert ProgrammeVersion.objects.filter(programme=programme).count() == 1
    assert not Programme.objects.filter(code="modal-lain").exists()


def test_edit_saves_a_new_version_with_its_note_and_old_texts_stay_readable(officer):
    round_obj = cash_round(officer)
    programme = round_obj.programme
    client = client_for(officer)
    same = client.post(
        _url("programme_edit", programme.pk), {"source": SOURCE, "note": "tanpa ubah"}, follow=True
    )
    assert "tidak ada versi baru" in same.content.decode()
    changed = SOURCE.replace("max = 2_000_000", "max = 3_000_000")
    saved = client.post(
        _url("programme_edit", programme.pk),
        {"source": changed, "note": "Batas saldo dinaikkan"},
        follow=True,
    )
    assert "Versi 2 tersimpan dan berlaku." in saved.content.decode()
    programme.refresh_from_db()
    assert programme.current_version.number == 2
    detail = client.get(_url("programme_detail", programme.pk))
    html = detail.content.decode()
    assert "Batas saldo dinaikkan" in html and "max = 3_000_000" in html
    assert [v.number for v in detail.context["versions"].object_list] == [2, 1]
    old = client.get(_url("version_detail", programme.pk, 1))
    assert "max = 2_000_000" in old.content.decode()
    assert client.get(_url("version_detail", programme.pk, 9)).status_code == 404


def test_approver_may_edit_and_leadership_may_not(officer, approver):
    programme = cash_round(officer).programme
    assert client_for(approver).get(_url("programme_edit", programme.pk)).status_code == 200
    leader = client_for(user_make(role=Role.LEADERSHIP, regions=("31",)))
    assert leader.get(_url("programme_edit", programme.pk)).status_code == 404


def test_programme_list_shows_rounds_with_money_and_an_empty_state(
    officer, django_assert_max_num_queries
):
    client = client_for(officer)
    empty = client.get(_url("programme_list"))
    assert "Belum ada program." in empty.content.decode()
    cash_round(officer)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(_url("programme_list"))
    few = len(captured)
    html = page.content.decode()
    assert "Bantuan Modal Uji" in html and "Rp12.000.000" in html and "Dibuka" in html
    for n in range(4):
        source = SOURCE.replace("modal-uji", f"modal-{n}").replace('"tahap-1"', f'"tahap-{n}"')
        client.post(_url("programme_new"), {"source": source})
    assert Programme.objects.count() == 5
    with django_assert_max_num_queries(few):
        assert client.get(_url("programme_list")).status_code == 200


def test_round_buttons_on_the_programme_page_move_the_round(officer):
    round_obj = cash_round(officer)
    client = client_for(officer)
    page = client.get(_url("programme_detail", round_obj.programme_id))
    assert 'data-testid="transition-closed"' in page.content.decode()
    response = client.post(
        _url("round_transition", round_obj.pk), {"to": "closed", "back": "programme"}
    )
    assert response["Location"] == _url("programme_detail", round_obj.programme_id)
    round_obj.refresh_from_db()
    assert round_obj.status == "closed"


def test_programme_page_with_more_versions_makes_no_more_queries(
    officer, django_assert_max_num_queries
):
    programme = cash_round(officer).programme
    client = client_for(officer)
    url = _url("programme_detail", programme.pk)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    few = len(captured)
    for n in range(3):
        changed = SOURCE.replace("max = 2_000_000", f"max = {n + 3}_000_000")
        client.post(_url("programme_edit", programme.pk), {"source": changed, "note": f"v{n}"})
    assert ProgrammeVersion.objects.filter(programme=programme).count() == 4
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200
