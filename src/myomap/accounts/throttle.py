"""Login throttling: after too many failed sign-ins for one account (or from one address)
within a window, further attempts are refused for a while, with a clear message. Kept in
the database, so every instance of a scaled-out web tier sees the same counts."""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Q
from django.utils import timezone

from myomap.accounts.models import LoginFailure

WINDOW = dt.timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20


def _key(username: str) -> str:
    return username.strip().lower()[:150]


def minutes_blocked(username: str, ip: str | None) -> int:
    """0 when a sign-in may be tried; otherwise how many minutes to wait."""
    since = timezone.now() - WINDOW
    recent = LoginFailure.objects.filter(at__gte=since)
    by_account = list(recent.filter(username=_key(username)).values_list("at", flat=True))
    by_address = list(recent.filter(ip=ip).values_list("at", flat=True)) if ip else []
    blocking = []
    if len(by_account) >= MAX_PER_ACCOUNT:
        blocking.append(sorted(by_account)[-MAX_PER_ACCOUNT])
    if len(by_address) >= MAX_PER_ADDRESS:
        blocking.append(sorted(by_address)[-MAX_PER_ADDRESS])
    if not blocking:
        return 0
    until = max(blocking) + WINDOW
    return max(1, math.ceil((until - timezone.now()).total_seconds() / 60))


def record_failure(username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=_key(username), ip=ip, at=timezone.now())
    # Keep the table small: what is older than the window no longer counts.
    LoginFailure.objects.filter(at__lt=timezone.now() - 2 * WINDOW).delete()


def clear(username: str) -> None:
    LoginFailure.objects.filter(Q(username=_key(username))).delete()
