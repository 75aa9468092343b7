"""Screening lists, the review queue, decisions that survive re-runs, and merges that keep history."""

from datetime import date

import pytest

from pulih.accounts.models import Role
from pulih.intake.models import IntakeRecord
from pulih.linkage import services
from pulih.linkage.error_codes import LinkageError
from pulih.linkage.models import (
    CandidateKind,
    CandidateStatus,
    ListKind,
    MatchCandidate,
    Outcome,
    PersonMerge,
    ScreeningList,
)
from pulih.registry import services as registry_services
from pulih.registry.models import Business, Person, RegistrationEvent
from pulih.testing.factories import client_for, registration_make, user_make

pytestmark = pytest.mark.django_db

GIVEN = [
    "Agus",
    "Bambang",
    "Dewi",
    "Eko",
    "Fitri",
    "Gunawan",
    "Hendra",
    "Indah",
    "Joko",
    "Kartini",
    "Lukman",
    "Maya",
    "Nanda",
    "Oki",
    "Putri",
    "Rahmat",
    "Sari",
    "Teguh",
    "Umar",
    "Vina",
]
FAMILY = ["Saputra", "Wijaya", "Lestari", "Nugroho", "Hidayat", "Kusuma", "Pratama", "Rahayu"]


def _neighbours(count: int, start_year: int = 1950) -> None:
    """Other people of the same village: distinct names, birth dates and phones."""
    for i in range(count):
        registration_make(
            name=f"{GIVEN[i % len(GIVEN)]} {FAMILY[i // len(GIVEN) % len(FAMILY)]}",
            birth_date=date(start_year + i, 1 + i % 12, 1 + i % 28),
            phone=f"0813-{i:04d}-{(i * 37) % 10000:04d}",
            address=f"Jl. Kenanga Gg. {i} No. {i + 3}",
        )


