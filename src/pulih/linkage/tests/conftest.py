import pytest

from pulih.accounts.models import Role
from pulih.testing.factories import user_make


@pytest.fixture
def officer():
    """An officer for Kota Bandung, where the factories' people live."""
    return user_make(role=Role.OFFICER, regions=("32.73",))
