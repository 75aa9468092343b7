from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "pulih.payments"
    verbose_name = "Penyaluran bantuan"
