"""Appointments, and what a therapist's calendar is made of.

No double booking, in the database itself: an appointment writes one `Occupied` row per
5-minute unit it takes (slots.UNIT_MINUTES, counted in UTC from the epoch), in the same
transaction, and (therapist, unit) is unique. Two bookings that overlap by even one unit
cannot both commit, on SQLite and PostgreSQL alike, whatever the form or the API checked
before: the second one's insert fails and the booking is refused naming the conflict.
(A PostgreSQL exclusion constraint on a time range would do the same there, but SQLite has
none, and one mechanism for both databases is one thing to test.) Cancelling deletes the
units, so the time can be booked again; a no-show keeps them: the time was taken."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from myomap.accounts.models import Clinic
from myomap.clients.models import Client


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "Did not come"

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="appointments")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    starts_at = models.DateTimeField()  # UTC, like every stored moment
    minutes = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)

    class Via(models.TextChoices):
        STAFF = "staff", "by the clinic"
        CHECK_IN = "check-in", "by the client, from a check-in link"

    # Who booked it: a member of staff (created_by), or the client from the link of an
    # aftercare e-mail (created_by is then the client's portal account, if they have one).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    booked_via = models.CharField(max_length=10, choices=Via.choices, default=Via.STAFF)
    created_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(null=True, blank=True)
    # The visit started from this appointment, once it has been.
    visit = models.ForeignKey(
        "visits.Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["therapist", "starts_at"], name="appt_therapist_start"),
            models.Index(fields=["clinic", "starts_at"], name="appt_clinic_start"),
        ]

    def __str__(self) -> str:
        return f"Appointment {self.pk} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)

    @property
    def by_client(self) -> bool:
        """Booked by the client themself (from a check-in link), not by the clinic."""
        return self.booked_via == Appointment.Via.CHECK_IN

    @property
    def audit_client(self) -> Client:
        return self.client


class Occupied(models.Model):
    """One 5-minute unit of a therapist's time, taken by a booked appointment."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="units")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["therapist", "unit"], name="appt_one_per_unit")
        ]

    def __str__(self) -> str:
        return f"unit {self.unit} of therapist {self.therapist_id}"


class WeeklyHours(models.Model):
    """When a therapist works, each week, in the clinic's local time."""

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_hours"
    )
    weekday = models.PositiveSmallIntegerField()  # 0 Monday ... 6 Sunday
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts__lt=models.F("ends")), name="appt_hours_order"
            ),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="appt_hours_weekday"),
        ]

    def __str__(self) -> str:
        return f"weekday {self.weekday} {self.starts:%H:%M}-{self.ends:%H:%M}"


class TimeOff(models.Model):
    """A stretch the therapist is away (holiday, a course). The note is for the clinic."""

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_off"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="appt_time_off_order"
            )
        ]

    def __str__(self) -> str:
        return f"time off {self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%Y-%m-%d %H:%M} UTC"

    def words(self, zone: dt.tzinfo) -> str:
        """The stretch on the clinic's clock: whole days as their first and last day
        ("Thu 24 Dec 2026 to Sat 26 Dec 2026", the end being the midnight after the last),
        else with the times."""
        start, end = self.starts_at.astimezone(zone), self.ends_at.astimezone(zone)
        if start.time() == end.time() == dt.time(0):
            last = end.date() - dt.timedelta(days=1)
            if last == start.date():
                return f"{start:%a %-d %b %Y}"
            return f"{start:%a %-d %b %Y} to {last:%a %-d %b %Y}"
        return f"{start:%a %-d %b %Y %H:%M} to {end:%a %-d %b %Y %H:%M}"


class CalendarFeed(models.Model):
    """A therapist's private subscription link to their appointments (for a phone's
    calendar). The link's secret is kept only as its SHA-256: shown once when made. A new
    link revokes the old; a revoked link answers 404."""

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar feed {self.pk} of therapist {self.therapist_id}"


class ClientFeed(models.Model):
    """A client's private subscription link to their own appointments, made (and revoked)
    by the clinic from the client's record. The link is signed with the site's secret key
    over the row's id and a random nonce: the clinic and the client can be shown it again,
    and a copy of the database alone cannot make one. A revoked link answers 404; a new
    one revokes the old. It carries only "Appointment at <clinic>" and the times."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="calendar_feeds")
    nonce = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar feed {self.pk} of client {self.client_id}"

    @property
    def audit_client(self) -> Client:
        return self.client
