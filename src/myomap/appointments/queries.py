"""What the calendar pages read: always the signed-in person's own clinic."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core import signing
from django.db.models import QuerySet
from django.urls import reverse

from myomap.accounts.models import Clinic, User
from myomap.appointments import slots
from myomap.appointments.models import Appointment, CalendarFeed, ClientFeed, Occupied, TimeOff
from myomap.clients.models import Client, Intake
from myomap.records.access import visible_or_404


def clinic_of(user: Any) -> Clinic:
    return Clinic.objects.get(pk=user.clinic_id)


def therapists_of(user: Any) -> QuerySet[User]:
    """The clinic's active therapists and admins (an admin may see clients too)."""
    return User.objects.filter(
        clinic_id=user.clinic_id,
        is_active=True,
        role__in=(User.Role.THERAPIST, User.Role.ADMIN),
    ).order_by("last_name", "first_name", "username")


def therapist_for(user: Any, pk: int | None) -> User:
    """The therapist asked for (of the user's clinic), else the user themself."""
    if pk is not None:
        found = therapists_of(user).filter(pk=pk).first()
        if found is not None:
            return found
    return user  # type: ignore[no-any-return]


def clients_of(user: Any) -> QuerySet[Client]:
    return Client.objects.visible_to(user).order_by("family_name", "given_name")


def client_for(user: Any, pk: int) -> Client:
    """A client of the staff member's own clinic, else 404 (audited)."""
    visible = Client.objects.filter(clinic_id=user.clinic_id)
    return visible_or_404(visible, pk, lambda c: c)  # type: ignore[no-any-return]


def appointment_for(user: Any, pk: int) -> Appointment:
    """The appointment if it is the user's clinic's (staff only), else 404 (audited)."""
    visible = Appointment.objects.filter(clinic_id=user.clinic_id).select_related(
        "client", "therapist", "clinic"
    )
    return visible_or_404(visible, pk, lambda a: a.client)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Row:
    """One appointment as the calendar shows it, in the clinic's local time."""

    appointment: Appointment
    starts: dt.datetime
    ends: dt.datetime

    @property
    def status(self) -> str:
        return self.appointment.status


def between(therapist: User, begin: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> list[Row]:
    """The therapist's appointments starting in [begin, end), cancelled ones too."""
    found = (
        Appointment.objects.filter(therapist=therapist, starts_at__gte=begin, starts_at__lt=end)
        .select_related("client")
        .order_by("starts_at", "pk")
    )
    return [Row(a, a.starts_at.astimezone(zone), a.ends_at.astimezone(zone)) for a in found]


def hours_of(therapist: User) -> list[slots.Hours]:
    return [slots.Hours(h.weekday, h.starts, h.ends) for h in therapist.weekly_hours.all()]


def time_off_between(therapist: User, begin: dt.datetime, end: dt.datetime) -> QuerySet[TimeOff]:
    return TimeOff.objects.filter(therapist=therapist, starts_at__lt=end, ends_at__gt=begin)


def open_starts(
    therapist: User, day: dt.date, zone: ZoneInfo, minutes: int, now: dt.datetime
) -> list[dt.datetime]:
    """The free starts on the local `day` for an appointment of `minutes`."""
    return open_starts_on(therapist, [day], zone, minutes, now)[day]


def open_starts_on(
    therapist: User, days: list[dt.date], zone: ZoneInfo, minutes: int, now: dt.datetime
) -> dict[dt.date, list[dt.datetime]]:
    """The free starts on each local day of `days` (ascending) for an appointment of
    `minutes`: three queries however many days (hours, appointments, time off)."""
    if not days:
        return {}
    begin, _ = slots.day_bounds(days[0], zone)
    _, end = slots.day_bounds(days[-1], zone)
    taken = set(
        Occupied.objects.filter(
            therapist=therapist,
            unit__gte=slots.unit_of(begin),
            unit__lt=slots.unit_of(end) + slots.MAX_MINUTES // slots.UNIT_MINUTES,
        ).values_list("unit", flat=True)
    )
    for off in time_off_between(therapist, begin, end + dt.timedelta(hours=4)):
        taken.update(slots.covering(max(off.starts_at, begin), min(off.ends_at, end)))
    hours = hours_of(therapist)
    return {day: slots.open_starts(day, zone, hours, taken, minutes, now) for day in days}


def latest_intake(client: Client) -> Intake | None:
    return client.intakes.order_by("-recorded_at", "-pk").first()


def feed_for(secret: str) -> CalendarFeed | None:
    """The live feed whose secret this is, else None."""
    if not secret or len(secret) > 100:
        return None
    digest = hashlib.sha256(secret.encode()).hexdigest()
    return (
        CalendarFeed.objects.filter(digest=digest, revoked_at=None, therapist__is_active=True)
        .select_related("therapist")
        .first()
    )


FEED_DAYS_BACK = 30  # a feed carries the last month and everything ahead


def feed_appointments(therapist: User, now: dt.datetime) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(
            therapist=therapist,
            starts_at__gte=now - dt.timedelta(days=FEED_DAYS_BACK),
        )
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("clinic")
        .order_by("starts_at")
    )


