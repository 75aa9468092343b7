from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "pulih.programmes"
    verbose_name = "Program dan putaran bantuan"
