"""Login throttling: after too many failed sign-ins for one account (or from one address)
within a window, further attempts are refused for a while, with a clear message. Kept in
the database, so every instance of a scaled-out web tier sees the same counts.

An attempt is recorded *before* its password is checked (`begin`), and the decision counts
the attempts recorded by then, so parallel requests cannot all slip in under the limit
while none of their failures is written yet. A password that turns out wrong leaves its
record as the failure; a sign-in that succeeds clears the account's failures (`clear`)."""

from __future__ import annotations

import datetime as dt
import math

from django.db import transaction
from django.utils import timezone

from myomap.accounts.models import LoginFailure

WINDOW = dt.timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20


def _key(username: str) -> str:
    return username.strip().lower()[:150]


def begin(username: str, ip: str | None) -> int:
    """Record a sign-in attempt, then decide. 0: check the password (the attempt stays on
    record as a failure unless `clear` follows a success); otherwise the minutes to wait,
    and the refused attempt is taken off the record again (refusals do not prolong the
    wait).

    The record is committed before the counting, so attempts running in parallel on any
    database see each other: whichever of them counts last sees all of them, so no more
    than the allowance ever gets to a password check."""
    now = timezone.now()
    with transaction.atomic():
        attempt = LoginFailure.objects.create(username=_key(username), ip=ip, at=now)
        # Keep the table small: what is older than the window no longer counts.
        LoginFailure.objects.filter(at__lt=now - 2 * WINDOW).delete()
    wait = _minutes_blocked(username, ip, attempt.pk)
    if wait:
        LoginFailure.objects.filter(pk=attempt.pk).delete()
    return wait


def _minutes_blocked(username: str, ip: str | None, attempt_id: int) -> int:
    """0 when the attempt `attempt_id` may go on; otherwise how many minutes to wait. Every
    other attempt on record counts against it, the ones still in progress included."""
    now = timezone.now()
    recent = LoginFailure.objects.filter(at__gte=now - WINDOW).exclude(pk=attempt_id)
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
    return max(1, math.ceil((until - now).total_seconds() / 60))


def clear(username: str) -> None:
    """A successful sign-in: the account's earlier failures no longer count."""
    LoginFailure.objects.filter(username=_key(username)).delete()
