import pytest

from pulih.accounts.models import Role
from pulih.testing.factories import user_make


@pytest.fixture(autouse=True)
def intake_dir(settings, tmp_path):
    """Uploaded files, staged rows and reports of a test stay in its own folder."""
    settings.PULIH_INTAKE_DIR = tmp_path / "intake"


@pytest.fixture
def officer():
    """An officer for DKI Jakarta, where the test lists' people live."""
    return user_make(role=Role.OFFICER, regions=("31",))
