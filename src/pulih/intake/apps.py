from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "pulih.intake"
    verbose_name = "Impor daftar pengusul"
