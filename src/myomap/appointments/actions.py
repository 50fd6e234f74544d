"""Named actions on appointments and calendars, shared by the web pages (and later the API
and the command line). Each runs in one transaction with its audit event inside it; a
refusal is `Invalid` naming what is wrong and saves nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from myomap.accounts.models import Clinic, User, validate_time_zone
from myomap.appointments import reminders, slots
from myomap.appointments.models import (
    Appointment,
    CalendarFeed,
    ClientFeed,
    Occupied,
    TimeOff,
    WeeklyHours,
)
from myomap.audit.insert import insert_event
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.records.errors import Conflict, Forbidden, Invalid
from myomap.records.guards import require_clinic, require_staff


def _when(moment: dt.datetime, zone: Any) -> str:
    return f"{moment.astimezone(zone):%a %-d %b %Y %H:%M}"


def _span(appointment: Appointment, zone: Any) -> str:
    end = appointment.ends_at.astimezone(zone)
    return f"{_when(appointment.starts_at, zone)}-{end:%H:%M}"


def _require_therapist(ctx: Context, therapist: User) -> None:
    if (
        therapist.clinic_id != ctx.user.clinic_id
        or not therapist.is_active
        or therapist.role not in (User.Role.THERAPIST, User.Role.ADMIN)
    ):
        raise Invalid("choose a therapist of your clinic", "therapist")


@transaction.atomic
def book(
    ctx: Context, *, client: Client, therapist: User, starts_at: dt.datetime, minutes: int
) -> Appointment:
    """Book `client` with `therapist` at `starts_at` for `minutes`. Refused, naming the
    conflict, when the time is past, outside the therapist's hours, in their time off, or
    taken (by an appointment seen now, or by one committed a moment ago: the database's
    one-row-per-unit constraint decides, see models.py)."""
    require_clinic(ctx, client)
    _require_therapist(ctx, therapist)
    appointment = _book(ctx, client, therapist, starts_at, minutes, ctx.user, Appointment.Via.STAFF)
    record(
        ctx,
        AuditEvent.Action.CREATE,
        appointment,
        summary=f"appointment booked for {_span(appointment, appointment.clinic.zone)} "
        f"with {_name(therapist)}",
    )
    return appointment


@transaction.atomic
def book_from_check_in(
    ctx: Context, *, client: Client, therapist: User, starts_at: dt.datetime, minutes: int
) -> Appointment:
    """The client books themself, from the signed link of an aftercare e-mail (the caller
    has opened the link: it is the key, there is no sign-in). The same refusals as `book`,
    the same database rule against a double booking; audited with the client as the actor
    (their portal account when they have one), via "check-in"."""
    if (
        therapist.clinic_id != client.clinic_id
        or not therapist.is_active
        or therapist.role not in (User.Role.THERAPIST, User.Role.ADMIN)
    ):
        raise Invalid("that therapist does not take bookings here", "therapist")
    account = client.user if client.user_id else None
    appointment = _book(
        ctx, client, therapist, starts_at, minutes, account, Appointment.Via.CHECK_IN
    )
    insert_event(
        at=ctx.now,
        actor_id=account.pk if account else None,
        actor_name=(account.get_username() if account else f"client {client}")[:150],
        clinic_id=client.clinic_id,
        client_id=client.pk,
        client_label=str(client),
        action=AuditEvent.Action.CREATE,
        object_type="Appointment",
        object_id=str(appointment.pk),
        summary=f"appointment booked by the client for "
        f"{_span(appointment, appointment.clinic.zone)} with {_name(therapist)}",
        path=ctx.path,
        ip=ctx.ip,
        user_agent=ctx.user_agent,
        via="check-in",
    )
    return appointment


def _name(therapist: User) -> str:
    return therapist.get_full_name() or therapist.username


def _book(
    ctx: Context,
    client: Client,
    therapist: User,
    starts_at: dt.datetime,
    minutes: int,
    created_by: User | None,
    via: str,
) -> Appointment:
    clinic = Clinic.objects.get(pk=client.clinic_id)
    zone = clinic.zone
    name = _name(therapist)
    refuse_unbookable(therapist, starts_at, minutes, zone, ctx.now)
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    appointment = Appointment.objects.create(
        clinic_id=client.clinic_id,
        client=client,
        therapist=therapist,
        starts_at=starts_at,
        minutes=minutes,
        created_by=created_by,
        booked_via=via,
        created_at=ctx.now,
    )
    try:
        with transaction.atomic():
            Occupied.objects.bulk_create(
                Occupied(appointment=appointment, therapist=therapist, unit=unit)
                for unit in slots.units(starts_at, minutes)
            )
    except IntegrityError:
        # Booked by someone else between our look and our write: the database refused.
        _refuse_if_taken(therapist, starts_at, ends_at, zone, name)
        raise Invalid(f"{name} is already booked then", "starts_at") from None
    appointment.clinic = clinic
    reminders.schedule(appointment, ctx.now)
    return appointment


def refuse_unbookable(
    therapist: User, starts_at: dt.datetime, minutes: int, zone: Any, now: dt.datetime
) -> None:
    """`Invalid` naming why `therapist` cannot be booked at `starts_at` for `minutes` as
    the calendar stands now (a malformed length or start, past, outside their hours, in
    their time off, taken); nothing when they can. `book` writes only after this, and the
    database's rule still decides a booking committed in between."""
    name = _name(therapist)
    if starts_at.tzinfo is None:
        raise Invalid("the start needs a time zone", "starts_at")
    if not slots.MIN_MINUTES <= minutes <= slots.MAX_MINUTES or minutes % slots.UNIT_MINUTES:
        raise Invalid(
            f"an appointment lasts {slots.MIN_MINUTES}-{slots.MAX_MINUTES} minutes in steps "
            f"of {slots.UNIT_MINUTES}, not {minutes}",
            "minutes",
        )
    if not slots.on_boundary(starts_at):
        raise Invalid(
            f"an appointment starts on the {slots.UNIT_MINUTES}-minute mark, not at "
            f"{starts_at.astimezone(zone):%H:%M:%S}",
            "starts_at",
        )
    if starts_at < now:
        raise Invalid(f"{_when(starts_at, zone)} is in the past", "starts_at")
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    hours = [slots.Hours(h.weekday, h.starts, h.ends) for h in therapist.weekly_hours.all()]
    if not slots.within_hours(starts_at, minutes, zone, hours):
        local = starts_at.astimezone(zone)
        day = [str(h) for h in hours if h.weekday == local.weekday()]
        works = (
            f"works {', '.join(day)}"
            if day
            else f"does not work on {slots.WEEKDAYS[local.weekday()]}s"
        )
        raise Invalid(
            f"{name} is not available {_when(starts_at, zone)}-{ends_at.astimezone(zone):%H:%M}: "
            f"{name} {works}",
            "starts_at",
        )
    away = TimeOff.objects.filter(
        therapist=therapist, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).first()
    if away is not None:
        raise Invalid(
            f"{name} is away {away.words(zone)}",
            "starts_at",
        )
    _refuse_if_taken(therapist, starts_at, ends_at, zone, name)


