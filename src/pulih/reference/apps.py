from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "pulih.reference"
    verbose_name = "Data rujukan"
