"""Named actions on API tokens, shared by the command line and the tokens page: issue one,
revoke one, revoke all of a person's. Each runs in one transaction with its audit events.

`record_use` is the bearer check's bookkeeping: the last use is stamped at most once a
minute, and a use is written to the audit log at most once per token per day (the first
use on a day after the token's creation day; creation itself is audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from myomap.api.models import ApiToken
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.records.errors import Conflict, Invalid

MAX_DAYS = 365
# Recording every use would turn each read into a write; a minute's precision is enough.
TOUCH_EVERY = dt.timedelta(minutes=1)


def check_days(days: int, source: str = "days") -> int:
    """A token lasts 1 to MAX_DAYS days; `source` names where the number came from."""
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(f"{source}: a token lasts 1 to {MAX_DAYS} days, not {days}", field="days")
    return days


@transaction.atomic
def issue(ctx: Context, user: Any, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token for `user`, lasting `days` from ctx.now; returns it with its key, which
    is shown once and never stored."""
    check_days(days)
    if not user.is_active:
        raise Invalid(f"{user.get_username()} is deactivated: no token for them", field="user")
    if len(name.strip()) > 100:
        raise Invalid("name: at most 100 characters", field="name")
    token, key = ApiToken.issue(user, name, days=days, now=ctx.now)
    record(
        ctx,
        AuditEvent.Action.CREATE,
        token,
        summary=f"API {token.label} for {user.get_username()}, expires {token.expires_at:%Y-%m-%d}",
    )
    return token, key


@transaction.atomic
def revoke(ctx: Context, token: ApiToken, reason: str = "") -> ApiToken:
    """Stop `token` working from ctx.now on. Revoking it twice is a conflict."""
    locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if locked.revoked_at is not None:
        raise Conflict(f"{locked.label} was already revoked on {locked.revoked_at:%Y-%m-%d}")
    _revoke(ctx, locked, reason)
    return locked


@transaction.atomic
def revoke_all_for(ctx: Context, user: Any, reason: str = "") -> list[ApiToken]:
    """Revoke every token of `user` that still works; returns those revoked (maybe none)."""
    tokens = list(
        ApiToken.objects.select_for_update().filter(user=user).live(ctx.now).order_by("pk")
    )
    for token in tokens:
        token.user = user
        _revoke(ctx, token, reason)
    return tokens


def _revoke(ctx: Context, token: ApiToken, reason: str) -> None:
    token.revoked_at = ctx.now
    token.save(update_fields=["revoked_at"])
    why = f": {reason}" if reason else ""
    summary = f"API {token.label} of {token.user.get_username()}{why}"
    record(ctx, AuditEvent.Action.REVOKE, token, summary=summary)


def record_use(ctx: Context, token: ApiToken) -> None:
    """Stamp a working token's use (at most once a minute) and audit it (at most once a
    day). The stamp is conditional on the value read, so of two requests racing at the
    same moment only one writes, and only one audits."""
    last = token.last_used_at
    if last is not None and ctx.now - last <= TOUCH_EVERY:
        return
    with transaction.atomic():
        stamped = ApiToken.objects.filter(pk=token.pk, last_used_at=last).update(
            last_used_at=ctx.now
        )
        previous = timezone.localdate(last or token.created_at)
        if stamped and previous < timezone.localdate(ctx.now):
            record(
                ctx,
                AuditEvent.Action.USE,
                token,
                summary=f"API {token.label} of {token.user.get_username()}: first use today",
            )
    token.last_used_at = ctx.now
