"""Aid rounds through a real browser and server: an owner applies on a phone and sees why a
refusal happened and how to appeal; an officer checks a round, tries a what-if, proposes the
recipients, and an approver (another browser) approves and gets the decree annex."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from pulih.testing.liveserver import LiveServer

pytestmark = pytest.mark.browser

OFFICER = "petugas.bandung"  # made by the session's server fixture, scoped to Kota Bandung
APPROVER = ("kabid.bandung", "Kabid-sandi-2026")

DEFINITION = """
[programme]
code = "{code}"
name = "{name}"
kind = "cash"
agency = "Dinas KUKM Kota Bandung"
description = "Bantuan modal usaha mikro terdampak pandemi di Kota Bandung."

[[declaration]]
field = "savings_balance"
label = "Saldo tabungan (Rp)"
type = "money"

[[declaration]]
field = "has_bank_credit"
label = "Sedang menerima kredit bank atau KUR"
type = "yes_no"

[[rule]]
code = "usaha_mikro"
check = "business_size"
sizes = ["mikro"]
label = "usaha mikro"

[[rule]]
code = "domisili_bandung"
check = "business_region"
regions = ["32.73"]
label = "domisili usaha di Kota Bandung"

[[rule]]
code = "tanpa_kredit"
check = "declared_is"
field = "has_bank_credit"
value = false
label = "tidak sedang menerima kredit bank/KUR"

[[rule]]
code = "saldo"
check = "declared_at_most"
field = "savings_balance"
max = 2_000_000
label = "saldo tabungan <= Rp2.000.000"

[[round]]
code = "tahap-1"
name = "Tahap 1"
opens = 2021-01-01
closes = 2099-12-31
amount = 1_500_000
budget = 30_000_000
banks = ["BJB", "BRI"]
appeal_days = 14
"""


def _open_round(server: LiveServer, *, code: str, name: str) -> int:
    source = DEFINITION.replace("{code}", code).replace("{name}", name)
    out = server.shell(
        f"""