def _list_file(tmp_path, rows, name="daftar.csv"):
    path = tmp_path / name
    lines = ["NIK;Nama Lengkap;Tanggal Lahir;Jenis Kelamin"]
    lines += [";".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(actor, path, kind=ListKind.ASN, source="BKD Kota Bandung", as_of=date(2021, 3, 1)):
    return services.screening_list_import(
        actor=actor, kind=kind, source=source, as_of=as_of, path=path, original_name=path.name
    )


def _nik_of(business: Business) -> str:
    from pulih.privacy import crypto

    return crypto.decrypt(business.owner.nik_ciphertext, purpose="nik")


def test_every_exact_nik_on_a_list_is_found_whatever_the_name(officer, tmp_path):
    people = [
        registration_make(
            name=f"{GIVEN[i]} {FAMILY[i % len(FAMILY)]}",
            birth_date=date(1970 + i, 1 + i % 12, 1 + i),
            phone=f"0813-{i:04d}-1234",
        )
        for i in range(12)
    ]
    listed = people[:8]
    rows = [
        (_nik_of(b), "Nama Lain Sekali" if i % 2 else b.owner.full_name, "", "")
        for i, b in enumerate(listed)
    ]
    rows.append(("3273010101800001", "Orang Luar", "01-01-1980", "L"))  # not in the registry
    screening_list = _import(officer, _list_file(tmp_path, rows))
    assert screening_list.entry_count == 9

    run = services.screening_run(actor=officer, screening_list=screening_list)

    assert run.exact_hits == 8
    hits = MatchCandidate.objects.filter(kind=CandidateKind.LIST_HIT)
    assert {c.person_id for c in hits} == {b.owner_id for b in listed}
    by_person = {c.person_id: c for c in hits}
    for i, b in enumerate(listed):
        c = by_person[b.owner_id]
        assert c.evidence[0]["text"] == "NIK sama"
        # A matching name stops the person at once; a different name waits for an officer,
        # because one NIK under two names may be misuse rather than the same person.
        assert c.status == (CandidateStatus.OPEN if i % 2 else CandidateStatus.CONFIRMED)


def test_a_listed_person_without_nik_is_found_by_name_and_birth_date(officer, tmp_path):
    business = registration_make(name="Djoko Santoso", sex="L", birth_date=date(1968, 8, 17))
    _neighbours(30)
    rows = [("", "H. Joko Santoso", "17-08-1968", "L")]
    screening_list = _import(officer, _list_file(tmp_path, rows), kind=ListKind.DECEASED)

    services.screening_run(actor=officer, screening_list=screening_list)

    hit = MatchCandidate.objects.get(kind=CandidateKind.LIST_HIT, person=business.owner)
    assert hit.status == CandidateStatus.OPEN
    texts = " | ".join(e["text"] for e in hit.evidence)
    assert "NIK tidak ada" in texts
    assert "Djoko" in texts and "Joko" in texts


def test_decisions_survive_a_new_list_version_and_rescreen(officer, tmp_path):
    listed = registration_make(name="Budi Hartono", sex="L", birth_date=date(1975, 5, 5))
    other = registration_make(name="Rina Wati", birth_date=date(1980, 6, 6))
    rows = [(_nik_of(listed), "Budi Hartono", "", ""), (_nik_of(other), "Bukan Rina", "", "")]
    first = _import(officer, _list_file(tmp_path, rows))
    services.screening_run(actor=officer, screening_list=first)
    pending = MatchCandidate.objects.get(person=other.owner)
    services.candidate_decide(
        actor=officer, candidate=pending, outcome=Outcome.NOT_ON_LIST, reason="Beda orang, cek KTP"
    )

    second = _import(
        officer, _list_file(tmp_path, rows, name="daftar-v2.csv"), as_of=date(2021, 9, 1)
    )
    runs = services.rescreen(actor=officer, kind=ListKind.ASN)

    assert [r.screening_list_id for r in runs] == [second.pk]
    assert second.version == 2
    first.refresh_from_db()
    assert first.superseded_at is not None
    again = MatchCandidate.objects.get(person=other.owner)
    assert again.pk == pending.pk and again.status == CandidateStatus.DECIDED
    assert again.decisions.get().outcome == Outcome.NOT_ON_LIST
    assert MatchCandidate.objects.filter(status=CandidateStatus.OPEN).count() == 0


def test_deciding_twice_is_refused_with_who_decided(officer, tmp_path):
    b = registration_make(name="Ani Lestari", birth_date=date(1990, 1, 2))
    screening_list = _import(officer, _list_file(tmp_path, [(_nik_of(b), "Lain Orang", "", "")]))
    services.screening_run(actor=officer, screening_list=screening_list)
    candidate = MatchCandidate.objects.get()
    services.candidate_decide(
        actor=officer, candidate=candidate, outcome=Outcome.ON_LIST, reason="Sesuai SK"
    )
    second_officer = user_make(role=Role.OFFICER, regions=("32.73",))
    with pytest.raises(LinkageError) as refused:
        services.candidate_decide(
            actor=second_officer, candidate=candidate, outcome=Outcome.NOT_ON_LIST, reason="x"
        )
    assert str(officer) in refused.value.message
    assert candidate.decisions.count() == 1


def test_reason_and_a_fitting_outcome_are_required(officer, tmp_path):
    b = registration_make(name="Ani Lestari", birth_date=date(1990, 1, 2))
    screening_list = _import(officer, _list_file(tmp_path, [(_nik_of(b), "Lain", "", "")]))
    services.screening_run(actor=officer, screening_list=screening_list)
    candidate = MatchCandidate.objects.get()
    with pytest.raises(LinkageError):
        services.candidate_decide(
            actor=officer, candidate=candidate, outcome=Outcome.ON_LIST, reason=" "
        )
    with pytest.raises(LinkageError):
        services.candidate_decide(
            actor=officer, candidate=candidate, outcome=Outcome.SAME_PERSON, reason="x"
        )


def test_a_list_file_without_usable_columns_is_refused(officer, tmp_path):
    path = tmp_path / "kosong.csv"
    path.write_text("Nama Usaha;Alamat\nWarung;Jl. A\n", encoding="utf-8")
    with pytest.raises(LinkageError) as refused:
        _import(officer, path)
    assert "NIK" in refused.value.message
    assert ScreeningList.objects.count() == 0


def _duplicate_pair(officer):
    """One woman registered twice: once as an owner, once by an officer under a mistyped NIK."""
    first = registration_make(
        name="Hj. Siti Aminah", birth_date=date(1979, 4, 9), phone="0812-1111-2222"
    )
    nik = _nik_of(first)
    typo = nik[:-1] + ("1" if nik[-1] != "1" else "2")
    person = registry_services.person_register(
        actor=officer,
        data=registry_services.PersonData(
            full_name="Siti Aminah",
            nik=typo,
            birth_date=date(1979, 4, 9),
            sex="P",
            address="Jl. Merdeka No. 5",
            village_code="32.73.01.1001",
            phone="0812-1111-2222",
        ),
    )
    _neighbours(40)
    return first.owner, person


def test_dedupe_finds_a_person_registered_twice_and_explains_why(officer):
    first, second = _duplicate_pair(officer)

    run = services.dedupe_run(actor=officer)

    assert run.records == 42
    candidate = MatchCandidate.objects.get(kind=CandidateKind.DUPLICATE)
    assert {candidate.person_id, candidate.other_person_id} == {first.pk, second.pk}
    assert candidate.probability > 0.9
    texts = [e["text"] for e in candidate.evidence]
    assert any("NIK beda satu angka" in t for t in texts)
    assert "nomor HP sama" in texts


def test_merge_keeps_both_histories_and_rerun_respects_it(officer):
    first, second = _duplicate_pair(officer)
    business = Business.objects.create  # noqa: F841 - the second person gets a business below
    second_business = registry_services.business_create(
        actor=officer,
        owner=second,
        data=__import__("pulih.testing.factories", fromlist=["x"]).business_data(
            name="Katering Siti"
        ),
    )
    services.dedupe_run(actor=officer)
    candidate = MatchCandidate.objects.get(kind=CandidateKind.DUPLICATE)

    services.candidate_decide(
        actor=officer,
        candidate=candidate,
        outcome=Outcome.SAME_PERSON,
        reason="KTP sama, NIK salah ketik saat input",
        keep_person_id=first.pk,
    )

    second.refresh_from_db()
    assert second.merged_into_id == first.pk  # the merged row stays, with its own NIK
    assert Business.objects.get(pk=second_business.pk).owner_id == first.pk
    merge = PersonMerge.objects.get()
    assert merge.snapshot["full_name"] == "Siti Aminah" and merge.moved["businesses"] == [
        second_business.pk
    ]
    event = RegistrationEvent.objects.get(business=second_business, action="merge")
    assert event.reason == "KTP sama, NIK salah ketik saat input"
    assert RegistrationEvent.objects.filter(business=second_business).count() >= 2
    # A new run neither asks again nor offers the merged row.
    services.dedupe_run(actor=officer)
    assert (
        MatchCandidate.objects.filter(
            kind=CandidateKind.DUPLICATE, status=CandidateStatus.OPEN, current=True
        ).count()
        == 0
    )
    assert MatchCandidate.objects.get(pk=candidate.pk).status == CandidateStatus.DECIDED


def test_different_people_decision_survives_rerun(officer):
    _duplicate_pair(officer)
    services.dedupe_run(actor=officer)
    candidate = MatchCandidate.objects.get(kind=CandidateKind.DUPLICATE)
    services.candidate_decide(
        actor=officer, candidate=candidate, outcome=Outcome.DIFFERENT_PEOPLE, reason="Kembar"
    )
    services.dedupe_run(actor=officer)
    assert MatchCandidate.objects.filter(kind=CandidateKind.DUPLICATE).count() == 1
    assert MatchCandidate.objects.get().status == CandidateStatus.DECIDED
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_queue_is_scoped_to_the_officers_regions(officer, tmp_path):
    _duplicate_pair(officer)
    services.dedupe_run(actor=officer)
    candidate = MatchCandidate.objects.get(kind=CandidateKind.DUPLICATE)
    jakarta = user_make(role=Role.OFFICER, regions=("31",))
    assert client_for(jakarta).get(f"/petugas/identitas/{candidate.pk}/").status_code == 404
    page = client_for(officer).get("/petugas/identitas/")
    assert page.status_code == 200 and "Siti Aminah" in page.content.decode()
    detail = client_for(officer).get(f"/petugas/identitas/{candidate.pk}/")
    assert "NIK beda satu angka" in detail.content.decode()
    owner = user_make(role=Role.OWNER)
    assert client_for(owner).get("/petugas/identitas/").status_code == 404


def test_empty_queue_says_so(officer):
    page = client_for(officer).get("/petugas/identitas/")
    assert "Tidak ada pasangan yang perlu diperiksa." in page.content.decode()


def test_intake_records_follow_the_merge(officer):
    first, second = _duplicate_pair(officer)
    services.dedupe_run(actor=officer)
    candidate = MatchCandidate.objects.get(kind=CandidateKind.DUPLICATE)
    services.candidate_decide(
        actor=officer,
        candidate=candidate,
        outcome=Outcome.SAME_PERSON,
        reason="Sama",
        keep_person_id=second.pk,
    )
    assert IntakeRecord.objects.filter(person=first).count() == 0
    first.refresh_from_db()
    assert first.merged_into_id == second.pk


def test_queue_page_queries_do_not_grow_with_pairs(officer, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    listed = [
        registration_make(
            name=f"{GIVEN[i]} {FAMILY[i % len(FAMILY)]}",
            birth_date=date(1960 + i, 1 + i % 12, 2),
            phone=f"0815-{i:04d}-0000",
        )
        for i in range(20)
    ]
    rows = [(_nik_of(b), "Nama Lain", "", "") for b in listed]
    screening_list = _import(officer, _list_file(tmp_path, rows[:2]))
    services.screening_run(actor=officer, screening_list=screening_list)
    client = client_for(officer)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/petugas/identitas/").status_code == 200
    bigger = _import(officer, _list_file(tmp_path, rows, name="v2.csv"))
    services.screening_run(actor=officer, screening_list=bigger)
    assert MatchCandidate.objects.filter(status=CandidateStatus.OPEN, current=True).count() == 20
    with CaptureQueriesContext(connection) as many:
        page = client.get("/petugas/identitas/")
    assert page.content.decode().count("Periksa</a>") == 20
    assert len(many) == len(few)
