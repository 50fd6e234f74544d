from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from myomap.clients.models import Client, Intake

SIDES = [("left", "Left"), ("right", "Right"), ("bilateral", "Both sides"), ("midline", "Midline")]


class Visit(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="visits")
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="visits")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Visit of {self.client} on {self.started_at:%Y-%m-%d}"

    @property
    def audit_client(self) -> Client:
        return self.client


class PalpationFinding(models.Model):
    """One trigger point examined on one side; recording it again replaces it."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="palpations")
    trigger_point = models.CharField(max_length=100)
    side = models.CharField(max_length=10, choices=SIDES)
    tender = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)], help_text="0 (not tender) to 10"
    )
    taut_band = models.BooleanField(default=False)
    referral = models.BooleanField(
        default=False, help_text="compression reproduces the familiar pain"
    )
    twitch = models.BooleanField(default=False)
    jump = models.BooleanField(default=False)
    ppt = models.DecimalField(
        "pressure pain threshold (kg/cm²)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(20)],
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "trigger_point", "side"], name="one_palpation_per_point"
            )
        ]

    def __str__(self) -> str:
        return f"{self.trigger_point} ({self.side})"

    @property
    def audit_client(self) -> Client:
        return self.visit.client


class MovementFinding(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="movements")
    test = models.CharField(max_length=100)
    side = models.CharField(
        max_length=10,
        choices=[("left", "Left"), ("right", "Right"), ("", "Both / none")],
        blank=True,
    )
    result = models.CharField(
        max_length=10, choices=[("positive", "Positive"), ("negative", "Negative")]
    )
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "test", "side"], name="one_result_per_test_side"
            )
        ]

    def __str__(self) -> str:
        return f"{self.test} {self.side} {self.result}"

    @property
    def audit_client(self) -> Client:
        return self.visit.client


class PlanStep(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="plan_steps")
    order = models.PositiveSmallIntegerField()
    trigger_point = models.CharField(max_length=100)
    side = models.CharField(max_length=10, choices=SIDES)
    technique = models.CharField(max_length=100)
    pressure = models.CharField(
        max_length=10, choices=[("light", "Light"), ("moderate", "Moderate"), ("deep", "Deep")]
    )
    hold_seconds = models.PositiveSmallIntegerField(validators=[MaxValueValidator(120)])
    repetitions = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    reason = models.TextField(blank=True)
    modifications = models.JSONField(default=list)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.order}. {self.trigger_point} ({self.side})"

    @property
    def audit_client(self) -> Client:
        return self.visit.client


class Note(models.Model):
    """The visit's SOAP note. Its content lives in versions: a draft is edited in place
    (each save bumps `revision`, so two editors cannot silently overwrite each other);
    signing locks the version; an amendment is a new version, and history stays."""

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="note")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Note of {self.visit}"

    @property
    def audit_client(self) -> Client:
        return self.visit.client


class NoteVersion(models.Model):
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    revision = models.PositiveIntegerField(default=1)
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan = models.TextField(blank=True)
    amendment_reason = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["note", "number"], name="one_number_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.note} v{self.number}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def audit_client(self) -> Client:
        return self.note.visit.client
