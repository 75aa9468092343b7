from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "pulih.linkage"
    verbose_name = "Identitas dan penyaringan"
