"""The account recorded as the actor of imports run from the command line."""

import secrets

from django.db import transaction

from pulih.accounts.models import Role, User
from pulih.accounts.services import user_create

SYSTEM_USERNAME = "sistem.impor"


def intake_system_user() -> User:
    existing = User.objects.filter(username=SYSTEM_USERNAME).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        user = user_create(
            username=SYSTEM_USERNAME,
            password=secrets.token_urlsafe(32),
            role=Role.ADMIN,
            full_name="Impor dari baris perintah",
            agency="Pulih",
            check_password=False,
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
