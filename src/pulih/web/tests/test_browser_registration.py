"""An owner registers on a phone and an officer decides, through a real browser and server."""

from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Siti, born 12 March 1985 in Sukasari (32.73.01), Kota Bandung: women add 40 to the birth day.
NIK = "3273015203850001"
VILLAGE = "32.73.01.1002"  # Gegerkalong, Sukasari
BUSINESS_VILLAGE = "32.73.01.1004"  # Sarijadi, Sukasari


def _product_photo(folder: Path) -> Path:
    path = folder / "keripik.jpg"
    image = Image.new("RGB", (640, 480), (214, 160, 60))
    for x in range(0, 640, 40):
        for y in range(0, 480, 40):
            if (x + y) // 40 % 2:
                image.paste((120, 80, 30), (x, y, x + 40, y + 40))
    image.save(path, format="JPEG", quality=80)
    return path


def test_owner_registers_and_officer_verifies(
    new_context, shot, login, region, officer_credentials, tmp_path
):
    owner = new_context().new_page()
    owner.goto("/")
    shot(owner, "landing")
    owner.get_by_role("button", name="Daftarkan usaha saya").click()

    expect(owner.get_by_role("heading", name="Daftar sebagai pelaku usaha")).to_be_visible()
    owner.locator("#id_full_name").fill("Siti Aminah")
    owner.locator("#id_username").fill("siti.aminah")
    owner.locator("#id_password1").fill("Contoh-sandi-2026")
    owner.locator("#id_password2").fill("Contoh-sandi-2026")
    shot(owner, "signup-filled")
    owner.get_by_role("button", name="Buat akun").click()

    expect(owner.get_by_role("heading", name="Data diri pemilik usaha")).to_be_visible()
    expect(owner.locator("#id_full_name")).to_have_value("Siti Aminah")
    shot(owner, "person-form")
    owner.locator("#id_nik").fill(NIK[:-1])  # one digit short: refused, nothing else lost
    owner.locator("#id_birth_place").fill("Bandung")
    owner.locator("#id_birth_date").fill("1985-03-12")
    owner.locator("input[name=sex][value=P]").check()
    owner.locator("#id_phone").fill("0812-3456-7890")
    owner.locator("#id_address").fill("Jl. Gegerkalong Hilir No. 12")
    owner.locator("#id_rt").fill("3")
    owner.locator("#id_rw").fill("7")
    region(owner, VILLAGE)
    owner.locator("#id_postcode").fill("40153")
    shot(owner, "person-filled")
    owner.get_by_test_id("save-person").click()

    expect(owner.locator(".errorlist[data-field=nik]")).to_contain_text("16 digit")
    expect(owner.locator("select[name=village_code]")).to_have_value(VILLAGE)
    expect(owner.locator("#id_address")).to_have_value("Jl. Gegerkalong Hilir No. 12")
    shot(owner, "person-nik-refused")
    owner.locator("#id_nik").fill(NIK)
    owner.get_by_test_id("save-person").click()

    expect(owner.get_by_role("heading", name="Data usaha")).to_be_visible()
    owner.locator("#id_name").fill("Keripik Tempe Bu Siti")
    owner.locator("#id_kbli_section").select_option("C")
    owner.locator("#id_ekraf_subsector").select_option("kuliner")
    owner.locator("#id_description").fill("Keripik tempe renyah, dijual di warung dan daring.")
    owner.locator("#id_started_year").fill("2015")
    owner.locator("#id_capital").fill("Rp15.000.000")
    owner.locator("#id_annual_sales").fill("120.000.000")
    owner.locator("#id_monthly_turnover").fill("10.000.000")
    owner.locator("#id_employees").fill("2")
    owner.locator("input[name=online_channels][value=whatsapp]").check()
    owner.locator("#id_pandemic_impact").select_option("turnover_down")
    owner.locator("#id_address").fill("Jl. Sarijadi Raya No. 40")
    region(owner, BUSINESS_VILLAGE)
    shot(owner, "business-filled")
    owner.get_by_test_id("save-business").click()

    expect(owner.get_by_role("heading", name="Produk · Keripik Tempe Bu Siti")).to_be_visible()
    expect(owner.get_by_test_id("no-products")).to_be_visible()
    shot(owner, "products-empty")
    owner.locator("#id_name").fill("Keripik tempe original 250 g")
    owner.locator("#id_price").fill("15.000")
    owner.locator("#id_unit").fill("bungkus")
    owner.locator("#id_photos").set_input_files(_product_photo(tmp_path))
    expect(owner.get_by_test_id("photo-client-error")).to_be_hidden()
    owner.get_by_test_id("add-product").click()

    product = owner.get_by_test_id("product")
    expect(product).to_have_count(1)
    expect(product).to_contain_text("Keripik tempe original 250 g")
    expect(product).to_contain_text("Rp15.000/bungkus")
    photo = product.locator("img")
    expect(photo).to_have_count(1)
    expect(photo).to_have_js_property("complete", True)
    assert photo.evaluate("img => img.naturalWidth") > 0, "the stored photo does not load"
    shot(owner, "product-added")
    owner.get_by_test_id("to-review").click()

    expect(owner.get_by_role("heading", name="Periksa dan ajukan")).to_be_visible()
    expect(owner.get_by_test_id("nik-masked")).not_to_contain_text(NIK)
    expect(owner.get_by_test_id("business-name")).to_have_text("Keripik Tempe Bu Siti")
    shot(owner, "review")
    owner.get_by_role("button", name="Ajukan pendaftaran").click()

    expect(owner.get_by_test_id("status")).to_have_text("Diajukan")
    owner.get_by_text("Riwayat").click()
    expect(owner.locator("details table tbody tr")).not_to_have_count(0)
    shot(owner, "submitted-with-history")

    officer = new_context("laptop").new_page()
    login(officer, *officer_credentials)
    expect(officer.get_by_role("heading", name="Antrian verifikasi")).to_be_visible()
    row = officer.get_by_test_id("queue-row").filter(has_text="Keripik Tempe Bu Siti")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Siti Aminah")
    expect(row).not_to_contain_text(NIK)
    shot(officer, "officer-queue")
    row.get_by_role("link", name="Siti Aminah").click()

    expect(officer.get_by_role("heading", name="Keripik Tempe Bu Siti")).to_be_visible()
    expect(officer.get_by_test_id("status")).to_have_text("Diajukan")
    shot(officer, "officer-detail")
    officer.get_by_test_id("verify").click()

    expect(officer.get_by_test_id("status")).to_have_text("Terverifikasi")
    expect(officer.get_by_role("status").first).to_contain_text("Pendaftaran diverifikasi.")
    shot(officer, "officer-verified")

    owner.get_by_role("link", name="Usaha saya").click()
    card = owner.get_by_test_id("business-card")
    expect(card.get_by_test_id("status")).to_have_text("Terverifikasi")
    shot(owner, "owner-sees-verified")


