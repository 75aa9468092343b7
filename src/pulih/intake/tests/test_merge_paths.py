"""The ways a chunk reaches the database write the same registry: tuples (SQLite, and any
small import), and frames that PostgreSQL takes as CSV through COPY (pipeline.CHUNK_FRAMES).
Also: on PostgreSQL one process at a time merges a job (pipeline._merging_alone)."""

import psycopg
import pytest
from django.db import connection

from pulih.intake import pipeline, services
from pulih.intake.models import IntakeRecord, JobStatus, ProposedChange
from pulih.intake.tests.files import HEADERS, row, run_import, write_csv
from pulih.privacy import crypto
from pulih.registry.models import Business, NikConflict, Person, RegistrationEvent
from pulih.registry.services import NIK_PURPOSE, PHONE_PURPOSE

EXTRA = ["NIB", "Alamat Usaha", "Modal Usaha", "Jumlah Pekerja", "Tahun Mulai", "Email",
         "Kode KBLI"]  # fmt: skip


def _rows() -> list[list[str]]:
    plain = [row(n) for n in range(1, 9)]
    extra = [
        ["1234567890123", "Jl. Pasar Baru 3", "Rp15.000.000", "4", "2015", "a@contoh.id", "10792"],
        ["", "", "", "", "", "", ""],  # every optional field missing
        ["", 'Kios "Berkah", Blok A\\2', "2,4 jt", "0", "", "", ""],  # quotes, comma, backslash
        ["", "Jl. Tab\tBaris", "", "12", "1999", "", ""],  # a tab (the address rules drop it)
        ["9876543210987", "", "500.000", "", "2020", "", ""],
        ["", "", "", "", "", "", ""],
        ["", "Jl. Melati 1", "", "", "", "", ""],
        ["", "", "", "", "", "", ""],
    ]
    plain[1] = row(2, phone="", sector="", turnover="")
    plain[2] = row(3, name="Dr. H. Ahmad Fauzi, S.E.", address="Jl. Mawar\\Melati 9")
    plain[3] = row(4, business="Kopi  KENANGAN Senja")
    return [p + e for p, e in zip(plain, extra, strict=True)]


def _registry() -> dict[str, list]:
    """Everything an import wrote, by natural keys (ids and time stamps differ), ciphertexts
    decrypted."""

    def plain(values: dict) -> dict:
        out = {}
        for key, value in values.items():
            if key.endswith("_ciphertext") and value:
                purpose = NIK_PURPOSE if key.startswith("nik") else PHONE_PURPOSE
                value = crypto.decrypt(value, purpose=purpose)
            out[key] = str(value) if value is not None else None
        return out

    skip = {"id", "created_at", "updated_at", "submitted_at", "owner_id", "business_id", "at",
            "person_id", "job_id"}  # fmt: skip
    persons = [
        plain({k: v for k, v in p.items() if k not in skip})
        for p in Person.objects.order_by("nik_hash").values()
    ]
    businesses = [
        plain({**{k: v for k, v in b.items() if k not in skip}, "owner": b["owner__nik_hash"]})
        for b in Business.objects.order_by("owner__nik_hash").values(
            *[f.attname for f in Business._meta.concrete_fields], "owner__nik_hash"
        )
    ]
    events = sorted(
        str(e)
        for e in RegistrationEvent.objects.values_list(
            "business__owner__nik_hash", "actor__username", "action", "from_status",
            "to_status", "reason", "changes",
        )
    )  # fmt: skip
    records = sorted(
        str(r)
        for r in IntakeRecord.objects.values_list(
            "row_number", "person__nik_hash", "business__owner__nik_hash", "outcome"
        )
    )
    return {"persons": persons, "businesses": businesses, "events": events, "records": records}


def _clear() -> None:
    ProposedChange.objects.all().delete()
    IntakeRecord.objects.all().delete()
    RegistrationEvent.objects.all().delete()
    NikConflict.objects.all().delete()
    Business.objects.all().delete()
    Person.objects.all().delete()


@pytest.mark.django_db
def test_frames_and_tuples_write_the_same_registry(officer, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "daftar.csv", _rows(), headers=[*HEADERS, *EXTRA])
    stored = {}
    for frames in (True, False):
        _clear()
        monkeypatch.setattr(pipeline, "CHUNK_FRAMES", frames)
        job = run_import(officer, path, chunk_rows=3)
        assert (job.status, job.rows_created, job.rows_rejected) == (JobStatus.DONE, 8, 0)
        stored[frames] = _registry()
    businesses = stored[True]["businesses"]
    assert {b["nib"] for b in businesses} == {"1234567890123", "9876543210987", ""}
    assert {b["capital"] for b in businesses} == {"15000000", "2400000", "500000", None}
    assert {b["employees"] for b in businesses} == {"4", "0", "12"}
    assert {b["address"] for b in businesses} >= {
        'Kios "Berkah", Blok A\\2',
        "Jl. Raya Bekasi No. 5",
    }
    for key in ("persons", "businesses", "events", "records"):
        assert stored[True][key] == stored[False][key], key


@pytest.mark.django_db
def test_a_second_worker_on_postgresql_stops_without_merging(officer, tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's (SQLite has one writer at a time)")
    path = write_csv(tmp_path / "daftar.csv", [row(n) for n in range(1, 6)])
    job = services.job_create(
        actor=officer, source_name="Dinas Uji", original_name=path.name, content=path
    )
    services.job_start(actor=officer, job=job, mapping=job.mapping, enqueue=False)
    dsn = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in dsn.items() if k != "cursor_factory"}) as other:
        # The first worker, in another process, holds the job while it merges.
        other.execute("SELECT pg_advisory_lock(%s, %s)", (pipeline.MERGE_LOCK_CLASS, job.pk))
        second = pipeline.job_run(job.pk)
        assert (second.status, second.rows_merged, second.rows_created) == (JobStatus.RUNNING, 0, 0)
        assert not Person.objects.exists()
        other.execute("SELECT pg_advisory_unlock(%s, %s)", (pipeline.MERGE_LOCK_CLASS, job.pk))
    done = pipeline.job_run(job.pk)
    assert (done.status, done.rows_created) == (JobStatus.DONE, 5)