from pulih.accounts.models import User
from pulih.programmes import services
from pulih.programmes.models import RoundStatus
officer = User.objects.get(username={OFFICER!r})
version = services.programme_load(actor=officer, source={source!r}, note="uji peramban")
round_obj = version.programme.rounds.get(code="tahap-1")
services.round_transition(actor=officer, round_obj=round_obj, to=RoundStatus.OPEN)
print(round_obj.pk)
"""
    )
    return int(out.strip().splitlines()[-1])


def _evidence_photo(folder: Path) -> Path:
    path = folder / "rekening-koran.png"
    Image.new("RGB", (320, 200), (240, 240, 240)).save(path, format="PNG")
    return path


def test_owner_applies_on_a_phone_and_sees_the_reasons_and_the_appeal_form(
    new_context, shot, login, seed, officer_credentials, pulih_server, tmp_path
):
    _open_round(pulih_server, code="modal-bandung-hp", name="Bantuan Modal Bandung")
    owner = seed(owner_name="Nining Suryani", business_name="Warung Nasi Nining")
    page = new_context("phone").new_page()
    login(page, owner.owner_username, owner.owner_password)
    page.get_by_test_id("menu-aid").click()

    card = page.get_by_test_id("open-round").filter(has_text="Bantuan Modal Bandung")
    expect(card).to_contain_text("Rp1.500.000")
    shot(page, "open-rounds")
    card.get_by_test_id("apply").click()

    expect(page.get_by_role("heading", name="Bantuan Modal Bandung")).to_be_visible()
    expect(page.locator("#id_business")).to_contain_text("Warung Nasi Nining")
    page.locator("#id_decl_savings_balance").fill("3.500.000")
    page.locator("input[name=decl_has_bank_credit][value=ya]").check()
    page.locator("#id_bank").select_option("BJB")
    shot(page, "apply-form")
    page.get_by_test_id("apply-submit").click()

    expect(page.get_by_test_id("status")).to_have_text("Tidak memenuhi syarat")
    reasons = page.get_by_test_id("reason")
    expect(reasons).to_have_count(2)
    expect(reasons.nth(0)).to_have_text(
        "Syarat “tidak sedang menerima kredit bank/KUR” tidak terpenuhi: "
        "sedang menerima kredit bank atau KUR: ya"
    )
    expect(reasons.nth(1)).to_have_text(
        "Syarat “saldo tabungan <= Rp2.000.000” tidak terpenuhi: saldo tabungan Rp3.500.000"
    )
    expect(page.get_by_test_id("appeal-deadline")).to_contain_text("sanggahan sampai")
    expect(page.get_by_test_id("appeal-form")).to_be_visible()
    shot(page, "refused-with-reasons")

    page.locator("#id_reason").fill(
        "Saya sudah melunasi kredit bulan lalu; saldo di rekening koran terlampir."
    )
    page.locator("#id_evidence").set_input_files(_evidence_photo(tmp_path))
    shot(page, "appeal-filled")
    page.get_by_test_id("appeal-submit").click()

    expect(page.get_by_role("status").filter(has_text="Sanggahan terkirim")).to_be_visible()
    expect(page.get_by_test_id("appeal-status")).to_have_text("Sedang diperiksa")
    expect(page.get_by_test_id("appeal-form")).to_have_count(0)
    # Nothing on the page is wider than the phone.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    shot(page, "appeal-sent")

    # The officer of Kota Bandung re-checks with the corrected statements.
    desk = new_context("laptop").new_page()
    login(desk, *officer_credentials)
    desk.goto("/petugas/sanggahan/")
    row = desk.get_by_test_id("appeal-row").filter(has_text="Nining Suryani")
    shot(desk, "officer-appeal-queue")
    row.get_by_test_id("appeal-open").click()
    expect(desk.get_by_test_id("appeal-reason")).to_contain_text("melunasi kredit")
    expect(desk.get_by_test_id("evidence")).to_be_visible()
    before = desk.get_by_test_id("results-before")
    expect(before.get_by_test_id("rule-saldo")).to_contain_text("tidak terpenuhi")
    desk.locator("#id_decl_savings_balance").fill("1.800.000")
    desk.locator("input[name=decl_has_bank_credit][value=tidak]").check()
    desk.locator("#id_note").fill("Rekening koran dan surat lunas dari bank sesuai.")
    shot(desk, "officer-appeal-review")
    desk.get_by_test_id("review-submit").click()
    expect(desk.get_by_test_id("appeal-status")).to_have_text("Diterima")
    expect(desk.get_by_test_id("results-after").get_by_test_id("rule-saldo")).to_contain_text(
        "saldo tabungan Rp1.800.000"
    )
    shot(desk, "officer-appeal-upheld")

    page.reload()
    expect(page.get_by_test_id("status")).to_have_text("Memenuhi syarat")
    expect(page.get_by_test_id("appeal-outcome")).to_contain_text("Sanggahan diterima")
    shot(page, "owner-sees-outcome")


def _seed_applications(server: LiveServer, round_id: int) -> None:
    """Four people of Kota Bandung applied by the officer; one declares too much savings."""
    server.shell(
        f"""
from pulih.accounts.models import Role, User
from pulih.programmes import services
from pulih.programmes.models import Round
from pulih.programmes.services import ApplicationData
from pulih.testing import factories as f
officer = User.objects.get(username={OFFICER!r})
round_obj = Round.objects.get(pk={round_id})
people = [("Asep Sunandar", "32.73.01.1001", 500_000), ("Euis Komariah", "32.73.02.1001", 0),
          ("Dadang Hermawan", "32.73.02.1002", 1_000_000), ("Ujang Saepudin", "32.73.01.1002", 9_000_000)]
for n, (name, village, savings) in enumerate(people):
    owner = f.user_make(role=Role.OWNER, username="pemohon{round_id}x" + str(n))
    business = f.registration_make(village=village, owner=owner, name=name,
        business_name="Warung " + name, serial=900 + {round_id} * 10 + n)
    services.application_submit(actor=officer, round_obj=round_obj, data=ApplicationData(
        person_id=business.owner_id, business_id=business.pk,
        declarations={{"savings_balance": savings, "has_bank_credit": False}}, bank="BJB"))
from pulih.accounts.services import user_create
if not User.objects.filter(username={APPROVER[0]!r}).exists():
    user_create(username={APPROVER[0]!r}, password={APPROVER[1]!r}, role="approver",
                full_name="Kepala Bidang Bandung", region_codes=["32.73"])
