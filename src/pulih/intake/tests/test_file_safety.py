"""A file that is not what it says, too big, broken or locked is refused before any row is read,
with a message the officer can act on, and leaves nothing behind."""

import zipfile

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from pulih.intake import pipeline, services
from pulih.intake.error_codes import IntakeError
from pulih.intake.models import IntakeJob
from pulih.intake.tests.files import row, run_import, write_csv, write_xlsx
from pulih.registry.models import Person

pytestmark = pytest.mark.django_db


def _refused(officer, path, name=None) -> str:
    with pytest.raises(IntakeError) as exc:
        services.job_create(
            actor=officer, source_name="Dinas Uji", original_name=name or path.name, content=path
        )
    assert IntakeJob.objects.count() == 0
    return exc.value.message


def test_truncated_xlsx_is_refused(officer, tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", [row(n) for n in range(1, 200)])
    data = good.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    assert _refused(officer, cut) == (
        "Berkas rusak atau terpotong (unggahan tidak lengkap?). Unggah ulang."
    )


def test_password_protected_xlsx_is_refused(officer, tmp_path):
    plain = write_xlsx(tmp_path / "plain.xlsx", [row(1)])
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as source, locked.open("wb") as target:
        office = OOXMLFile(source)
        office.encrypt("rahasia", target)
    assert "dilindungi kata sandi" in _refused(officer, locked)


def test_old_xls_is_refused_with_advice(officer, tmp_path):
    fake_xls = tmp_path / "lama.xlsx"
    fake_xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000)
    assert "simpan sebagai .xlsx" in _refused(officer, fake_xls)


def test_file_that_is_not_what_its_extension_says(officer, tmp_path):
    csv_as_xlsx = write_csv(tmp_path / "daftar.csv", [row(1)])
    assert "bukan Excel .xlsx" in _refused(officer, csv_as_xlsx, name="daftar.xlsx")
    xlsx_as_csv = write_xlsx(tmp_path / "daftar.xlsx", [row(1)])
    assert "bukan CSV" in _refused(officer, xlsx_as_csv, name="daftar.csv")
    pdf = tmp_path / "daftar.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert "Unggah berkas .xlsx atau .csv" in _refused(officer, pdf)


def test_zip_bomb_is_refused(officer, tmp_path):
    bomb = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 300_000_000)
    assert bomb.stat().st_size < 1_000_000
    assert "tidak wajar besarnya" in _refused(officer, bomb)


def test_size_and_row_limits(officer, tmp_path, settings):
    path = write_csv(tmp_path / "a.csv", [row(n) for n in range(1, 21)])
    settings.PULIH_INTAKE_MAX_BYTES = 1000
    assert _refused(officer, path).startswith("Berkas terlalu besar")
    settings.PULIH_INTAKE_MAX_BYTES = 10_000_000
    settings.PULIH_INTAKE_MAX_ROWS = 10
    job = run_import(officer, path)
    assert job.status == "failed"
    assert job.error_message == "Berkas berisi lebih dari 10 baris. Bagi menjadi beberapa berkas."
    assert Person.objects.count() == 0


def test_empty_file_and_missing_header(officer, tmp_path):
    empty = tmp_path / "kosong.csv"
    empty.write_bytes(b"")
    assert _refused(officer, empty) == "Berkas kosong."
    no_header = tmp_path / "tanpa-judul.csv"
    no_header.write_text(",,,\n1,2,3,4\n")
    assert _refused(officer, no_header) == "Baris pertama harus berisi judul kolom."


def test_file_without_a_recognisable_nik_column_waits_for_the_officer(officer, tmp_path):
    headers = ["Nomor Identitas", "Nama", "Alamat", "Kelurahan", "Kecamatan", "Nama Usaha"]
    nik = row(1)[1]
    values = [nik, "Siti", "Jl. A", "Pondok Bambu", "Duren Sawit", "Warung"]
    path = write_csv(tmp_path / "a.csv", [values], headers=headers)
    job = services.job_create(
        actor=officer, source_name="Dinas Uji", original_name=path.name, content=path
    )
    assert job.mapping["Nomor Identitas"] == ""
    with pytest.raises(IntakeError) as exc:
        services.job_start(actor=officer, job=job, mapping=job.mapping, enqueue=False)
    assert exc.value.message.startswith("Tidak ada kolom NIK yang dikenali.")
    # The officer marks the column by hand; the sender's template remembers it.
    services.job_start(
        actor=officer, job=job, mapping={**job.mapping, "Nomor Identitas": "nik"}, enqueue=False
    )
    done = pipeline.job_run(job.pk)
    assert done.rows_created == 1
    again = services.job_create(
        actor=officer, source_name="Dinas Uji", original_name=path.name, content=path
    )
    assert again.mapping["Nomor Identitas"] == "nik"


def test_row_with_a_stray_delimiter_is_refused_not_shifted(officer, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1), [*row(2), "lebih"], row(3)])
    job = run_import(officer, path)
    assert (job.rows_read, job.rows_created, job.rows_rejected) == (3, 2, 1)
    values = list(openpyxl.load_workbook(pipeline.report_path(job))["Ditolak"].values)
    assert values[1][0] == 3
    assert "Jumlah kolom baris ini 16, seharusnya 15." in values[1][2]


def test_utf8_bom_and_blank_lines_are_harmless(officer, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1), [""] * 15, row(2)], encoding="utf-8-sig")
    job = run_import(officer, path)
    assert (job.rows_read, job.rows_created) == (2, 2)
