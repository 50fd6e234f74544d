from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from myomap.accounts.models import Clinic


class ImportCheck(models.Model):
    """A FHIR Bundle a clinic admin uploaded on the Data page and checked (a dry run),
    kept with what the check found until they import it or discard it: one per admin,
    a new check replaces the last. Kept in the database, so any server process can import
    what another one checked."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    checked_by = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_check"
    )
    name = models.CharField(max_length=200, help_text="the uploaded file's name")
    text = models.TextField(help_text="the Bundle, as uploaded (UTF-8 JSON)")
    items = models.JSONField(default=list, help_text="[outcome, label, why] per resource")
    problems = models.JSONField(default=list, help_text="why the Bundle would be refused")
    checked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name}, checked {self.checked_at:%Y-%m-%d %H:%M}"
