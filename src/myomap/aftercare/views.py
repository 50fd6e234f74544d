"""The check-in page the e-mailed link opens: no sign-in, the signed one-time link is the
key; used, replaced or expired, it says so."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from myomap.aftercare import actions
from myomap.aftercare.forms import CheckInForm
from myomap.audit.log import Context
from myomap.records.errors import ActionError


@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, secret: str) -> HttpResponse:
    ctx = Context.of(request)
    try:
        found = actions.check_in_for(secret, ctx.now)
    except actions.LinkRefused as refused:
        return render(request, "aftercare/refused.html", {"why": str(refused)}, status=410)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            answered = actions.answer_check_in(ctx, found, **form.answers())  # type: ignore[arg-type]
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return render(request, "aftercare/thanks.html", {"check_in": answered})
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "clinic": found.clinic.name, "given_name": found.client.given_name}
    response = render(request, "aftercare/check_in.html", context, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never passed on
    return response
