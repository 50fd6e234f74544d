from __future__ import annotations

from typing import Any

from django.db import models

from myomap.accounts.models import Clinic
from myomap.clients.models import Client


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message (SMS)"
    BOTH = "both", "E-mail and text message"
    NONE = "none", "None"


class Purpose(models.TextChoices):
    APPOINTMENTS = "appointments", "Appointment reminders"
    AFTERCARE = "aftercare", "Check-ins and questions after a session"
    PROGRAM = "program", "Home program reminders"


class Preference(models.Model):
    """The channels a client accepts for each kind of message. No row: e-mail for all."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="channels")
    appointments = models.CharField(max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    aftercare = models.CharField(max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    program = models.CharField(max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"channels of client {self.client_id}"

    @property
    def audit_client(self) -> Any:
        return self.client


class StopLink(models.Model):
    """The "stop these messages" link of one message: only the SHA-256 of its secret is
    kept (the link itself names no client), and it works once (`used_at`)."""

    digest = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    issued_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"stop link {self.pk} of client {self.client_id}"


class Wording(models.Model):
    """A clinic's own subject and body for one of its messages (none: the default)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "message"], name="one_wording_a_message")
        ]

    def __str__(self) -> str:
        return f"{self.message} of clinic {self.clinic_id}"
