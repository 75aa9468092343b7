"""Browser-test fixtures: one real Pulih server per session, Debian Chromium, a context per test."""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pulih.testing.factories import PASSWORD as OWNER_PASSWORD
from pulih.testing.liveserver import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
LAPTOP = {"viewport": {"width": 1366, "height": 800}}
DEVICES = {"phone": PHONE, "laptop": LAPTOP}
OFFICER_USERNAME = "petugas.bandung"
OFFICER_PASSWORD = "Petugas-sandi-2026"
BROWSER_TIMEOUT_MS = 15_000

# NIK serials for seeded people: each must be unique for the same district, birth date and sex.
# 0001 is left to the sign-up test, which types its NIK by hand.
_seed_serials = itertools.count(100)


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = (
        f"{CHROMIUM} is missing: install Debian's chromium "
        "(apt-get install chromium); `playwright install` is not used."
    )
    if os.environ.get("CI"):
        pytest.fail(f"CI requires Debian chromium. {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pulih_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """gunicorn on a free port with its own SQLite file or PostgreSQL database."""
    _require_chromium()
    server = LiveServer.for_test_run(tmp_path_factory.mktemp("pulih-server"))
    try:
        server.start()
        server.shell(
            "from pulih.accounts.services import user_create\n"
            f"user_create(username={OFFICER_USERNAME!r}, password={OFFICER_PASSWORD!r},"
            " role='officer', full_name='Dewi Petugas', agency='Dinas KUKM Kota Bandung',"
            " region_codes=['32.73'])\n"
        )
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(pulih_server: LiveServer) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # noqa: ANN201
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture
def new_context(
    browser,  # noqa: ANN001
    pulih_server: LiveServer,
    request: pytest.FixtureRequest,
) -> Iterator[Callable]:
    """Make isolated browser contexts (phone by default); fails the test on any uncaught JS error."""
    contexts = []
    js_errors: list[str] = []

    def make(device: str = "phone", **overrides: object):  # noqa: ANN202
        options = {
            **DEVICES[device],
            "base_url": pulih_server.url,
            # Chromium's default Accept-Language is English; owners here browse in Indonesian.
            "locale": "id-ID",
            "timezone_id": "Asia/Jakarta",
            **overrides,
        }
        context = browser.new_context(**options)
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        context.on(
            "page", lambda page: page.on("pageerror", lambda exc: js_errors.append(str(exc)))
        )
        contexts.append(context)
        return context

    yield make
    if request.node.stash.get(_CALL_FAILED, False):
        folder = request.config.rootpath / "test-artifacts" / "browser" / request.node.name
        folder.mkdir(parents=True, exist_ok=True)
        for c, context in enumerate(contexts, 1):
            for p, page in enumerate(context.pages, 1):
                page.screenshot(path=str(folder / f"failed-{c}-{p}.png"), full_page=True)
        print(f"gunicorn log (last lines):\n{pulih_server.log_tail()}")  # noqa: T201
    for context in contexts:
        context.close()
    assert not js_errors, f"uncaught JavaScript errors: {js_errors}"


@dataclass
class Screenshots:
    """Numbered full-page screenshots of each step: test-artifacts/browser/<test>/NN-step.png."""

    folder: Path
    count: int = 0

    def __call__(self, page, step: str) -> None:  # noqa: ANN001
        self.count += 1
        name = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Screenshots:
    folder = request.config.rootpath / "test-artifacts" / "browser" / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Screenshots(folder)


@pytest.fixture
def officer_credentials() -> tuple[str, str]:
    return OFFICER_USERNAME, OFFICER_PASSWORD


def log_in(page, username: str, password: str) -> None:  # noqa: ANN001
    page.goto("/masuk/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/masuk/" not in url)


def pick_region(page, village_code: str) -> None:  # noqa: ANN001
    """Choose province, city, kecamatan and kelurahan in the linked selects htmx fills in turn."""
    picker = page.locator("[data-testid=region-picker]")
    levels = [
        ("province", village_code[:2], "city", village_code[:5]),
        ("city", village_code[:5], "district", village_code[:8]),
        ("district", village_code[:8], "village_code", village_code),
    ]
    for name, value, next_name, next_value in levels:
        with page.expect_response(lambda r: "/wilayah/pilihan/" in r.url):
            picker.locator(f"select[name={name}]").select_option(value)
        # Wait until htmx has swapped and settled, so a late swap cannot undo the next choice.
        page.wait_for_function(
            """([name, value]) => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')
                && document.querySelector(`select[name="${name}"] option[value="${value}"]`)""",
            arg=[next_name, next_value],
        )
    picker.locator("select[name=village_code]").select_option(village_code)


@dataclass(frozen=True)
class Seeded:
    business_pk: int
    owner_username: str
    owner_password: str


def seed_registration(
    server: LiveServer,
    *,
    business_name: str = "Keripik Tempe Bu Siti",
    owner_name: str = "Siti Aminah",
    submitted: bool = True,
) -> Seeded:
    """An owner account, person and business made through the real services in the server's DB."""
    serial = next(_seed_serials)
    username = f"pemilik{serial}"
    code = f"""
from pulih.accounts.models import Role
from pulih.registry import services
from pulih.testing import factories as f
owner = f.user_make(role=Role.OWNER, username={username!r})
person = services.person_register(actor=owner, data=f.person_data(serial={serial}, name={owner_name!r}))
business = services.business_create(
    actor=owner, owner=person, data=f.business_data(name={business_name!r})
)
if {submitted!r}:
    services.registration_submit(actor=owner, business=business)
print(business.pk)
"""
    pk = int(server.shell(code).strip().splitlines()[-1])
    return Seeded(business_pk=pk, owner_username=username, owner_password=OWNER_PASSWORD)


# Steps shared by the browser tests, handed out as fixtures so test modules import nothing here.
@pytest.fixture
def login() -> Callable[..., None]:
    return log_in


@pytest.fixture
def region() -> Callable[..., None]:
    return pick_region


@pytest.fixture
def seed(pulih_server: LiveServer) -> Callable[..., Seeded]:
    def make(**kwargs: object) -> Seeded:
        return seed_registration(pulih_server, **kwargs)  # type: ignore[arg-type]

    return make
