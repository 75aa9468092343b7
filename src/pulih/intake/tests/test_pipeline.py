import multiprocessing
from datetime import date

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pulih.accounts.models import Role
from pulih.intake import pipeline, services
from pulih.intake.error_codes import IntakeError
from pulih.intake.models import ChangeStatus, IntakeRecord, JobStatus, ProposedChange
from pulih.intake.staging import kbli_section_of, region_matcher
from pulih.intake.tests.files import VILLAGE, row, run_import, write_csv, write_xlsx
from pulih.privacy import crypto
from pulih.reference.selectors import district_code_set
from pulih.registry import bulk, services as registry_services
from pulih.registry.models import Business, Person, RegistrationEvent
from pulih.testing.factories import build_nik, user_make

pytestmark = pytest.mark.django_db


def _registry_state():
    """Everything an import may touch, for before/after comparisons."""
    return (
        list(Person.objects.order_by("id").values()),
        list(Business.objects.order_by("id").values()),
        list(RegistrationEvent.objects.order_by("id").values()),
        list(ProposedChange.objects.order_by("id").values()),
    )


def test_new_rows_create_person_and_business_with_provenance(officer, tmp_path):
    path = write_csv(tmp_path / "daftar.csv", [row(1, name="H. SITI AMINAH, S.E.")])
    job = run_import(officer, path)
    assert job.status == JobStatus.DONE
    assert job.counts() == {
        "rows_read": 1, "rows_accepted": 1, "rows_created": 1, "rows_updated": 0,
        "rows_unchanged": 0, "rows_rejected": 0, "rows_duplicate": 0, "changes_proposed": 0,
    }  # fmt: skip
    person = Person.objects.get()
    assert person.full_name == "Siti Aminah"
    assert person.name_titles == "H., S.E."
    assert person.birth_date == date(1985, 3, 12)
    assert person.sex == "P"
    assert person.village_id == VILLAGE
    assert (person.rt, person.rw) == ("005", "002")
    assert person.nik_masked == "317507******0001"
    assert crypto.decrypt(person.nik_ciphertext, purpose="nik") == build_nik(
        "31.75.07", date(1985, 3, 12), "P", 1
    )
    assert person.phone_masked == "+62812****7890"
    business = person.businesses.get()
    assert business.name == "Warung Berkah"
    assert business.status == "submitted"
    assert business.kbli_section_id == "I"
    assert business.monthly_turnover == 2_400_000
    record = IntakeRecord.objects.get()
    assert (record.job_id, record.row_number, record.person_id, record.business_id) == (
        job.pk, 2, person.pk, business.pk,
    )  # fmt: skip
    assert record.outcome == "created"
    event = business.events.get()
    assert event.reason == "Impor daftar.csv baris 2"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"nik": "317507520385001"}, "NIK harus 16 digit angka; yang diisi 15 digit."),
        ({"nik": "31750752O3850001"}, "NIK hanya boleh berisi angka."),
        ({"nik": "9999995203850001"}, "Kode wilayah 99.99.99 pada NIK tidak dikenal"),
        ({"nik": "3175073213850001"}, "Tanggal lahir pada NIK (digit ke-7 sampai ke-12)"),
        ({"nik": "3175075203850000"}, "Empat digit terakhir NIK tidak boleh 0000."),
        ({"nik": ""}, "NIK wajib diisi."),
        ({"name": "  "}, "Nama kosong."),
        ({"place_date": "JAKARTA, kemarin"}, "Tanggal lahir \u201ckemarin\u201d tidak terbaca."),
        (
            {"place_date": "JAKARTA, 31-02-1985"},
            "Tanggal lahir \u201c31-02-1985\u201d tidak terbaca.",
        ),
        ({"place_date": "JAKARTA, 12-03-2099"}, "Tanggal lahir tidak boleh di masa depan."),
        ({"sex": "X"}, "Jenis kelamin \u201cX\u201d tidak terbaca"),
        ({"address": ""}, "Alamat kosong."),
        ({"village": ""}, "Kelurahan/desa kosong."),
        (
            {"village": "Desa Tidak Ada"},
            "Kelurahan/desa \u201cDesa Tidak Ada\u201d tidak ditemukan",
        ),
        ({"phone": "12345"}, "Nomor telepon tidak sah."),
        ({"business": "", "sector": ""}, "Nama usaha kosong."),
        (
            {"turnover": "banyak"},
            "Nilai rupiah \u201cbanyak\u201d pada omzet per bulan tidak terbaca.",
        ),
    ],
)
def test_every_rejection_reason_is_reported_in_indonesian(officer, tmp_path, change, reason):
    path = write_csv(tmp_path / "daftar.csv", [row(1, **change), row(2)])
    job = run_import(officer, path)
    assert (job.rows_read, job.rows_rejected, job.rows_created) == (2, 1, 1)
    sheet = openpyxl.load_workbook(pipeline.report_path(job))["Ditolak"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Baris", "Status", "Alasan")
    assert rows[1][0] == 2  # the header is row 1: the sender's own numbering
    assert reason in rows[1][2]
    # The original cells come back unchanged beside the reason.
    assert rows[1][3:5] == ("1", row(1, **change)[1] or None)


def test_a_row_with_several_faults_lists_every_reason(officer, tmp_path):
    path = write_csv(tmp_path / "d.csv", [row(1, nik="123", phone="1", address="")])
    job = run_import(officer, path)
    reason = list(openpyxl.load_workbook(pipeline.report_path(job))["Ditolak"].values)[1][2]
    assert "NIK harus 16 digit" in reason
    assert "Nomor telepon tidak sah" in reason
    assert "Alamat kosong" in reason


def test_duplicate_nik_in_file_keeps_the_first_row(officer, tmp_path):
    first = row(1, name="Siti Aminah")
    again = row(1, name="SITI AMINAH")
    path = write_csv(tmp_path / "d.csv", [first, row(2), again])
    job = run_import(officer, path)
    assert (job.rows_created, job.rows_duplicate) == (2, 1)
    values = list(openpyxl.load_workbook(pipeline.report_path(job))["Ditolak"].values)
    assert values[1][:3] == (4, "Duplikat", "Duplikat dalam berkas: NIK sama dengan baris 2.")


def test_formula_cells_are_neutralised_in_the_report(officer, tmp_path):
    path = write_csv(tmp_path / "d.csv", [row(1, nik='=HYPERLINK("http://x")', name="@SUM(A1)")])
    job = run_import(officer, path)
    values = list(openpyxl.load_workbook(pipeline.report_path(job))["Ditolak"].values)
    assert values[1][4] == '\'=HYPERLINK("http://x")'
    assert values[1][5] == "'@SUM(A1)"


def test_unverified_person_gets_file_values_with_history(officer, tmp_path):
    run_import(officer, write_csv(tmp_path / "a.csv", [row(1, phone="")]))
    person = Person.objects.get()
    assert person.phone_masked == ""
    job = run_import(
        officer,
        write_csv(tmp_path / "b.csv", [row(1, phone="0813-1111-2222", address="Jl. Baru 9")]),
    )
    assert (job.rows_updated, job.rows_created, job.changes_proposed) == (1, 0, 0)
    person.refresh_from_db()
    assert person.phone_masked == "+62813****2222"
    assert person.address == "Jl. Baru 9"
    event = RegistrationEvent.objects.filter(action="person_edited").get()
    assert event.changes["phone"] == "diubah"  # never the number itself
    assert event.changes["address"] == ["Jl. Raya Bekasi No. 5", "Jl. Baru 9"]
    assert event.reason == "Impor b.csv baris 2"
    assert IntakeRecord.objects.filter(job=job).get().outcome == "updated"


def test_verified_data_is_never_overwritten_only_proposed(officer, tmp_path):
    run_import(officer, write_csv(tmp_path / "a.csv", [row(1, phone="")]))
    business = Business.objects.get()
    registry_services.registration_verify(actor=officer, business=business)
    person = Person.objects.get()
    assert person.verified_at is not None
    job = run_import(
        officer,
        write_csv(
            tmp_path / "b.csv",
            [row(1, phone="0813-1111-2222", address="Jl. Lain 1", turnover="3 jt")],
        ),
    )
    person.refresh_from_db()
    business.refresh_from_db()
    # The empty phone is filled; the verified address and turnover wait for an officer.
    assert person.phone_masked == "+62813****2222"
    assert person.address == "Jl. Raya Bekasi No. 5"
    assert business.monthly_turnover == 2_400_000
    proposals = {c.field: c for c in ProposedChange.objects.all()}
    assert sorted(proposals) == ["address", "monthly_turnover"], proposals
    assert job.changes_proposed == 2
    assert proposals["address"].proposed_value == "Jl. Lain 1"
    assert proposals["address"].current_value == "Jl. Raya Bekasi No. 5"
    assert proposals["monthly_turnover"].proposed_value == "3000000"
    assert proposals["monthly_turnover"].target == f"business:{business.pk}"


def test_accepting_a_proposed_change_applies_it_with_history(officer, tmp_path):
    run_import(officer, write_csv(tmp_path / "a.csv", [row(1)]))
    business = Business.objects.get()
    registry_services.registration_verify(actor=officer, business=business)
    run_import(officer, write_csv(tmp_path / "b.csv", [row(1, address="Jl. Lain 1")]))
    change = ProposedChange.objects.get()
    services.proposed_change_decide(actor=officer, change=change, accept=True)
    assert Person.objects.get().address == "Jl. Lain 1"
    event = RegistrationEvent.objects.filter(action="person_edited").get()
    assert event.changes == {"address": ["Jl. Raya Bekasi No. 5", "Jl. Lain 1"]}
    assert event.actor == officer
    change.refresh_from_db()
    assert change.status == ChangeStatus.ACCEPTED
    with pytest.raises(IntakeError) as exc:  # a double click decides once
        services.proposed_change_decide(actor=officer, change=change, accept=False)
    assert exc.value.message == "Usulan perubahan ini sudah diputuskan."


def test_officer_outside_region_cannot_decide_a_proposed_change(officer, tmp_path):
    run_import(officer, write_csv(tmp_path / "a.csv", [row(1)]))
    registry_services.registration_verify(actor=officer, business=Business.objects.get())
    run_import(officer, write_csv(tmp_path / "b.csv", [row(1, address="Jl. Lain 1")]))
    bandung = user_make(role=Role.OFFICER, regions=("32.73",))
    with pytest.raises(IntakeError):
        services.proposed_change_decide(
            actor=bandung, change=ProposedChange.objects.get(), accept=True
        )
    assert Person.objects.get().address == "Jl. Raya Bekasi No. 5"


def test_importing_the_same_file_twice_changes_nothing(officer, tmp_path):
    rows = [row(n) for n in range(1, 31)] + [row(5), row(40, nik="123")]
    path = write_csv(tmp_path / "a.csv", rows)
    first = run_import(officer, path)
    registry_services.registration_verify(actor=officer, business=Business.objects.first())
    run_import(officer, write_csv(tmp_path / "b.csv", [row(1, address="Jl. Lain 1")]))
    before = _registry_state()
    second = run_import(officer, path)
    assert _registry_state() == before
    assert (second.rows_created, second.rows_updated, second.changes_proposed) == (0, 0, 0)
    assert second.rows_unchanged == first.rows_created == 30
    assert (second.rows_rejected, second.rows_duplicate) == (1, 1)


def test_officer_cannot_import_outside_their_regions(tmp_path):
    bandung = user_make(role=Role.OFFICER, regions=("32.73",))
    job = run_import(bandung, write_csv(tmp_path / "a.csv", [row(1)]))
    assert (job.rows_rejected, job.rows_created) == (1, 0)
    reason = list(openpyxl.load_workbook(pipeline.report_path(job))["Ditolak"].values)[1][2]
    assert reason == "Alamat di luar wilayah kerja Anda."


@pytest.mark.parametrize("copy_keys_min", [1, 1_000_000], ids=["keys-copied", "keys-array"])
def test_row_about_a_person_registered_elsewhere_is_refused(
    officer, tmp_path, monkeypatch, copy_keys_min
):
    # A large list's NIKs reach PostgreSQL by COPY (bulk.COPY_KEYS_MIN), a small one's as an
    # array: both find the registered person.
    monkeypatch.setattr(bulk, "COPY_KEYS_MIN", copy_keys_min)
    run_import(officer, write_csv(tmp_path / "a.csv", [row(1)]))
    east_jakarta = user_make(role=Role.OFFICER, regions=("31.75",))
    # The person now says they live in Central Jakarta: outside this officer's scope at first,
    # and the existing record is inside it; moving them needs the other region's officer.
    central = user_make(role=Role.OFFICER, regions=("31.71",))
    job = run_import(
        central,
        write_csv(
            tmp_path / "b.csv",
            [row(1, village="Gambir", district="Gambir", city="Jakarta Pusat")],
        ),
    )
    assert job.rows_rejected == 1
    reason = list(openpyxl.load_workbook(pipeline.report_path(job))["Ditolak"].values)[1][2]
    assert reason == "NIK ini sudah terdaftar di luar wilayah kerja Anda."
    assert Person.objects.get().village_id == VILLAGE
    assert east_jakarta  # the owning region's officer still sees the person


def test_semicolon_cp1252_csv_is_read(officer, tmp_path):
    path = write_csv(
        tmp_path / "a.csv", [row(1, address="Jl. Café No. 1")], delimiter=";", encoding="cp1252"
    )
    job = run_import(officer, path)
    assert job.rows_created == 1
    assert Person.objects.get().address == "Jl. Café No. 1"


def test_xlsx_sheet_can_be_chosen(officer, tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx", [row(1), row(2)], sheet="Usulan", extra_sheets=("Catatan",)
    )
    job = run_import(officer, path, sheet="Usulan")
    assert (job.sheet, job.rows_created) == ("Usulan", 2)
    with pytest.raises(IntakeError) as exc:
        run_import(officer, path, sheet="Tidak Ada")
    assert "Lembar \u201cTidak Ada\u201d tidak ada" in exc.value.message


def test_query_count_does_not_grow_with_rows(officer, tmp_path, monkeypatch):
    """100,000 rows cost the same number of SQL statements as 1,000: nothing is per row."""
    # Both sizes take the look-up path of a large list (keys by COPY on PostgreSQL, in a
    # savepoint of its own), which would otherwise start somewhere between them.
    monkeypatch.setattr(bulk, "COPY_KEYS_MIN", 1)

    def queries(n: int, start: int) -> tuple[int, int]:
        rows = []
        for i in range(start, start + n):
            birth = date(1940 + i // 9999, 1 + i % 12, 1 + i % 28)
            nik = build_nik("31.75.07", birth, "L", i % 9999 + 1)
            rows.append(row(i, nik=nik, sex="L", place_date=f"JAKARTA, {birth:%d-%m-%Y}"))
        rows.append(row(0, nik="123"))
        path = write_csv(tmp_path / f"q{n}.csv", rows)
        with CaptureQueriesContext(connection) as captured:
            job = run_import(officer, path, source=f"Dinas {n}", chunk_rows=200_000)
        assert job.rows_created == n
        return len(captured), job.rows_rejected

    district_code_set()  # process-wide caches, filled once whatever the file size
    region_matcher()
    small, _ = queries(1_000, 1)
    large, rejected = queries(100_000, 10_000)
    assert rejected == 1
    assert large == small


@pytest.mark.parametrize(
    ("sector", "section"),
    [("Pendidikan", "P"), ("Jasa Jahit", "C"), ("Jasa Digital", "J"), ("Warung makan", "I"),
     ("Makanan ringan", "I"), ("Perikanan", "A"), ("Tidak jelas", "")],
)  # fmt: skip
def test_sector_words_match_whole_word_starts_longest_first(sector, section):
    assert kbli_section_of("", sector) == section
    assert kbli_section_of("47111", sector) == "G"  # a KBLI code wins over words


def test_spelling_titles_and_guesses_are_no_difference_for_verified_data(officer, tmp_path):
    owner_data = registry_services.PersonData(
        full_name="Hj. Siti Aminah",
        nik=row(1)[1],
        birth_date=date(1985, 3, 12),
        sex="P",
        address="Jl. Raya Bekasi No. 5",
        village_code=VILLAGE,
        phone="0812-3456-7890",
        birth_place="Jakarta",
        rt="5",
        rw="2",
    )
    person = registry_services.person_register(actor=officer, data=owner_data)
    business = registry_services.business_create(
        actor=officer,
        owner=person,
        data=registry_services.BusinessData(
            name="Warung Berkah", kbli_section="G", address="Pasar Klender Blok A",
            village_code="31.75.07.1003", description="Warung makan rumahan sejak 2018",
            monthly_turnover=2_400_000, capital=10_000_000,
        ),
    )  # fmt: skip
    registry_services.registration_submit(actor=officer, business=business)
    registry_services.registration_verify(actor=officer, business=business)
    job = run_import(
        officer,
        write_csv(
            tmp_path / "a.csv",
            [row(1, name="HJ. SITI AMINAH", address="JL. RAYA BEKASI NO. 5")],
        ),
    )
    assert (job.rows_unchanged, job.rows_updated, job.changes_proposed) == (1, 0, 0)
    business.refresh_from_db()
    assert business.village_id == "31.75.07.1003"  # the list says nothing of where it trades
    assert business.description == "Warung makan rumahan sejak 2018"
    assert business.kbli_section_id == "G"


def test_a_leftover_folder_of_an_earlier_database_is_not_reused(officer, tmp_path):
    first = run_import(officer, write_csv(tmp_path / "a.csv", [row(1)]))
    stale = pipeline.job_dir(first).parent / f"job-{first.pk + 1}"
    stale.mkdir(parents=True)
    (stale / "staged.parquet").write_bytes(b"rows of another file")
    job = run_import(officer, write_csv(tmp_path / "b.csv", [row(2), row(3)]))
    assert job.pk == first.pk + 1
    assert (job.status, job.rows_created) == (JobStatus.DONE, 2)


def test_the_helper_starts_once_the_rows_are_checked_and_only_if_enough_are_accepted(
    officer, tmp_path, settings
):
    # 210 rows of which 10 accepted: too few for the chunk helper, which is never started.
    settings.PULIH_INTAKE_PARALLEL_MIN_ROWS = 50
    rows = [row(i) for i in range(1, 11)] + [row(i, nik="123") for i in range(100, 300)]
    job = services.job_create(
        actor=officer, source_name="Dinas Uji", original_name="besar.csv",
        content=write_csv(tmp_path / "besar.csv", rows),
    )  # fmt: skip
    services.job_start(actor=officer, job=job, mapping=job.mapping, enqueue=False)
    told: list[int] = []
    accepted = pipeline._staged(job, None, when_checked=told.append)
    assert told == [10] and accepted.height == 10
    assert pipeline._helper_start(job, accepted=10, chunk_rows=1000) is None
    done = pipeline.job_run(job.pk)
    assert (done.status, done.rows_created, done.rows_rejected) == (JobStatus.DONE, 10, 200)
    assert IntakeRecord.objects.filter(job=job).count() == 10
    assert multiprocessing.active_children() == []


def test_a_job_staged_without_its_merge_file_gets_one_on_resume(officer, tmp_path):
    # Jobs staged by an earlier Pulih have no merge-ordered file: the resumed run writes it
    # from the staged rows instead of checking the file again.
    path = write_csv(tmp_path / "lama.csv", [row(i) for i in range(1, 8)] + [row(99, nik="1")])
    job = services.job_create(
        actor=officer, source_name="Dinas Uji", original_name=path.name, content=path
    )
    services.job_start(actor=officer, job=job, mapping=job.mapping, enqueue=False)
    first = pipeline._staged(job, None, when_checked=lambda accepted: None)
    pipeline.merge_path(job).unlink()

    def checked_again(accepted: int) -> None:
        pytest.fail("the file was checked again")

    again = pipeline._staged(job, None, when_checked=checked_again)
    assert again.equals(first) and again.height == 7
    assert pipeline.merge_path(job).exists()
    done = pipeline.job_run(job.pk)
    assert (done.status, done.rows_created, done.rows_rejected) == (JobStatus.DONE, 7, 1)


@pytest.mark.parametrize("bulk_from", [1, 10**9], ids=["update-from", "row-by-row"])
def test_updates_of_registered_people_are_the_same_in_bulk_and_row_by_row(
    officer, tmp_path, monkeypatch, bulk_from
):
    # From UPDATE_FROM_MIN_ROWS rows per set of changed columns the updates go through a
    # temporary table (dates, booleans, numbers and text through it on both databases).
    monkeypatch.setattr(pipeline, "UPDATE_FROM_MIN_ROWS", bulk_from)
    run_import(officer, write_csv(tmp_path / "a.csv", [row(n, phone="") for n in (1, 2, 3)]))
    changed = [
        row(n, phone="0813-1111-2222", address="Jl. Baru 9", place_date="BOGOR, 13-03-1985",
            turnover="Rp3.100.000", nik=row(n)[1])
        for n in (1, 2, 3)
    ]  # fmt: skip
    job = run_import(officer, write_csv(tmp_path / "b.csv", changed))
    assert (job.rows_updated, job.rows_created, job.changes_proposed) == (3, 0, 0)
    for person in Person.objects.all():
        assert (person.birth_date, person.birth_place, person.address) == (
            date(1985, 3, 13), "Bogor", "Jl. Baru 9",
        )  # fmt: skip
        assert person.nik_birth_date_mismatch is True  # the NIK says the 12th
        assert person.phone_masked == "+62813****2222"
        assert crypto.decrypt(person.phone_ciphertext, purpose="phone") == "+6281311112222"
        assert person.businesses.get().monthly_turnover == 3_100_000
