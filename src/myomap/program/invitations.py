"""The client's invitation to the portal: a one-time link the therapist sends by e-mail
or shows as a QR code in the clinic, with which the client sets a password and consents
to the portal. Only a digest of the link's secret is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import smtplib
from dataclasses import dataclass, replace

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from myomap.accounts.models import User
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.jobs.mail import deliver
from myomap.program.models import Invitation
from myomap.records.errors import ActionError, Invalid
from myomap.records.guards import require_clinic

DAYS = 7  # how long an invitation link works (not a clinical number)
CONSENT_TEXT = (
    "I agree to use the clinic's client portal: my home program, what I log doing it, "
    "my pain diary, the questionnaires I answer there (how my pain and activities are "
    "going) and my signed notes' summary are kept in my record, and my therapist sees "
    "what I enter."
)


class InvitationGone(ActionError):
    """A used or expired link: the client asks the clinic for a new one."""

    status = 410


@dataclass(frozen=True)
class Invited:
    invitation: Invitation
    link_path: str  # the one-time link, without the site's address
    emailed: bool


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def link_path(secret: str) -> str:
    return f"/portal/invite/{secret}/"


def invite_client(ctx: Context, client: Client, *, site: str = "") -> Invited:
    """A new one-time link for `client` (earlier unused ones stop working), e-mailed
    through the outbox when the record has an address; audited."""
    require_clinic(ctx, client)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        Invitation.objects.filter(client=client, used_at=None, expires_at__gt=ctx.now).update(
            expires_at=ctx.now
        )
        invitation = Invitation.objects.create(
            client=client,
            digest=digest(secret),
            sent_to=client.email,
            created_by=ctx.user,
            created_at=ctx.now,
            expires_at=ctx.now + dt.timedelta(days=DAYS),
        )
        where = f"e-mailed to {client.email}" if client.email else "shown as a QR code"
        record(ctx, AuditEvent.Action.CREATE, invitation, summary=f"portal invitation {where}")
    emailed = bool(client.email) and _send(ctx, client, site + link_path(secret))
    return Invited(invitation, link_path(secret), emailed)


def _send(ctx: Context, client: Client, url: str) -> bool:
    by = ctx.user.get_full_name() or ctx.user.get_username()
    body = (
        f"Hello {client.given_name},\n\n"
        f"{by} at {client.clinic} has invited you to your home program and pain diary.\n\n"
        f"Set your password here (the link works once, for {DAYS} days):\n{url}\n\n"
        "If the link has expired, ask the clinic for a new one. If you did not expect "
        "this e-mail, tell your clinic.\n"
    )
    return mail(client, client.email, f"Your home program at {client.clinic}", body)


def mail(client: Client, address: str, subject: str, body: str) -> bool:
    """Send a link to the client now, through the outbox stamped with their clinic: it
    is never queued, so the link's secret is in no job's row. Whether it went."""
    try:
        deliver(to=[address], subject=subject, body=body, clinic_id=client.clinic_id)
    except (smtplib.SMTPException, OSError):
        return False
    return True


def invitation_for(secret: str, now: dt.datetime) -> Invitation:
    """The invitation of a link, or why it no longer works (in words for the client)."""
    found: Invitation | None = (
        Invitation.objects.select_related("client", "client__clinic", "client__user")
        .filter(digest=digest(secret))
        .first()
    )
    if found is None:
        raise InvitationGone(
            "This invitation link is not valid. Ask your clinic for a new one.", "link"
        )
    if found.used_at is not None:
        raise InvitationGone(
            "This invitation link has already been used. Sign in with the password you set, "
            "or ask your clinic for a new link.",
            "link",
        )
    if found.expires_at <= now:
        if Invitation.objects.filter(client=found.client, created_at__gt=found.created_at).exists():
            # Stopped by a newer invitation (two e-mails, the older opened): say so, as
            # "expired" reads wrong on a link sent minutes ago.
            raise InvitationGone(
                "This invitation link was replaced by a newer one from your clinic. Use the "
                "newest link they sent you, or ask them for a new one.",
                "link",
            )
        raise InvitationGone(
            "This invitation link has expired. Ask your clinic for a new one.", "link"
        )
    return found


def accept_invitation(
    ctx: Context, secret: str, *, username: str, password: str, consent: bool
) -> User:
    """The client sets their password with the link and consents to the portal: their
    sign-in is made (or its password set, when the record already has one), the link is
    used up, both audited. Refused as a whole, naming the field."""
    with transaction.atomic():
        invitation = invitation_for(secret, ctx.now)
        Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
        invitation.refresh_from_db(fields=["used_at"])
        if invitation.used_at is not None:
            raise InvitationGone("This invitation link has already been used.", "link")
        if not consent:
            raise Invalid("tick the box to agree to the portal", "consent")
        client = invitation.client
        user = client.user
        if user is not None and user.role != User.Role.CLIENT:
            # A record linked to a staff sign-in: a portal link never sets a staff password.
            raise InvitationGone(
                "This invitation link cannot be used. Ask your clinic for a new one.", "link"
            )
        if user is None:
            username = username.strip()
            if not username:
                raise Invalid("choose a username", "username")
            if User.objects.filter(username__iexact=username).exists():
                raise Invalid("that username is taken: choose another", "username")
            user = User(
                username=username,
                role=User.Role.CLIENT,
                clinic_id=client.clinic_id,
                first_name=client.given_name,
                last_name=client.family_name,
                email=client.email,
            )
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise Invalid(" ".join(exc.messages), "password") from None
        user.set_password(password)
        user.save()
        if client.user_id != user.pk:
            Client.objects.filter(pk=client.pk).update(user=user)
        invitation.used_at = ctx.now
        invitation.consent_at = ctx.now
        invitation.consent_text = CONSENT_TEXT
        invitation.save(update_fields=["used_at", "consent_at", "consent_text"])
        record(
            replace(ctx, user=user),  # the client, now signed up, is who acted
            AuditEvent.Action.UPDATE,
            invitation,
            summary=f"portal password set and portal consent given by {user.get_username()}",
        )
    return user
