"""The account recorded as the actor of imports run from the command line."""

from pulih.accounts.models import Role, User
from pulih.accounts.services import system_user_get_or_create

SYSTEM_USERNAME = "sistem.impor"


def intake_system_user() -> User:
    return system_user_get_or_create(
        username=SYSTEM_USERNAME,
        role=Role.ADMIN,
        full_name="Impor dari baris perintah",
        agency="Pulih",
    )
