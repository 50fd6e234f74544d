from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save, pre_save


class ApiConfig(AppConfig):
    name = "myomap.api"
    label = "api"
    verbose_name = "JSON API"

    def ready(self) -> None:
        from myomap.api import signals

        user_model = settings.AUTH_USER_MODEL
        pre_save.connect(signals.note_password_or_deactivation, sender=user_model)
        post_save.connect(signals.revoke_after_change, sender=user_model)
