"""Failed payments: a fix recorded by an officer, follow-up batches (attempt 2, 3...), and the
database's guarantee that a payment is paid at most once."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from pulih.payments import services
from pulih.payments.error_codes import PaymentError, PaymentErrorCode as PE
from pulih.payments.models import LineStatus, Payment, PaymentStatus, TransferLine
from pulih.payments.tests.conftest import paid_round
from pulih.payments.tests.helpers import answer_all, import_file, return_csv
from pulih.programmes.error_codes import ProgrammeError
from pulih.programmes.ledger import ledger_totals
from pulih.programmes.models import LedgerEntry, LedgerKind, RoundEvent

pytestmark = pytest.mark.django_db


def test_failed_payments_go_out_again_in_a_follow_up_and_are_paid_once(officer, approver, tmp_path):
    round_obj = paid_round(officer, approver, banks=("BRI", "BRI", "BRI"))
    first = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    ref = first.reference
    import_file(officer, first, return_csv(tmp_path / "b1.csv", [
        (ref, 1, "BERHASIL", "", "T1", 1200000),
        (ref, 2, "GAGAL", "Rekening tidak ditemukan", "", 1200000),
        (ref, 3, "GAGAL", "Rekening pasif", "", 1200000),
    ]))  # fmt: skip
    with pytest.raises(PaymentError) as nothing_new:
        services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    assert nothing_new.value.code == PE.NOTHING_TO_BATCH

    failed = Payment.objects.get(lines__batch=first, lines__line_number=2)
    services.payment_fix(actor=officer, payment=failed, note="Nomor rekening dibetulkan")
    follow = services.batch_follow_up_generate(actor=officer, round_obj=round_obj, bank="BRI")
    assert follow.reference == f"{ref[:-3]}002"
    assert (follow.control_count, follow.attempt) == (2, 2)
    assert set(follow.lines.values_list("attempt", flat=True)) == {2}
    assert Payment.objects.get(pk=failed.pk).fix_note == "Nomor rekening dibetulkan"
    event = RoundEvent.objects.get(action="payment_fixed")
    assert event.detail["payment"] == failed.pk and event.actor == officer

    import_file(officer, follow, return_csv(tmp_path / "b2.csv", [
        (follow.reference, 1, "BERHASIL", "", "T2", 1200000),
        (follow.reference, 2, "GAGAL", "Rekening pasif", "", 1200000),
    ]))  # fmt: skip
    third = services.batch_follow_up_generate(actor=officer, round_obj=round_obj, bank="BRI")
    assert (third.control_count, third.attempt) == (1, 3)
    answer_all(officer, third, tmp_path / "b3.csv")

    assert set(Payment.objects.values_list("status", flat=True)) == {PaymentStatus.PAID}
    for payment in Payment.objects.all():
        assert payment.lines.filter(status=LineStatus.PAID).count() == 1
    round_obj.refresh_from_db()
    assert round_obj.disbursed == round_obj.committed == 3 * 1_200_000
    assert LedgerEntry.objects.filter(kind=LedgerKind.DISBURSE).count() == 3
    assert ledger_totals(round_obj)["disbursed"] == round_obj.disbursed


def test_the_database_refuses_a_second_paid_line_for_a_payment(officer, approver, tmp_path):
    round_obj = paid_round(officer, approver, banks=("BRI", "BNI"))
    batch = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    answer_all(officer, batch, tmp_path / "b.csv")
    paid = TransferLine.objects.get()
    # Whatever code above the database tries: a second paid line for the payment is refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferLine.objects.create(
            batch=batch, line_number=2, payment=paid.payment, amount=paid.amount,
            full_name="x", nik_ciphertext="x", status=LineStatus.PAID, returned_at=timezone.now(),
        )  # fmt: skip
    # ... and so is a second open line while one is out at the bank.
    open_batch = services.batch_generate(actor=officer, round_obj=round_obj, bank="BNI")
    line = open_batch.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferLine.objects.create(
            batch=open_batch, line_number=2, payment=line.payment, amount=line.amount,
            full_name="x", nik_ciphertext="x",
        )  # fmt: skip


def test_a_fix_may_move_a_failed_payment_to_another_bank(officer, approver, tmp_path):
    round_obj = paid_round(officer, approver, banks=("BRI",))
    batch = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    answer_all(officer, batch, tmp_path / "b.csv", outcome="GAGAL")
    payment = Payment.objects.get()
    with pytest.raises(PaymentError) as bad_bank:
        services.payment_fix(actor=officer, payment=payment, note="pindah", bank="BCA")
    assert bad_bank.value.code == PE.BANK_UNKNOWN
    with pytest.raises(PaymentError) as no_note:
        services.payment_fix(actor=officer, payment=payment, note="", bank="BNI")
    assert no_note.value.code == PE.NOTE_REQUIRED
    services.payment_fix(
        actor=officer, payment=payment, note="Tidak punya rekening BRI", bank="bni"
    )
    with pytest.raises(PaymentError):
        services.batch_follow_up_generate(actor=officer, round_obj=round_obj, bank="BRI")
    follow = services.batch_follow_up_generate(actor=officer, round_obj=round_obj, bank="BNI")
    assert (follow.bank, follow.attempt, follow.control_count) == ("BNI", 2, 1)


def test_only_a_failed_payment_takes_a_fix(officer, approver):
    round_obj = paid_round(officer, approver, banks=("BRI",))
    payment = Payment.objects.get(round=round_obj)
    with pytest.raises(PaymentError) as refused:
        services.payment_fix(actor=officer, payment=payment, note="coba")
    assert refused.value.message == (
        "Hanya pembayaran yang gagal dibayar yang dapat diperbaiki (status sekarang: "
        "Menunggu penyaluran)."
    )


def test_a_retried_approval_job_cannot_create_payments_twice(officer, approver):
    """payments_create run again for the same decision (a retried job): the database's unique
    (round, person) refuses the whole second run."""
    import polars as pl

    round_obj = paid_round(officer, approver, banks=("BRI", "BNI"))
    decision = round_obj.decisions.get()
    recipients = pl.DataFrame(
        list(Payment.objects.values_list("application_id", "person_id", "amount", "bank")),
        schema=["application_id", "person_id", "amount", "bank"],
        orient="row",
    )
    # The bulk writer's own driver error (sqlite3 / psycopg), raised by the unique index.
    with pytest.raises(Exception, match="(?i)unique") as refused, transaction.atomic():
        services.payments_create(decision=decision, recipients=recipients, actor=approver)
    assert not isinstance(refused.value, ProgrammeError)
    assert Payment.objects.count() == 2
    round_obj.refresh_from_db()
    assert round_obj.committed == 2 * 1_200_000
