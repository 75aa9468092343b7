"""The officer's intake screens: upload, column mapping, the queued run, the report, proposed changes."""

from __future__ import annotations

import io
import signal
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from pulih.accounts.models import Role, User
from pulih.intake import services
from pulih.intake.models import ChangeStatus, IntakeJob, JobStatus, ProposedChange
from pulih.intake.tests.files import HEADERS, row, run_import, write_csv
from pulih.registry import services as registry_services
from pulih.registry.models import Business, Person
from pulih.testing.factories import client_for, user_make

pytestmark = pytest.mark.django_db

# A header the guesser does not know: the officer has to point it at "NIK" by hand.
NIK_HEADER = "Nomor Identitas"
HEADERS_UNKNOWN_NIK = [NIK_HEADER if h == "NIK" else h for h in HEADERS]
NIK_COLUMN = HEADERS.index("NIK")
NO_NIK_MESSAGE = "Tidak ada kolom NIK yang dikenali. Tandai kolom NIK pada pemetaan kolom."


class _Page(HTMLParser):
    """The bits of a page the tests read: each select's chosen value, text by data-testid."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.selected: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self._select = ""
        self._first_option = ""
        self._open: list[tuple[str, str]] = []  # (tag, testid) of elements with a data-testid
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "select":
            self._select = a.get("name") or ""
            self._first_option = ""
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if not self._first_option:
                self._first_option = value
                self.selected.setdefault(self._select, value)
            if "selected" in a:
                self.selected[self._select] = value
        if a.get("data-testid"):
            self._open.append((tag, a["data-testid"] or ""))
            self.texts.setdefault(a["data-testid"] or "", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = ""
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for _tag, testid in self._open:
            self.texts[testid] += data


def _page(response) -> _Page:  # noqa: ANN001
    return _Page(response.content.decode())


def _upload(client: Client, path: Path, *, source: str = "Dinas KUMKM Jakarta Timur"):  # noqa: ANN202
    with path.open("rb") as handle:
        return client.post(reverse("intake:job_list"), {"source": source, "file": handle})


def _run_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every queued task here, as `pulih db_worker --batch` would."""
    # Between tasks the worker closes connections whose autocommit looks changed; inside the
    # test's transaction that would drop the connection holding it (PostgreSQL).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    handlers = {s: signal.getsignal(s) for s in signals}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for s, handler in handlers.items():  # the worker installs its own; give pytest its back
            signal.signal(s, handler)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- who may see what ------------------------------------------------------------------------


def _job_urls(job: IntakeJob) -> dict[str, bool]:
    """Each page of one job, and whether it answers GET (the others take POST only)."""
    return {
        reverse("intake:job_detail", args=[job.pk]): True,
        reverse("intake:job_mapping", args=[job.pk]): True,
        reverse("intake:job_report", args=[job.pk]): True,
        reverse("intake:job_sheet", args=[job.pk]): False,
        reverse("intake:job_resume", args=[job.pk]): False,
    }


def test_owner_gets_404_on_every_intake_page(officer, tmp_path):
    job = services.job_create(
        actor=officer, source_name="Dinas Uji", original_name="a.csv",
        content=write_csv(tmp_path / "a.csv", [row(1)]),
    )  # fmt: skip
    owner = client_for(user_make(role=Role.OWNER))
    urls = [
        reverse("intake:job_list"),
        reverse("intake:change_list"),
        reverse("intake:change_decide", args=[1]),
        *_job_urls(job),
    ]
    for url in urls:
        assert owner.get(url).status_code == 404, url
        assert owner.post(url).status_code == 404, url


def test_officer_cannot_see_another_officers_job(officer, tmp_path):
    job = run_import(officer, write_csv(tmp_path / "a.csv", [row(1), row(2, nik="123")]))
    assert job.status == JobStatus.DONE
    colleague = client_for(user_make(role=Role.OFFICER, regions=("31",)))
    for url, answers_get in _job_urls(job).items():
        assert colleague.get(url).status_code == (404 if answers_get else 405), url
        assert colleague.post(url).status_code == 404, url
    listing = colleague.get(reverse("intake:job_list"))
    assert "a.csv" not in listing.content.decode()
    assert client_for(officer).get(reverse("intake:job_report", args=[job.pk])).status_code == 200


# --- upload, mapping, run, report ------------------------------------------------------------


