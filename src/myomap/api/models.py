from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

KEY_PREFIX = "mm_"
# How long a token lasts unless its creator says otherwise (MYOMAP_TOKEN_DAYS, `--days`).
DEFAULT_DAYS = 90


def hash_key(key: str) -> str:
    """Tokens are random, so a plain sha256 is enough: no salt or slow hash needed."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def visible_to(self, user: Any) -> ApiTokenQuerySet:
        """A person's own tokens; a clinic admin's also those of their clinic's people.
        Anyone else's token is not there (a 404, never a 403)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        mine = Q(user=user)
        if getattr(user, "is_clinic_admin", False):
            mine |= Q(user__clinic_id=user.clinic_id)
        return self.filter(mine).select_related("user")

    def live(self, now: dt.datetime) -> ApiTokenQuerySet:
        """Tokens that still open the API at `now`: neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only the key's sha256 is stored; the key itself is
    shown once, when the token is created. It works until `expires_at` or until revoked."""

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.name or 'token'} of {self.user}"

    @property
    def label(self) -> str:
        return f"token {self.pk}" + (f" '{self.name}'" if self.name else "")

    def state(self, now: dt.datetime) -> str:
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= now:
            return self.State.EXPIRED
        return self.State.ACTIVE

    @classmethod
    def issue(
        cls,
        user: Any,
        name: str = "",
        *,
        days: int = DEFAULT_DAYS,
        now: dt.datetime | None = None,
    ) -> tuple[ApiToken, str]:
        """Create a token for `user` lasting `days`; returns it with the key, which is never
        stored. The audited way is `myomap.api.tokens.issue`; this is its one row write."""
        now = now or timezone.now()
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name.strip()[:100],
            key_hash=hash_key(key),
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        return token, key
