"""Reads of the audit log, shared by its web page and the API: who may read it (a clinic
admin, their own clinic's events only) and its filters."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from myomap.audit.models import AuditEvent


def events_for(
    user: Any, *, client: int | None = None, action: str | None = None, upto: int | None = None
) -> QuerySet[AuditEvent]:
    """The events this user may read, newest first, optionally of one client or action,
    and up to the event `upto` (the log as it was when its first page was shown: reading
    the log is itself logged, and without the cut every new event would push each page's
    last row onto the next). Anyone but a clinic admin of a clinic reads nothing."""
    if not getattr(user, "is_clinic_admin", False) or user.clinic_id is None:
        return AuditEvent.objects.none()
    events = AuditEvent.objects.filter(clinic_id=user.clinic_id).select_related("actor")
    if client is not None:
        events = events.filter(client_id=client)
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    if upto is not None:
        events = events.filter(id__lte=upto)
    return events


def newest_event_id() -> int | None:
    """The id of the last event written, of any clinic (ids only grow): where a reading of
    the log as it is now stops (`events_for(..., upto=)`). One step down the key's index."""
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