def test_upload_map_run_in_worker_and_download_report(
    officer, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    rows = [row(1), row(2), row(3, nik="123"), row(1, name="SITI AMINAH")]
    path = write_csv(tmp_path / "daftar.csv", rows, headers=HEADERS_UNKNOWN_NIK)
    client = client_for(officer)

    response = _upload(client, path)
    job = IntakeJob.objects.get()
    mapping_url = reverse("intake:job_mapping", args=[job.pk])
    assert (response.status_code, response.url) == (302, mapping_url)

    response = client.get(mapping_url)
    assert response.status_code == 200
    page = _page(response)
    for header in HEADERS_UNKNOWN_NIK:
        assert f"<strong>{header}</strong>" in response.content.decode()
    assert page.selected[f"col-{NIK_COLUMN}"] == ""  # not guessed: "ignore this column"
    assert page.selected[f"col-{HEADERS.index('Nama Lengkap')}"] == "full_name"
    assert page.selected[f"col-{HEADERS.index('Tempat/Tgl Lahir')}"] == "place_date"
    assert page.selected[f"col-{HEADERS.index('Omzet per Bulan')}"] == "monthly_turnover"

    chosen = {**page.selected, f"col-{NIK_COLUMN}": "nik", "save_template": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(mapping_url, chosen)
    detail_url = reverse("intake:job_detail", args=[job.pk])
    assert (response.status_code, response.url) == (302, detail_url)
    task = DBTaskResult.objects.get()
    assert task.task_path == "pulih.intake.tasks.intake_job_run"
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert task.status == TaskResultStatus.READY

    queued = client.get(detail_url, headers={"HX-Request": "true"})
    assert queued.templates[0].name == "intake/_job_progress.html"
    assert 'hx-trigger="every 1s"' in queued.content.decode()  # the page keeps polling
    assert "progress" in _page(queued).texts

    _run_queue(monkeypatch)

    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    done = client.get(detail_url)
    texts = _page(done).texts
    assert texts["job-status"] == "Selesai"
    assert (texts["count-read"], texts["count-created"]) == ("4", "2")
    assert (texts["count-rejected"], texts["count-duplicate"]) == ("1", "1")
    assert "progress" not in texts
    assert "hx-trigger" not in done.content.decode()  # polling stops once done

    report = client.get(reverse("intake:job_report", args=[job.pk]))
    assert report.status_code == 200
    assert report["Content-Disposition"] == 'attachment; filename="ditolak-daftar.xlsx"'
    assert report["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content)))
    reported = {r[0]: r[2] for r in list(book["Ditolak"].values)[1:]}
    assert "NIK harus 16 digit" in reported[4]
    assert reported[5] == "Duplikat dalam berkas: NIK sama dengan baris 2."


def test_the_next_file_from_the_same_sender_gets_the_remembered_mapping(
    officer, tmp_path, django_capture_on_commit_callbacks
):
    client = client_for(officer)
    path = write_csv(tmp_path / "a.csv", [row(1)], headers=HEADERS_UNKNOWN_NIK)
    _upload(client, path)
    first = IntakeJob.objects.get()
    mapping_url = reverse("intake:job_mapping", args=[first.pk])
    chosen = {**_page(client.get(mapping_url)).selected, f"col-{NIK_COLUMN}": "nik"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(mapping_url, {**chosen, "save_template": "on"})

    response = _upload(client, write_csv(tmp_path / "b.csv", [row(2)], headers=HEADERS_UNKNOWN_NIK))
    page = _page(client.get(response.url))
    assert page.selected[f"col-{NIK_COLUMN}"] == "nik"


def test_bad_file_shows_indonesian_error_and_creates_no_job(officer, tmp_path):
    fake = tmp_path / "daftar.xlsx"
    fake.write_bytes(write_csv(tmp_path / "isi.csv", [row(1)]).read_bytes())
    response = _upload(client_for(officer), fake)
    assert response.status_code == 400
    assert _page(response).texts["file-error"] == (
        "Berkas ini bukan Excel .xlsx walaupun namanya berakhiran .xlsx."
    )
    assert not IntakeJob.objects.exists()
    intake = tmp_path / "intake"
    assert not intake.exists() or not any(intake.iterdir())


def test_mapping_without_nik_column_shows_error_and_starts_nothing(
    officer, tmp_path, django_capture_on_commit_callbacks
):
    client = client_for(officer)
    _upload(client, write_csv(tmp_path / "a.csv", [row(1)], headers=HEADERS_UNKNOWN_NIK))
    job = IntakeJob.objects.get()
    mapping_url = reverse("intake:job_mapping", args=[job.pk])
    guessed = _page(client.get(mapping_url)).selected
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(mapping_url, guessed)
    assert response.status_code == 400
    assert _page(response).texts["mapping-error"] == NO_NIK_MESSAGE
    job.refresh_from_db()
    assert job.status == JobStatus.MAPPING
    assert not DBTaskResult.objects.exists()


# --- proposed changes ------------------------------------------------------------------------


def _verified_people(officer: User, tmp_path: Path, n: int) -> None:
    run_import(officer, write_csv(tmp_path / "awal.csv", [row(i) for i in range(1, n + 1)]))
    for business in Business.objects.order_by("id"):
        registry_services.registration_verify(actor=officer, business=business)


def _propose_addresses(officer: User, tmp_path: Path, numbers: range) -> None:
    """Import a file that gives verified people a new address: each one waits as a proposal."""
    rows = [row(i, address=f"Jl. Baru No. {i}") for i in numbers]
    job = run_import(
        officer, write_csv(tmp_path / f"usul-{numbers.start}.csv", rows), source="Dinas Lain"
    )
    assert job.changes_proposed == len(numbers)


def test_proposed_changes_are_scoped_and_decided_by_post(officer, tmp_path):
    _verified_people(officer, tmp_path, 2)
    _propose_addresses(officer, tmp_path, range(1, 3))
    accept, dismiss = ProposedChange.objects.order_by("row_number")
    url = reverse("intake:change_list")

    bandung = client_for(user_make(role=Role.OFFICER, regions=("32.73",)))
    shown = bandung.get(url).content.decode()
    assert "Tidak ada usulan perubahan yang menunggu." in shown
    assert "Jl. Baru No. 1" not in shown
    decide = reverse("intake:change_decide", args=[accept.pk])
    assert bandung.post(decide, {"decision": "accept"}).status_code == 404

    client = client_for(officer)
    shown = client.get(url).content.decode()
    assert "Jl. Baru No. 1" in shown
    assert "Jl. Baru No. 2" in shown
    assert client.get(decide).status_code == 405  # a link or prefetch never decides

    response = client.post(decide, {"decision": "accept"}, follow=True)
    assert "Usulan diterima dan diterapkan." in response.content.decode()
    response = client.post(
        reverse("intake:change_decide", args=[dismiss.pk]), {"decision": "dismiss"}, follow=True
    )
    assert "Usulan diabaikan." in response.content.decode()

    accept.refresh_from_db()
    dismiss.refresh_from_db()
    assert (accept.status, dismiss.status) == (ChangeStatus.ACCEPTED, ChangeStatus.DISMISSED)
    assert Person.objects.get(pk=accept.person_id).address == "Jl. Baru No. 1"
    assert Person.objects.get(pk=dismiss.person_id).address == "Jl. Raya Bekasi No. 5"
    assert "Tidak ada usulan perubahan yang menunggu." in client.get(url).content.decode()

    again = client.post(decide, {"decision": "dismiss"}, follow=True)
    assert "Usulan perubahan ini sudah diputuskan." in again.content.decode()


# --- query counts ----------------------------------------------------------------------------


def test_job_list_query_count_does_not_grow_with_jobs(officer, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1)])

    def add_jobs(numbers: range) -> None:
        for i in numbers:
            services.job_create(
                actor=officer, source_name=f"Dinas {i % 4}", original_name=f"f{i}.csv",
                content=path,
            )  # fmt: skip

    client = client_for(officer)
    url = reverse("intake:job_list")
    client.get(url)  # session and caches warm
    add_jobs(range(3))
    few = _queries(client, url)
    add_jobs(range(3, 30))
    many = _queries(client, url)
    assert many == few
    shown = client.get(url).content.decode()
    assert "f29.csv" in shown
    assert "f9.csv" not in shown  # page 2: twenty to a page


def test_change_list_query_count_does_not_grow_with_changes(officer, tmp_path):
    _verified_people(officer, tmp_path, 30)
    client = client_for(officer)
    url = reverse("intake:change_list")
    client.get(url)
    _propose_addresses(officer, tmp_path, range(1, 4))
    few = _queries(client, url)
    _propose_addresses(officer, tmp_path, range(4, 31))
    many = _queries(client, url)
    assert ProposedChange.objects.filter(status=ChangeStatus.PENDING).count() == 30
    assert many == few
