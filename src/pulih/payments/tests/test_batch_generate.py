"""Batches per paying bank: which payments go in, the files written from the rows, and refusals."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from pulih.accounts.models import Role
from pulih.payments import files, services
from pulih.payments.error_codes import PaymentError, PaymentErrorCode as PE
from pulih.payments.models import (
    Batch,
    BatchStatus,
    LineStatus,
    Payment,
    PaymentStatus,
    TransferLine,
)
from pulih.payments.tests.conftest import apply, approve, goods_round, paid_round
from pulih.privacy import crypto
from pulih.programmes.ledger import ledger_totals
from pulih.programmes.models import LedgerEntry, LedgerKind, RoundEvent
from pulih.registry.models import Person
from pulih.testing.factories import user_make

pytestmark = pytest.mark.django_db


def _csv_rows(batch: Batch) -> list[list[str]]:
    text = files.batch_path(batch, "csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_batch_takes_every_committed_payment_of_the_bank_in_payment_order(officer, approver):
    round_obj = paid_round(officer, approver, banks=("BRI", "BNI", "BRI", "BRI"))
    batch = services.batch_generate(actor=officer, round_obj=round_obj, bank="bri")

    bri = list(Payment.objects.filter(round=round_obj, bank="BRI").order_by("id"))
    assert batch.reference == "MODAL-UJI-TAHAP-1-BRI-001"
    assert (batch.control_count, batch.control_total) == (3, 3 * 1_200_000)
    assert batch.region_code == "31.71.01.1001"  # every recipient lives in that village
    lines = list(batch.lines.order_by("line_number"))
    assert [(line.line_number, line.payment_id) for line in lines] == [
        (n, p.pk) for n, p in enumerate(bri, start=1)
    ]
    assert {line.status for line in lines} == {LineStatus.PENDING}
    assert set(Payment.objects.filter(bank="BRI").values_list("status", flat=True)) == {"sent"}
    assert Payment.objects.get(bank="BNI").status == PaymentStatus.COMMITTED
    # Money is committed, not yet disbursed: no ledger entry until the bank pays.
    assert not LedgerEntry.objects.filter(kind=LedgerKind.DISBURSE).exists()
    round_obj.refresh_from_db()
    assert round_obj.disbursed == 0
    assert RoundEvent.objects.filter(round=round_obj, action="batch_generated").count() == 1

    second = services.batch_generate(actor=officer, round_obj=round_obj, bank="BNI")
    assert second.reference == "MODAL-UJI-TAHAP-1-BNI-001"
    with pytest.raises(PaymentError) as nothing:
        services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    assert nothing.value.code == PE.NOTHING_TO_BATCH
    assert nothing.value.message == "Tidak ada pembayaran BRI yang menunggu dikirim ke bank."


def test_files_carry_the_header_block_the_full_nik_and_their_hashes(officer, approver):
    round_obj = paid_round(officer, approver, banks=("BRI", "BRI"))
    person = Payment.objects.filter(round=round_obj).order_by("id").first().person
    Person.objects.filter(pk=person.pk).update(full_name="=HYPERLINK(1)")
    batch = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")

    rows = _csv_rows(batch)
    assert rows[0] == ["Referensi batch", batch.reference]
    assert rows[1] == ["Bank", "BRI"]
    assert rows[2] == ["Jumlah baris (control count)", "2"]
    assert rows[3] == ["Total nominal (control total)", "2400000"]
    assert rows[4][0] == "Dibuat pada" and rows[4][1].endswith(" WIB")
    assert rows[6] == ["No", "Referensi pembayaran", "NIK", "Nama", "Nominal"]
    first = batch.lines.get(line_number=1)
    nik = crypto.decrypt(first.payment.person.nik_ciphertext, purpose="nik")
    assert rows[7] == ["1", first.payment.reference, nik, "'=HYPERLINK(1)", "1200000"]
    assert len(rows) == 9

    book = openpyxl.load_workbook(files.batch_path(batch, "xlsx"), read_only=True)
    cells = [list(r) for r in book["Transfer"].iter_rows(values_only=True)]
    assert cells[0][:2] == ["Referensi batch", batch.reference]
    assert cells[2][:2] == ["Jumlah baris (control count)", 2]
    assert cells[3][:2] == ["Total nominal (control total)", 2_400_000]
    assert cells[7] == [1, first.payment.reference, nik, "'=HYPERLINK(1)", 1_200_000]
    assert isinstance(cells[7][2], str)  # 16 digits as text: a number would lose the last ones
    assert batch.csv_sha256 == files.sha256_of(files.batch_path(batch, "csv"))
    assert batch.xlsx_sha256 == files.sha256_of(files.batch_path(batch, "xlsx"))


def test_files_written_again_are_the_same_bytes_whatever_the_registry_says_now(officer, approver):
    round_obj = paid_round(officer, approver, banks=("BRI", "BRI", "BRI"))
    batch = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    first = {fmt: files.batch_path(batch, fmt).read_bytes() for fmt in files.FORMATS}
    # The name in the registry is corrected after the file went to the bank.
    Person.objects.filter(payments__round=round_obj).update(full_name="Nama Baru")
    for fmt in files.FORMATS:
        files.batch_path(batch, fmt).unlink()
    Batch.objects.filter(pk=batch.pk).update(csv_sha256="", xlsx_sha256="")

    again = services.batch_files_write(batch=batch)
    assert {fmt: files.batch_path(batch, fmt).read_bytes() for fmt in files.FORMATS} == first
    assert (again.csv_sha256, again.xlsx_sha256) == (batch.csv_sha256, batch.xlsx_sha256)

    # A file tampered with on disk is written again from the rows.
    files.batch_path(batch, "csv").write_bytes(b"rusak")
    services.batch_files_write(batch=batch)
    assert files.batch_path(batch, "csv").read_bytes() == first["csv"]
    assert not list(files.batch_dir(batch).glob("*.tmp*"))


def test_a_second_submit_with_the_same_key_gets_the_same_batch(officer, approver):
    round_obj = paid_round(officer, approver, banks=("BRI", "BRI"))
    one = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI", request_key="k1")
    two = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI", request_key="k1")
    assert one.pk == two.pk
    assert Batch.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "code"),
    [
        (dict(role=Role.OWNER), PE.PERMISSION_DENIED),
        (dict(role=Role.PARTNER), PE.PERMISSION_DENIED),
        (dict(role=Role.OFFICER, regions=("32",)), PE.PERMISSION_DENIED),
        (dict(role=Role.OFFICER, regions=("31.75",)), PE.PERMISSION_DENIED),
    ],
)
def test_owners_partners_and_officers_outside_the_recipients_regions_are_refused(
    officer, approver, who, code
):
    round_obj = paid_round(officer, approver, banks=("BRI",))
    with pytest.raises(PaymentError) as refused:
        services.batch_generate(actor=user_make(**who), round_obj=round_obj, bank="BRI")
    assert refused.value.code == code
    assert not Batch.objects.exists()
    assert Payment.objects.get().status == PaymentStatus.COMMITTED


def test_approver_and_administrator_may_prepare_a_batch(officer, approver):
    round_obj = paid_round(officer, approver, banks=("BRI", "BNI"))
    assert services.batch_generate(actor=approver, round_obj=round_obj, bank="BRI")
    admin = user_make(role=Role.ADMIN)
    assert services.batch_generate(actor=admin, round_obj=round_obj, bank="BNI")


def test_unknown_bank_and_goods_round_are_refused(officer, approver):
    round_obj = paid_round(officer, approver, banks=("BRI",))
    with pytest.raises(PaymentError) as unknown:
        services.batch_generate(actor=officer, round_obj=round_obj, bank="BCA")
    assert unknown.value.message == "Bank “BCA” bukan bank penyalur putaran ini (BRI, BNI)."
    goods = goods_round(officer, approver, villages=("31.71.01.1001",))
    with pytest.raises(PaymentError) as not_cash:
        services.batch_generate(actor=officer, round_obj=goods, bank="BRI")
    assert not_cash.value.code == PE.NOT_A_CASH_ROUND


def test_cancelling_a_batch_puts_its_payments_back_in_the_queue(officer, approver):
    round_obj = paid_round(officer, approver, banks=("BRI", "BRI"))
    batch = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    with pytest.raises(PaymentError) as no_reason:
        services.batch_cancel(actor=officer, batch=batch, reason=" ")
    assert no_reason.value.code == PE.REASON_REQUIRED

    cancelled = services.batch_cancel(actor=officer, batch=batch, reason="Salah bank")
    assert cancelled.status == BatchStatus.CANCELLED
    assert set(TransferLine.objects.values_list("status", flat=True)) == {LineStatus.CANCELLED}
    assert set(Payment.objects.values_list("status", flat=True)) == {PaymentStatus.COMMITTED}
    with pytest.raises(PaymentError) as twice:
        services.batch_cancel(actor=officer, batch=batch, reason="lagi")
    assert twice.value.code == PE.BATCH_CANCELLED
    with pytest.raises(PaymentError) as download:
        services.batch_download(actor=officer, batch=cancelled, file_format="csv")
    assert download.value.code == PE.BATCH_CANCELLED

    again = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    assert again.reference.endswith("-BRI-002")
    assert again.attempt == 1  # a cancelled sending is not a failed one
    assert ledger_totals(round_obj)["disbursed"] == 0


def test_a_later_recipient_goes_into_the_next_batch(officer, approver):
    round_obj = paid_round(officer, approver, banks=("BRI",))
    first = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    apply(officer, round_obj, bank="BRI")
    approve(officer, approver, round_obj)  # an amendment adds one recipient
    second = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    assert (first.control_count, second.control_count) == (1, 1)
    assert second.lines.get().payment_id != first.lines.get().payment_id
