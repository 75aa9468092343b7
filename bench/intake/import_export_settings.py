"""Settings for the django-import-export side of bench/intake: Pulih's, with the app installed."""

from pulih.config.settings import *  # noqa: F403
from pulih.config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "import_export"]
# The whole import in one transaction, each row in a savepoint: the setting most users pick so a
# failed import leaves nothing half-written.
IMPORT_EXPORT_USE_TRANSACTIONS = True
