"""Bank return files: reconciliation into payments, lines and the ledger; every row error with
its Indonesian reason and row number; importing the same file again changes nothing."""

from __future__ import annotations

import openpyxl
import pytest
import xlsxwriter

from pulih.payments import files, services
from pulih.payments.models import (
    Batch,
    BatchStatus,
    ImportStatus,
    LineStatus,
    Payment,
    PaymentStatus,
    ReturnImport,
    TransferLine,
)
from pulih.payments.tests.conftest import paid_round
from pulih.payments.tests.helpers import RETURN_HEADERS, answer_all, import_file, return_csv
from pulih.programmes.ledger import ledger_totals
from pulih.programmes.models import LedgerEntry, LedgerKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(officer, approver) -> Batch:
    round_obj = paid_round(officer, approver, banks=("BRI",) * 5)
    return services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")


def _state(batch: Batch) -> tuple:
    batch.refresh_from_db()
    return (
        sorted(
            TransferLine.objects.values_list("id", "status", "bank_reference", "failure_reason")
        ),
        sorted(Payment.objects.values_list("id", "status", "failure_reason", "paid_at")),
        LedgerEntry.objects.count(),
        (batch.status, batch.paid_count, batch.paid_total, batch.failed_count, batch.failed_total),
    )


def test_paid_and_failed_lines_move_payments_the_ledger_and_the_batch(officer, batch, tmp_path):
    ref = batch.reference
    path = return_csv(tmp_path / "balikan.csv", [
        (ref, 1, "BERHASIL", "", "TRX-1", "Rp1.200.000"),
        (ref, 2, "Sukses", "", "TRX-2", "1200000"),
        (ref, 3, "GAGAL", "Rekening tidak aktif", "", "1.200.000"),
    ])  # fmt: skip
    item = import_file(officer, batch, path)

    assert item.status == ImportStatus.DONE
    assert (item.rows_read, item.paid_count, item.paid_total) == (3, 2, 2_400_000)
    assert (item.failed_count, item.failed_total, item.rejected_count) == (1, 1_200_000, 0)
    assert item.missing_count == 2  # lines 4 and 5: not in the file, still waiting
    lines = {line.line_number: line for line in batch.lines.select_related("payment")}
    assert lines[1].status == LineStatus.PAID and lines[1].bank_reference == "TRX-1"
    assert lines[1].payment.status == PaymentStatus.PAID and lines[1].payment.paid_at
    assert lines[3].status == LineStatus.FAILED
    assert lines[3].payment.status == PaymentStatus.FAILED
    assert lines[3].payment.failure_reason == "Rekening tidak aktif"
    assert lines[4].status == LineStatus.PENDING and lines[4].payment.status == PaymentStatus.SENT
    assert lines[1].return_import_id == item.pk

    entries = LedgerEntry.objects.filter(kind=LedgerKind.DISBURSE).order_by("id")
    assert [(e.person_id, e.amount, e.subject) for e in entries] == [
        (lines[n].payment.person_id, 1_200_000, f"payments.payment:{lines[n].payment_id}")
        for n in (1, 2)
    ]
    round_obj = batch.round
    round_obj.refresh_from_db()
    assert round_obj.disbursed == 2_400_000
    assert ledger_totals(round_obj)["disbursed"] == round_obj.disbursed
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PARTIAL
    assert (batch.paid_count, batch.failed_count) == (2, 1)

    # The report names what is still unanswered.
    book = openpyxl.load_workbook(files.return_report_path(item), read_only=True)
    waiting = [list(r) for r in book["Belum dijawab"].iter_rows(values_only=True)]
    assert waiting[1] == [4, lines[4].payment.reference, 1_200_000]

    # The rest of the answers, in a second file: the batch is reconciled.
    last = import_file(officer, batch, return_csv(tmp_path / "balikan-2.csv", [
        (ref, 4, "paid", "", "TRX-4", 1200000),
        (ref, 5, "paid", "", "TRX-5", 1200000),
    ]))  # fmt: skip
    assert (last.paid_count, last.missing_count, last.report_name) == (2, 0, "")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RECONCILED
    round_obj.refresh_from_db()
    assert round_obj.disbursed == 4 * 1_200_000


