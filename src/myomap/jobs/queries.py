"""What the clinic admin sees of the background jobs: their clinic's only."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from myomap.jobs.models import Job

TROUBLE = (Job.Status.RETRYING, Job.Status.FAILED)


def jobs_for(user: Any, *, trouble_only: bool = False) -> QuerySet[Job]:
    """The jobs of `user`'s clinic, the most recently due first."""
    jobs = Job.objects.filter(clinic_id=user.clinic_id)
    if trouble_only:
        jobs = jobs.filter(status__in=TROUBLE)
    return jobs.order_by("-run_at", "-pk")


def counts_for(user: Any) -> dict[str, int]:
    """How many of the clinic's jobs are in each state: {"failed": 2, "done": 40, ...}."""
    rows = (
        Job.objects.filter(clinic_id=user.clinic_id)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}
