"""The owner's "Bantuan" screens: open rounds, applying, the reasons for a refusal in plain
Indonesian, the appeal with its evidence file, and the officer's review of it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from pulih.accounts.models import Role
from pulih.programmes import services
from pulih.programmes.models import (
    Appeal,
    AppealStatus,
    Application,
    ApplicationStatus,
    RoundStatus,
)
from pulih.programmes.tests.conftest import DKI_VILLAGE, SMALL_CASH, cash_round, dki_business
from pulih.registry import services as registry_services
from pulih.testing.factories import business_data, client_for, user_make

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(f"programmes:{name}", args=args)


def _png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _owner_applies(round_obj, business, savings="3.500.000"):
    client = client_for(business.owner.account)
    response = client.post(
        _url("owner_apply", round_obj.pk),
        {"business": business.pk, "decl_savings_balance": savings, "bank": "BRI"},
    )
    application = Application.objects.get(round=round_obj, person=business.owner)
    assert response["Location"] == _url("owner_application", application.pk)
    return client, application


def test_owner_sees_open_rounds_and_applies_with_the_business_chosen(officer):
    round_obj = cash_round(officer)
    business = dki_business(name="Siti Aminah")
    client = client_for(business.owner.account)
    home = client.get(_url("owner_home"))
    assert [r["round"].pk for r in home.context["rounds"]] == [round_obj.pk]
    assert "Bantuan Modal Uji" in home.content.decode()
    form = client.get(_url("owner_apply", round_obj.pk)).context["form"]
    assert form["business"].initial == business.pk
    assert form["bank"].initial == "BRI"
    _, application = _owner_applies(round_obj, business, savings="1.000.000")
    assert (application.channel, application.status) == ("owner", ApplicationStatus.ELIGIBLE)
    page = client.get(_url("owner_application", application.pk))
    assert "Anda memenuhi semua syarat." in page.content.decode()
    assert page.context["can_appeal"] is False
    home = client.get(_url("owner_home"))
    assert home.context["rounds"][0]["applied"] is True
    again = client.get(_url("owner_apply", round_obj.pk))
    assert again["Location"] == _url("owner_application", application.pk)


def test_owner_without_open_rounds_sees_an_empty_state():
    owner = user_make(role=Role.OWNER)
    html = client_for(owner).get(_url("owner_home")).content.decode()
    assert "Belum ada program bantuan yang sedang dibuka." in html


def test_owner_without_registration_is_sent_to_register_first(officer):
    round_obj = cash_round(officer)
    client = client_for(user_make(role=Role.OWNER))
    response = client.get(_url("owner_apply", round_obj.pk))
    assert response["Location"] == reverse("registry:person_edit")


def test_closed_round_and_officer_pages_are_404_for_owners(officer):
    round_obj = cash_round(officer)
    business = dki_business()
    client = client_for(business.owner.account)
    services.round_transition(actor=officer, round_obj=round_obj, to=RoundStatus.CLOSED)
    assert client.get(_url("owner_apply", round_obj.pk)).status_code == 404
    assert client.get(_url("round_detail", round_obj.pk)).status_code == 404
    assert client_for(officer).get(_url("owner_home")).status_code == 404


def test_missing_declaration_is_shown_on_its_field(officer):
    round_obj = cash_round(officer)
    business = dki_business()
    client = client_for(business.owner.account)
    response = client.post(
        _url("owner_apply", round_obj.pk), {"business": business.pk, "bank": "BRI"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["decl_savings_balance"] == [
        "Saldo tabungan (Rp) wajib diisi."
    ]
    bad = client.post(
        _url("owner_apply", round_obj.pk),
        {"business": business.pk, "bank": "BRI", "decl_savings_balance": "banyak"},
    )
    assert bad.context["form"].errors["decl_savings_balance"] == [
        "Saldo tabungan (Rp) tidak sah: banyak."
    ]
    assert not Application.objects.exists()


def test_refusal_reasons_read_in_plain_indonesian_with_the_appeal_deadline(officer):
    round_obj = cash_round(officer)
    business = dki_business(name="Budi Santoso")
    # The same owner also runs a larger business: capital over Rp1 bn is "kecil" (PP 7/2021).
    big = registry_services.business_create(
        actor=business.owner.account,
        owner=business.owner,
        data=business_data(
            village=DKI_VILLAGE, name="Konveksi Besar", capital=2_000_000_000, annual_sales=None
        ),
    )
    client = client_for(business.owner.account)
    client.post(
        _url("owner_apply", round_obj.pk),
        {"business": big.pk, "decl_savings_balance": "3.500.000", "bank": "BNI"},
    )
    application = Application.objects.get(round=round_obj)
    page = client.get(_url("owner_application", application.pk))
    html = page.content.decode()
    assert application.status == ApplicationStatus.INELIGIBLE
    assert "Syarat “usaha mikro” tidak terpenuhi: skala usaha kecil" in html
    assert (
        "Syarat “saldo tabungan &lt;= Rp2.000.000” tidak terpenuhi: saldo tabungan Rp3.500.000"
        in html
    )
    deadline = (timezone.localdate() + timedelta(days=14)).strftime("%d")
    assert "sanggahan sampai" in html and deadline.lstrip("0") in html
    assert page.context["can_appeal"] is True
    assert 'data-testid="appeal-form"' in html


def test_appeal_with_a_photo_stores_it_under_a_random_name_without_exif(officer, programmes_dir):
    round_obj = cash_round(officer)
    client, application = _owner_applies(round_obj, dki_business())
    photo = SimpleUploadedFile("bukti saldo.png", _png(), content_type="image/png")
    response = client.post(
        _url("owner_appeal", application.pk),
        {"reason": "Saldo saya sudah berkurang; lihat rekening koran.", "evidence": photo},
        follow=True,
    )
    assert "Sanggahan terkirim." in response.content.decode()
    appeal = Appeal.objects.get()
    assert appeal.status == AppealStatus.OPEN
    assert appeal.evidence.endswith(".jpg") and "bukti" not in appeal.evidence
    stored = programmes_dir / "appeals" / appeal.evidence
    assert stored.read_bytes()[:3] == b"\xff\xd8\xff"  # re-encoded as JPEG
    assert "Petugas dinas sedang memeriksa kembali" in response.content.decode()
    assert response.context["can_appeal"] is False  # one open appeal at a time
    download = client.get(_url("appeal_evidence", appeal.pk))
    assert download.status_code == 200
    stranger = client_for(user_make(role=Role.OWNER))
    assert stranger.get(_url("appeal_evidence", appeal.pk)).status_code == 404
    assert stranger.get(_url("owner_application", application.pk)).status_code == 404


def test_appeal_evidence_must_be_an_image_or_pdf_within_the_size_limit(
    officer, settings, programmes_dir
):
    round_obj = cash_round(officer)
    client, application = _owner_applies(round_obj, dki_business())
    url = _url("owner_appeal", application.pk)
    text = SimpleUploadedFile("bukti.txt", b"bukan gambar", content_type="text/plain")
    refused = client.post(url, {"reason": "Keliru", "evidence": text})
    assert refused.status_code == 400
    assert refused.context["form"].errors["evidence"] == [
        "Bukti harus berupa foto (JPG/PNG) atau PDF."
    ]
    settings.PULIH_APPEAL_EVIDENCE_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("besar.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))
    too_big = client.post(url, {"reason": "Keliru", "evidence": big})
    assert too_big.context["form"].errors["evidence"] == [
        "Berkas bukti terlalu besar (paling besar 1 MB)."
    ]
    no_reason = client.post(url, {"reason": " "})
    assert no_reason.context["form"].errors["reason"] == ["Tulis alasan sanggahan Anda."]
    assert not Appeal.objects.exists()
    assert not (programmes_dir / "appeals").exists() or not any(
        (programmes_dir / "appeals").iterdir()
    )
    pdf = SimpleUploadedFile("surat.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    client.post(url, {"reason": "Surat keterangan bank terlampir", "evidence": pdf})
    assert Appeal.objects.get().evidence.endswith(".pdf")


def test_after_the_window_the_owner_sees_it_closed_and_no_form(officer):
    round_obj = cash_round(officer)
    client, application = _owner_applies(round_obj, dki_business())
    Application.objects.filter(pk=application.pk).update(
        evaluated_at=timezone.now() - timedelta(days=30)
    )
    page = client.get(_url("owner_application", application.pk))
    assert page.context["can_appeal"] is False
    assert "Masa sanggah sudah berakhir" in page.content.decode()
    late = client.post(_url("owner_appeal", application.pk), {"reason": "Terlambat"})
    assert late.status_code == 400
    assert "Masa sanggah sudah berakhir pada" in late.content.decode()
    assert not Appeal.objects.exists()


# --- the officer's side ----------------------------------------------------------------------


def test_officer_reviews_with_a_corrected_declaration_and_the_owner_sees_it_upheld(officer):
    round_obj = cash_round(officer)
    owner_client, application = _owner_applies(round_obj, dki_business(name="Rina Wati"))
    owner_client.post(_url("owner_appeal", application.pk), {"reason": "Saldo salah ketik"})
    appeal = Appeal.objects.get()
    client = client_for(officer)
    queue = client.get(_url("appeal_queue"))
    assert [a.pk for a in queue.context["page"].object_list] == [appeal.pk]
    detail = client.get(_url("appeal_detail", appeal.pk))
    before = {r.code: r for r in detail.context["before"]}
    assert before["saldo"].passed is False
    assert before["saldo"].label == "saldo tabungan <= Rp2.000.000"

    empty = client.post(_url("appeal_detail", appeal.pk), {"note": ""})
    assert empty.status_code == 400
    done = client.post(
        _url("appeal_detail", appeal.pk),
        {"note": "Rekening koran menunjukkan Rp350.000", "decl_savings_balance": "350.000"},
        follow=True,
    )
    assert "Sanggahan diterima" in done.content.decode()
    appeal.refresh_from_db()
    application.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD
    assert application.status == ApplicationStatus.ELIGIBLE
    assert application.declarations["savings_balance"] == 350_000
    assert list(client.get(_url("appeal_queue")).context["page"].object_list) == []
    owner_page = owner_client.get(_url("owner_application", application.pk)).content.decode()
    assert "Sanggahan diterima: pengajuan Anda kini memenuhi syarat." in owner_page
    assert "Rekening koran menunjukkan Rp350.000" in owner_page


def test_dismissed_appeal_is_shown_to_the_owner_with_the_note(officer):
    round_obj = cash_round(officer)
    owner_client, application = _owner_applies(round_obj, dki_business())
    owner_client.post(_url("owner_appeal", application.pk), {"reason": "Mohon ditinjau"})
    appeal = Appeal.objects.get()
    client_for(officer).post(
        _url("appeal_detail", appeal.pk), {"note": "Saldo memang di atas batas."}
    )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.DISMISSED
    html = owner_client.get(_url("owner_application", application.pk)).content.decode()
    assert "Sanggahan ditolak: pengajuan tetap tidak memenuhi syarat." in html
    assert "Saldo memang di atas batas." in html
    # Reviewing a decided appeal again changes nothing and says so.
    again = client_for(officer).get(_url("appeal_detail", appeal.pk))
    assert again.context["form"] is None


def test_officer_outside_the_region_sees_no_appeal(officer):
    round_obj = cash_round(officer)
    owner_client, application = _owner_applies(round_obj, dki_business())
    owner_client.post(_url("owner_appeal", application.pk), {"reason": "Mohon ditinjau"})
    appeal = Appeal.objects.get()
    bandung = client_for(user_make(role=Role.OFFICER, regions=("32.73",)))
    assert list(bandung.get(_url("appeal_queue")).context["page"].object_list) == []
    assert bandung.get(_url("appeal_detail", appeal.pk)).status_code == 404
    assert bandung.get(_url("appeal_evidence", appeal.pk)).status_code == 404


def test_appeal_queue_and_owner_home_have_constant_query_counts(
    officer, django_assert_max_num_queries
):
    round_obj = cash_round(officer)
    owners = []
    for i in range(4):
        client, application = _owner_applies(round_obj, dki_business(serial=800 + i))
        owners.append((client, application))
    client, application = owners[0]
    client.post(_url("owner_appeal", application.pk), {"reason": "Mohon ditinjau"})
    officer_client = client_for(officer)

    def count(c, url):
        with CaptureQueriesContext(connection) as captured:
            assert c.get(url).status_code == 200
        return len(captured)

    few_queue = count(officer_client, _url("appeal_queue"))
    few_home = count(client, _url("owner_home"))
    for other_client, other in owners[1:]:
        other_client.post(_url("owner_appeal", other.pk), {"reason": "Mohon ditinjau"})
    # More rounds for the same owner: the home page lists each application.
    for n in range(3):
        source = SMALL_CASH.replace("{budget}", "12000000").replace("modal-uji", f"modal-{n}")
        version = services.programme_load(actor=officer, source=source)
        extra = services.round_transition(
            actor=officer, round_obj=version.programme.rounds.get(), to=RoundStatus.OPEN
        )
        client.post(
            _url("owner_apply", extra.pk),
            {"business": application.business_id, "decl_savings_balance": "1", "bank": "BRI"},
        )
    assert Appeal.objects.count() == 4
    assert Application.objects.filter(person=application.person).count() == 4
    with django_assert_max_num_queries(few_queue):
        assert officer_client.get(_url("appeal_queue")).status_code == 200
    with django_assert_max_num_queries(few_home):
        assert client.get(_url("owner_home")).status_code == 200
