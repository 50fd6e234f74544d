"""The first clinic admin of a real installation, created from the command line
(`myomap admin create USERNAME --clinic NAME`) with no password anybody knows: what is
printed is a one-time link where the admin sets their own.

The link is Django's password-reset confirmation (`accounts/reset/<uidb64>/<token>/`,
`default_token_generator`): the token is derived from the account's password hash, so it
stops working the moment a password is set, and after PASSWORD_RESET_TIMEOUT anyway."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from myomap.accounts.actions import password_link
from myomap.accounts.models import Clinic, User
from myomap.audit.log import Context, record

# `password_link` is the clinic page's own (accounts.actions), used by `myomap admin` too.
__all__ = ["AdminError", "create_clinic_admin", "has_clinic_admin", "password_link"]


class AdminError(ValueError):
    """A clinic admin that cannot be created, with the reason."""


def has_clinic_admin() -> bool:
    """Is there anyone who can run a clinic (an active clinic admin)?"""
    return User.objects.filter(is_active=True, role=User.Role.ADMIN, clinic__isnull=False).exists()


@transaction.atomic
def create_clinic_admin(ctx: Context, username: str, clinic_name: str) -> tuple[User, bool]:
    """A new clinic admin of the clinic `clinic_name` (created if there is none by that
    name) with an unusable password; returns the admin and whether the clinic is new."""
    username, clinic_name = username.strip(), clinic_name.strip()
    if not clinic_name:
        raise AdminError("--clinic: the clinic's name is empty")
    if len(clinic_name) > Clinic._meta.get_field("name").max_length:  # type: ignore[operator]
        raise AdminError("--clinic: the clinic's name is longer than 200 characters")
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError as exc:
        raise AdminError(f"username {username!r}: {' '.join(exc.messages)}") from None
    if not username:
        raise AdminError("the username is empty")
    if User.objects.filter(username=username).exists():
        raise AdminError(
            f"a user {username!r} already exists; "
            f"`myomap admin link {username}` prints a new link to set its password"
        )
    clinic = Clinic.objects.filter(name=clinic_name).order_by("pk").first()
    new_clinic = clinic is None
    if clinic is None:
        clinic = Clinic.objects.create(name=clinic_name)
    admin = User(username=username, role=User.Role.ADMIN, clinic=clinic)
    admin.set_unusable_password()
    admin.save()
    record(ctx, "create", admin, summary=f"clinic admin {username} of {clinic_name}")
    return admin, new_clinic
