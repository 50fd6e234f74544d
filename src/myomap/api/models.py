from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

KEY_PREFIX = "mm_"


def hash_key(key: str) -> str:
    """Tokens are random, so a plain sha256 is enough: no salt or slow hash needed."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only the key's sha256 is stored; the key itself is
    shown once, when the token is created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.name or 'token'} of {self.user}"

    @classmethod
    def issue(cls, user: object, name: str = "") -> tuple[ApiToken, str]:
        """Create a token for `user`; returns it with the key, which is never stored."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name.strip()[:100], key_hash=hash_key(key))
        return token, key
