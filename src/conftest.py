"""Test set-up shared by every app: the real region table, loaded once per test database."""

import pytest

from pulih.reference.services import reference_fixtures_load, regions_load


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # noqa: ANN001
    # The real Kemendagri data (91k rows) once per session: scope and NIK rules are tested
    # against the regions an agency really has, not a hand-made sample.
    with django_db_blocker.unblock():
        regions_load()
        reference_fixtures_load()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # noqa: ANN001
    # PBKDF2's deliberate slowness guards real passwords; tests only need a working hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
