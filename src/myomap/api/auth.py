"""Who is calling: a bearer token (`Authorization: Bearer <key>`) or the web session
(django-ninja's `django_auth`, which checks CSRF on unsafe methods); and what they may do."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.security import HttpBearer, django_auth

from myomap.accounts.models import User
from myomap.api.models import ApiToken, hash_key
from myomap.audit.log import Context

# Recording every use would turn each read into a write; a minute's precision is enough.
TOUCH_EVERY = dt.timedelta(minutes=1)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.objects.select_related("user").filter(key_hash=hash_key(token)).first()
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        # Actions and the audit log read request.user, as for a signed-in session.
        request.user = found.user
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
