"""The visit's printable documents: the session note as a PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.documents.pdf import pdf_response
from myomap.visits import queries


@require_GET
@login_required
def note_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The newest version of the note this person may read (a client: the newest signed
    one), as a PDF; a draft says on its face that it is not signed, and a visit without a
    note gives a page saying so, as the note's page does."""
    visit = queries.visit_for(request.user, pk)
    versions = queries.versions_for(request.user, visit)
    version = versions[-1] if versions else None
    shown = f"session note v{version.number}" if version else "session note (none yet)"
    context = {
        "visit": visit,
        "client": visit.client,
        "version": version,
        "clinic_name": getattr(getattr(request.user, "clinic", None), "name", "")
        or visit.client.clinic.name,
        "printed_at": timezone.now(),
    }
    started = timezone.localtime(visit.started_at)
    number = f"-v{version.number}" if version else ""
    name = f"note-{visit.client.family_name}-{started:%Y-%m-%d}{number}.pdf"
    ctx = Context.of(request)
    return pdf_response(
        request,
        "visits/note_pdf.html",
        context,
        name,
        audit=lambda: record(ctx, AuditEvent.Action.VIEW, visit, summary=f"{shown} as PDF"),
    )
