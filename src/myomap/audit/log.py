"""`record(...)`: the one way health data reads and writes are written to the audit log."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from myomap.audit.models import AuditEvent


@dataclass(frozen=True)
class Context:
    """Who is acting and from where: built from a request, or for the command line."""

    user: Any
    path: str = ""
    ip: str | None = None
    user_agent: str = ""
    via: str = "web"

    @classmethod
    def of(cls, request: HttpRequest, via: str = "web") -> Context:
        return cls(
            user=request.user,
            path=request.get_full_path()[:300],
            ip=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            via=via,
        )


def client_address(request: HttpRequest) -> str | None:
    """Where the request came from. X-Forwarded-For is believed only behind the proxy the
    deployment declares (MYOMAP_BEHIND_HTTPS_PROXY), since anyone can send that header;
    a value that is not an IP address is dropped rather than stored."""
    candidates = []
    if settings.BEHIND_PROXY:
        candidates.append(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip())
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for value in candidates:
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            continue
    return None


def record(
    ctx: Context, action: str, obj: Any, *, client: Any = None, summary: str = ""
) -> AuditEvent:
    """Write one audit event about `obj` (a model instance) for `client`."""
    user = ctx.user if getattr(ctx.user, "is_authenticated", False) else None
    client = client if client is not None else getattr(obj, "audit_client", None)
    return AuditEvent.objects.create(
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
