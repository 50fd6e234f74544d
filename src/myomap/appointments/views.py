"""The calendar's pages: a therapist's day and week (server-rendered, for a tablet), the
booking form, an appointment with its cancel, no-show and start-a-visit buttons, and the
therapist's hours and time off. Every time is shown in the clinic's time zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from myomap.appointments import actions, ics, queries, slots
from myomap.appointments.forms import (
    BookingForm,
    HoursForm,
    TimeOffForm,
    TimeZoneForm,
    local_moment,
)
from myomap.appointments.models import TimeOff
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.records.access import staff_required
from myomap.records.errors import ActionError
from myomap.visits import actions as visit_actions

DEFAULT_MINUTES = 60


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], zone: Any, status: int = 200
) -> HttpResponse:
    # Django shows aware times in the current zone: the clinic's, for this page.
    with timezone.override(zone):
        context["zone"] = zone.key
        return render(request, template, context, status=status)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Http404("no such day") from None


def _therapist_param(request: HttpRequest) -> int | None:
    value = request.GET.get("therapist", "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def _minutes_param(request: HttpRequest) -> int:
    value = request.GET.get("minutes", "")
    if value.isdigit() and slots.MIN_MINUTES <= int(value) <= slots.MAX_MINUTES:
        return int(value) - int(value) % slots.UNIT_MINUTES
    return DEFAULT_MINUTES


@require_GET
@staff_required
def calendar(request: HttpRequest) -> HttpResponse:
    """Today, on the clinic's clock."""
    zone = queries.clinic_of(request.user).zone
    today = Context.of(request).now.astimezone(zone).date()
    url = reverse("appointments:day", args=[today.isoformat()])
    therapist = _therapist_param(request)
    return redirect(f"{url}?therapist={therapist}" if therapist else url)


@require_GET
@staff_required
def day_view(request: HttpRequest, day: str) -> HttpResponse:
    ctx = Context.of(request)
    date = _day(day)
    zone = queries.clinic_of(request.user).zone
    therapist = queries.therapist_for(request.user, _therapist_param(request))
    minutes = _minutes_param(request)
    begin, end = slots.day_bounds(date, zone)
    rows = queries.between(therapist, begin, end, zone)
    free = queries.open_starts(therapist, date, zone, minutes, ctx.now)
    record(
        ctx,
        AuditEvent.Action.VIEW,
        None,
        summary=f"calendar of {therapist.get_username()} on {date}",
    )
    context = {
        "day": date,
        "therapist": therapist,
        "therapists": queries.therapists_of(request.user),
        "rows": rows,
        "free": [(moment, moment.astimezone(zone)) for moment in free],
        "minutes": minutes,
        "hours": [h for h in queries.hours_of(therapist) if h.weekday == date.weekday()],
        "away": list(queries.time_off_between(therapist, begin, end)),
        "previous": date - dt.timedelta(days=1),
        "next": date + dt.timedelta(days=1),
        "hours_long": round((end - begin).total_seconds() / 3600),
    }
    return _render(request, "appointments/day.html", context, zone)


@require_GET
@staff_required
def week_view(request: HttpRequest, day: str) -> HttpResponse:
    ctx = Context.of(request)
    days = slots.week_of(_day(day))
    zone = queries.clinic_of(request.user).zone
    therapist = queries.therapist_for(request.user, _therapist_param(request))
    begin = slots.day_bounds(days[0], zone)[0]
    end = slots.day_bounds(days[-1], zone)[1]
    rows = queries.between(therapist, begin, end, zone)
    record(
        ctx,
        AuditEvent.Action.VIEW,
        None,
        summary=f"calendar of {therapist.get_username()}, week of {days[0]}",
    )
    hours = queries.hours_of(therapist)
    week = [
        {
            "day": d,
            "rows": [r for r in rows if r.starts.date() == d],
            "hours": [h for h in hours if h.weekday == d.weekday()],
        }
        for d in days
    ]
    context = {
        "week": week,
        "therapist": therapist,
        "therapists": queries.therapists_of(request.user),
        "previous": days[0] - dt.timedelta(days=7),
        "next": days[0] + dt.timedelta(days=7),
        "monday": days[0],
    }
    return _render(request, "appointments/week.html", context, zone)


