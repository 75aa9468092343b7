"""The officer's round screens: counts, the scoped application list, eligibility (inline and in
the background), what-if that saves nothing, applying on someone's behalf, proposer lists."""

from __future__ import annotations

import signal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from pulih.accounts.models import Role
from pulih.linkage.models import ListKind
from pulih.programmes import services
from pulih.programmes.models import (
    Application,
    ApplicationStatus,
    Decision,
    EligibilityRun,
    ProgrammeVersion,
    Round,
    RoundEvent,
    RoundStatus,
)
from pulih.programmes.services import ApplicationData
from pulih.programmes.tests.conftest import (
    BANDUNG_VILLAGE,
    cash_round,
    dki_business,
    nik_of,
    screening_list,
)
from pulih.testing.factories import client_for, registration_make, user_make

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _apply(actor, round_obj, business, savings=1_000_000):
    return services.application_submit(
        actor=actor,
        round_obj=round_obj,
        data=ApplicationData(
            person_id=business.owner_id,
            business_id=business.pk,
            declarations={"savings_balance": savings},
        ),
    )


def _round_with_applicants(officer, n_clean=2, n_rich=1):
    round_obj = cash_round(officer)
    for i in range(n_clean):
        _apply(officer, round_obj, dki_business(name=f"Siti Aminah {i}", serial=100 + i))
    for i in range(n_rich):
        _apply(officer, round_obj, dki_business(name=f"Budi Kaya {i}", serial=200 + i), 5_000_000)
    return round_obj


def _url(name, *args):
    return reverse(f"programmes:{name}", args=args)


# --- who may see what --------------------------------------------------------------------------


def test_owner_and_partner_get_404_on_every_officer_page(officer):
    round_obj = _round_with_applicants(officer, n_clean=1, n_rich=0)
    application = Application.objects.get(round=round_obj)
    pages = [
        _url("programme_list"),
        _url("programme_new"),
        _url("programme_detail", round_obj.programme_id),
        _url("programme_edit", round_obj.programme_id),
        _url("version_detail", round_obj.programme_id, 1),
        _url("round_detail", round_obj.pk),
        _url("application_list", round_obj.pk),
        _url("apply_on_behalf", round_obj.pk),
        _url("application_detail", application.pk),
        _url("appeal_queue"),
    ]
    for role in (Role.OWNER, Role.PARTNER, Role.LEADERSHIP):
        client = client_for(user_make(role=role, regions=("31",) if role != Role.OWNER else ()))
        for url in pages:
            assert client.get(url).status_code == 404, (role, url)
    owner = client_for(application.person.account)
    for url in (
        _url("eligibility_start", round_obj.pk),
        _url("what_if", round_obj.pk),
        _url("decision_propose", round_obj.pk),
        _url("round_transition", round_obj.pk),
    ):
        assert owner.post(url).status_code == 404
    assert Decision.objects.count() == 0


def test_officer_outside_the_region_gets_404_on_the_application(officer):
    round_obj = _round_with_applicants(officer, n_clean=1, n_rich=0)
    application = Application.objects.get(round=round_obj)
    bandung = client_for(user_make(role=Role.OFFICER, regions=("32.73",)))
    assert bandung.get(_url("application_detail", application.pk)).status_code == 404
    # The round itself is agency-wide, but its list and counts hold only their own region.
    page = bandung.get(_url("application_list", round_obj.pk))
    assert page.status_code == 200
    assert "Siti Aminah" not in page.content.decode()
    assert page.context["page"].paginator.count == 0
    assert client_for(officer).get(_url("application_detail", application.pk)).status_code == 200


# --- round page --------------------------------------------------------------------------------


def test_round_page_shows_money_counts_and_status_buttons(officer):
    round_obj = _round_with_applicants(officer)
    page = client_for(officer).get(_url("round_detail", round_obj.pk))
    assert page.status_code == 200
    counts = {c["status"]: c["count"] for c in page.context["counts"]}
    assert counts[ApplicationStatus.ELIGIBLE] == 2
    assert counts[ApplicationStatus.INELIGIBLE] == 1
    html = page.content.decode()
    assert "Rp1.200.000" in html and "Rp12.000.000" in html  # amount and budget
    assert [t["to"] for t in page.context["transitions"]] == ["closed"]
    assert 'data-testid="transition-closed"' in html
    assert "confirm(" in html  # closing asks first
    assert page.context["follow_up"] is None or page.context["follow_up"][0].startswith("/")