def test_officer_asks_for_fix_and_owner_sees_reason(
    new_context, shot, login, seed, officer_credentials
):
    seeded = seed(business_name="Batik Cap Sukasari", owner_name="Rina Marlina")
    reason = "Foto produk buram.\nMohon unggah foto yang lebih jelas dan isi NIB bila ada."

    officer = new_context("laptop").new_page()
    login(officer, *officer_credentials)
    officer.goto(f"/usaha/{seeded.business_pk}/")
    expect(officer.get_by_role("heading", name="Batik Cap Sukasari")).to_be_visible()
    officer.get_by_test_id("decision-reason").fill(reason)
    shot(officer, "officer-writes-reason")
    officer.get_by_test_id("request-fix").click()

    expect(officer.get_by_test_id("status")).to_have_text("Perlu perbaikan")
    expect(officer.get_by_test_id("officer-reason")).to_have_text(reason)
    shot(officer, "officer-fix-requested")

    owner = new_context().new_page()
    login(owner, seeded.owner_username, seeded.owner_password)
    owner.goto("/usaha/")
    card = owner.get_by_test_id("business-card").filter(has_text="Batik Cap Sukasari")
    expect(card.get_by_test_id("status")).to_have_text("Perlu perbaikan")
    expect(card.get_by_test_id("officer-reason")).to_have_text(reason)
    # The reason keeps the officer's line breaks.
    assert card.get_by_test_id("officer-reason").evaluate("p => p.innerText") == reason
    shot(owner, "owner-sees-reason")
