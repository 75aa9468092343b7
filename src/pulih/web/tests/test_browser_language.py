"""The header's language switch turns the interface into English and back."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_language_switch_to_english(new_context, shot):
    page = new_context().new_page()
    page.goto("/")
    expect(page.get_by_test_id("signup-link")).to_have_text("Daftarkan usaha saya")
    shot(page, "indonesian")

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    signup = page.get_by_test_id("signup-link")
    expect(signup).not_to_have_text("Daftarkan usaha saya")
    expect(signup).to_have_text(re.compile(r"register", re.IGNORECASE))
    expect(
        page.get_by_role("link", name=re.compile(r"^(sign|log) in$", re.IGNORECASE)).first
    ).to_be_visible()
    shot(page, "english")

    # The choice sticks across pages until switched back.
    page.get_by_test_id("signup-link").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Daftar sebagai pelaku usaha")
    shot(page, "back-to-indonesian")
