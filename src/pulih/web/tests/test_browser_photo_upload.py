"""A photo too big for the server is flagged in the browser and refused with a clear message."""

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TWENTY_MB = 20 * 1024 * 1024


def _oversized_jpeg(folder: Path) -> Path:
    """A real JPEG padded to 20 MB, as a phone camera's full-resolution shot might be."""
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(out, format="JPEG")
    head = out.getvalue()
    path = folder / "lapis-legit.jpg"
    # A file on disk, not a buffer: Playwright sends buffers base64 over its pipe (~30 s for 20 MB).
    path.write_bytes(head + b"\0" * (TWENTY_MB - len(head)))
    return path


def test_oversized_photo_is_refused_with_message(new_context, shot, login, seed, tmp_path):
    seeded = seed(business_name="Kue Basah Bu Ani", owner_name="Ani Rohani", submitted=False)
    page = new_context().new_page()
    login(page, seeded.owner_username, seeded.owner_password)
    page.goto(f"/usaha/{seeded.business_pk}/produk/")
    expect(page.get_by_test_id("no-products")).to_be_visible()

    page.locator("#id_name").fill("Kue lapis legit")
    page.locator("#id_photos").set_input_files(_oversized_jpeg(tmp_path))
    warning = page.get_by_test_id("photo-client-error")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Foto terlalu besar")
    expect(warning).to_contain_text("lapis-legit.jpg")
    shot(page, "client-warning")

    page.get_by_test_id("add-product").click()

    error = page.locator(".errorlist[data-field=photos]")
    expect(error).to_contain_text("Foto terlalu besar: maksimum 5 MB.")
    expect(page.get_by_test_id("no-products")).to_be_visible()
    expect(page.get_by_test_id("product")).to_have_count(0)
    # What was typed survives the refusal; only the photo must be chosen again.
    expect(page.locator("#id_name")).to_have_value("Kue lapis legit")
    shot(page, "server-refused")
