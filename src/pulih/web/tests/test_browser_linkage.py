"""An officer reviews a possible duplicate and uploads a screening list in a real browser."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pulih.testing.liveserver import LiveServer

pytestmark = pytest.mark.browser

# Distinct from every name and business the other browser tests seed or type, so their queue
# lookups and this test's empty review queue stay unaffected when the session shares a server.
FIRST_NAME = "Hj. Euis Komariah"
SECOND_NAME = "Euis Komariah"
BIRTH = date(1979, 4, 9)
REASON = "KTP sama, NIK salah ketik saat input petugas"
REQUIRED = "Bidang ini tidak boleh kosong."
CONFIRM = "Simpan keputusan ini?"

# One woman registered twice (by herself, then by an officer under a NIK with one digit
# mistyped) among 40 neighbours of her kelurahan, all through the real services; then the
# registry-wide dedupe run an officer would start. Prints what the test needs as JSON.
SEED_DUPLICATE = """
import json
import re
from datetime import date
from pulih.accounts.models import Role, User
from pulih.linkage import services as linkage
from pulih.linkage.models import MatchCandidate
from pulih.privacy import crypto
from pulih.registry import services as registry
from pulih.testing import factories as f

GIVEN = ["Agus", "Bambang", "Dewi", "Eko", "Fitri", "Gunawan", "Hendra", "Indah", "Joko",
         "Kartini", "Lukman", "Maya", "Nanda", "Oki", "Putri", "Rahmat", "Sari", "Teguh",
         "Umar", "Vina"]
FAMILY = ["Saputra", "Wijaya", "Lestari", "Nugroho", "Hidayat", "Kusuma", "Pratama", "Rahayu"]
officer = User.objects.get(username={officer!r})
birth = date.fromisoformat({birth!r})
owner = f.user_make(role=Role.OWNER, username="euis.komariah")
first = registry.person_register(actor=owner, data=f.person_data(
    name={first_name!r}, birth_date=birth, serial=7, phone="0812-1111-2222",
    address="Jl. Cihampelas No. 17"))
business = registry.business_create(
    actor=owner, owner=first, data=f.business_data(name="Warung Nasi Bu Euis"))
registry.registration_submit(actor=owner, business=business)
nik = crypto.decrypt(first.nik_ciphertext, purpose="nik")
typo = nik[:-1] + ("1" if nik[-1] != "1" else "2")
second = registry.person_register(actor=officer, data=f.person_data(
    name={second_name!r}, birth_date=birth, nik=typo, phone="0812-1111-2222",
    address="Jl. Cihampelas No. 17"))
for i in range(40):
    registry.person_register(actor=officer, data=f.person_data(
        name=f"{{GIVEN[i % len(GIVEN)]}} {{FAMILY[i // len(GIVEN) % len(FAMILY)]}}",
        sex="L" if i % 2 else "P",
        birth_date=date(1950 + i, 1 + i % 12, 1 + i % 28),
        serial=i + 1,
        phone=f"0813-{{i:04d}}-{{(i * 37) % 10000:04d}}",
        address=f"Jl. Kenanga Gg. {{i}} No. {{i + 3}}"))
