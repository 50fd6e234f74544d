from django.db import models

from myomap.accounts.models import Clinic


class Job(models.Model):
    """One piece of background work, kept until it is done or has failed for good.

    `key` names the purpose ("reminder:appointment:42"): asking twice for the same purpose
    is one job. `run_at` is when it may run next (the first time, or the next attempt
    after a failure); `claimed_until` is when a worker that took it and died is presumed
    gone, so the sweep hands it out again."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Running"
        RETRYING = "retrying", "Failed, will retry"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    clinic = models.ForeignKey(
        Clinic, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=60)
    key = models.CharField(max_length=200, unique=True)
    payload = models.JSONField(default=dict)
    description = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    run_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "run_at"], name="jobs_due"),
            models.Index(fields=["clinic", "status", "-run_at"], name="jobs_clinic_status"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"
