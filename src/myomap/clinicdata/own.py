"""A client's own data (/me/data/): their record as a FHIR Bundle, and their signed notes
as PDFs (the note's own /visits/<id>/note.pdf), for a client signed in to the portal. The
export is `interop.ops.fhir_download`, as for the clinic admin's download: a client sees
(and so downloads) only their own record and only the signed versions of their notes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.interop import gather, ops


def _own(request: HttpRequest) -> Client:
    client = getattr(request.user, "client_record", None)
    if getattr(request.user, "role", "") != "client" or client is None:
        raise PermissionDenied("a client's own data only")
    return client  # type: ignore[no-any-return]


@require_GET
@login_required
def page(request: HttpRequest) -> HttpResponse:
    client = _own(request)
    rows = gather.rows_of(request.user, client)
    notes = [v.visit for v in rows.visits if v.signed is not None]
    record(Context.of(request), AuditEvent.Action.VIEW, client, summary="portal: my data")
    return render(request, "clinic/own_data.html", {"client": client, "notes": notes})


@require_GET
@login_required
def fhir(request: HttpRequest) -> StreamingHttpResponse:
    client = _own(request)
    ctx = Context.of(request)
    name = f"my-record-{ctx.now:%Y-%m-%d}.fhir.json"
    response = StreamingHttpResponse(
        ops.fhir_download(ctx, client.pk, name), content_type="application/fhir+json"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
