"""Disbursement over the REST API: batches of a round, one batch, return-file upload."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pulih.accounts.models import Role
from pulih.payments import services
from pulih.payments.tests.conftest import paid_round
from pulih.testing.factories import client_for, user_make

pytestmark = pytest.mark.django_db


def test_batches_detail_and_return_upload_over_the_api(officer, approver):
    round_obj = paid_round(officer, approver, banks=("BRI", "BRI"))
    batch = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    client = client_for(officer)

    listing = client.get(reverse("api-1:batch_list", args=[round_obj.pk])).json()
    assert listing["count"] == 1
    assert listing["items"][0]["reference"] == batch.reference
    assert listing["items"][0]["csv_sha256"] == batch.csv_sha256

    body = (
        "Referensi Batch;No Baris;Status;Alasan;Referensi Bank;Nominal\n"
        f"{batch.reference};1;BERHASIL;;T1;1200000\n"
        f"{batch.reference};2;GAGAL;Rekening tutup;;1200000\n"
    ).encode()
    url = reverse("api-1:return_upload", args=[batch.pk])
    created = client.post(url, {"file": SimpleUploadedFile("balikan.csv", body)})
    assert created.status_code == 201, created.content
    result = created.json()
    assert (result["status"], result["paid_count"], result["failed_count"]) == ("done", 1, 1)
    again = client.post(url, {"file": SimpleUploadedFile("salinan.csv", body)})
    assert again.status_code == 200
    assert again.json()["id"] == result["id"]

    detail = client.get(reverse("api-1:batch_detail", args=[batch.pk])).json()
    assert (detail["status"], detail["paid_total"], detail["failed_total"]) == (
        "reconciled", 1_200_000, 1_200_000,
    )  # fmt: skip
    assert [i["id"] for i in detail["imports"]] == [result["id"]]
    polled = client.get(reverse("api-1:return_detail", args=[result["id"]])).json()
    assert polled["not_in_file_count"] == 0

    bad = client.post(url, {"file": SimpleUploadedFile("balikan.pdf", b"%PDF-1.4")})
    assert bad.status_code == 400
    assert bad.json()["detail"] == "Jenis berkas tidak didukung. Unggah berkas .xlsx atau .csv."


def test_the_api_answers_404_outside_the_users_regions(officer, approver):
    round_obj = paid_round(officer, approver, banks=("BRI",))
    batch = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    for user in (user_make(role=Role.OFFICER, regions=("32.73",)), user_make(role=Role.OWNER)):
        client = client_for(user)
        assert client.get(reverse("api-1:batch_detail", args=[batch.pk])).status_code == 404
        upload = client.post(
            reverse("api-1:return_upload", args=[batch.pk]),
            {"file": SimpleUploadedFile("b.csv", b"a;b\n1;2\n")},
        )
        assert upload.status_code == 404
    bandung = client_for(user_make(role=Role.OFFICER, regions=("32.73",)))
    listing = bandung.get(reverse("api-1:batch_list", args=[round_obj.pk])).json()
    assert listing["count"] == 0