def live_feed_of(user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(therapist=user, revoked_at=None).first()


def upcoming_of_client(client: Client, now: dt.datetime, most: int = 5) -> list[Row]:
    """The client's own booked appointments not yet over (one under way included), soonest
    first, in the clinic's local time (what the client's portal shows; the caller has
    checked it is theirs)."""
    zone = clinic_of(client).zone
    found = (
        Appointment.objects.filter(client=client, status=Appointment.Status.BOOKED)
        .filter(starts_at__gt=now - dt.timedelta(minutes=slots.MAX_MINUTES))
        .select_related("therapist")
        .order_by("starts_at")
    )
    rows = []
    for appointment in found:
        starts = appointment.starts_at.astimezone(zone)
        ends = starts + dt.timedelta(minutes=appointment.minutes)
        if ends > now:
            rows.append(Row(appointment, starts, ends))
        if len(rows) == most:
            break
    return rows


CLIENT_FEED_SALT = "myomap.appointments.client-feed"  # this link's signatures alone


def client_feed_secret(feed: ClientFeed) -> str:
    """The secret of a client's feed link: the row's id and nonce, signed with the site's
    key (so the clinic and the client can be shown it again)."""
    signer = signing.Signer(salt=CLIENT_FEED_SALT)  # no timestamp: the same link each time
    return signer.sign_object({"f": feed.pk, "n": feed.nonce}, compress=True)


def client_feed_link(request: Any, client: Client) -> str | None:
    """The address of the client's live feed, whole (or its path without a request), or
    None when they have none."""
    feed = live_client_feed(client)
    if feed is None:
        return None
    path = reverse("appointments:client_feed", args=[client_feed_secret(feed)])
    return str(request.build_absolute_uri(path)) if request is not None else path


def client_feed_for(secret: str) -> ClientFeed | None:
    """The live client feed this secret opens, else None (unknown, tampered or revoked)."""
    if not secret or len(secret) > 200:
        return None
    try:
        data = signing.Signer(salt=CLIENT_FEED_SALT).unsign_object(secret)
        pk, nonce = int(data["f"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    found = (
        ClientFeed.objects.filter(pk=pk, revoked_at=None)
        .select_related("client", "client__clinic")
        .first()
    )
    if found is None or not hmac.compare_digest(found.nonce, nonce):
        return None
    return found


def live_client_feed(client: Client) -> ClientFeed | None:
    return ClientFeed.objects.filter(client=client, revoked_at=None).first()


def client_feed_appointments(client: Client, now: dt.datetime) -> QuerySet[Appointment]:
    """What a client's feed carries: their appointments from the last month on, not the
    cancelled ones."""
    return (
        Appointment.objects.filter(
            client=client, starts_at__gte=now - dt.timedelta(days=FEED_DAYS_BACK)
        )
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("clinic")
        .order_by("starts_at")
    )


def minutes_of_visit(visit_id: int) -> int | None:
    """How long the appointment the visit started from was booked for, else None."""
    found = Appointment.objects.filter(visit_id=visit_id).values_list("minutes", flat=True)
    return found.first()


def next_appointment(client: Client, now: dt.datetime) -> Appointment | None:
    """The client's next booked appointment not yet begun, else None. One a visit has
    started from (a few minutes early) is the session itself, not the next one."""
    return (
        Appointment.objects.filter(
            client=client, status=Appointment.Status.BOOKED, starts_at__gt=now, visit=None
        )
        .select_related("therapist")
        .order_by("starts_at")
        .first()
    )