def test_the_same_file_twice_changes_nothing_the_second_time(officer, batch, tmp_path):
    path = return_csv(tmp_path / "balikan.csv", [
        (batch.reference, 1, "BERHASIL", "", "TRX-1", 1200000),
        (batch.reference, 2, "GAGAL", "Nama tidak sesuai", "", 1200000),
    ])  # fmt: skip
    first = import_file(officer, batch, path)
    before = _state(batch)
    again = import_file(officer, batch, path)
    assert again.pk == first.pk
    assert ReturnImport.objects.count() == 1
    assert _state(batch) == before

    # The same answers in another file (resaved by the bank): recognised line by line.
    copy = return_csv(tmp_path / "balikan-salinan.csv", [
        (batch.reference, 1, "SUKSES", "", "TRX-1", "Rp 1.200.000"),
        (batch.reference, 2, "GAGAL", "Nama tidak sesuai", "", 1200000),
    ])  # fmt: skip
    other = import_file(officer, batch, copy)
    assert other.pk != first.pk
    assert (other.paid_count, other.failed_count, other.already_count) == (0, 0, 2)
    assert _state(batch) == before


def _reasons(item: ReturnImport) -> dict[int, str]:
    book = openpyxl.load_workbook(files.return_report_path(item), read_only=True)
    rows = list(book["Ditolak"].iter_rows(values_only=True))
    assert rows[0][:2] == ("Baris", "Alasan")
    return {r[0]: r[1] for r in rows[1:]}


def test_each_bad_row_is_refused_with_its_row_number_and_reason(officer, batch, tmp_path):
    ref = batch.reference
    line2 = batch.lines.get(line_number=2).payment
    # Line 3 failed earlier: a later "paid" for it contradicts the bank's first answer.
    import_file(officer, batch, return_csv(tmp_path / "awal.csv", [
        (ref, 3, "GAGAL", "Rekening ditutup", "", 1200000),
    ]))  # fmt: skip
    rows = [
        ("LAIN-BRI-001", 1, "BERHASIL", "", "", 1200000),  # row 2: another batch
        (ref, 99, "BERHASIL", "", "", 1200000),  # row 3: no such line
        (ref, "", "BERHASIL", "", "", 1200000),  # row 4: neither line nor reference
        (ref, 1, "BERHASIL", "", "", 1500000),  # row 5: amount differs
        (ref, 2, "TERTUNDA", "", "", 1200000),  # row 6: unknown status
        (ref, 4, "BERHASIL", "", "", 1200000),  # row 7: line 4 twice ...
        (ref, 4, "GAGAL", "x", "", 1200000),  # row 8: ... with another outcome
        (ref, 3, "BERHASIL", "", "", 1200000),  # row 9: line 3 already failed
        (ref, 5, "BERHASIL", "", "", "satu juta"),  # row 10: amount unreadable
    ]
    path = return_csv(tmp_path / "balikan.csv", rows)
    item = import_file(officer, batch, path)

    assert (item.rows_read, item.rejected_count, item.paid_count, item.failed_count) == (9, 9, 0, 0)
    assert _reasons(item) == {
        2: f"Baris ini untuk batch “LAIN-BRI-001”, bukan {ref}.",
        3: f"Baris/referensi “99” tidak ada di batch {ref}.",
        4: "Nomor baris dan referensi pembayaran kosong atau tidak terbaca.",
        5: "Nominal Rp1.500.000 tidak sama dengan nominal di batch (Rp1.200.000).",
        6: "Status “TERTUNDA” tidak dikenal (contoh: BERHASIL, SUKSES, GAGAL, DITOLAK).",
        7: "Baris batch 4 muncul lebih dari sekali di berkas (baris berkas 7, 8); tidak ada "
        "yang diproses.",
        8: "Baris batch 4 muncul lebih dari sekali di berkas (baris berkas 7, 8); tidak ada "
        "yang diproses.",
        9: "Baris batch 3 sudah tercatat gagal; berkas ini menyatakan dibayar.",
        10: "Nominal “satu juta” tidak terbaca.",
    }
    assert item.missing_count == 0  # every open line was named, if wrongly
    assert Payment.objects.get(pk=line2.pk).status == PaymentStatus.SENT
    assert not LedgerEntry.objects.filter(kind=LedgerKind.DISBURSE).exists()


