"""Running a clinic's accounts: invite a therapist or admin, deactivate and reactivate an
account, reset a member's sign-in. Shared by the clinic page and any later surface.

Nobody else learns a member's password: an invited or reset account gets an unusable
password and a one-time link where its owner sets one (Django's password-reset
confirmation, `password_reset_confirm`, the link `myomap admin create` prints). The token
in it is derived from the password hash, so it stops working once a password is set.

Each action runs in one transaction with its audit event. The audit log lives in an app
above this one (accounts imports only `records`), so the caller passes its `record`
function in (`myomap.audit.log.record`); the mail is sent after the transaction, so a
slow mail server never holds the database."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from myomap.accounts import outbox
from myomap.accounts.models import User
from myomap.accounts.queries import email_in_use, members_of
from myomap.records.context import Context
from myomap.records.errors import Forbidden, Invalid

INVITABLE = (User.Role.THERAPIST, User.Role.ADMIN)


class Audit(Protocol):
    """`myomap.audit.log.record`'s shape."""

    def __call__(self, ctx: Context, action: str, obj: Any, *, summary: str = "") -> Any: ...


@dataclass(frozen=True)
class Link:
    """A one-time link to set `user`'s password, and whether it was e-mailed to them."""

    user: User
    url: str
    mailed: bool


def password_link(user: User, base_url: str) -> str:
    """The one-time link where `user` sets a password, on the site at `base_url`."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return base_url.rstrip("/") + path


def invite(
    ctx: Context,
    audit: Audit,
    *,
    username: str,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    base_url: str,
) -> Link:
    """A new account of the admin's clinic with an unusable password, and its one-time link
    (e-mailed to `email`)."""
    admin = _admin(ctx)
    username, email = username.strip(), email.strip()
    if role not in INVITABLE:
        raise Invalid("role: invite a therapist or a clinic admin", field="role")
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError as exc:
        raise Invalid(f"username: {' '.join(exc.messages)}", field="username") from None
    if not username:
        raise Invalid("username: enter a username", field="username")
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise Invalid(f"username: {username!r} is taken; choose another", field="username")
        _check_address(email, admin, None)
        member = User(
            username=username,
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            role=role,
            clinic_id=admin.clinic_id,
            date_joined=ctx.now,
        )
        member.set_unusable_password()
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError:  # the same username, invited a moment ago by someone else
            raise Invalid(
                f"username: {username!r} is taken; choose another", field="username"
            ) from None
        audit(ctx, "create", member, summary=f"invited {username} as {member.get_role_display()}")
    url = password_link(member, base_url)
    return Link(member, url, _mail_link(member, url, admin, invited=True))


def deactivate(ctx: Context, audit: Audit, member: User) -> User:
    """`member` can no longer sign in (their API tokens are revoked with it). A clinic keeps
    at least one active admin."""
    admin = _admin(ctx)
    _same_clinic(admin, member)
    with transaction.atomic():
        admins = list(
            members_of(admin)
            .select_for_update()
            .filter(role=User.Role.ADMIN, is_active=True)
            .values_list("pk", flat=True)
        )
        member.refresh_from_db()
        if not member.is_active:
            raise Invalid(f"{member.username} is already deactivated")
        if member.role == User.Role.ADMIN and set(admins) <= {member.pk}:
            raise Invalid(
                f"{member.username} is the clinic's last active admin: "
                "invite or reactivate another admin first"
            )
        member.is_active = False
        member.save(update_fields=["is_active"])
        end_sessions(member)
        audit(ctx, "update", member, summary=f"deactivated {member.username}")
    return member


def reactivate(ctx: Context, audit: Audit, member: User) -> User:
    """`member` may sign in again, with the password they had."""
    admin = _admin(ctx)
    _same_clinic(admin, member)
    with transaction.atomic():
        member.refresh_from_db()
        if member.is_active:
            raise Invalid(f"{member.username} is already active")
        _check_address(member.email, admin, member.pk)
        member.is_active = True
        member.save(update_fields=["is_active"])
        audit(ctx, "update", member, summary=f"reactivated {member.username}")
    return member


def reset_sign_in(ctx: Context, audit: Audit, member: User, *, base_url: str) -> Link:
    """`member`'s password stops working (their sessions and API tokens with it) and a new
    one-time link lets them set another, e-mailed to them when they have an address."""
    admin = _admin(ctx)
    _same_clinic(admin, member)
    if member.pk == admin.pk:
        raise Invalid("change your own password on the Password page instead")
    with transaction.atomic():
        member.refresh_from_db()
        if not member.is_active:
            raise Invalid(f"{member.username} is deactivated: reactivate the account first")
        member.set_unusable_password()
        # A whole save, not update_fields=["password"]: the api app tells a password change
        # (which revokes the person's tokens) from a re-encoding at sign-in by that shape.
        member.save()
        end_sessions(member)
        audit(ctx, "update", member, summary=f"reset the sign-in of {member.username}")
    url = password_link(member, base_url)
    return Link(member, url, _mail_link(member, url, admin, invited=False))


def end_sessions(user: User) -> int:
    """Delete every stored session signed in as `user` (how many): a browser left signed in
    stays signed out, even once the account is reactivated or a new password set."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def _check_address(email: str, admin: User, member_pk: int | None) -> None:
    """An address belongs to one account of any clinic: the mail sent to it, its one-time
    links included, must reach only that account's owner."""
    other = email_in_use(email, but=member_pk)
    if other is None:
        return
    if other.clinic_id != admin.clinic_id:
        raise Invalid(
            f"email: another Myomap account already uses {email}; choose another address",
            field="email",
        )
    if other.is_active:
        raise Invalid(
            f"email: an active account already uses {email} ({other.username}); "
            "reset its sign-in instead",
            field="email",
        )
    raise Invalid(
        f"email: the deactivated account {other.username} uses {email}; "
        "reactivate it instead, or give it another address first",
        field="email",
    )


def _admin(ctx: Context) -> User:
    if not getattr(ctx.user, "is_clinic_admin", False) or not ctx.user.is_active:
        raise Forbidden("only a clinic admin may run the clinic's accounts")
    admin: User = ctx.user
    return admin


def _same_clinic(admin: User, member: User) -> None:
    if member.clinic_id != admin.clinic_id:
        raise Forbidden("this account belongs to another clinic")


def _mail_link(member: User, url: str, admin: User, *, invited: bool) -> bool:
    if not member.email:
        return False
    days = max(1, int(settings.PASSWORD_RESET_TIMEOUT) // 86400)
    by = admin.get_full_name() or admin.get_username()
    if invited:
        subject = f"Your Myomap account at {admin.clinic}"
        opening = f"{by} has made you a Myomap account at {admin.clinic}"
    else:
        subject = "Set a new Myomap password"
        opening = f"{by} has reset your Myomap sign-in at {admin.clinic}"
    body = (
        f"Hello {member.get_full_name() or member.get_username()},\n\n"
        f"{opening}. Your username is {member.get_username()}.\n\n"
        f"Set your password here (the link works once, for {days} days):\n{url}\n\n"
        "If you did not expect this e-mail, tell your clinic.\n"
    )
    message = EmailMessage(
        subject, body, None, [member.email], headers=outbox.stamp(admin.clinic_id)
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError):
        return False
    return True
