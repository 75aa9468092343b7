"""An import keeps its promises while other work goes on beside it: a person who registers
between two chunks, and the rejection report written by a helper process."""

from datetime import date

import openpyxl
import pytest
from django.test import override_settings

from pulih.intake import pipeline, services
from pulih.intake.models import IntakeRecord, JobStatus
from pulih.intake.tests.files import VILLAGE, row, write_csv
from pulih.registry import services as registry_services
from pulih.registry.models import Business, Person

pytestmark = pytest.mark.django_db


def _started(officer, path):
    job = services.job_create(
        actor=officer, source_name="Dinas Uji", original_name=path.name, content=path
    )
    return services.job_start(actor=officer, job=job, mapping=job.mapping, enqueue=False)


def test_person_registered_while_the_list_merges_is_treated_as_registered(officer, tmp_path):
    rows = [row(1), row(2), row(3)]
    job = _started(officer, write_csv(tmp_path / "daftar.csv", rows))
    registered = []

    def register_between_chunks(current):
        # After the first chunk is committed, the owner of row 3 registers on a phone.
        if current.rows_merged == 1 and not registered:
            registered.append(
                registry_services.person_register(
                    actor=officer,
                    data=registry_services.PersonData(
                        full_name="Siti Aminah", nik=rows[2][1], birth_date=date(1985, 3, 12),
                        sex="P", address="Jl. Raya Bekasi No. 5", village_code=VILLAGE,
                    ),
                )
            )  # fmt: skip

    job = pipeline.job_run(job.pk, chunk_rows=1, progress=register_between_chunks)

    assert job.status == JobStatus.DONE
    assert (job.rows_created, job.rows_updated) == (2, 1)
    assert Person.objects.count() == 3  # no second person for the same NIK
    record = IntakeRecord.objects.get(job=job, row_number=4)
    assert record.person_id == registered[0].pk
    assert record.outcome == "updated"
    assert Business.objects.get(pk=record.business_id).owner_id == registered[0].pk


@override_settings(PULIH_INTAKE_REPORT_HELPER_MIN_ROWS=1)
def test_report_written_by_the_helper_has_every_refused_row_and_the_final_counts(officer, tmp_path):
    rows = [row(1), row(2, nik="123"), row(3, name=" "), row(4), row(1)]
    job = pipeline.job_run(_started(officer, write_csv(tmp_path / "daftar.csv", rows)).pk)

    assert job.status == JobStatus.DONE
    book = openpyxl.load_workbook(pipeline.report_path(job))
    refused = list(book["Ditolak"].values)
    assert [r[:2] for r in refused[1:]] == [(3, "Ditolak"), (4, "Ditolak"), (6, "Duplikat")]
    assert refused[1][2].startswith("NIK harus 16 digit")
    summary = dict(list(book["Ringkasan"].values)[3:])
    assert summary["Baris dibaca"] == 5
    assert summary["Baru dibuat"] == 2
    assert summary["Ditolak"] == 2
    assert summary["Duplikat dalam berkas"] == 1
    assert not list(pipeline.job_dir(job).glob("*.tmp.xlsx"))
