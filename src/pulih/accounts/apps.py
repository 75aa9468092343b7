from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pulih.accounts"
    verbose_name = "Akun"
