"""Goods rounds: distribution lists per district and one handover record per recipient, with a
re-encoded photo and a ledger entry; every refused transition."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pulih.accounts.models import Role
from pulih.payments import services
from pulih.payments.error_codes import PaymentError, PaymentErrorCode as PE
from pulih.payments.models import Handover, HandoverStatus
from pulih.payments.tests.conftest import goods_round
from pulih.programmes.ledger import ledger_totals
from pulih.programmes.models import LedgerEntry, LedgerKind
from pulih.testing.factories import user_make

pytestmark = pytest.mark.django_db

TODAY = date(2021, 6, 1)


def _photo(gps: bool = True) -> SimpleUploadedFile:
    image = Image.new("RGB", (800, 600), (200, 120, 40))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "S", 2: (6.0, 10.0, 0.0)}  # where the photo was taken: a home
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return SimpleUploadedFile("serah.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def goods(officer, approver):
    return goods_round(
        officer, approver, villages=("31.71.01.1001", "31.71.01.1002", "31.75.03.1001")
    )


def _record(actor, handover, **extra):
    values = dict(handed_at=TODAY, photo=_photo(), note="Diterima sendiri", today=TODAY)
    values.update(extra)
    return services.handover_record(actor=actor, handover=handover, **values)


def test_a_handover_is_recorded_once_with_photo_and_disbursed_in_the_ledger(officer, goods):
    handover = Handover.objects.filter(round=goods).order_by("id").first()
    done = _record(officer, handover)

    assert done.status == HandoverStatus.HANDED_OVER
    assert (done.handed_at, done.handed_by, done.note) == (TODAY, officer, "Diterima sendiri")
    stored = services.handover_photo_path(done)
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert not image.getexif()  # no GPS, no camera: re-encoded
    entry = LedgerEntry.objects.get(kind=LedgerKind.DISBURSE)
    assert (entry.person_id, entry.amount, entry.subject, entry.actor) == (
        handover.person_id, 300_000, f"payments.handover:{handover.pk}", officer,
    )  # fmt: skip
    goods.refresh_from_db()
    assert goods.disbursed == 300_000
    assert ledger_totals(goods)["disbursed"] == goods.disbursed

    with pytest.raises(PaymentError) as twice:
        _record(officer, handover)
    assert twice.value.message == (
        "Status tidak dapat diubah dari Sudah diserahkan ke Sudah diserahkan."
    )
    assert LedgerEntry.objects.filter(kind=LedgerKind.DISBURSE).count() == 1


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        (dict(photo=None), PE.PHOTO_REQUIRED),
        (dict(photo=SimpleUploadedFile("x.jpg", b"bukan gambar")), PE.PHOTO_NOT_IMAGE),
        (dict(handed_at=TODAY + timedelta(days=1)), PE.HANDOVER_DATE_IN_FUTURE),
        (dict(handed_at=date(2021, 2, 1)), PE.HANDOVER_DATE_BEFORE_ROUND),
    ],
)
def test_a_handover_without_photo_or_with_an_impossible_date_is_refused(
    officer, goods, extra, code
):
    handover = Handover.objects.filter(round=goods).first()
    with pytest.raises(PaymentError) as refused:
        _record(officer, handover, **extra)
    assert refused.value.code == code
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.PENDING
    assert not LedgerEntry.objects.filter(kind=LedgerKind.DISBURSE).exists()


def test_officers_outside_the_village_and_owners_cannot_record(goods):
    handover = Handover.objects.get(round=goods, region_code="31.75.03.1001")
    for actor in (
        user_make(role=Role.OFFICER, regions=("31.71",)),
        user_make(role=Role.OWNER),
    ):
        with pytest.raises(PaymentError) as refused:
            _record(actor, handover)
        assert refused.value.code == PE.PERMISSION_DENIED
    assert _record(user_make(role=Role.OFFICER, regions=("31.75.03",)), handover)


def test_a_cancelled_handover_cannot_be_recorded(officer, goods):
    handover = Handover.objects.filter(round=goods).first()
    Handover.objects.filter(pk=handover.pk).update(status=HandoverStatus.CANCELLED)
    with pytest.raises(PaymentError) as refused:
        _record(officer, handover)
    assert refused.value.code == PE.TRANSITION_NOT_ALLOWED


def test_distribution_list_per_district_masks_the_nik_and_lists_the_items(officer, goods):
    handover = Handover.objects.get(round=goods, region_code="31.71.01.1001")
    _record(officer, handover)
    path = services.distribution_list_write(
        actor=officer, round_obj=goods, district_code="31.71.01"
    )
    book = openpyxl.load_workbook(path, read_only=True)
    rows = [list(r) for r in book["Daftar"].iter_rows(values_only=True)]
    assert rows[0][0].startswith("Daftar penyaluran Tahap 1 · Kecamatan ")
    assert rows[3][:9] == ["No", "Nama penerima", "NIK", "Alamat", "Kelurahan/desa", "Isi paket",
                           "Nilai (Rp)", "Status", "Tanggal serah"]  # fmt: skip
    people = rows[4:]
    assert len(people) == 2  # 31.75.03 is another district
    assert people[0][2] == handover.person.nik_masked and "*" in people[0][2]
    assert people[0][5] == "10 kg Beras; 2 liter Minyak goreng"
    assert people[0][7:9] == ["Sudah diserahkan", "01-06-2021"]
    assert people[1][7] == "Belum diserahkan"

    with pytest.raises(PaymentError) as outside:
        services.distribution_list_write(
            actor=user_make(role=Role.OFFICER, regions=("31.75",)), round_obj=goods,
            district_code="31.71.01",
        )  # fmt: skip
    assert outside.value.code == PE.PERMISSION_DENIED