def test_round_can_be_closed_and_reopened_and_a_refused_move_says_why(officer):
    round_obj = cash_round(officer)
    client = client_for(officer)
    client.post(_url("round_transition", round_obj.pk), {"to": "closed", "reason": "selesai"})
    round_obj.refresh_from_db()
    assert round_obj.status == RoundStatus.CLOSED
    response = client.post(_url("round_transition", round_obj.pk), {"to": "closed"}, follow=True)
    assert "Status tidak dapat diubah dari Ditutup ke Ditutup." in response.content.decode()
    client.post(_url("round_transition", round_obj.pk), {"to": "open"})
    round_obj.refresh_from_db()
    assert round_obj.status == RoundStatus.OPEN


# --- applications list -----------------------------------------------------------------------


def test_list_filters_by_status_failed_rule_region_and_search(officer):
    round_obj = _round_with_applicants(officer)
    client = client_for(officer)
    url = _url("application_list", round_obj.pk)

    def names(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return sorted(a.person.full_name for a in response.context["page"].object_list)

    assert names() == ["Budi Kaya 0", "Siti Aminah 0", "Siti Aminah 1"]
    assert names(status="ineligible") == ["Budi Kaya 0"]
    assert names(rule="saldo") == ["Budi Kaya 0"]
    assert names(rule="usaha_mikro") == []
    assert names(region="31.71.01") == ["Budi Kaya 0", "Siti Aminah 0", "Siti Aminah 1"]
    assert names(region="31.75") == []
    assert names(q="siti") == ["Siti Aminah 0", "Siti Aminah 1"]
    budi = Application.objects.get(round=round_obj, status=ApplicationStatus.INELIGIBLE)
    assert names(q=budi.person.nik_masked) == ["Budi Kaya 0"]
    assert names(q=nik_of(budi.business)) == ["Budi Kaya 0"]
    bad = client.get(url, {"region": "Jakarta"})
    assert "Tulis kode wilayah Kemendagri" in bad.content.decode()


def test_list_answers_htmx_with_the_table_alone(officer):
    round_obj = _round_with_applicants(officer, n_clean=1, n_rich=0)
    response = client_for(officer).get(_url("application_list", round_obj.pk), headers=HX)
    assert response.templates[0].name == "programmes/_application_table.html"


def test_empty_list_says_so(officer):
    round_obj = cash_round(officer)
    html = client_for(officer).get(_url("application_list", round_obj.pk)).content.decode()
    assert "Belum ada pengajuan di wilayah Anda pada putaran ini." in html


def test_list_and_round_page_make_the_same_number_of_queries_for_more_rows(
    officer, django_assert_max_num_queries
):
    round_obj = _round_with_applicants(officer, n_clean=2, n_rich=1)
    client = client_for(officer)
    urls = [
        _url("application_list", round_obj.pk),
        _url("application_list", round_obj.pk) + "?rule=saldo&q=siti&region=31",
        _url("round_detail", round_obj.pk),
    ]
    few = {}
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        few[url] = len(captured)
    for i in range(8):
        _apply(officer, round_obj, dki_business(name=f"Siti Tambahan {i}", serial=300 + i))
    services.eligibility_run(actor=officer, round_obj=round_obj)
    for url in urls:
        with django_assert_max_num_queries(few[url]):
            assert client.get(url).status_code == 200


# --- eligibility -----------------------------------------------------------------------------


def test_eligibility_inline_for_a_small_round_shows_failures_per_rule_by_label(officer, tmp_path):
    round_obj = _round_with_applicants(officer, n_clean=1, n_rich=1)
    listed = dki_business(name="Ani Lestari", serial=400)
    _apply(officer, round_obj, listed)
    screening_list(officer, tmp_path, ListKind.ASN, [(nik_of(listed), "Ani Lestari", "")])
    client = client_for(officer)
    response = client.post(_url("eligibility_start", round_obj.pk), follow=True)
    html = response.content.decode()
    assert "Pemeriksaan selesai: 1 dari 3 pengajuan memenuhi syarat." in html
    failures = {f["code"]: (f["label"], f["count"]) for f in response.context["run_failures"]}
    assert failures["saldo"] == ("saldo tabungan <= Rp2.000.000", 1)
    assert failures["bukan_aparatur"][1] == 1
    assert failures["usaha_mikro"] == ("usaha mikro", 0)
    assert EligibilityRun.objects.filter(round=round_obj).count() == 1


def _run_queue(monkeypatch):
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    handlers = {s: signal.getsignal(s) for s in signals}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for s, handler in handlers.items():
            signal.signal(s, handler)


def test_eligibility_of_a_large_round_runs_in_the_background_with_progress(
    officer, settings, monkeypatch
):
    settings.PULIH_ELIGIBILITY_INLINE_APPLICATIONS = 1
    round_obj = _round_with_applicants(officer, n_clean=1, n_rich=1)
    client = client_for(officer)
    started = client.post(_url("eligibility_start", round_obj.pk))
    assert started.status_code == 302
    task = DBTaskResult.objects.get()
    assert task.task_path == "pulih.programmes.tasks.eligibility_run_task"
    assert f"?periksa={task.id}" in started["Location"]
    assert not EligibilityRun.objects.exists()

    progress_url = _url("eligibility_progress", round_obj.pk, str(task.id))
    queued = client.get(progress_url, headers=HX)
    assert queued.status_code == 200
    assert 'hx-trigger="every 1s"' in queued.content.decode()
    assert "Dalam antrean" in queued.content.decode()
    # Another round's page cannot read this task.
    other = services.programme_load(
        actor=officer,
        source=round_obj.programme.current_version.source.replace('"tahap-1"', '"tahap-2"'),
    ).programme.rounds.get(code="tahap-2")
    assert client.get(_url("eligibility_progress", other.pk, str(task.id))).status_code == 404

    _run_queue(monkeypatch)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    done = client.get(progress_url, headers=HX)
    assert done.status_code == 204
    assert done["HX-Redirect"].endswith(_url("round_detail", round_obj.pk) + "#kelayakan")
    page = client.get(_url("round_detail", round_obj.pk))
    assert "Pemeriksaan selesai: 1 dari 2 pengajuan memenuhi syarat." in page.content.decode()
    assert EligibilityRun.objects.get().eligible == 1


def test_unknown_task_is_404(officer):
    round_obj = cash_round(officer)
    response = client_for(officer).get(
        _url("eligibility_progress", round_obj.pk, "00000000-0000-0000-0000-000000000000")
    )
    assert response.status_code == 404


# --- what-if -------------------------------------------------------------------------------------


def _state(round_obj: Round):
    return (
        ProgrammeVersion.objects.count(),
        EligibilityRun.objects.count(),
        RoundEvent.objects.count(),
        Decision.objects.count(),
        Round.objects.filter(pk=round_obj.pk).values().get(),
        list(
            Application.objects.filter(round=round_obj)
            .order_by("id")
            .values("status", "eligible", "results", "evaluated_at", "declarations")
        ),
    )


def test_what_if_shows_the_outcome_of_an_edited_rule_and_amount_and_saves_nothing(officer):
    round_obj = _round_with_applicants(officer, n_clean=2, n_rich=1)
    services.eligibility_run(actor=officer, round_obj=round_obj)
    source = round_obj.programme.current_version.source
    edited = source.replace("max = 2_000_000", "max = 10_000_000")
    assert edited != source
    client = client_for(officer)
    before = _state(round_obj)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            _url("what_if", round_obj.pk), {"source": edited, "amount": "1.000.000"}, headers=HX
        )
    assert response.status_code == 200, response.content.decode()
    result = response.context["result"]
    assert (result.applicants, result.eligible) == (3, 3)
    assert result.cost == 3_000_000
    assert result.within_budget == 3
    assert response.context["edited"] is True
    html = response.content.decode()
    assert "Rp3.000.000" in html
    assert "Kota Adm. Jakarta Pusat" in html or "Jakarta Pusat" in html  # split by city, named
    assert "Gambir" in html  # and by district
    # Only the session's idle timer moves (every request does that).
    writes = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
    ]
    assert writes == []
    assert _state(round_obj) == before