linkage.dedupe_run(actor=officer)
candidate = MatchCandidate.objects.get(pair_key=f"dup:{{first.pk}}:{{second.pk}}")
print(json.dumps({{"first": first.pk, "second": second.pk, "candidate": candidate.pk}}))
"""

STATE = """
import json
from pulih.linkage.models import MatchCandidate
from pulih.registry.models import Person
candidate = MatchCandidate.objects.get(pk={candidate})
print(json.dumps({{
    "status": candidate.status,
    "decisions": candidate.decisions.count(),
    "merged_into": Person.objects.get(pk={second}).merged_into_id,
}}))
"""


def _last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture
def duplicate(pulih_server: LiveServer, officer_credentials) -> dict:  # noqa: ANN001
    code = SEED_DUPLICATE.format(
        officer=officer_credentials[0],
        birth=BIRTH.isoformat(),
        first_name=FIRST_NAME,
        second_name=SECOND_NAME,
    )
    return _last_json(pulih_server.shell(code))


def _state(server: LiveServer, pair: dict) -> dict:
    return _last_json(server.shell(STATE.format(**pair)))


def test_officer_merges_a_person_registered_twice_only_with_a_reason(
    new_context, shot, login, officer_credentials, pulih_server, duplicate
):
    page = new_context("laptop").new_page()
    dialogs: list[str] = []

    def accept(dialog) -> None:  # noqa: ANN001
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    login(page, *officer_credentials)
    page.goto("/petugas/identitas/")
    row = page.locator("table#candidates tbody tr").filter(has_text=SECOND_NAME)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("09-04-1979")
    shot(page, "queue")
    row.get_by_role("link", name="Periksa").click()

    expect(page).to_have_url(f"{pulih_server.url}/petugas/identitas/{duplicate['candidate']}/")
    names = page.locator("table#side-by-side tbody tr").filter(has_text="Nama").locator("td")
    expect(names.nth(0)).to_contain_text("Euis Komariah")
    expect(names.nth(1)).to_have_text(SECOND_NAME)
    births = page.locator("table#side-by-side tbody tr").filter(has_text="Tanggal lahir")
    expect(births.locator("td")).to_have_text(["09-04-1979", "09-04-1979"])
    expect(page.locator("ul#evidence")).to_contain_text("NIK beda satu angka")
    shot(page, "side-by-side")

    form = page.locator("form#decide")
    form.get_by_label("Orang yang sama").check()
    form.locator(f"input[name=keep][value='{duplicate['first']}']").check()
    reason = form.get_by_label("Alasan")
    # Empty: the browser itself refuses; the confirm never opens and nothing is sent.
    form.get_by_role("button", name="Simpan keputusan").click()
    assert reason.evaluate("el => el.validity.valueMissing")
    assert dialogs == []
    # Only spaces pass the browser but not the server: the Indonesian error, and no decision.
    reason.fill("   ")
    form.get_by_role("button", name="Simpan keputusan").click()
    expect(page.locator("form#decide .errorlist")).to_have_text(REQUIRED)
    assert len(dialogs) == 1 and dialogs[0].startswith(CONFIRM)
    shot(page, "reason-required")
    assert _state(pulih_server, duplicate) == {
        "status": "open",
        "decisions": 0,
        "merged_into": None,
    }

    form.get_by_label("Orang yang sama").check()
    form.locator(f"input[name=keep][value='{duplicate['first']}']").check()
    reason.fill(REASON)
    form.get_by_role("button", name="Simpan keputusan").click()

    expect(page.locator(".flash-success")).to_have_text("Keputusan disimpan.")
    expect(page).to_have_url(f"{pulih_server.url}/petugas/identitas/")
    expect(page.locator("p.empty")).to_have_text("Tidak ada pasangan yang perlu diperiksa.")
    expect(page.locator("table#candidates")).to_have_count(0)
    assert len(dialogs) == 2
    shot(page, "merged")
    assert _state(pulih_server, duplicate) == {
        "status": "decided",
        "decisions": 1,
        "merged_into": duplicate["first"],
    }


def _asn_list(folder: Path) -> Path:
    path = folder / "asn-bandung.csv"
    path.write_text(
        "NIK;Nama Lengkap;Tanggal Lahir;Jenis Kelamin\n"
        "3273010101800001;Asep Sunandar;01-01-1980;L\n"
        "3273014502750002;Neneng Rohaeti;05-02-1975;P\n",
        encoding="utf-8",
    )
    return path


def test_officer_uploads_a_screening_list_as_its_first_version(
    new_context, shot, login, officer_credentials, tmp_path
):
    page = new_context("laptop").new_page()
    login(page, *officer_credentials)
    page.goto("/petugas/daftar-saring/")
    form = page.locator("form#list-upload")
    form.get_by_label("Jenis daftar").select_option(label="ASN (pegawai negeri)")
    form.get_by_label("Sumber").fill("BKD Kota Bandung")
    form.get_by_label("Tanggal data").fill("2021-03-01")
    form.get_by_label("Berkas daftar").set_input_files(_asn_list(tmp_path))
    shot(page, "filled")
    form.get_by_role("button", name="Unggah daftar").click()

    expect(page.locator(".flash-success")).to_contain_text(
        "ASN (pegawai negeri) · BKD Kota Bandung v1 disimpan: 2 baris; 0 baris ditolak."
    )
    row = page.locator("table#lists tbody tr").filter(has_text="BKD Kota Bandung")
    expect(row).to_have_count(1)
    # Kind, source, version, data date, rows, refused, then who uploaded and when.
    expect(row.locator("td")).to_have_text(
        ["ASN (pegawai negeri)", "BKD Kota Bandung", "v1", "01-03-2021", "2", "0", re.compile(".")]
    )
    shot(page, "listed")
