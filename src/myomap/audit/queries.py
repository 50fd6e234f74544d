"""Reads of the audit log, shared by its web page and the API: who may read it (a clinic
admin, their own clinic's events only) and its filters."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from myomap.audit.models import AuditEvent


def events_for(
    user: Any, *, client: int | None = None, action: str | None = None
) -> QuerySet[AuditEvent]:
    """The events this user may read, newest first, optionally of one client or action.
    Anyone but a clinic admin of a clinic reads nothing."""
    if not getattr(user, "is_clinic_admin", False) or user.clinic_id is None:
        return AuditEvent.objects.none()
    events = AuditEvent.objects.filter(clinic_id=user.clinic_id).select_related("actor")
    if client is not None:
        events = events.filter(client_id=client)
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    return events
