"""Decisions on screen: propose, maker-checker, a double click, return with a note, the annex,
and amendments as later decisions."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from pulih.accounts.models import Role
from pulih.linkage.models import ListKind
from pulih.payments.models import Payment
from pulih.programmes import services
from pulih.programmes.models import (
    Application,
    ApplicationStatus,
    Decision,
    DecisionKind,
    DecisionStatus,
)
from pulih.programmes.services import ApplicationData
from pulih.programmes.tests.conftest import cash_round, dki_business, nik_of, screening_list
from pulih.testing.factories import client_for, user_make

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(f"programmes:{name}", args=args)


def _round(officer, n=3):
    round_obj = cash_round(officer)
    businesses = []
    for i in range(n):
        business = dki_business(name=f"Penerima {i}", serial=600 + i)
        services.application_submit(
            actor=officer,
            round_obj=round_obj,
            data=ApplicationData(
                person_id=business.owner_id,
                business_id=business.pk,
                declarations={"savings_balance": 500_000},
            ),
        )
        businesses.append(business)
    return round_obj, businesses


def _propose(client, round_obj) -> Decision:
    response = client.post(_url("decision_propose", round_obj.pk), {"note": "Tahap 1"})
    decision = Decision.objects.get(round=round_obj, status=DecisionStatus.PROPOSED)
    assert response["Location"] == _url("decision_detail", decision.pk)
    return decision


def test_officer_proposes_and_sees_that_someone_else_must_approve(officer, approver):
    round_obj, _ = _round(officer)
    client = client_for(officer)
    page = client.get(_url("round_detail", round_obj.pk))
    assert "Usulkan penerima" in page.content.decode()
    assert "confirm(" in page.content.decode()
    decision = _propose(client, round_obj)
    detail = client.get(_url("decision_detail", decision.pk))
    html = detail.content.decode()
    assert detail.context["page"].paginator.count == 3
    assert detail.context["can_decide"] is False
    assert "persetujuannya harus dari orang lain" in html
    assert 'data-testid="approve"' not in html
    # Posting anyway is refused with the service's words, not an error page.
    refused = client.post(_url("decision_approve", decision.pk), follow=True)
    assert refused.status_code == 200
    assert "Anda tidak berwenang melakukan ini." in refused.content.decode()
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PROPOSED


def test_admin_who_prepared_cannot_approve_their_own_list(officer):
    round_obj, _ = _round(officer, n=1)
    admin = user_make(role=Role.ADMIN)
    client = client_for(admin)
    decision = _propose(client, round_obj)
    assert client.get(_url("decision_detail", decision.pk)).context["can_decide"] is False
    refused = client.post(_url("decision_approve", decision.pk), follow=True)
    assert "Penetapan harus disetujui oleh orang lain, bukan penyusunnya." in (
        refused.content.decode()
    )


def test_approver_approves_once_even_when_clicking_twice_and_gets_the_annex(officer, approver):
    round_obj, _ = _round(officer)
    decision = _propose(client_for(officer), round_obj)
    client = client_for(approver)
    page = client.get(_url("decision_detail", decision.pk))
    assert page.context["can_decide"] is True
    assert 'data-testid="approve"' in page.content.decode()

    first = client.post(_url("decision_approve", decision.pk), {"note": "Sesuai"}, follow=True)
    assert "Penetapan disetujui." in first.content.decode()
    second = client.post(_url("decision_approve", decision.pk), {"note": "Sesuai"}, follow=True)
    assert second.status_code == 200
    html = second.content.decode()
    assert "Penetapan ini sudah diputuskan (Disetujui)" in html
    assert "tidak ada yang diubah" in html
    assert Payment.objects.filter(round=round_obj).count() == 3
    round_obj.refresh_from_db()
    assert round_obj.committed == 3 * 1_200_000

    decision.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED
    assert decision.content_sha256 in html
    assert second.context["annex"] == {"xlsx": True, "pdf": True}
    xlsx = client.get(_url("annex_download", decision.pk, "xlsx"))
    assert xlsx.status_code == 200
    assert "attachment" in xlsx["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert any(decision.content_sha256 in str(c.value) for row in sheet.iter_rows() for c in row)
    pdf = client.get(_url("annex_download", decision.pk, "pdf"))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.get(_url("annex_download", decision.pk, "exe")).status_code == 404
    assert set(Application.objects.values_list("status", flat=True)) == {
        ApplicationStatus.RECIPIENT
    }


def test_annex_of_a_list_not_yet_approved_is_404(officer):
    round_obj, _ = _round(officer, n=1)
    decision = _propose(client_for(officer), round_obj)
    assert client_for(officer).get(_url("annex_download", decision.pk, "xlsx")).status_code == 404


def test_return_needs_a_note_and_puts_applicants_back(officer, approver):
    round_obj, _ = _round(officer, n=2)
    decision = _propose(client_for(officer), round_obj)
    client = client_for(approver)
    empty = client.post(_url("decision_return", decision.pk), {"note": "  "}, follow=True)
    assert "Tulis alasan mengapa daftar ini dikembalikan." in empty.content.decode()
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PROPOSED
    done = client.post(
        _url("decision_return", decision.pk), {"note": "Periksa ulang kuota"}, follow=True
    )
    assert "Daftar dikembalikan kepada penyusun." in done.content.decode()
    assert "Periksa ulang kuota" in done.content.decode()
    assert set(Application.objects.values_list("status", flat=True)) == {ApplicationStatus.ELIGIBLE}


def test_amendment_after_approval_appears_as_a_later_decision(officer, approver, tmp_path):
    round_obj, businesses = _round(officer, n=2)
    first = _propose(client_for(officer), round_obj)
    client_for(approver).post(_url("decision_approve", first.pk))
    listed = businesses[0]
    screening_list(officer, tmp_path, ListKind.ASN, [(nik_of(listed), "Penerima 0", "")])
    services.eligibility_run(actor=officer, round_obj=round_obj)
    amendment = _propose(client_for(officer), round_obj)
    assert amendment.kind == DecisionKind.AMENDMENT
    assert (amendment.recipients_added, amendment.recipients_removed) == (0, 1)
    page = client_for(officer).get(_url("round_detail", round_obj.pk))
    html = page.content.decode()
    assert [d.number for d in page.context["decisions"]] == [2, 1]
    assert "Perubahan penetapan" in html and "mengubah" in html
    detail = client_for(approver).get(_url("decision_detail", amendment.pk))
    assert [e.change for e in detail.context["page"].object_list] == ["remove"]
    assert "tidak lagi memenuhi syarat" in detail.content.decode()


def test_nothing_to_propose_is_a_message(officer):
    round_obj = cash_round(officer)
    response = client_for(officer).post(_url("decision_propose", round_obj.pk), follow=True)
    assert "Tidak ada perubahan penerima untuk ditetapkan." in response.content.decode()
    assert not Decision.objects.exists()


def test_decision_entries_page_has_a_constant_query_count(
    officer, approver, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    round_obj, _ = _round(officer, n=2)
    decision = _propose(client_for(officer), round_obj)
    client = client_for(approver)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(_url("decision_detail", decision.pk)).status_code == 200
    few = len(captured)
    client.post(_url("decision_return", decision.pk), {"note": "lagi"})
    for i in range(6):
        business = dki_business(name=f"Tambahan {i}", serial=700 + i)
        services.application_submit(
            actor=officer,
            round_obj=round_obj,
            data=ApplicationData(
                person_id=business.owner_id,
                business_id=business.pk,
                declarations={"savings_balance": 0},
            ),
        )
    bigger = _propose(client_for(officer), round_obj)
    assert bigger.recipients_added > 2
    with django_assert_max_num_queries(few):
        assert client.get(_url("decision_detail", bigger.pk)).status_code == 200


def test_an_approver_of_another_region_sees_why_they_cannot_decide(officer):
    round_obj, _ = _round(officer, n=2)
    decision = _propose(client_for(officer), round_obj)
    bandung = client_for(user_make(role=Role.APPROVER, regions=("32.73",)))
    detail = bandung.get(_url("decision_detail", decision.pk))
    html = detail.content.decode()
    assert detail.context["can_decide"] is False
    assert 'data-testid="outside-region"' in html and "di luar wilayah kewenangan Anda" in html
    assert 'data-testid="approve"' not in html
    refused = bandung.post(_url("decision_approve", decision.pk), follow=True)
    assert "di luar wilayah kewenangan Anda" in refused.content.decode()
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PROPOSED
    assert not Payment.objects.filter(round=round_obj).exists()
