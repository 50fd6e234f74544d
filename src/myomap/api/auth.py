"""Who is calling: a bearer token (`Authorization: Bearer <key>`) or the web session
(django-ninja's `django_auth`, which checks CSRF on unsafe methods); and what they may do."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, django_auth

from myomap.accounts.models import User
from myomap.api import tokens
from myomap.api.models import ApiToken, hash_key
from myomap.audit.log import Context

TOKEN_SQL = f"SELECT * FROM {ApiToken._meta.db_table} WHERE key_hash = %s"
USER_SQL = f"SELECT * FROM {User._meta.db_table} WHERE id = %s"


class BearerToken(HttpBearer):
    """A key from `myomap token create` or the tokens page. An expired or revoked key is
    refused (401) saying so, and its use changes nothing; a working one is stamped and,
    once a day, audited (`tokens.record_use`)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # Every API request pays for this: plain statements (as the web session's person,
        # web.two_factor.backends), several times cheaper than a queryset compiled anew.
        found = next(iter(ApiToken.objects.raw(TOKEN_SQL, [hash_key(token)])), None)
        if found is None:
            return None
        user = next(iter(User._default_manager.raw(USER_SQL, [found.user_id])), None)
        if user is None or not user.is_active:
            return None
        found.user = user
        now = timezone.now()
        if found.revoked_at is not None:
            raise AuthenticationError(
                message=f"this token was revoked on {found.revoked_at:%Y-%m-%d}: "
                "create a new one (myomap token create, or your account's API tokens page)"
            )
        if found.expires_at <= now:
            raise AuthenticationError(
                message=f"this token expired on {found.expires_at:%Y-%m-%d}: "
                "create a new one (myomap token create, or your account's API tokens page)"
            )
        # Actions and the audit log read request.user, as for a signed-in session.
        request.user = found.user
        tokens.record_use(replace(Context.of(request, via="api"), now=now), found)
        return found.user


# The token first: a script with a key needs no CSRF token even if it also holds a cookie.
AUTH = [BearerToken(), django_auth]


def user_of(request: HttpRequest) -> User:
    return cast(User, request.user)


def context(request: HttpRequest) -> Context:
    return Context.of(request, via="api")


def require_staff(request: HttpRequest) -> Context:
    """Writes are for a clinic's therapists and admins; a client's account reads only."""
    if not user_of(request).is_staff_member:
        raise PermissionDenied("only a therapist or clinic admin of a clinic may do this")
    return context(request)


class MeOut(Schema):
    username: str
    name: str
    role: str
    clinic_id: int | None
    clinic: str | None


router = Router(tags=["auth"])


@router.get("/me", response=MeOut, summary="Who the credentials belong to")
def me(request: HttpRequest) -> dict[str, Any]:
    user = user_of(request)
    return {
        "username": user.get_username(),
        "name": user.get_full_name(),
        "role": user.role,
        "clinic_id": user.clinic_id,
        "clinic": user.clinic.name if user.clinic else None,
    }
