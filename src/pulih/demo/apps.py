from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "pulih.demo"
    verbose_name = "Data demo"
