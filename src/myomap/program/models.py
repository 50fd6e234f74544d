"""The client's side: the invitation to the portal (`Invitation`), the home program a
therapist builds from a visit (`Program`, its `ProgramItem`s with their dose), what the
client logs doing (`LogEntry`) and the pain diary (`DiaryEntry`).

Rows the client's phone makes (log and diary entries) carry an id made on the phone
(`entry_id`): an entry sent again after the network came back finds the one already
recorded instead of making a second."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from myomap.clients.models import Client, visible_clients
from myomap.core.program import PAIN_SCALE
from myomap.visits.models import Visit


class VisibleQuerySet(models.QuerySet[Any]):
    """Rows of the clients this user may see (`visible_clients`) through `client_path`."""

    client_path = "client"

    def visible_to(self, user: Any) -> Any:
        return self.filter(visible_clients(user, self.client_path))


class ItemQuerySet(VisibleQuerySet):
    client_path = "program__client"


class Invitation(models.Model):
    """A one-time link that lets a client set their portal password. Only a digest of
    the link's secret is kept: the link itself exists in the e-mail and on the clinic's
    screen (as a QR code), never in the database."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="invitations")
    digest = models.CharField(max_length=64, unique=True)
    sent_to = models.EmailField(blank=True)  # "" when shown only as a QR code
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # The client's consent to the portal, given on the invitation's page when they set
    # their password: when, and the words they agreed to.
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_text = models.TextField(blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation of {self.client} on {self.created_at:%Y-%m-%d}"

    @property
    def audit_client(self) -> Client:
        return self.client


class Program(models.Model):
    """A client's home program: one per client, built from a visit and edited since."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="program")
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()
    # What building it left out, and why: [[exercise id, why], ...]
    left_out = models.JSONField(default=list, blank=True)

    objects = VisibleQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Home program of {self.client}"

    @property
    def audit_client(self) -> Client:
        return self.client


class ProgramItem(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField()
    exercise = models.CharField(max_length=100)
    # The bounds of each are the knowledge base's (`core.program.check_dose`).
    sets = models.PositiveSmallIntegerField()
    repetitions = models.PositiveSmallIntegerField()
    hold_seconds = models.PositiveSmallIntegerField()
    days_per_week = models.PositiveSmallIntegerField()
    why = models.CharField(max_length=300, blank=True)
    # For the self-release of one of the client's own points.
    trigger_point = models.CharField(max_length=100, blank=True)
    side = models.CharField(max_length=10, blank=True)
    # An item removed from the program stays for its log entries, out of the program.
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.order}. {self.exercise}"

    @property
    def audit_client(self) -> Client:
        return self.program.client


class LogEntry(models.Model):
    class Outcome(models.TextChoices):
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"
        HURT = "hurt", "Hurt"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="program_log")
    item = models.ForeignKey(ProgramItem, on_delete=models.CASCADE, related_name="log")
    entry_id = models.UUIDField()  # made on the phone: a resent entry is recorded once
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    pain = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(PAIN_SCALE[1])]
    )
    made_at = models.DateTimeField()  # on the phone, when the client pressed the button
    recorded_at = models.DateTimeField()

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["made_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "entry_id"], name="one_log_per_entry_id")
        ]
        indexes = [models.Index(fields=["client", "made_at"], name="log_of_client")]

    def __str__(self) -> str:
        return f"{self.outcome} at {self.made_at:%Y-%m-%d %H:%M}"

    @property
    def audit_client(self) -> Client:
        return self.client


class DiaryEntry(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="pain_diary")
    entry_id = models.UUIDField()
    region = models.CharField(max_length=100)  # a body map region id (regions.yaml)
    pain = models.PositiveSmallIntegerField(validators=[MaxValueValidator(PAIN_SCALE[1])])
    note = models.CharField(max_length=500, blank=True)  # what they were doing
    made_at = models.DateTimeField()
    recorded_at = models.DateTimeField()

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["-made_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "entry_id"], name="one_diary_per_entry_id")
        ]
        indexes = [models.Index(fields=["client", "-made_at"], name="diary_of_client")]

    def __str__(self) -> str:
        return f"{self.region} {self.pain}/10 at {self.made_at:%Y-%m-%d %H:%M}"

    @property
    def audit_client(self) -> Client:
        return self.client


class Reminder(models.Model):
    """When the client wants to be reminded of their program: days of the week (0 Monday
    ... 6 Sunday) and a time of day on the client's own clock, in `time_zone` (an IANA
    name; the clinic's unless the client chose another). The next reminder is a
    background job (`next_key`), at that local time whatever the zone's offset that day
    (summer time included); each one sent asks for the one after it."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="reminder")
    days = models.JSONField(default=list)
    at = models.TimeField()
    time_zone = models.CharField(max_length=64, default="UTC")
    next_at = models.DateTimeField(null=True, blank=True)
    next_key = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField()

    objects = VisibleQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Reminder of {self.client} at {self.at:%H:%M}"

    @property
    def audit_client(self) -> Client:
        return self.client


class SignInLink(models.Model):
    """A one-time sign-in link e-mailed to a client who asked for it on the sign-in page:
    it works once, for a short while (`signin_links.VALID`). Only a digest of its secret
    is kept; the link itself exists in the e-mail only."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="sign_in_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    sent_to = models.EmailField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Sign-in link of {self.client} on {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def audit_client(self) -> Client:
        return self.client
