from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "pulih.registry"
    verbose_name = "Registri UMKM"