def test_payment_references_identify_lines_and_must_agree_with_line_numbers(
    officer, batch, tmp_path
):
    ref = batch.reference
    one, two = (batch.lines.get(line_number=n).payment for n in (1, 2))
    headers = ("Batch", "No", "Referensi Pembayaran", "Hasil", "Keterangan", "No Transaksi")
    path = return_csv(tmp_path / "balikan.csv", [
        (ref, "", one.reference, "SUKSES", "", "A1"),  # by reference only
        (ref, "1", two.reference, "SUKSES", "", "A2"),  # disagrees with line 1
        (ref, "", "PLH9999999999", "SUKSES", "", "A3"),  # unknown reference
    ], headers=headers)  # fmt: skip
    item = import_file(officer, batch, path)
    assert (item.paid_count, item.rejected_count) == (1, 2)
    assert _reasons(item) == {
        3: f"Nomor baris 1 dan referensi pembayaran {two.reference} tidak cocok (baris 1 adalah "
        f"{one.reference}).",
        4: f"Baris/referensi “PLH9999999999” tidak ada di batch {ref}.",
    }
    assert Payment.objects.get(pk=one.pk).status == PaymentStatus.PAID


def test_a_file_for_another_batch_or_without_needed_columns_is_refused_whole(
    officer, batch, tmp_path
):
    wrong = import_file(officer, batch, return_csv(tmp_path / "lain.csv", [
        ("BPUM-2021-DKI-TAHAP-1-BNI-003", 1, "BERHASIL", "", "", 1200000),
    ]))  # fmt: skip
    assert wrong.status == ImportStatus.FAILED
    assert wrong.error_message == (
        f"Berkas balikan ini untuk batch BPUM-2021-DKI-TAHAP-1-BNI-003, bukan batch "
        f"{batch.reference}. Unggah di halaman batch yang benar."
    )
    no_status = import_file(officer, batch, return_csv(
        tmp_path / "tanpa-status.csv", [(batch.reference, 1, "")], headers=("Batch", "No", "Catatan")
    ))  # fmt: skip
    assert no_status.status == ImportStatus.FAILED
    assert no_status.error_message.startswith(
        "Kolom berikut tidak ditemukan di berkas balikan: status."
    )
    broken = tmp_path / "rusak.xlsx"
    broken.write_bytes(b"PK\x03\x04 bukan excel")
    truncated = import_file(officer, batch, broken)
    assert truncated.status == ImportStatus.FAILED
    assert "rusak atau terpotong" in truncated.error_message
    assert all(s == PaymentStatus.SENT for s in Payment.objects.values_list("status", flat=True))
    # A failed attempt does not block the same bytes later (once the cause is fixed).
    assert ReturnImport.objects.filter(status=ImportStatus.FAILED).count() == 3


def test_an_xlsx_return_file_is_read_like_a_csv(officer, batch, tmp_path):
    path = tmp_path / "balikan.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, RETURN_HEADERS)
    for r, line in enumerate((1, 2, 3, 4, 5), start=1):
        # Numbers as numbers, as a bank's spreadsheet holds them.
        sheet.write_row(r, 0, (batch.reference, line, "Berhasil", "", f"T{line}", 1200000))
    book.close()
    item = import_file(officer, batch, path)
    assert (item.paid_count, item.rejected_count, item.missing_count) == (5, 0, 0)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RECONCILED


def test_a_cancelled_batch_takes_no_return_file(officer, batch, tmp_path):
    services.batch_cancel(actor=officer, batch=batch, reason="Bank menolak berkas")
    batch.refresh_from_db()
    from pulih.payments.error_codes import PaymentError, PaymentErrorCode as PE

    with pytest.raises(PaymentError) as refused:
        answer_all(officer, batch, tmp_path / "balikan.csv")
    assert refused.value.code == PE.BATCH_CANCELLED
