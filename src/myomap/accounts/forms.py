from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django_otp import user_has_device

from myomap.accounts import throttle
from myomap.records.context import client_address


class ThrottledLoginMixin(AuthenticationForm):
    """The throttle around a sign-in form's password check, shared by our sign-in page and
    the Django admin's, so both count against the same failures (see throttle.py)."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not (username and password):
            # No password is checked (a field is missing): nothing to count or to clear.
            return super().clean()
        ip = client_address(self.request) if self.request is not None else None
        wait = throttle.begin(username, ip)
        if wait:
            raise ValidationError(throttled_message(wait), code="throttled")
        # A refusal (ValidationError) leaves the attempt on record as a failure.
        cleaned = super().clean()
        user = self.get_user()
        # With two-factor sign-in the attempt stays counted until the code passes too
        # (web/two_factor): a right password must not wipe the count of wrong codes.
        if user is not None and not user_has_device(user):
            throttle.clear(username)
        return cleaned


def throttled_message(wait: int) -> str:
    """What a throttled sign-in (a password or a two-factor code) is told."""
    return (
        f"Too many failed sign-ins. For your security, try again in {wait} minute"
        f"{'s' if wait != 1 else ''}."
    )


class ThrottledAuthenticationForm(ThrottledLoginMixin):
    """Django's sign-in form, refusing further tries after repeated failures."""


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The Django admin's sign-in form (staff only), throttled the same way."""
