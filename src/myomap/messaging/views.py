"""The pages of messaging: a client's channels on their record (the therapist's form), the
clinic's wording of its messages (Clinic > Messages, for its admins), and the client's
"stop these messages" link (no sign-in: the signed link is the key)."""

from __future__ import annotations

from django.contrib import messages as notices
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from myomap.audit.log import Context
from myomap.clients import queries as clients
from myomap.messaging import channels, queries, wording
from myomap.messaging.models import Purpose
from myomap.records.access import admin_required, staff_required
from myomap.records.errors import ActionError


@require_POST
@staff_required
def set_channels(request: HttpRequest, pk: int) -> HttpResponse:
    client = clients.client_for(request.user, pk)
    choices = {p: request.POST.get(p, "") for p in Purpose.values if p in request.POST}
    back = reverse("clients:detail", args=[client.pk]) + "#channels"
    try:
        channels.set_channels(Context.of(request), client, choices)
    except ActionError as exc:
        notices.error(request, exc.message)
        return redirect(back)
    notices.success(request, f"{client}'s message channels are saved.")
    return redirect(back)


@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (a mail scanner opening the link turns nothing off); POST turns it off."""
    context: dict[str, object] = {"token": token}
    try:
        client, purpose = channels.stop_for(token)
        context.update(clinic=client.clinic.name, what=Purpose(purpose).label.lower())
        if request.method == "POST":
            channels.stop(Context.of(request), token)
            context["done"] = True
    except ActionError as exc:
        context["problem"] = exc.message
        response = render(request, "messaging/stop.html", context, status=exc.status)
    else:
        response = render(request, "messaging/stop.html", context)
    response["Cache-Control"] = "no-store"
    # The site's Referrer-Policy (same-origin) keeps the link from other sites; "no-referrer"
    # would make the browser post "Origin: null", which the CSRF check refuses.
    return response


@require_http_methods(["GET"])
@admin_required
def messages_page(request: HttpRequest) -> HttpResponse:
    rows = queries.messages_of(request.user.clinic_id)  # type: ignore[union-attr,arg-type]
    return render(request, "messaging/messages.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@admin_required
def wording_page(request: HttpRequest, name: str) -> HttpResponse:
    found = wording.MESSAGES.get(name)
    if found is None:
        raise Http404("no such message")
    clinic = request.user.clinic  # type: ignore[union-attr]
    assert clinic is not None  # admin_required: an admin of a clinic
    subject, body, own = wording.wording_for(clinic.pk, name)
    problem, field, shown = "", "", None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "preview")
        if action == "default":
            if wording.reset_wording(Context.of(request), name):
                notices.success(request, f"“{found.label}” is back to the default wording.")
            return redirect("messaging:wording", name=name)
        subject = request.POST.get("subject", "")
        body = request.POST.get("body", "").replace("\r\n", "\n")
        try:
            if action == "save":
                wording.set_wording(Context.of(request), name, subject, body)
                notices.success(request, f"“{found.label}” now has your clinic's wording.")
                return redirect("messaging:wording", name=name)
            shown = wording.preview(name, subject, body, clinic.name)
        except ActionError as exc:
            problem, field, status = exc.message, exc.field or "", 400
    if shown is None and not problem:
        try:
            shown = wording.preview(name, subject, body, clinic.name)
        except ActionError as exc:  # the clinic's stored wording no longer renders
            problem, field = (
                f"{exc.message} (until it is mended the default is sent)",
                exc.field or "",
            )
    context = {
        "message": found,
        "subject": subject,
        "body": body,
        "own": own,
        "shown": shown,
        "problem": problem,
        "field": field,
        "stop": f"No more {Purpose(found.purpose).label.lower()}? (a one-time link)",
    }
    return render(request, "messaging/wording.html", context, status=status)
