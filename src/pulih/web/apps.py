from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "pulih.web"
    verbose_name = "Antarmuka web"
