from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from myomap.accounts.models import Clinic


class Retention(models.Model):
    """The clinic's legal minimum for keeping a signed record: set by its admin from the
    law that applies to it (it differs by country and profession; Myomap assumes none)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="retention")
    signed_record_years = models.PositiveSmallIntegerField(
        help_text="years a signed note is kept after it was signed before it may be erased"
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.clinic}: {self.signed_record_years} years"


class Erasure(models.Model):
    """That a client was erased, who asked and when, and who erased them: never their
    name or anything of their record (`client_number` is the record's former number)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client_number = models.PositiveIntegerField()
    requested_by = models.CharField(max_length=200, help_text="who asked, e.g. 'the client'")
    requested_on = models.DateField()
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    erased_at = models.DateTimeField(default=timezone.now)
    events_redacted = models.PositiveIntegerField(default=0)
    rows_deleted = models.JSONField(default=dict)  # model label -> rows

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"Client {self.client_number} erased on {self.erased_at:%Y-%m-%d}"
