"""The check-in page the e-mailed link opens: no sign-in, the signed one-time link is the
key; used, replaced or expired, it says so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from myomap.aftercare import actions, booking, queries, recheck, relief
from myomap.aftercare.forms import BookForm, CheckInForm, RecheckForm, ReliefForm
from myomap.aftercare.models import ReliefCheck
from myomap.appointments.queries import client_feed_link, clinic_of
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.records.access import staff_required
from myomap.records.errors import ActionError


@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, secret: str) -> HttpResponse:
    ctx = Context.of(request)
    try:
        found = actions.check_in_for(secret, ctx.now)
    except actions.LinkRefused as refused:
        return _refused(request, refused)
    form = CheckInForm(request.POST or None)
    answered = _answer(request, form, lambda: actions.answer_check_in(ctx, found, **form.answers()))  # type: ignore[arg-type]
    if answered is not None:
        thanks: dict[str, Any] = {
            "check_in": answered,
            "calendar_link": client_feed_link(request, answered.client),
        }
        return _no_store(render(request, "aftercare/thanks.html", thanks))
    context = {"form": form, "clinic": found.clinic.name, "given_name": found.client.given_name}
    # The site's Referrer-Policy (same-origin) keeps the link, the key, from other sites;
    # "no-referrer" would make the browser send "Origin: null" and fail the CSRF check.
    return _no_store(render(request, "aftercare/check_in.html", context, status=_status(request)))


def _answer(request: HttpRequest, form: Any, act: Callable[[], Any]) -> Any | None:
    """A question's answer posted: `act` (its action) on a valid form, what it answers;
    None on a GET, an invalid form or a refusal (then shown at its field)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return act()
    except ActionError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


def _status(request: HttpRequest) -> int:
    return 400 if request.method == "POST" else 200  # a POST that reached the form: refused


def _refused(request: HttpRequest, refused: Exception) -> HttpResponse:
    """A link that no longer works, saying why (expired, used, replaced, not ours)."""
    return render(request, "aftercare/refused.html", {"why": str(refused)}, status=410)


@require_GET
@staff_required
def alerts(request: HttpRequest) -> HttpResponse:
    """The check-ins whose answers need a therapist: red flags and soreness not fading."""
    ctx = Context.of(request)
    open_alerts = list(queries.alerts_for(request.user)[:100])
    seen = list(queries.alerts_for(request.user, seen=True)[:20])
    record(ctx, AuditEvent.Action.VIEW, None, summary="check-in alerts")
    zone = clinic_of(request.user).zone
    with timezone.override(zone):
        relief_rows = queries.recent_relief(request.user)
        clients = list({row[1].pk: row[1] for row in relief_rows}.values())
        context = {
            "open": open_alerts,
            "seen": seen,
            "relief": relief_rows,
            "rebooking": queries.rebooking(request.user, clients, ctx.now),
        }
        return render(request, "aftercare/alerts.html", context)


@require_POST
@staff_required
def seen(request: HttpRequest, pk: int) -> HttpResponse:
    check_in = queries.check_in_for_staff(request.user, pk)
    try:
        actions.mark_seen(Context.of(request), check_in)
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("aftercare:alerts")


@require_http_methods(["GET", "POST"])
def relief_question(request: HttpRequest, secret: str) -> HttpResponse:
    """ "Is the pain back?" from the e-mailed one-time link."""
    ctx = Context.of(request)
    try:
        found = relief.check_for(secret, ctx.now)
    except actions.LinkRefused as refused:
        return _refused(request, refused)
    form = ReliefForm(request.POST or None)
    answered = _answer(
        request,
        form,
        lambda: relief.answer(
            ctx,
            found,
            back=form.cleaned_data["back"] == "yes",
            pain_now=form.cleaned_data["pain_now"],
        ),
    )
    if answered is not None:
        context = {"check": answered, **_booking(request, answered, secret, ctx.now)}
        return _no_store(_on_clinic_clock(request, "aftercare/relief_thanks.html", context))
    context = {
        "form": form,
        "clinic": found.clinic.name,
        "given_name": found.client.given_name,
        "day": found.day,
        **_booking(request, found, secret, ctx.now),
    }
    return _no_store(_on_clinic_clock(request, "aftercare/relief.html", context, _status(request)))


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"  # the link, the key, is in the page
    return response


def _on_clinic_clock(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    with timezone.override(context["check"].clinic.zone):
        return render(request, template, context, status=status)


def _booking(
    request: HttpRequest, check: ReliefCheck, secret: str, now: dt.datetime
) -> dict[str, Any]:
    """What a relief page shows of the next session (`queries.next_session`) and the
    client's calendar link if the clinic made one."""
    shown = queries.next_session(check, now)
    return {
        "check": check,
        "offer": shown.offer,
        "booked": shown.booked,
        "used": shown.used,
        "book_url": reverse("aftercare:relief_book", args=[secret]),
        "calendar_link": client_feed_link(request, check.client),
    }


@require_POST
def relief_book(request: HttpRequest, secret: str) -> HttpResponse:
    """The client books one of the offered times from the relief question's link (the
    link's secret is in the address: the key, no sign-in). Refused naming why: the time was
    taken meanwhile (the database's rule against a double booking decides), has passed,
    is not one offered, or the link no longer works."""
    ctx = Context.of(request, via="check-in")
    try:
        found = booking.check_for(secret, ctx.now)
    except actions.LinkRefused as refused:
        return _refused(request, refused)
    form = BookForm(request.POST)
    error = ""
    if not form.is_valid():
        error = str(form.errors["start"][0])
    else:
        try:
            booking.book_offered(ctx, found, form.cleaned_data["start"])
        except ActionError as exc:
            error = f"Not booked: {exc.message}. Choose another time below."
    found.refresh_from_db()
    context = {"error": error, **_booking(request, found, secret, ctx.now)}
    status = 400 if form.errors else 409 if error else 200
    return _no_store(_on_clinic_clock(request, "aftercare/relief_booking.html", context, status))


@require_http_methods(["GET", "POST"])
def soreness_again(request: HttpRequest, secret: str) -> HttpResponse:
    """ "Is the soreness fading now?" from the e-mailed one-time link, asked when the
    check-in found it not fading."""
    ctx = Context.of(request)
    try:
        found = recheck.recheck_for(secret, ctx.now)
    except actions.LinkRefused as refused:
        return _refused(request, refused)
    form = RecheckForm(request.POST or None)
    answered = _answer(
        request,
        form,
        lambda: recheck.answer(
            ctx,
            found,
            soreness=form.cleaned_data["soreness"],
            fading=form.cleaned_data["fading"] == "yes",
        ),
    )
    if answered is not None:
        return _no_store(render(request, "aftercare/recheck_thanks.html", {"recheck": answered}))
    context = {"form": form, "clinic": found.clinic.name, "given_name": found.client.given_name}
    return _no_store(render(request, "aftercare/recheck.html", context, status=_status(request)))
