"""Asking for background work: one named action per change to the ledger, each inside the
caller's transaction, so a job exists exactly when the change that asked for it is
stored; the queue is told once that transaction commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from myomap.jobs import kinds
from myomap.jobs.models import Job


def schedule(
    *,
    kind: str,
    key: str,
    now: dt.datetime,
    payload: dict[str, Any] | None = None,
    run_at: dt.datetime | None = None,
    clinic_id: int | None = None,
    description: str = "",
) -> Job:
    """The job named `key`, asked for now (or to run at `run_at`). Asking again for the
    same key returns the job already asked for, unchanged: one purpose, one job."""
    kinds.handler_for(kind)  # an unknown kind is refused here, not in a worker later
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                key=key,
                payload=payload or {},
                run_at=run_at or now,
                clinic_id=clinic_id,
                description=description[:200],
                created_at=now,
            )
    except IntegrityError:
        return Job.objects.get(key=key)
    at = run_at if run_at is not None and run_at > now else None
    transaction.on_commit(lambda: _hand_over(job.pk, at))
    return job


def cancel(key: str, now: dt.datetime) -> bool:
    """The job `key` will not run (its appointment was cancelled, ...), unless it is
    running or done already. True when it was stopped."""
    return bool(
        Job.objects.filter(key=key, status__in=(Job.Status.QUEUED, Job.Status.RETRYING)).update(
            status=Job.Status.CANCELLED, finished_at=now
        )
    )


def _hand_over(job_id: int, at: dt.datetime | None) -> None:
    from myomap.jobs.tasks import hand_over

    hand_over(job_id, at)
