"""Sign-in safety: throttling, password rules, session expiry, scope resolution."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from pulih.accounts.models import Role
from pulih.accounts.selectors import region_in_scope, region_level_q
from pulih.registry.models import Business
from pulih.testing.factories import PASSWORD, registration_make, user_make


@pytest.mark.django_db
def test_login_is_locked_after_repeated_wrong_passwords(client):
    user = user_make(role=Role.OFFICER, regions=("31",))
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("web:login"), {"username": user.username, "password": "salah-sandi-1"})
    locked = client.post(reverse("web:login"), {"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "dikunci sementara" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_correct_password_signs_in(client):
    user = user_make(role=Role.OFFICER, regions=("31",))
    response = client.post(reverse("web:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("weak", ["pendek1", "1234567890123", "password123", "abcdefghijkl"])
def test_weak_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_strong_password_is_accepted():
    validate_password("Kopi-Senja-2026")


def test_sessions_expire():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST  # idle timeout, not a fixed one


@pytest.mark.django_db
def test_expired_session_is_sent_to_login(client, settings):
    settings.SESSION_COOKIE_AGE = 1
    user = user_make(role=Role.OFFICER, regions=("31",))
    client.force_login(user)
    import time

    time.sleep(2)
    response = client.get(reverse("registry:queue"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_scope_prefix_does_not_leak_into_neighbouring_codes():
    user = type(
        "U",
        (),
        {
            "is_authenticated": True,
            "role": Role.OFFICER,
            "is_superuser": False,
            "_pulih_region_codes": ["32.7"],
        },
    )()
    # "32.7" is not a region; codes are fixed width, so it must not match 32.73.
    assert not region_in_scope(user, "32.73.01.1001")
    user._pulih_region_codes = ["32.73"]
    assert region_in_scope(user, "32.73.01.1001")
    assert not region_in_scope(user, "32.74.01.1001")


@pytest.mark.django_db
def test_region_range_filter_matches_exactly_the_region():
    inside = registration_make(village="32.73.01.1001")
    neighbour = registration_make(village="32.74.01.1001")
    found = set(Business.objects.filter(region_level_q(["32.73"])).values_list("pk", flat=True))
    assert inside.pk in found and neighbour.pk not in found
