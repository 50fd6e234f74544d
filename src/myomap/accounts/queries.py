"""Which accounts a clinic admin runs: their own clinic's, never another's (a 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from myomap.accounts.models import User


def members_of(user: Any) -> QuerySet[User]:
    """The accounts of `user`'s clinic (none without a clinic), by role and name."""
    if getattr(user, "clinic_id", None) is None:
        return User.objects.none()
    return User.objects.filter(clinic_id=user.clinic_id).order_by(
        "role", "last_name", "first_name", "username"
    )


def member_for(user: Any, pk: int) -> User:
    """The account `pk` of `user`'s clinic; another clinic's is a 404 like a missing one."""
    return get_object_or_404(members_of(user), pk=pk)


def clinic_addresses(user: Any) -> set[str]:
    """The e-mail addresses of `user`'s clinic's accounts."""
    return {e for e in members_of(user).exclude(email="").values_list("email", flat=True)}
