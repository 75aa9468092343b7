"""An officer imports a proposer list through a real browser, server and background worker."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from pulih.intake.tests.files import HEADERS, row, write_csv
from pulih.testing.factories import build_nik
from pulih.testing.liveserver import BIN, LiveServer

pytestmark = pytest.mark.browser

USERNAME = "petugas.jakarta"
PASSWORD = "Petugas-sandi-2026"
GOOD_ROWS = 3_000
# Small chunks: the merge commits, and the bar moves, many times for a few thousand rows.
CHUNK_ROWS = "100"
WORKER_ARGS = ("db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload")
IMPORT_TIMEOUT_MS = 120_000
# The guesser does not know this header; the officer points it at "NIK" by hand.
NIK_HEADER = "Nomor Identitas"


@pytest.fixture(scope="module")
def jakarta_officer(pulih_server: LiveServer) -> tuple[str, str]:
    pulih_server.shell(
        "from pulih.accounts.services import user_create\n"
        f"user_create(username={USERNAME!r}, password={PASSWORD!r}, role='officer',"
        " full_name='Rina Petugas', agency='Dinas PPKUKM DKI Jakarta', region_codes=['31'])\n"
    )
    return USERNAME, PASSWORD


@pytest.fixture
def start_worker(pulih_server: LiveServer) -> Iterator[Callable[[], None]]:
    """`pulih db_worker` on the server's database, started when the test asks, stopped after."""
    processes: list[subprocess.Popen] = []
    log_path = pulih_server.var_dir / "worker.log"

    def start() -> None:
        with log_path.open("ab") as log:
            processes.append(
                subprocess.Popen(  # noqa: S603 - fixed argv, our own venv
                    [str(BIN / "pulih"), *WORKER_ARGS],
                    env={**pulih_server.env, "PULIH_INTAKE_CHUNK_ROWS": CHUNK_ROWS},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    if log_path.exists():
        print(f"worker log:\n{log_path.read_text(errors='replace')[-4000:]}")  # noqa: T201


def _proposer_list(folder: Path) -> Path:
    """3,000 people from Duren Sawit, three faulty rows and one person listed twice."""
    rows = []
    for n in range(1, GOOD_ROWS + 1):
        sex = "L" if n % 2 else "P"
        birth = date(1960 + n % 40, 1 + n % 12, 1 + n % 28)
        rows.append(
            row(
                n, nik=build_nik("31.75.07", birth, sex, n), sex=sex, birth=birth,
                place_date=f"JAKARTA, {birth:%d-%m-%Y}", name=f"Pengusul Nomor {n}",
                business=f"Warung Nomor {n}",
            )
        )  # fmt: skip
    # Born on a day no good row uses, so these NIKs are valid and unused.
    spare = [build_nik("31.75.07", date(1999, 9, 29), "L", k) for k in (1, 2)]
    rows.insert(100, row(0, nik="317507123"))  # file row 102
    rows.insert(1_000, row(0, nik=spare[0], place_date="JAKARTA, kemarin"))  # file row 1002
    rows.insert(2_000, row(0, nik=spare[1], village="Desa Tidak Ada"))  # file row 2002
    rows.append(list(rows[10]))  # the same person again, at the end
    headers = [NIK_HEADER if h == "NIK" else h for h in HEADERS]
    return write_csv(folder / "usulan-duren-sawit.csv", rows, headers=headers)


def test_officer_imports_a_list_and_downloads_the_refused_rows(
    new_context, shot, login, jakarta_officer, start_worker, tmp_path
):
    path = _proposer_list(tmp_path)
    page = new_context("laptop").new_page()
    login(page, *jakarta_officer)
    page.goto("/petugas/impor/")
    expect(page.get_by_role("heading", name="Impor daftar pengusul")).to_be_visible()
    page.get_by_test_id("source").fill("Dinas PPKUKM Jakarta Timur")
    page.get_by_test_id("file").set_input_files(path)
    shot(page, "upload")
    page.get_by_test_id("upload").click()

    expect(page.get_by_role("heading", name="Pemetaan kolom")).to_be_visible()
    nik_select = page.get_by_test_id(f"map-{HEADERS.index('NIK')}")
    expect(nik_select).to_have_value("")  # not guessed
    expect(page.get_by_test_id(f"map-{HEADERS.index('Nama Lengkap')}")).to_have_value("full_name")
    nik_select.select_option(label="NIK")
    shot(page, "mapping")
    page.get_by_test_id("start").click()

    # No worker yet: the job waits in the queue, and the page says so with a bar that polls.
    progress = page.get_by_test_id("job-progress")
    expect(progress).to_have_attribute("data-status", "queued")
    expect(page.get_by_test_id("progress")).to_be_visible()
    expect(page.get_by_test_id("job-status")).to_have_text("Dalam antrean")
    shot(page, "queued")

    start_worker()
    # The page itself follows the run (htmx every second): no reload from here on.
    expect(progress).to_have_attribute("data-status", "running", timeout=IMPORT_TIMEOUT_MS)
    expect(page.get_by_test_id("progress")).to_be_visible()
    shot(page, "running")

    counts = page.get_by_test_id("counts")
    expect(counts).to_be_visible(timeout=IMPORT_TIMEOUT_MS)
    expect(page.get_by_test_id("job-status")).to_have_text("Selesai")
    expect(page.get_by_test_id("progress")).to_have_count(0)
    expect(page.get_by_test_id("count-read")).to_have_text("3.004")
    expect(page.get_by_test_id("count-created")).to_have_text("3.000")
    expect(page.get_by_test_id("count-rejected")).to_have_text("3")
    expect(page.get_by_test_id("count-duplicate")).to_have_text("1")
    shot(page, "done")

    with page.expect_download() as info:
        page.get_by_test_id("report").click()
    download = info.value
    assert download.suggested_filename == "ditolak-usulan-duren-sawit.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = openpyxl.load_workbook(saved)["Ditolak"]
    reasons = {r[0]: r[2] for r in list(sheet.values)[1:]}
    assert sorted(reasons) == [102, 1002, 2002, 3005]
    assert "NIK harus 16 digit angka; yang diisi 9 digit." in reasons[102]
    assert reasons[1002] == "Tanggal lahir \u201ckemarin\u201d tidak terbaca."
    assert "Desa Tidak Ada" in reasons[2002]
    assert reasons[3005] == "Duplikat dalam berkas: NIK sama dengan baris 12."

    page.goto("/petugas/impor/")
    expect(page.get_by_role("link", name="usulan-duren-sawit.csv")).to_be_visible()


def test_csv_renamed_to_xlsx_is_refused_on_the_form(
    new_context, shot, login, jakarta_officer, tmp_path
):
    fake = tmp_path / "usulan.xlsx"
    fake.write_bytes(write_csv(tmp_path / "isi.csv", [row(1)]).read_bytes())
    page = new_context("laptop").new_page()
    login(page, *jakarta_officer)
    page.goto("/petugas/impor/")
    page.get_by_test_id("source").fill("Dinas PPKUKM Jakarta Barat")
    page.get_by_test_id("file").set_input_files(fake)
    page.get_by_test_id("upload").click()

    expect(page.get_by_test_id("file-error")).to_have_text(
        "Berkas ini bukan Excel .xlsx walaupun namanya berakhiran .xlsx."
    )
    expect(page.get_by_test_id("file")).to_have_attribute("aria-invalid", "true")
    # What was typed survives; only the file must be chosen again.
    expect(page.get_by_test_id("source")).to_have_value("Dinas PPKUKM Jakarta Barat")
    expect(page.get_by_role("link", name="usulan.xlsx")).to_have_count(0)
    shot(page, "refused")
