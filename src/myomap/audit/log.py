"""`record(...)`: the one way health data reads and writes are written to the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from myomap.audit.insert import insert_event
from myomap.audit.models import AuditEvent
from myomap.records.context import Context, client_address
from myomap.records.errors import NotVisible

__all__ = ["Context", "client_address", "record", "record_read_once", "record_refusal"]


def record(ctx: Context, action: str, obj: Any, *, client: Any = None, summary: str = "") -> int:
    """Write one audit event about `obj` (a model instance, or None) for `client`, in the
    client's clinic's log, else the actor's, else (nobody signed in: a forgotten password,
    the command line) the clinic of `obj` itself, an account say. The new event's id."""
    user = ctx.user if getattr(ctx.user, "is_authenticated", False) else None
    client = client if client is not None else getattr(obj, "audit_client", None)
    return insert_event(
        at=ctx.now,
        actor_id=user.pk if user else None,
        actor_name=user.get_username() if user else "anonymous",
        clinic_id=getattr(client, "clinic_id", None)
        or getattr(user, "clinic_id", None)
        or getattr(obj, "clinic_id", None),
        client_id=client.pk if client is not None else None,
        client_label=str(client) if client is not None else "",
        action=action,
        # __class__, not type(): a lazy object (request.user) proxies its class.
        object_type=obj.__class__.__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "") or ""),
        summary=summary[:300],
        path=ctx.path,
        ip=ctx.ip,
        user_agent=ctx.user_agent,
        via=ctx.via,
    )


def record_read_once(ctx: Context, obj: Any, *, summary: str, within: dt.timedelta) -> int | None:
    """`record` a view of `obj`, unless this person's view of it, by the same way in, is
    already in the log from the last `within`: a screen that reads the same record every
    second (the guided session's runner, following the client's taps) is one read a
    minute in the log, not sixty. The id of the event written, or None."""
    user = ctx.user if getattr(ctx.user, "is_authenticated", False) else None
    client = getattr(obj, "audit_client", None)
    clinic_id = getattr(client, "clinic_id", None) or getattr(user, "clinic_id", None)
    recent = AuditEvent.objects.filter(
        clinic=clinic_id,
        client=client,
        actor=user,
        action=AuditEvent.Action.VIEW,
        object_type=obj.__class__.__name__,
        object_id=str(getattr(obj, "pk", "") or ""),
        via=ctx.via,
        at__gte=ctx.now - within,
    )
    if recent.exists():
        return None
    return record(ctx, AuditEvent.Action.VIEW, obj, summary=summary)


def record_refusal(ctx: Context, refused: NotVisible) -> int | None:
    """A signed-in person asked for a record they may not see (another clinic's, another
    client's): an event in the record's own clinic's log, so its admin sees the attempt."""
    user = ctx.user if getattr(ctx.user, "is_authenticated", False) else None
    if user is None:
        return None
    return insert_event(
        at=ctx.now,
        actor_id=user.pk,
        actor_name=user.get_username(),
        clinic_id=refused.clinic_id,
        client_id=refused.client_id,
        client_label="",
        action=AuditEvent.Action.REFUSED,
        object_type=refused.kind,
        object_id=str(refused.object_id),
        summary=f"refused: {ctx.via} {ctx.path}"[:300],
        path=ctx.path,
        ip=ctx.ip,
        user_agent=ctx.user_agent,
        via=ctx.via,
    )
