"""The client's outcomes as a printable progress report (a PDF): each questionnaire's
change in words, its plot with the minimal important change shaded, and its scores."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.queries import client_for
from myomap.documents.pdf import pdf_response
from myomap.outcomes import pages


@require_GET
@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_for(request.user, pk)
    now = timezone.now()
    context = pages.section(request.user, client) | {
        "clinic_name": client.clinic.name,
        "printed_at": now,
    }
    name = f"outcomes-{client.family_name}-{timezone.localtime(now):%Y-%m-%d}.pdf"
    ctx = Context.of(request)
    return pdf_response(
        request,
        "outcomes/report_pdf.html",
        context,
        name,
        audit=lambda: record(ctx, AuditEvent.Action.VIEW, client, summary="outcomes report as PDF"),
    )