def _refuse_if_taken(
    therapist: User, starts_at: dt.datetime, ends_at: dt.datetime, zone: Any, name: str
) -> None:
    clash = (
        Appointment.objects.filter(
            therapist=therapist,
            status__in=(Appointment.Status.BOOKED, Appointment.Status.NO_SHOW),
            units__unit__in=slots.units(
                starts_at, int((ends_at - starts_at).total_seconds() // 60)
            ),
        )
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        raise Invalid(f"{name} already has an appointment {_span(clash, zone)}", "starts_at")


def _locked(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_for_update().select_related("client").get(pk=appointment.pk)


@transaction.atomic
def cancel(ctx: Context, appointment: Appointment) -> Appointment:
    """Cancel a booked appointment: its time is free again, its reminders are not sent."""
    require_clinic(ctx, appointment.client)
    appointment = _locked(appointment)
    if appointment.status != Appointment.Status.BOOKED:
        raise Conflict(
            f"only a booked appointment can be cancelled; this one is "
            f"{appointment.get_status_display().lower()}",
            "status",
        )
    Occupied.objects.filter(appointment=appointment).delete()
    appointment.status = Appointment.Status.CANCELLED
    appointment.changed_by, appointment.changed_at = ctx.user, ctx.now
    appointment.save(update_fields=["status", "changed_by", "changed_at"])
    record(ctx, AuditEvent.Action.UPDATE, appointment, summary="appointment cancelled")
    reminders.cancel(appointment, ctx.now)
    return appointment


@transaction.atomic
def mark_no_show(ctx: Context, appointment: Appointment) -> Appointment:
    """The client did not come: recorded once the appointment's time has begun."""
    require_clinic(ctx, appointment.client)
    appointment = _locked(appointment)
    if appointment.status != Appointment.Status.BOOKED:
        raise Conflict(
            f"only a booked appointment can be marked as missed; this one is "
            f"{appointment.get_status_display().lower()}",
            "status",
        )
    if appointment.starts_at > ctx.now:
        raise Invalid("an appointment can be marked as missed only once it has begun", "status")
    appointment.status = Appointment.Status.NO_SHOW
    appointment.changed_by, appointment.changed_at = ctx.user, ctx.now
    appointment.save(update_fields=["status", "changed_by", "changed_at"])
    record(ctx, AuditEvent.Action.UPDATE, appointment, summary="client did not come")
    return appointment


@transaction.atomic
def link_visit(ctx: Context, appointment: Appointment, visit: Any) -> Appointment:
    """The visit started from this appointment (visits.actions.start_visit made it)."""
    require_clinic(ctx, appointment.client)
    if visit.client_id != appointment.client_id:
        raise Invalid("that visit belongs to another client", "visit")
    Appointment.objects.filter(pk=appointment.pk).update(visit=visit)
    appointment.visit = visit
    return appointment


@transaction.atomic
def set_weekly_hours(
    ctx: Context, therapist: User, hours: Sequence[tuple[int, dt.time, dt.time]]
) -> list[WeeklyHours]:
    """Replace the therapist's weekly hours. Their own, or any of the clinic's for an
    admin. Each stretch must end after it starts; stretches of a day must not overlap."""
    require_staff(ctx)
    if therapist.pk != ctx.user.pk and not ctx.user.is_clinic_admin:
        raise Forbidden("only a clinic admin may set another therapist's hours")
    _require_therapist(ctx, therapist)
    ordered = sorted(hours)
    for n, (weekday, starts, ends) in enumerate(ordered):
        day = slots.WEEKDAYS[weekday] if 0 <= weekday <= 6 else None
        if day is None:
            raise Invalid(f"{weekday} is not a weekday (0 Monday to 6 Sunday)", "weekday")
        if starts >= ends:
            raise Invalid(f"{day}: {ends:%H:%M} is not after {starts:%H:%M}", "hours")
        if n and ordered[n - 1][0] == weekday and ordered[n - 1][2] > starts:
            raise Invalid(
                f"{day}: {starts:%H:%M} starts before the stretch before it ends", "hours"
            )
    WeeklyHours.objects.filter(therapist=therapist).delete()
    rows = WeeklyHours.objects.bulk_create(
        WeeklyHours(therapist=therapist, weekday=w, starts=s, ends=e) for w, s, e in ordered
    )
    record(ctx, AuditEvent.Action.UPDATE, therapist, summary="weekly hours changed")
    return rows


@transaction.atomic
def add_time_off(
    ctx: Context, therapist: User, starts_at: dt.datetime, ends_at: dt.datetime, note: str = ""
) -> TimeOff:
    require_staff(ctx)
    if therapist.pk != ctx.user.pk and not ctx.user.is_clinic_admin:
        raise Forbidden("only a clinic admin may set another therapist's time off")
    _require_therapist(ctx, therapist)
    if ends_at <= starts_at:
        raise Invalid("the time off must end after it starts", "ends_at")
    off = TimeOff.objects.create(
        therapist=therapist, starts_at=starts_at, ends_at=ends_at, note=note.strip()[:200]
    )
    record(ctx, AuditEvent.Action.CREATE, off, summary="time off added")
    return off


@transaction.atomic
def remove_time_off(ctx: Context, off: TimeOff) -> None:
    require_staff(ctx)
    if off.therapist_id != ctx.user.pk and not (
        ctx.user.is_clinic_admin and off.therapist.clinic_id == ctx.user.clinic_id
    ):
        raise Forbidden("only a clinic admin may change another therapist's time off")
    record(ctx, AuditEvent.Action.DELETE, off, summary="time off removed")
    off.delete()


@transaction.atomic
def set_time_zone(ctx: Context, zone: str) -> Clinic:
    """The clinic's time zone (an IANA name); refused by name when it is not one."""
    if not getattr(ctx.user, "is_clinic_admin", False):
        raise Forbidden("only a clinic admin may set the clinic's time zone")
    zone = zone.strip()
    try:
        validate_time_zone(zone)
    except ValidationError as exc:
        raise Invalid(exc.messages[0], "time_zone") from None
    clinic = Clinic.objects.get(pk=ctx.user.clinic_id)
    clinic.time_zone = zone
    clinic.save(update_fields=["time_zone"])
    record(ctx, AuditEvent.Action.UPDATE, clinic, summary=f"time zone set to {zone}")
    return clinic


@transaction.atomic
def new_calendar_feed(ctx: Context) -> tuple[CalendarFeed, str]:
    """A new private feed link for the signed-in therapist; any earlier one stops working.
    The feed and its secret (shown this once: only its digest is kept)."""
    require_staff(ctx)
    CalendarFeed.objects.filter(therapist=ctx.user, revoked_at=None).update(revoked_at=ctx.now)
    secret = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        therapist=ctx.user,
        digest=hashlib.sha256(secret.encode()).hexdigest(),
        created_at=ctx.now,
    )
    record(ctx, AuditEvent.Action.CREATE, feed, summary="calendar feed link made")
    return feed, secret


@transaction.atomic
def revoke_calendar_feed(ctx: Context) -> int:
    """The signed-in therapist's feed link stops working (404). How many were revoked."""
    require_staff(ctx)
    revoked = CalendarFeed.objects.filter(therapist=ctx.user, revoked_at=None).update(
        revoked_at=ctx.now
    )
    if revoked:
        record(ctx, AuditEvent.Action.REVOKE, None, summary="calendar feed link revoked")
    return revoked


@transaction.atomic
def new_client_feed(ctx: Context, client: Client) -> ClientFeed:
    """A private calendar link for `client`'s own appointments, made by the clinic; any
    earlier one stops working."""
    require_clinic(ctx, client)
    ClientFeed.objects.filter(client=client, revoked_at=None).update(revoked_at=ctx.now)
    feed = ClientFeed.objects.create(
        client=client,
        nonce=secrets.token_urlsafe(24),
        created_by=ctx.user,
        created_at=ctx.now,
    )
    record(ctx, AuditEvent.Action.CREATE, feed, summary="client's calendar feed link made")
    return feed


@transaction.atomic
def revoke_client_feed(ctx: Context, client: Client) -> int:
    """The client's feed link stops working (404). How many were revoked."""
    require_clinic(ctx, client)
    revoked = ClientFeed.objects.filter(client=client, revoked_at=None).update(revoked_at=ctx.now)
    if revoked:
        record(
            ctx,
            AuditEvent.Action.REVOKE,
            None,
            client=client,
            summary="client's calendar feed link revoked",
        )
    return revoked