def test_what_if_with_the_saved_rules_and_a_broken_text(officer):
    round_obj = _round_with_applicants(officer, n_clean=1, n_rich=1)
    client = client_for(officer)
    saved = client.post(_url("what_if", round_obj.pk), {"source": "", "amount": ""}, headers=HX)
    assert (saved.context["result"].eligible, saved.context["edited"]) == (1, False)
    failures = {f["code"]: f["count"] for f in saved.context["failures"]}
    assert failures["saldo"] == 1
    broken = client.post(
        _url("what_if", round_obj.pk), {"source": "[programme\nname = 1"}, headers=HX
    )
    assert broken.status_code == 400
    assert "Berkas definisi tidak dapat dibaca" in broken.content.decode()


# --- applying on someone's behalf, proposer lists -------------------------------------------


def test_officer_applies_for_a_registered_person_in_scope(officer):
    round_obj = cash_round(officer)
    business = dki_business(name="Rahmat Hidayat", serial=500)
    client = client_for(officer)
    url = _url("apply_on_behalf", round_obj.pk)
    found = client.get(url, {"q": "rahmat"})
    assert [p.pk for p in found.context["people"]] == [business.owner_id]
    form_page = client.get(url, {"orang": business.owner_id})
    assert "Saldo tabungan (Rp)" in form_page.content.decode()

    missing = client.post(
        url, {"person": business.owner_id, "business": business.pk, "bank": "BRI"}
    )
    assert missing.status_code == 400
    assert "Saldo tabungan (Rp) wajib diisi." in missing.content.decode()

    done = client.post(
        url,
        {
            "person": business.owner_id,
            "business": business.pk,
            "decl_savings_balance": "Rp1.500.000",
            "bank": "BNI",
        },
    )
    application = Application.objects.get(round=round_obj)
    assert done["Location"] == _url("application_detail", application.pk)
    assert (application.channel, application.bank, application.status) == (
        "officer",
        "BNI",
        ApplicationStatus.ELIGIBLE,
    )
    assert application.declarations == {"savings_balance": 1_500_000}
    again = client.post(
        url,
        {
            "person": business.owner_id,
            "business": business.pk,
            "decl_savings_balance": "1",
            "bank": "BRI",
        },
    )
    assert again.status_code == 400
    assert "Orang ini sudah diajukan pada putaran ini." in again.content.decode()


