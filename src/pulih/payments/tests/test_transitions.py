"""Allowed and refused state changes of payments, batches and lines, each through its service."""

from __future__ import annotations

import pytest

from pulih.payments import services
from pulih.payments.error_codes import PaymentError, PaymentErrorCode as PE
from pulih.payments.models import BatchStatus, LineStatus, Payment, PaymentStatus
from pulih.payments.tests.conftest import paid_round
from pulih.payments.tests.helpers import import_file, return_csv
from pulih.programmes.error_codes import ProgrammeError, ProgrammeErrorCode as E

pytestmark = pytest.mark.django_db


def test_payment_committed_sent_failed_sent_paid_and_no_cancel_once_sent(
    officer, approver, tmp_path
):
    round_obj = paid_round(officer, approver, banks=("BRI", "BRI"))
    decision = round_obj.decisions.get()
    payment = Payment.objects.order_by("id").first()
    assert payment.status == PaymentStatus.COMMITTED

    batch = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SENT
    # Money at the bank cannot be withdrawn by an amendment.
    with pytest.raises(ProgrammeError) as sent:
        services.payments_cancel(decision=decision, application_ids=[payment.application_id],
                                 actor=approver)  # fmt: skip
    assert sent.value.code == E.TRANSITION_NOT_ALLOWED
    assert sent.value.message == "Status tidak dapat diubah dari Dikirim ke bank ke Dibatalkan."

    ref = batch.reference
    import_file(officer, batch, return_csv(tmp_path / "a.csv", [
        (ref, 1, "GAGAL", "Rekening ditutup", "", 1200000),
        (ref, 2, "BERHASIL", "", "T2", 1200000),
    ]))  # fmt: skip
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RECONCILED
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    # Once answered, a batch is history: it cannot be cancelled.
    with pytest.raises(PaymentError) as answered:
        services.batch_cancel(actor=officer, batch=batch, reason="terlambat")
    assert answered.value.code == PE.BATCH_RETURNED

    paid = Payment.objects.get(status=PaymentStatus.PAID)
    with pytest.raises(ProgrammeError):
        services.payments_cancel(decision=decision, application_ids=[paid.application_id],
                                 actor=approver)  # fmt: skip

    follow = services.batch_follow_up_generate(actor=officer, round_obj=round_obj, bank="BRI")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SENT
    import_file(officer, follow, return_csv(tmp_path / "b.csv", [
        (follow.reference, 1, "SUKSES", "", "T3", 1200000),
    ]))  # fmt: skip
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert list(payment.lines.order_by("id").values_list("status", "attempt")) == [
        (LineStatus.FAILED, 1), (LineStatus.PAID, 2),
    ]  # fmt: skip


def test_a_failed_payment_not_yet_resent_may_be_withdrawn(officer, approver, tmp_path):
    round_obj = paid_round(officer, approver, banks=("BRI",))
    decision = round_obj.decisions.get()
    batch = services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")
    import_file(officer, batch, return_csv(tmp_path / "a.csv", [
        (batch.reference, 1, "GAGAL", "Meninggal dunia", "", 1200000),
    ]))  # fmt: skip
    payment = Payment.objects.get()
    services.payments_cancel(decision=decision, application_ids=[payment.application_id],
                             actor=approver)  # fmt: skip
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED
    round_obj.refresh_from_db()
    assert round_obj.committed == 0
    with pytest.raises(PaymentError) as nothing:
        services.batch_follow_up_generate(actor=officer, round_obj=round_obj, bank="BRI")
    assert nothing.value.code == PE.NOTHING_TO_BATCH
