"""Which channels a client accepts for which messages, and the "stop" link every message
carries. Every sender asks `channels_for(client, purpose)` and sends on those only."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.jobs import sms
from myomap.messaging.models import Channel, Preference, Purpose, StopLink
from myomap.records.errors import Conflict, Invalid

EMAIL = "email"
SMS = "sms"
STOP_SALT = "myomap.messaging.stop"
STOP_DAYS = 180  # a stop link in an old message still works this long

_WANTS = {
    Channel.EMAIL: (EMAIL,),
    Channel.SMS: (SMS,),
    Channel.BOTH: (EMAIL, SMS),
    Channel.NONE: (),
}


def email_of(client: Client) -> str:
    """The record's address, else the portal account's."""
    user = getattr(client, "user", None) if client.user_id else None
    return client.email or (user.email if user is not None else "")


def chosen(client: Client, purpose: str) -> str:
    """The client's choice for `purpose` (e-mail when they made none): one query."""
    if purpose not in Purpose.values:
        raise ValueError(f"unknown purpose {purpose!r}")
    found = Preference.objects.filter(client_id=client.pk).values_list(purpose, flat=True).first()
    return str(found or Channel.EMAIL)


def channels_for(client: Client, purpose: str) -> tuple[str, ...]:
    """The channels a message for `purpose` goes to this client on: those they accept and
    can be reached on ("email" with an address; "sms" with a phone number in international
    form, where texts are set up). Empty: nothing is sent."""
    return reachable(client, chosen(client, purpose))


def reachable(client: Client, choice: str) -> tuple[str, ...]:
    """The channels of `choice` this client can be reached on."""
    wanted = _WANTS[Channel(choice)]
    usable = []
    if EMAIL in wanted and email_of(client):
        usable.append(EMAIL)
    if SMS in wanted and sms.enabled() and sms.is_phone_number(client.phone):
        usable.append(SMS)
    return tuple(usable)


def preferences(client: Client) -> dict[str, str]:
    """{purpose: choice} for the record's form."""
    row = Preference.objects.filter(client_id=client.pk).first()
    return {p: str(getattr(row, p)) if row else Channel.EMAIL.value for p in Purpose.values}


def _words(choices: Mapping[str, str]) -> str:
    return "; ".join(
        f"{Purpose(p).label.lower()}: {Channel(c).label.lower()}" for p, c in choices.items()
    )


def set_channels(ctx: Context, client: Client, choices: Mapping[str, Any]) -> Preference:
    """The client's channels for each purpose given (the others unchanged); refused naming
    the purpose's field for an unknown channel, or a newly chosen text where the record's
    phone number cannot take one or texts are not set up."""
    if not choices:
        raise Invalid("choose the channels of at least one kind of message", "appointments")
    before = preferences(client)
    cleaned: dict[str, str] = {}
    for purpose, value in choices.items():
        if purpose not in Purpose.values:
            raise Invalid(f"unknown kind of message {purpose!r}", "purpose")
        if value not in Channel.values:
            raise Invalid(
                f"{str(value)[:20]!r} is not a channel: e-mail, SMS, both or none", purpose
            )
        # a text chosen before stays as it was (the form shows it) while others change
        if SMS in _WANTS[Channel(value)] and value != before[purpose]:
            if not sms.enabled():
                raise Invalid(
                    "text messages are not set up on this installation (MYOMAP_SMS_BACKEND)",
                    purpose,
                )
            try:
                sms.phone_number(client.phone, purpose)
            except Invalid as exc:
                raise Invalid(f"the record's phone number: {exc.message}", purpose) from None
        cleaned[purpose] = str(value)
    with transaction.atomic():
        row, _ = Preference.objects.select_for_update().get_or_create(
            client=client, defaults={"updated_at": ctx.now}
        )
        for purpose, value in cleaned.items():
            setattr(row, purpose, value)
        row.updated_at = ctx.now
        row.save()
        record(ctx, AuditEvent.Action.UPDATE, row, summary=f"message channels: {_words(cleaned)}")
    return row


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def stop_link(client: Client, purpose: str, now: dt.datetime) -> str:
    """A link that turns `purpose` off for this client, once, for STOP_DAYS. It is signed
    (one salt, one purpose) and carries only a random secret: nothing in it says who the
    client is; the row it opens is found by the secret's SHA-256. Links older than
    STOP_DAYS are forgotten here."""
    Purpose(purpose)
    StopLink.objects.filter(issued_at__lt=now - dt.timedelta(days=STOP_DAYS)).delete()
    secret = secrets.token_urlsafe(18)
    StopLink.objects.create(digest=_digest(secret), client=client, purpose=purpose, issued_at=now)
    token = signing.dumps(secret, salt=STOP_SALT)
    return f"{settings.PUBLIC_URL.rstrip('/')}/messages/stop/{token}/"


_NOT_OURS = "this link is not valid, or is too old: ask the clinic"


def _link(token: str) -> StopLink:
    try:
        secret = signing.loads(token, salt=STOP_SALT, max_age=dt.timedelta(days=STOP_DAYS))
    except signing.BadSignature:  # a changed link, or one older than STOP_DAYS
        raise Invalid(_NOT_OURS, "link") from None
    if not isinstance(secret, str):
        raise Invalid(_NOT_OURS, "link")
    link = StopLink.objects.select_related("client__clinic").filter(digest=_digest(secret))
    found = link.first()
    if found is None:
        raise Invalid(_NOT_OURS, "link")
    return found


def _used(purpose: str) -> Conflict:
    return Conflict(f"this link was used already: {Purpose(purpose).label.lower()} are off")


def stop_for(token: str) -> tuple[Client, str]:
    """The client and purpose of a stop link; refused when it is not one of ours (or too
    old), or was used already."""
    link = _link(token)
    if link.used_at is not None:
        raise _used(link.purpose)
    return link.client, link.purpose


def stop(ctx: Context, token: str) -> tuple[Client, str]:
    """Turn the link's purpose off for its client (audited); the link then works no more."""
    link = _link(token)
    client, purpose = link.client, link.purpose
    with transaction.atomic():
        if not StopLink.objects.filter(pk=link.pk, used_at=None).update(used_at=ctx.now):
            raise _used(purpose)
        row, _ = Preference.objects.select_for_update().get_or_create(
            client=client, defaults={"updated_at": ctx.now}
        )
        setattr(row, purpose, Channel.NONE)
        row.updated_at = ctx.now
        row.save()
        record(
            ctx,
            AuditEvent.Action.UPDATE,
            row,
            summary=f"message channels: {Purpose(purpose).label.lower()} turned off "
            "by the client's stop link",
        )
    return client, purpose
