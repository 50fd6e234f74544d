"""`record(...)`: the one way health data reads and writes are written to the audit log."""

from __future__ import annotations

from typing import Any

from myomap.audit.models import AuditEvent
from myomap.records.context import Context, client_address

__all__ = ["Context", "client_address", "record"]


def record(
    ctx: Context, action: str, obj: Any, *, client: Any = None, summary: str = ""
) -> AuditEvent:
    """Write one audit event about `obj` (a model instance) for `client`."""
    user = ctx.user if getattr(ctx.user, "is_authenticated", False) else None
    client = client if client is not None else getattr(obj, "audit_client", None)
    return AuditEvent.objects.create(
        at=ctx.now,
        actor=user,
        actor_name=user.get_username() if user else "anonymous",
        clinic_id=getattr(client, "clinic_id", None) or getattr(user, "clinic_id", None),
        client=client,
        client_label=str(client) if client is not None else "",
        action=action,
        object_type=type(obj).__name__,
        object_id=str(getattr(obj, "pk", "") or ""),
        summary=summary[:300],
        path=ctx.path,
        ip=ctx.ip,
        user_agent=ctx.user_agent,
        via=ctx.via,
    )
