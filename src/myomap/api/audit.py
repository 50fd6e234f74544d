"""The audit log for clinic admins: GET /api/audit?client=&action=&page=."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.params.functions import Query

from myomap.api.auth import context, user_of
from myomap.api.schemas import ERRORS, MAX_PAGE, RecordId
from myomap.audit.models import AuditEvent
from myomap.audit.queries import events_for
from myomap.audit.views import record_log_view
from myomap.records.pages import paginate

PER_PAGE = 50

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    client_id: int | None
    client_label: str
    summary: str
    path: str
    via: str

    @staticmethod
    def resolve_actor(obj: AuditEvent) -> str:
        return obj.actor_name


class AuditPage(Schema):
    items: list[AuditEventOut]
    count: int
    page: int
    pages: int


@router.get(
    "/audit",
    response={200: AuditPage, **ERRORS},
    summary="Every read and write of the clinic's health data, newest first, 50 a page (admins)",
)
def audit_log(
    request: HttpRequest,
    client: RecordId | None = None,
    action: AuditEvent.Action | None = None,
    page: int = Query(1, ge=1, le=MAX_PAGE),
) -> dict[str, Any]:
    user = user_of(request)
    if not user.is_clinic_admin or user.clinic_id is None:
        raise PermissionDenied("clinic admins only")
    events = events_for(user, client=client, action=action.value if action else None)
    shown = paginate(events, page, per_page=PER_PAGE)
    record_log_view(
        context(request), user.clinic_id, str(client or ""), str(action.value if action else "")
    )
    return {"items": shown.rows, "count": shown.count, "page": shown.number, "pages": shown.pages}
