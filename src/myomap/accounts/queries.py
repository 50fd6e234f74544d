"""Which accounts a clinic admin runs: their own clinic's, never another's (a 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from myomap.accounts.models import User


def members_of(user: Any) -> QuerySet[User]:
    """The accounts of `user`'s clinic (none without a clinic), by role and name (then
    the id, so that pages of the list never share or skip an account)."""
    if getattr(user, "clinic_id", None) is None:
        return User.objects.none()
    return User.objects.filter(clinic_id=user.clinic_id).order_by(
        "role", "last_name", "first_name", "username", "id"
    )


def sole_active_admin(user: Any) -> int | None:
    """The id of the clinic's only active admin, when there is just one: who may not be
    deactivated (the clinic would have no one to run it). None when there are several."""
    active = members_of(user).filter(role=User.Role.ADMIN, is_active=True)
    admins = list(active.values_list("pk", flat=True)[:2])
    return admins[0] if len(admins) == 1 else None


def member_for(user: Any, pk: int) -> User:
    """The account `pk` of `user`'s clinic; another clinic's is a 404 like a missing one."""
    return get_object_or_404(members_of(user), pk=pk)


def clinic_addresses(user: Any) -> set[str]:
    """The e-mail addresses of `user`'s clinic's active accounts: a deactivated member's
    mail is never shown (their address may be given to someone else's account)."""
    members = members_of(user).filter(is_active=True).exclude(email="")
    return set(members.values_list("email", flat=True))


def email_in_use(email: str, *, but: int | None = None) -> User | None:
    """The account (of any clinic, active or not) that already uses `email`, compared
    without case; `but` is the account being changed. An address belongs to one account,
    so the mail kept for it (the outbox) and the links sent to it reach one person."""
    email = email.strip()
    if not email:
        return None
    found = User.objects.filter(email__iexact=email)
    if but is not None:
        found = found.exclude(pk=but)
    return found.first()