def test_officer_cannot_apply_for_someone_outside_the_region(officer):
    round_obj = cash_round(officer)
    bandung = registration_make(village=BANDUNG_VILLAGE)
    client = client_for(officer)
    assert (
        client.get(_url("apply_on_behalf", round_obj.pk), {"orang": bandung.owner_id}).status_code
        == 404
    )
    assert (
        client.get(_url("apply_on_behalf", round_obj.pk), {"q": bandung.owner.full_name}).context[
            "people"
        ]
        == []
    )


def test_proposer_list_becomes_applications(officer, settings, tmp_path):
    from pulih.intake.tests.files import row, run_import, write_csv

    settings.PULIH_INTAKE_DIR = tmp_path / "intake"
    round_obj = cash_round(officer)
    job = run_import(
        officer,
        write_csv(
            tmp_path / "usulan.csv", [row(1, name="Ani"), row(2, name="Budi"), row(3, nik="1")]
        ),
        source="Dinas PPKUKM Jakarta Timur",
    )
    client = client_for(officer)
    page = client.get(_url("round_detail", round_obj.pk))
    assert page.context["intake_form"] is not None
    response = client.post(
        _url("applications_from_intake", round_obj.pk), {"job": job.pk}, follow=True
    )
    html = response.content.decode()
    assert "2 pengajuan baru, 0 sudah pernah diajukan (pengusul dicatat), 1 baris dilewati" in html
    made = Application.objects.filter(round=round_obj)
    assert made.count() == 2
    assert set(made.values_list("proposer", flat=True)) == {"Dinas PPKUKM Jakarta Timur"}
    again = client.post(
        _url("applications_from_intake", round_obj.pk), {"job": job.pk}, follow=True
    )
    assert "0 pengajuan baru, 2 sudah pernah diajukan" in again.content.decode()
