"""The officer's disbursement screens: scope, the confirmation and its one-time key, downloads
that are logged, return-file upload, fixes, handovers; query counts that do not grow."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from pulih.accounts.models import Role
from pulih.payments import files, services
from pulih.payments.models import (
    Batch,
    BatchDownload,
    Handover,
    HandoverStatus,
    Payment,
    PaymentStatus,
)
from pulih.payments.tests.conftest import goods_round, paid_round
from pulih.payments.tests.helpers import return_csv
from pulih.testing.factories import client_for, user_make

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured.captured_queries)


def _cycle_batches(officer, round_obj, n: int) -> None:
    """n batches of the same payments: made and cancelled, the last one kept."""
    for i in range(n):
        batch = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
        if i < n - 1:
            services.batch_cancel(actor=officer, batch=batch, reason="uji")


def test_owner_and_officer_of_another_region_get_404(officer, approver):
    round_obj = paid_round(officer, approver, banks=("BRI",))
    batch = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    urls = [
        reverse("payments:batch_list", args=[round_obj.pk]),
        reverse("payments:batch_confirm", args=[round_obj.pk]) + "?bank=BRI",
        reverse("payments:batch_detail", args=[batch.pk]),
        reverse("payments:batch_file", args=[batch.pk, "csv"]),
        reverse("payments:payment_list", args=[round_obj.pk]),
    ]
    owner = client_for(user_make(role=Role.OWNER))
    for url in urls:
        assert owner.get(url).status_code == 404, url
    bandung = client_for(user_make(role=Role.OFFICER, regions=("32.73",)))
    assert bandung.get(urls[2]).status_code == 404
    assert bandung.get(urls[3]).status_code == 404
    listing = bandung.get(urls[0]).content.decode()
    assert batch.reference not in listing  # the batch's recipients are not theirs
    assert not BatchDownload.objects.exists()


def test_confirm_then_generate_once_even_when_clicked_twice(officer, approver):
    round_obj = paid_round(officer, approver, banks=("BRI", "BRI", "BNI"))
    client = client_for(officer)
    page = client.get(reverse("payments:batch_list", args=[round_obj.pk])).content.decode()
    assert 'data-testid="waiting-BRI">2<' in page
    confirm_url = reverse("payments:batch_confirm", args=[round_obj.pk]) + "?bank=BRI"
    confirm = client.get(confirm_url).content.decode()
    assert "Rp2.400.000" in confirm
    key = re.search(r'name="request_key" value="([0-9a-f]+)"', confirm).group(1)

    form = {"bank": "BRI", "request_key": key}
    first = client.post(reverse("payments:batch_confirm", args=[round_obj.pk]), form)
    second = client.post(reverse("payments:batch_confirm", args=[round_obj.pk]), form)
    batch = Batch.objects.get()
    assert first.url == second.url == reverse("payments:batch_detail", args=[batch.pk])
    assert batch.control_count == 2

    detail = client.get(first.url).content.decode()
    assert batch.reference in detail and batch.csv_sha256 in detail
    # A fresh confirmation (new key) with nothing left waiting says so, and makes nothing.
    again = client.post(
        reverse("payments:batch_confirm", args=[round_obj.pk]), {"bank": "BRI", "request_key": "x"}
    )
    assert again.status_code == 302
    assert Batch.objects.count() == 1


def test_downloads_are_the_stored_files_and_are_logged(officer, approver):
    round_obj = paid_round(officer, approver, banks=("BRI",))
    batch = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    client = client_for(approver)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("payments:batch_file", args=[batch.pk, fmt]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == files.batch_path(batch, fmt).read_bytes()
        assert response["Content-Disposition"] == (
            f'attachment; filename="{batch.reference}.{fmt}"'
        )
    assert list(BatchDownload.objects.order_by("id").values_list("actor", "file_format")) == [
        (approver.pk, "csv"), (approver.pk, "xlsx"),
    ]  # fmt: skip
    assert client.get(reverse("payments:batch_file", args=[batch.pk, "pdf"])).status_code == 404


def test_return_file_upload_shows_the_summary_and_the_report(officer, approver, tmp_path):
    round_obj = paid_round(officer, approver, banks=("BRI", "BRI"))
    batch = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    path = return_csv(tmp_path / "balikan.csv", [
        (batch.reference, 1, "BERHASIL", "", "T1", 1200000),
        (batch.reference, 7, "BERHASIL", "", "T7", 1200000),
    ])  # fmt: skip
    client = client_for(officer)
    url = reverse("payments:batch_detail", args=[batch.pk])
    with path.open("rb") as handle:
        response = client.post(url, {"file": handle})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="count-paid">1<' in page
    assert 'data-testid="count-rejected">1<' in page
    assert 'data-testid="count-missing">1<' in page
    item = batch.imports.get()
    report = client.get(reverse("payments:import_report", args=[item.pk]))
    assert report.status_code == 200
    assert report["Content-Disposition"] == 'attachment; filename="balikan-ditolak-balikan.xlsx"'

    old_excel = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 600
    client.post(url, {"file": SimpleUploadedFile("balikan.xlsx", old_excel)})
    assert "Format Excel lama (.xls) tidak didukung" in client.get(url).content.decode()
    client.post(url, {"file": SimpleUploadedFile("balikan.pdf", b"%PDF")})
    assert "Jenis berkas tidak didukung" in client.get(url).content.decode()


def test_failed_payment_list_and_fix(officer, approver, tmp_path):
    round_obj = paid_round(officer, approver, banks=("BRI",))
    batch = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    services.return_import(
        actor=officer, batch=batch, original_name="b.csv",
        content=return_csv(tmp_path / "b.csv", [
            (batch.reference, 1, "GAGAL", "Rekening tutup", "", 1200000)
        ]).open("rb"),
    )  # fmt: skip
    client = client_for(officer)
    listing = client.get(reverse("payments:payment_list", args=[round_obj.pk]) + "?status=failed")
    assert "Rekening tutup" in listing.content.decode()
    payment = Payment.objects.get()
    response = client.post(
        reverse("payments:payment_fix", args=[payment.pk]), {"note": "Rekening baru", "bank": "BNI"}
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.bank, payment.fix_note, payment.status) == (
        "BNI", "Rekening baru", PaymentStatus.FAILED,
    )  # fmt: skip


def _jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30)).save(out, format="JPEG")
    return SimpleUploadedFile("foto.jpg", out.getvalue(), content_type="image/jpeg")


def test_handover_list_record_photo_and_distribution_list(officer, approver):
    round_obj = goods_round(officer, approver, villages=("31.71.01.1001", "31.71.01.1002"))
    client = client_for(officer)
    # A goods round's disbursement screen is its handover list.
    assert client.get(reverse("payments:batch_list", args=[round_obj.pk])).url == reverse(
        "payments:handover_list", args=[round_obj.pk]
    )
    page = client.get(reverse("payments:handover_list", args=[round_obj.pk])).content.decode()
    assert "31.71.01" in page
    handover = Handover.objects.filter(round=round_obj).first()
    response = client.post(
        reverse("payments:handover_record", args=[handover.pk]),
        {"handed_at": "2021-06-01", "photo": _jpeg(), "note": "", "next": "https://jahat.example/"},
    )
    assert response.url == reverse("payments:handover_list", args=[round_obj.pk])
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.HANDED_OVER
    photo = client.get(reverse("payments:handover_photo", args=[handover.pk]))
    assert photo["Content-Type"] == "image/jpeg"
    listing = client.get(reverse("payments:distribution_list", args=[round_obj.pk, "31.71.01"]))
    assert listing.status_code == 200
    outsider = client_for(user_make(role=Role.OFFICER, regions=("31.75",)))
    assert outsider.get(reverse("payments:handover_photo", args=[handover.pk])).status_code == 404
    assert (
        outsider.get(
            reverse("payments:distribution_list", args=[round_obj.pk, "31.71.01"])
        ).status_code
        == 404
    )


def test_batch_list_and_detail_query_counts_do_not_grow(officer, approver, tmp_path):
    round_obj = paid_round(officer, approver, banks=("BRI",) * 6)
    client = client_for(officer)
    list_url = reverse("payments:batch_list", args=[round_obj.pk])
    client.get(list_url)  # session and caches warm
    _cycle_batches(officer, round_obj, 1)
    few = _queries(client, list_url)
    _cycle_batches(officer, round_obj, 0)
    batch = Batch.objects.get()
    services.batch_cancel(actor=officer, batch=batch, reason="uji")
    _cycle_batches(officer, round_obj, 5)
    many = _queries(client, list_url)
    assert many == few <= 12

    detail = reverse("payments:batch_detail", args=[Batch.objects.order_by("-id").first().pk])
    one_import = _queries(client, detail)
    last = Batch.objects.order_by("-id").first()
    for n in range(3):
        services.return_import(
            actor=officer, batch=last, original_name=f"b{n}.csv",
            content=return_csv(tmp_path / f"b{n}.csv", [
                (last.reference, n + 1, "BERHASIL", "", f"T{n}", 1200000)
            ]).open("rb"),
        )  # fmt: skip
    assert _queries(client, detail) == one_import <= 14


def test_handover_payment_and_api_lists_query_counts_do_not_grow(
    officer, approver, tmp_path, django_assert_max_num_queries
):
    villages = ("31.71.01.1001",) * 4 + ("31.75.03.1001",)
    round_obj = goods_round(officer, approver, villages=villages)
    client = client_for(officer)
    url = reverse("payments:handover_list", args=[round_obj.pk])
    client.get(url)
    one = _queries(client, url + "?kecamatan=31.75.03")
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.content.decode().count('data-testid="record-form"') == 5
    assert _queries(client, url) == one


def test_payment_list_and_api_batch_list_query_counts_do_not_grow(
    officer, approver, django_assert_max_num_queries
):
    round_obj = paid_round(officer, approver, banks=("BRI",) * 5 + ("BNI",))
    services.batch_generate(actor=officer, round_obj=round_obj, bank="BNI")
    client = client_for(officer)
    url = reverse("payments:payment_list", args=[round_obj.pk])
    client.get(url)
    one = _queries(client, url + "?status=sent")
    with django_assert_max_num_queries(10):
        page = client.get(url + "?status=committed")
    assert page.content.decode().count("PLH") == 5
    assert _queries(client, url + "?status=committed") == one

    api = reverse("api-1:batch_list", args=[round_obj.pk])
    _cycle_batches(officer, round_obj, 1)
    few = _queries(client, api)
    services.batch_cancel(actor=officer, batch=Batch.objects.get(bank="BRI"), reason="uji")
    _cycle_batches(officer, round_obj, 4)
    with django_assert_max_num_queries(10):
        response = client.get(api)
    assert response.json()["count"] == 6
    assert _queries(client, api) == few