def _booking_form(request: HttpRequest, zone: Any, data: Any = None) -> BookingForm:
    initial: dict[str, Any] = {"minutes": _minutes_param(request)}
    therapist = _therapist_param(request)
    initial["therapist"] = therapist or request.user.pk
    client = request.GET.get("client", "")
    if client.isdigit():
        initial["client"] = int(client)
    start = request.GET.get("start", "")
    try:
        local = dt.datetime.fromisoformat(start).astimezone(zone) if start else None
    except ValueError:
        local = None
    if local is not None:
        initial["day"], initial["time"] = local.date(), local.time().replace(second=0)
    return BookingForm(
        data,
        initial=initial,
        clients=queries.clients_of(request.user),
        therapists=queries.therapists_of(request.user),
        zone=zone,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def book(request: HttpRequest) -> HttpResponse:
    zone = queries.clinic_of(request.user).zone
    form = _booking_form(request, zone, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = actions.book(
                Context.of(request),
                client=data["client"],
                therapist=data["therapist"],
                starts_at=data["starts_at"],
                minutes=data["minutes"],
            )
        except ActionError as exc:
            field = {"starts_at": "time"}.get(exc.field or "", exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, "The appointment is booked.")
            return redirect("appointments:detail", pk=appointment.pk)
    status = 400 if request.method == "POST" else 200
    return _render(request, "appointments/book.html", {"form": form}, zone, status=status)


@require_GET
@staff_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = queries.appointment_for(request.user, pk)
    zone = appointment.clinic.zone
    ctx = Context.of(request)
    record(ctx, AuditEvent.Action.VIEW, appointment, summary="appointment viewed")
    context = {
        "appointment": appointment,
        "starts": appointment.starts_at.astimezone(zone),
        "ends": appointment.ends_at.astimezone(zone),
        "begun": appointment.starts_at <= ctx.now,
        "intake": queries.latest_intake(appointment.client),
    }
    return _render(request, "appointments/detail.html", context, zone)


def _on_appointment(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    appointment = queries.appointment_for(request.user, pk)
    try:
        action(Context.of(request), appointment)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("appointments:detail", pk=appointment.pk)


@require_POST
@staff_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _on_appointment(request, pk, actions.cancel, "The appointment is cancelled.")


@require_POST
@staff_required
def no_show(request: HttpRequest, pk: int) -> HttpResponse:
    return _on_appointment(request, pk, actions.mark_no_show, "Recorded: the client did not come.")


@require_POST
@staff_required
def start_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """The visit of this appointment, through the visits' own start (from the client's
    latest intake); the same visit again if it was started already."""
    appointment = queries.appointment_for(request.user, pk)
    if appointment.visit_id is not None:
        return redirect("visits:detail", pk=appointment.visit_id)
    intake = queries.latest_intake(appointment.client)
    if intake is None:
        messages.error(request, "Record an intake first: a visit starts from one.")
        return redirect("clients:detail", pk=appointment.client_id)
    ctx = Context.of(request)
    try:
        visit = visit_actions.start_visit(
            ctx, appointment.client, intake, key=f"appointment-{appointment.pk}"
        )
        actions.link_visit(ctx, appointment, visit)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("appointments:detail", pk=appointment.pk)
    return redirect("visits:detail", pk=visit.pk)


@require_http_methods(["GET", "POST"])
@staff_required
def hours(request: HttpRequest) -> HttpResponse:
    """A therapist's weekly hours and time off; for an admin, any therapist's, and the
    clinic's time zone."""
    ctx = Context.of(request)
    clinic = queries.clinic_of(request.user)
    therapist = queries.therapist_for(
        request.user,
        _therapist_param(request) if request.user.is_clinic_admin else None,  # type: ignore[union-attr]
    )
    here = reverse("appointments:hours") + (
        f"?therapist={therapist.pk}" if therapist.pk != request.user.pk else ""
    )
    text = "\n".join(str(h) for h in queries.hours_of(therapist))
    hours_form = HoursForm(initial={"hours": text})
    off_form = TimeOffForm()
    zone_form = TimeZoneForm(initial={"time_zone": clinic.time_zone})
    status = 200
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "hours":
                hours_form = HoursForm(request.POST)
                if hours_form.is_valid():
                    actions.set_weekly_hours(ctx, therapist, hours_form.cleaned_data["hours"])
                    messages.success(request, "The weekly hours are saved.")
                    return redirect(here)
            elif which == "time_off":
                off_form = TimeOffForm(request.POST)
                if off_form.is_valid():
                    d = off_form.cleaned_data
                    actions.add_time_off(
                        ctx,
                        therapist,
                        local_moment(d["first_day"], dt.time(0), clinic.zone, "first_day"),
                        local_moment(
                            d["last_day"] + dt.timedelta(days=1),
                            dt.time(0),
                            clinic.zone,
                            "last_day",
                        ),
                        d["note"],
                    )
                    messages.success(request, "The time off is saved.")
                    return redirect(here)
            elif which == "remove_time_off":
                off = TimeOff.objects.filter(
                    pk=request.POST.get("pk", "0") if request.POST.get("pk", "").isdigit() else 0,
                    therapist=therapist,
                ).first()
                if off is None:
                    raise Http404("no such time off")
                actions.remove_time_off(ctx, off)
                messages.success(request, "The time off is removed.")
                return redirect(here)
            elif which == "time_zone":
                zone_form = TimeZoneForm(request.POST)
                if zone_form.is_valid():
                    actions.set_time_zone(ctx, zone_form.cleaned_data["time_zone"])
                    messages.success(request, "The clinic's time zone is saved.")
                    return redirect(here)
        except ActionError as exc:
            form = {"hours": hours_form, "time_off": off_form, "time_zone": zone_form}.get(
                which or ""
            )
            if form is None:
                messages.error(request, exc.message)
            else:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        status = 400
    context = {
        "therapist": therapist,
        "therapists": queries.therapists_of(request.user),
        "hours_form": hours_form,
        "off_form": off_form,
        "zone_form": zone_form,
        "time_off": TimeOff.objects.filter(therapist=therapist, ends_at__gt=ctx.now),
        "clinic": clinic,
    }
    return _render(request, "appointments/hours.html", context, clinic.zone, status=status)


ICS = "text/calendar; charset=utf-8"


@require_GET
@staff_required
def appointment_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One appointment as a calendar file, to add to a calendar by hand."""
    appointment = queries.appointment_for(request.user, pk)
    response = HttpResponse(ics.one(appointment, Context.of(request).now), content_type=ICS)
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    return response


@require_http_methods(["GET", "POST"])
@staff_required
def feed_page(request: HttpRequest) -> HttpResponse:
    """The therapist's private feed link: made (shown once), replaced or revoked."""
    ctx = Context.of(request)
    link = None
    if request.method == "POST":
        if request.POST.get("do") == "revoke":
            actions.revoke_calendar_feed(ctx)
            messages.success(request, "The feed link is revoked: calendars using it stop updating.")
            return redirect("appointments:feed_page")
        _, secret = actions.new_calendar_feed(ctx)
        link = request.build_absolute_uri(reverse("appointments:feed", args=[secret]))
    zone = queries.clinic_of(request.user).zone
    context = {"link": link, "live": queries.live_feed_of(request.user)}
    response = _render(request, "appointments/feed.html", context, zone)
    if link is not None:
        response["Cache-Control"] = "no-store"  # the link is on this answer only
    return response


@require_GET
def feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The subscription feed: no sign-in (a phone's calendar fetches it), the secret in
    the address instead; an unknown or revoked one is 404."""
    found = queries.feed_for(secret)
    if found is None:
        raise Http404("no such feed")
    now = Context.of(request).now
    therapist = found.therapist
    name = f"Myomap: {therapist.get_full_name() or therapist.username}"
    body = ics.feed(name, queries.feed_appointments(therapist, now), now)
    response = HttpResponse(body, content_type=ICS)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def client_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """A client's subscription feed: no sign-in, the signed secret in the address; an
    unknown or revoked one is 404. Only "Appointment at <clinic>" and the times."""
    found = queries.client_feed_for(secret)
    if found is None:
        raise Http404("no such feed")
    now = Context.of(request).now
    clinic = found.client.clinic
    body = ics.feed(
        f"Appointments at {clinic.name}", queries.client_feed_appointments(found.client, now), now
    )
    response = HttpResponse(body, content_type=ICS)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@staff_required
def client_feed_change(request: HttpRequest, pk: int) -> HttpResponse:
    """From the client's record: make a new feed link for the client, or revoke theirs."""
    found = queries.client_for(request.user, pk)
    ctx = Context.of(request)
    try:
        if request.POST.get("do") == "revoke":
            actions.revoke_client_feed(ctx, found)
            messages.success(request, "The client's calendar link is revoked.")
        else:
            actions.new_client_feed(ctx, found)
            messages.success(request, "A calendar link for the client is made.")
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("clients:detail", args=[found.pk]) + "#calendar-link")
