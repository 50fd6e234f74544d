"""The home program as a printable PDF handout: the clinic's name, each exercise's
picture, steps, dose and precautions, and a QR code to the client's live program.
Made by the documents package (WeasyPrint, imported only when a PDF is made; a server
without its libraries answers 503 saying what to install)."""

from __future__ import annotations

import re
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.queries import client_for
from myomap.core import program as core
from myomap.core.kb import load_default
from myomap.documents.pdf import pdf_response
from myomap.program import queries

# An inline SVG keeps no XML declaration, and no ids: several on one page would clash.
_DECLARATION = re.compile(r"<\?xml[^>]*\?>\s*")
_IDS = re.compile(r'\s(?:id|aria-labelledby)="[^"]*"')


def inline_svg(text: str) -> SafeString:
    """A project SVG (an exercise's drawing, a QR code made here) to put in the page."""
    return mark_safe(_IDS.sub("", _DECLARATION.sub("", text)))


def qr_svg(text: str) -> SafeString:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, border=2)
    return inline_svg(image.to_string(encoding="unicode"))


@require_GET
@login_required
def handout_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's program as a PDF: for the clinic's staff and for the client themself
    (another clinic's record, or another client's, is a 404, as everywhere)."""
    client = client_for(request.user, pk)
    kb = load_default()
    program = queries.program_of(request.user, client)
    held = queries.ruled_out(client)
    items = [
        i
        for i in queries.current_items(program)
        if i.exercise in kb.exercises and i.exercise not in held
    ]
    rows: list[dict[str, Any]] = []
    for item in items:
        exercise = kb.exercises[item.exercise]
        precautions = list(exercise.precautions)
        if exercise.category == core.SELF_RELEASE:
            precautions += core.rules(kb).self_release_precautions
        drawing = (kb.root / exercise.illustration).read_text(encoding="utf-8")
        rows.append(
            {
                "item": item,
                "exercise": exercise,
                "precautions": precautions,
                "svg": inline_svg(drawing),
            }
        )
    record(
        Context.of(request),
        AuditEvent.Action.VIEW,
        program or client,
        summary="home program handout as PDF",
    )
    live = request.build_absolute_uri("/me/")
    context = {
        "client": client,
        "rows": rows,
        "clinic_name": client.clinic.name,
        "printed_at": timezone.now(),
        "live_url": live,
        "qr": qr_svg(live),
    }
    return pdf_response(
        request, "program/handout_pdf.html", context, f"home-program-{client.family_name}.pdf"
    )
