from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "pulih.privacy"
    verbose_name = "Pelindungan data pribadi"
