"""Reads of the audit log, shared by its web page and the API: who may read it (a clinic
admin, their own clinic's events only) and its filters."""

from __future__ import annotations

from dataclasses import dataclass, field
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


CHOICES_SHOWN = 10  # clients offered when a name typed in the filter fits several


@dataclass(frozen=True)
class ClientFilter:
    """The audit log's client filter as typed (a client number, or the start of a name,
    as the client list finds names) and what it came to: the one client it names, or the
    clients to choose from, or a notice that it names none."""

    typed: str = ""
    client_id: int | None = None
    label: str = ""  # the client's name, for "Events of ..."
    choices: list[tuple[int, str]] = field(default_factory=list)
    more: bool = False  # more clients fit than the choices shown
    notice: str = ""


def client_filter(user: Any, typed: str) -> ClientFilter:
    """What the client filter `typed` names among this admin's clinic's clients."""
    typed = typed.strip()[:100]
    if not typed or not getattr(user, "is_clinic_admin", False):
        return ClientFilter()
    # The client model through the audit event's own relation: audit imports no app.
    clients: Any = AuditEvent._meta.get_field("client").related_model._default_manager  # type: ignore[union-attr]
    mine = clients.filter(clinic_id=user.clinic_id)
    if typed.isdigit():
        found = mine.filter(pk=int(typed)).first() if len(typed) <= 18 else None
        if found is None:
            return ClientFilter(typed, notice=f"There is no client {typed} at your clinic.")
        return ClientFilter(typed, found.pk, str(found))
    fitting = list(mine.matching(typed).order_by("family_key", "id")[: CHOICES_SHOWN + 1])
    if not fitting:
        return ClientFilter(typed, notice=f"No client's name starts with “{typed}”.")
    if len(fitting) == 1:
        return ClientFilter(typed, fitting[0].pk, str(fitting[0]))
    shown = [(c.pk, str(c)) for c in fitting[:CHOICES_SHOWN]]
    return ClientFilter(typed, choices=shown, more=len(fitting) > CHOICES_SHOWN)
