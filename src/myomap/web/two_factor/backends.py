"""The sign-in backend: Django's own, with the per-request load of the signed-in person
also reading what the two-factor gate asks on every request (whether they have a
confirmed authenticator app, and whether their clinic requires one), so a page costs one
query for both instead of two."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

from myomap.accounts.models import User

# The annotation pending_step reads when the person came through this backend.
HAS_DEVICE = "has_confirmed_device"


class SignInBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        user = (
            User._default_manager.select_related("clinic")
            .annotate(**{HAS_DEVICE: Exists(devices)})
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
