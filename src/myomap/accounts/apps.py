from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "myomap.accounts"
    label = "accounts"
    verbose_name = "Accounts"
