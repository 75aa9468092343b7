"""A return import whose worker died: stuck "running" (nothing reconciled, the transaction rolled
back) or reconciled but without its report. Running it again, from the button or by uploading
the same file, ends where an uninterrupted import ends; what is not stuck is refused."""

from __future__ import annotations

from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from pulih.payments import files, services
from pulih.payments.error_codes import PaymentError, PaymentErrorCode as PE
from pulih.payments.models import Batch, ImportStatus, ReturnImport
from pulih.payments.tests.conftest import paid_round
from pulih.payments.tests.helpers import return_csv
from pulih.programmes.models import LedgerEntry, RoundEvent
from pulih.testing.factories import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(officer, approver) -> Batch:
    round_obj = paid_round(officer, approver, banks=("BRI",) * 4)
    return services.batch_generate(actor=officer, round_obj=round_obj, bank="BRI")


def _file(batch: Batch, tmp_path):
    ref = batch.reference
    return return_csv(tmp_path / "balikan.csv", [
        (ref, 1, "BERHASIL", "", "TRX-1", "1200000"),
        (ref, 2, "GAGAL", "Rekening ditutup", "", "1200000"),
        (ref, 3, "ENTAHLAH", "", "", "1200000"),
    ])  # fmt: skip


def _stuck(officer, batch: Batch, path) -> ReturnImport:
    """What a worker killed mid-reconcile leaves: the stored file, the row "running"."""
    with path.open("rb") as content:
        item, _size = services.return_import_create(
            actor=officer, batch=batch, content=content, original_name=path.name
        )
    ReturnImport.objects.filter(pk=item.pk).update(
        status=ImportStatus.RUNNING, created_at=timezone.now() - timedelta(minutes=30)
    )
    item.refresh_from_db()
    return item


def _sheets(item: ReturnImport) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(files.return_report_path(item), read_only=True)
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in book}


def test_a_stuck_import_resumes_to_the_state_of_an_uninterrupted_one(officer, batch, tmp_path):
    path = _file(batch, tmp_path)
    item = _stuck(officer, batch, path)
    assert services.return_import_resumable(item)
    assert LedgerEntry.objects.filter(kind="disburse").count() == 0

    # Uploading the same file again runs the stuck import instead of answering with it.
    with path.open("rb") as content:
        again = services.return_import(
            actor=officer, batch=batch, content=content, original_name=path.name
        )
    assert again.pk == item.pk and again.status == ImportStatus.DONE
    assert (again.paid_count, again.failed_count, again.rejected_count) == (1, 1, 1)
    assert again.missing_count == 1 and again.report_name
    assert LedgerEntry.objects.filter(kind="disburse").count() == 1
    assert RoundEvent.objects.filter(action="return_import_resumed").count() == 1
    assert ReturnImport.objects.count() == 1

    with pytest.raises(PaymentError) as done:
        services.return_import_resume(actor=officer, item=again)
    assert done.value.code == PE.IMPORT_NOT_RESUMABLE
    assert LedgerEntry.objects.filter(kind="disburse").count() == 1


def test_an_import_still_within_its_time_is_not_run_twice(officer, batch, tmp_path):
    item = _stuck(officer, batch, _file(batch, tmp_path))
    ReturnImport.objects.filter(pk=item.pk).update(created_at=timezone.now())
    item.refresh_from_db()
    assert not services.return_import_resumable(item)
    with pytest.raises(PaymentError) as refused:
        services.return_import_resume(actor=officer, item=item)
    assert refused.value.code == PE.IMPORT_NOT_RESUMABLE
    assert "tidak perlu diproses ulang" in refused.value.message


def test_a_report_lost_after_the_reconciliation_is_written_again(officer, batch, tmp_path):
    with _file(batch, tmp_path).open("rb") as content:
        item = services.return_import(
            actor=officer, batch=batch, content=content, original_name="balikan.csv"
        )
    before = _sheets(item)
    assert len(before) == 2 and len(before[next(iter(before))]) > 1
    ledger = LedgerEntry.objects.count()
    # The worker died between the reconciliation's commit and the report.
    files.return_report_path(item).unlink()
    ReturnImport.objects.filter(pk=item.pk).update(report_name="")
    item.refresh_from_db()
    # Just finished: the report may still be on its way, so nobody is offered a second one.
    assert not services.return_import_resumable(item)
    ReturnImport.objects.filter(pk=item.pk).update(
        finished_at=timezone.now() - timedelta(minutes=5)
    )
    item.refresh_from_db()
    assert services.return_import_resumable(item)

    page = client_for(officer).get(reverse("payments:batch_detail", args=[batch.pk]))
    assert 'data-testid="import-resume"' in page.content.decode()
    response = client_for(officer).post(reverse("payments:import_resume", args=[item.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.report_name and _sheets(item) == before
    assert LedgerEntry.objects.count() == ledger
    assert not services.return_import_resumable(item)


def test_the_batch_page_offers_the_button_only_for_a_stuck_import(officer, batch, tmp_path):
    item = _stuck(officer, batch, _file(batch, tmp_path))
    client = client_for(officer)
    html = client.get(reverse("payments:batch_detail", args=[batch.pk])).content.decode()
    assert 'data-testid="import-resume"' in html and "terhenti sebelum selesai" in html
    assert "every 2s" not in html  # a dead import is not polled forever
    client.post(reverse("payments:import_resume", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == ImportStatus.DONE
    html = client.get(reverse("payments:batch_detail", args=[batch.pk])).content.decode()
    assert 'data-testid="import-resume"' not in html


def test_a_running_import_counts_its_time_from_its_start_not_its_upload(officer, batch, tmp_path):
    item = _stuck(officer, batch, _file(batch, tmp_path))  # uploaded 30 minutes ago
    ReturnImport.objects.filter(pk=item.pk).update(started_at=timezone.now())
    item.refresh_from_db()
    assert not services.return_import_resumable(item)  # waited in the queue, running now


def test_a_finished_import_is_never_marked_running_again(officer, batch, tmp_path):
    with _file(batch, tmp_path).open("rb") as content:
        item = services.return_import(
            actor=officer, batch=batch, content=content, original_name="balikan.csv"
        )
    ledger = LedgerEntry.objects.count()
    # A second worker handed the same import (a duplicate task) finds it done: no change.
    again = services.return_import_run(import_id=item.pk)
    assert again.status == ImportStatus.DONE and again.paid_count == 1
    assert LedgerEntry.objects.count() == ledger
