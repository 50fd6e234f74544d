from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.audit.queries import client_filter, events_for, newest_event_id
from myomap.records.access import admin_required
from myomap.records.pages import paginate, requested

PER_PAGE = 50


@require_GET
@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every read and write of the clinic's health data, newest first (clinic admins)."""
    clinic_id = int(request.user.clinic_id)  # type: ignore[union-attr,arg-type]  # admin_required
    wanted = client_filter(request.user, request.GET.get("client", ""))
    client = str(wanted.client_id) if wanted.client_id is not None else ""
    action = request.GET.get("action", "")
    upto = _number(request.GET.get("upto", ""))
    kept = {"action": action if action in AuditEvent.Action.values else "", "client": client}
    fresh = upto is not None  # a page of the log as it was, newer events not on it
    if upto is None:  # the log as it is now: its pages keep to it
        upto = newest_event_id()
    if wanted.typed and wanted.client_id is None:  # a name of several clients, or of none
        events = AuditEvent.objects.none()
    else:
        events = events_for(request.user, client=wanted.client_id, action=action, upto=upto)
    keep = {**kept, "upto": str(upto) if upto is not None else ""}
    page = paginate(events, requested(request.GET.get("page")), per_page=PER_PAGE, keep=keep)
    context = {
        "page": page,
        "actions": AuditEvent.Action.choices,
        "wanted": wanted,
        "action": kept["action"],
        "upto": fresh,
        "fresh": "?" + urlencode({k: v for k, v in kept.items() if v}),
        "all_clients": "?" + urlencode({"action": kept["action"]} if kept["action"] else {}),
    }
    response = render(request, "audit/log.html", context)
    # The log names clients and quotes referrals and override reasons: reading it is a
    # read of health data, recorded once the page is built (so it is not on this page).
    record_log_view(Context.of(request), clinic_id, client, action)
    return response


def _number(raw: str) -> int | None:
    """An event id from the query string, or None (left out, or not an id)."""
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) <= 18 else None


def record_log_view(ctx: Context, clinic_id: int, client: str, action: str) -> None:
    """Audit a read of the audit log; filtered to one client, it is a read of theirs."""
    shown = None
    if client.isdigit():
        # The client model through the audit event's own relation: audit imports no app.
        clients = AuditEvent._meta.get_field("client").related_model._default_manager  # type: ignore[union-attr]
        shown = clients.filter(clinic_id=clinic_id, pk=int(client)).first()
    what = f"client {client}" if client.isdigit() else "all clients"
    if action in AuditEvent.Action.values:
        what += f", {action}"
    record(ctx, AuditEvent.Action.VIEW, ctx.user, client=shown, summary=f"audit log ({what})")