"""
    )


def test_officer_checks_a_round_tries_what_if_proposes_and_an_approver_approves(
    new_context, shot, login, officer_credentials, pulih_server
):
    round_id = _open_round(pulih_server, code="modal-bandung-meja", name="Modal Usaha Bandung")
    _seed_applications(pulih_server, round_id)

    page = new_context("laptop").new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, *officer_credentials)
    page.get_by_test_id("menu-programmes").click()
    expect(page.get_by_role("heading", name="Program bantuan")).to_be_visible()
    shot(page, "programme-list")
    page.get_by_role("link", name="Modal Usaha Bandung").first.click()
    expect(page.get_by_test_id("definition-source")).to_contain_text('code = "modal-bandung-meja"')
    shot(page, "programme-detail")
    # A broken edit is refused next to the text, and the text stays as typed.
    page.get_by_test_id("edit-definition").click()
    editor = page.locator("#id_source")
    broken = editor.input_value().replace('sizes = ["mikro"]', 'sizes = ["raksasa"]')
    editor.fill(broken)
    page.locator("#id_note").fill("Coba skala baru")
    page.get_by_test_id("save-definition").click()
    expect(page.locator(".errorlist[data-field=source]")).to_have_text(
        "aturan ke-1: skala raksasa tidak dikenal (mikro, kecil, menengah)"
    )
    expect(editor).to_have_value(broken)
    shot(page, "definition-refused")
    page.go_back()
    page.go_back()
    page.get_by_test_id("round-card").get_by_role("link", name="Tahap 1").click()

    expect(page.get_by_test_id("round-status")).to_have_text("Dibuka")
    expect(page.get_by_test_id("count-eligible")).to_contain_text("3")
    page.get_by_test_id("run-eligibility").click()
    expect(page.get_by_role("status").filter(has_text="Pemeriksaan selesai")).to_have_text(
        "Pemeriksaan selesai: 3 dari 4 pengajuan memenuhi syarat."
    )
    failures = page.get_by_test_id("rule-failures")
    expect(failures.get_by_role("row", name=re.compile("saldo tabungan"))).to_contain_text("1")
    shot(page, "round-after-eligibility")
    failures.get_by_role("link", name="1").click()
    expect(page.get_by_test_id("application-row")).to_have_count(1)
    expect(page.get_by_test_id("application-row")).to_contain_text("Ujang Saepudin")
    shot(page, "applications-failing-saldo")
    page.get_by_test_id("application-row").get_by_role("link", name="Ujang Saepudin").click()
    expect(page.get_by_test_id("rule-saldo")).to_contain_text("saldo tabungan Rp9.000.000")
    shot(page, "application-detail")
    page.go_back()
    page.go_back()

    form = page.get_by_test_id("what-if-form")
    form.locator("summary").click()
    source = form.locator("textarea[name=source]")
    source.fill(source.input_value().replace("max = 2_000_000", "max = 10_000_000"))
    form.locator("input[name=amount]").fill("1.000.000")
    form.get_by_test_id("what-if-run").click()
    result = page.get_by_test_id("what-if-numbers")
    expect(result.get_by_test_id("wi-eligible")).to_have_text("4")
    expect(result.get_by_test_id("wi-cost")).to_have_text("Rp4.000.000")
    expect(result.get_by_test_id("wi-cities")).to_contain_text("Kota Bandung")
    expect(result.get_by_test_id("wi-districts")).to_contain_text("Coblong")
    result.scroll_into_view_if_needed()
    shot(page, "what-if")
    page.reload()  # nothing was saved: the counts are as before
    expect(page.get_by_test_id("count-eligible")).to_contain_text("3")

    page.get_by_test_id("propose").click()
    expect(page.get_by_test_id("decision-status")).to_have_text("Diusulkan")
    expect(page.get_by_test_id("added")).to_have_text("3")
    expect(page.get_by_test_id("maker-note")).to_be_visible()
    expect(page.get_by_test_id("approve")).to_have_count(0)
    shot(page, "proposed")
    decision_url = page.url

    approver = new_context("laptop").new_page()
    approver.on("dialog", lambda dialog: dialog.accept())
    login(approver, *APPROVER)
    approver.goto(decision_url)
    expect(approver.get_by_test_id("entry-row")).to_have_count(3)
    approver.locator("#id_note").fill("Sesuai hasil pemeriksaan.")
    shot(approver, "approver-before")
    approver.get_by_test_id("approve").click()

    expect(approver.get_by_test_id("decision-status")).to_have_text("Disetujui")
    expect(approver.get_by_test_id("annex-xlsx")).to_be_visible()
    expect(approver.get_by_test_id("annex-pdf")).to_be_visible()
    expect(approver.get_by_test_id("annex-hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    shot(approver, "approved-with-annex")
    with approver.expect_download() as info:
        approver.get_by_test_id("annex-xlsx").click()
    assert info.value.suggested_filename == "lampiran-penetapan-1.xlsx"

    page.reload()  # the preparer sees the same outcome
    expect(page.get_by_test_id("decision-status")).to_have_text("Disetujui")
