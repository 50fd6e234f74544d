from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "myomap.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from myomap.accounts.middleware import stamp_sign_in

        user_logged_in.connect(stamp_sign_in, dispatch_uid="myomap.accounts.stamp_sign_in")
