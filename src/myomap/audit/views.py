from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from myomap.audit.models import AuditEvent
from myomap.records.access import admin_required


@require_GET
@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every read and write of the clinic's health data, newest first (clinic admins)."""
    clinic_id = int(request.user.clinic_id)  # type: ignore[union-attr,arg-type]  # admin_required
    events = AuditEvent.objects.filter(clinic_id=clinic_id).select_related("actor")
    client = request.GET.get("client", "").strip()
    if client.isdigit():
        events = events.filter(client_id=int(client))
    action = request.GET.get("action", "")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/log.html",
        {"page": page, "actions": AuditEvent.Action.choices, "client": client, "action": action},
    )
