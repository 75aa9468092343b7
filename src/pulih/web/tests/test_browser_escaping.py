"""Text people type is shown as text: a business name with markup never runs as script."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

HOSTILE_NAME = "<script>window.__xss=1</script><b>Warung</b>"


def _assert_no_script_ran(page) -> None:  # noqa: ANN001
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_business_name_with_script_is_shown_as_text(
    new_context, shot, login, seed, officer_credentials
):
    seeded = seed(business_name=HOSTILE_NAME, owner_name="Yanti Suryani")

    owner = new_context().new_page()
    login(owner, seeded.owner_username, seeded.owner_password)
    owner.goto("/usaha/")
    card = owner.get_by_test_id("business-card")
    expect(card.locator("header strong")).to_have_text(HOSTILE_NAME)
    expect(card.locator("b")).to_have_count(0)
    _assert_no_script_ran(owner)
    shot(owner, "owner-home")

    owner.goto(f"/usaha/{seeded.business_pk}/")
    expect(owner.get_by_role("heading", level=1)).to_have_text(HOSTILE_NAME)
    expect(owner.get_by_test_id("business-name")).to_have_text(HOSTILE_NAME)
    assert HOSTILE_NAME in owner.title()
    _assert_no_script_ran(owner)
    shot(owner, "owner-detail")

    officer = new_context("laptop").new_page()
    login(officer, *officer_credentials)
    officer.goto("/petugas/antrian/?q=Yanti")
    row = officer.get_by_test_id("queue-row").filter(has_text="Yanti Suryani")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(2)).to_have_text(HOSTILE_NAME)
    expect(row.locator("b")).to_have_count(0)
    _assert_no_script_ran(officer)
    shot(officer, "officer-queue")
