"""Signing in by an e-mailed link, for clients: on the sign-in page a client asks for a
link at their e-mail address; if a client's portal sign-in has that address, a one-time
link is e-mailed through the outbox. It works once, for `VALID`; only a digest of its
secret is kept. Asking is throttled as the sign-in is (per address and per network
address), and the answer is the same whether the address is known or not. Staff never
sign in this way (their sign-in has a second factor)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import replace

from django.db import transaction
from django.db.models import Q

from myomap.accounts import throttle
from myomap.accounts.models import User
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.program.invitations import mail
from myomap.program.models import SignInLink
from myomap.records.errors import ActionError, Invalid

VALID = dt.timedelta(minutes=15)  # how long a link works (a safety limit, not clinical)
MINUTES = int(VALID.total_seconds() // 60)
MOST_PER_ADDRESS = 3  # clients sharing an address (a family) each get their own link


class Throttled(ActionError):
    status = 429


class LinkGone(ActionError):
    """A used, expired or unknown link: the client asks for a new one."""

    status = 410


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def link_path(secret: str) -> str:
    return f"/portal/sign-in/{secret}/"


def throttled_message(wait: int) -> str:
    return (
        "Too many requests for a sign-in link. For your security, try again in "
        f"{wait} minute{'s' if wait != 1 else ''}."
    )


def ask_for_link(ctx: Context, address: str, ip: str | None, *, site: str = "") -> int:
    """E-mail a sign-in link to each client whose portal sign-in has `address` (on the
    record or on the sign-in). How many were sent, for the tests: the page tells nobody."""
    address = address.strip()
    if "@" not in address or len(address) > 254:
        raise Invalid("write the e-mail address your clinic has for you", "email")
    wait = throttle.begin(f"sign-in link {address}", ip)
    if wait:
        raise Throttled(throttled_message(wait), "email")
    clients = list(
        Client.objects.select_related("user", "clinic")
        .filter(Q(email__iexact=address) | Q(user__email__iexact=address))
        .filter(user__role=User.Role.CLIENT, user__is_active=True)
        .order_by("pk")[:MOST_PER_ADDRESS]
    )
    sent = 0
    for client in clients:
        try:
            _make_and_send(ctx, client, address, site)
        except _NotSent:
            continue  # nothing kept: the link before (if any) still works
        sent += 1
    return sent


class _NotSent(Exception):
    """The mail server refused the link's e-mail: its row and audit event are undone."""


def _make_and_send(ctx: Context, client: Client, address: str, site: str) -> None:
    """The new link, the older ones stopped, the audit and the e-mail: all or nothing. The
    e-mail goes last inside the transaction, so a link that never left is never stored
    (nor stops the one before)."""
    user = client.user
    assert user is not None
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        SignInLink.objects.filter(user=user, used_at=None, expires_at__gt=ctx.now).update(
            expires_at=ctx.now
        )
        link = SignInLink.objects.create(
            client=client,
            user=user,
            digest=digest(secret),
            sent_to=address,
            created_at=ctx.now,
            expires_at=ctx.now + VALID,
        )
        record(ctx, AuditEvent.Action.CREATE, link, summary=f"sign-in link e-mailed to {address}")
        if not _send(client, address, site + link_path(secret)):
            raise _NotSent


def _send(client: Client, address: str, url: str) -> bool:
    body = (
        f"Hello {client.given_name},\n\n"
        f"Here is your link to sign in to your home program at {client.clinic}. It works "
        f"once, for {MINUTES} minutes:\n{url}\n\n"
        "If it has expired, ask for a new one on the sign-in page. If you did not ask "
        "for it, you can ignore this e-mail: nobody can sign in without it.\n"
    )
    return mail(client, address, f"Sign in to your home program ({client.clinic})", body)


def link_for(secret: str, now: dt.datetime) -> SignInLink:
    """The link's row, or why it no longer works (in words for the client)."""
    found: SignInLink | None = (
        SignInLink.objects.select_related("client", "client__clinic", "user")
        .filter(digest=digest(secret))
        .first()
    )
    if found is None:
        raise LinkGone("This sign-in link is not valid. Ask for a new one.", "link")
    if found.used_at is not None:
        raise LinkGone(
            "This sign-in link has already been used: a link works once. Ask for a new one.",
            "link",
        )
    if found.expires_at <= now:
        raise LinkGone(
            f"This sign-in link has expired (a link works for {MINUTES} minutes). "
            "Ask for a new one.",
            "link",
        )
    user = found.user
    if not user.is_active or user.role != User.Role.CLIENT or found.client.user_id != user.pk:
        raise LinkGone("This sign-in link cannot be used. Ask your clinic for help.", "link")
    return found


def use_link(ctx: Context, secret: str) -> User:
    """Use the link up and return whom it signs in; audited as the client's sign-in."""
    with transaction.atomic():
        link = link_for(secret, ctx.now)
        locked = SignInLink.objects.select_for_update().get(pk=link.pk)
        if locked.used_at is not None:
            raise LinkGone("This sign-in link has already been used: a link works once.", "link")
        locked.used_at = ctx.now
        locked.save(update_fields=["used_at"])
        user = link.user
        record(
            replace(ctx, user=user),
            AuditEvent.Action.UPDATE,
            locked,
            summary=f"signed in with an e-mailed link ({user.get_username()})",
        )
    throttle.clear(f"sign-in link {link.sent_to}")
    return user
