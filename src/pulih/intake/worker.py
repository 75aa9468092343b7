"""Start-up of a spawned helper process; imports nothing that needs Django ready."""

import os


def django_setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pulih.config.settings")
    django.setup()
