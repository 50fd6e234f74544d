"""The signed one-time links of aftercare e-mails (the check-in, the relief questions):
Django's signing over the row's id and a random nonce, of which only the SHA-256 is kept
on the row (`digest`), so sending a new link replaces the old. A link answers
once (`answered_at`) and works until `expires_at`; a relief question's link also books
the suggested time, answered or not, until then."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any, TypeVar

from django.conf import settings
from django.core import signing
from django.db.models import Model

# How long a link works once sent: a safety limit on a link in an inbox, not a clinical
# number (when each is sent comes from the knowledge base).
LINK_VALID = dt.timedelta(hours=48)

M = TypeVar("M", bound=Model)


class LinkRefused(Exception):
    """A link that no longer works: says why in words for the client."""


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def issue(row: Any, salt: str, now: dt.datetime) -> str:
    """A fresh secret for `row` (any earlier link of it stops working)."""
    nonce = secrets.token_urlsafe(24)
    type(row).objects.filter(pk=row.pk).update(
        digest=_digest(nonce), sent_at=now, expires_at=now + LINK_VALID
    )
    return signing.dumps({"c": row.pk, "n": nonce}, salt=salt, compress=True)


def url(path: str) -> str:
    base = str(getattr(settings, "PUBLIC_URL", "") or "http://localhost:8000").rstrip("/")
    return f"{base}{path}"


def hours_valid() -> int:
    return int(LINK_VALID.total_seconds() // 3600)


def open_link(
    model: type[M], secret: str, salt: str, now: dt.datetime, what: str, *, once: bool = True
) -> M:
    """The row this link opens; `LinkRefused` saying why when it does not. `once=False`:
    for what the link still does after its question is answered (booking the suggested
    time), until it expires."""
    try:
        data = signing.loads(secret, salt=salt)
        pk, nonce = int(data["c"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkRefused(f"This link is not a {what} link of ours.") from None
    row: Any = model._default_manager.select_related("clinic", "client").filter(pk=pk).first()
    if row is None or not row.digest or not hmac.compare_digest(row.digest, _digest(nonce)):
        raise LinkRefused("This link has been replaced by a newer one, or no longer works.")
    zone = row.clinic.zone
    if once and row.answered_at is not None:
        answered = row.answered_at.astimezone(zone)
        raise LinkRefused(
            f"This {what} was answered on {answered:%-d %b %Y at %H:%M}: a link works once."
        )
    if row.expires_at is not None and now > row.expires_at:
        expired = row.expires_at.astimezone(zone)
        raise LinkRefused(
            f"This link expired on {expired:%-d %b %Y at %H:%M}. "
            f"Contact {row.clinic.name} if you need to tell them how you are."
        )
    return row  # type: ignore[no-any-return]
