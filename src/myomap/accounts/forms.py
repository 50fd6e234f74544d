from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from myomap.accounts import throttle


def client_ip(request: Any) -> str | None:
    if request is None:
        return None
    ip: str | None = request.META.get("REMOTE_ADDR") or None
    return ip


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing further tries after repeated failures."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        wait = throttle.minutes_blocked(username, ip)
        if wait:
            raise ValidationError(
                f"Too many failed sign-ins. For your security, try again in {wait} minute"
                f"{'s' if wait != 1 else ''}.",
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.record_failure(username, ip)
            raise
        throttle.clear(username)
        return cleaned
