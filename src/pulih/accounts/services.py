"""Writes about accounts: users with a role and region scope, API tokens."""

import secrets
from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from pulih.accounts.models import ApiToken, RegionScope, Role, User


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: Role | str,
    full_name: str = "",
    agency: str = "",
    region_codes: Iterable[str] = (),
    permissions: Iterable[str] = (),
    check_password: bool = True,
) -> User:
    """Create a user; staff roles get their region scopes, and `permissions` are "app.codename"."""
    user = User(username=username, role=Role(role), full_name=full_name, agency=agency)
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.is_superuser = user.is_staff = role == Role.ADMIN
    user.save()
    RegionScope.objects.bulk_create(
        [RegionScope(user=user, region_id=code) for code in region_codes]
    )
    for perm in permissions:
        app_label, codename = perm.split(".", 1)
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token; the clear key is returned once and only its hash is kept."""
    key = "plh_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[:8]
    )
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def system_user_get_or_create(*, username: str, role: Role, full_name: str, agency: str) -> User:
    """An account recorded as the actor of work no person did by hand (bulk loads, imports
    from the command line). It has no usable password, so nobody can sign in as it."""
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        user = user_create(
            username=username,
            password=secrets.token_urlsafe(32),
            role=role,
            full_name=full_name,
            agency=agency,
            check_password=False,
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
