"""Running a job once: claim it, run its kind, record how it went.

A job is claimed by one conditional UPDATE (waiting or retrying, due, to running, the
attempt counted): of two workers handed the same job, or a worker and the sweep, exactly
one gets the row; the other finds nothing to do. A job that raises is retried with
backoff (RETRY_SECONDS, doubled each time) up to MAX_ATTEMPTS, then marked failed; its
last error stays on the row for the clinic admin's jobs page.

A worker that dies mid-job (killed, the machine lost) leaves its job running; once its
claim runs out (`lease()`, MYOMAP_JOBS_LEASE_SECONDS) the sweep, every minute in every
worker and when a worker starts, marks it for another attempt. A job whose delivery was
lost (the process stopped between the commit and the hand-over) is handed out again by
the same sweep."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from myomap.jobs import kinds
from myomap.jobs.models import Job

MAX_ATTEMPTS = 5
RETRY_SECONDS = 60  # the wait after the first failure; doubled after each one
LOST_AFTER = dt.timedelta(minutes=5)  # due this long and not taken: hand it out again
ERROR_CHARS = 500

READY = (Job.Status.QUEUED, Job.Status.RETRYING)
log = logging.getLogger(__name__)


def lease() -> dt.timedelta:
    """How long a job may run before it is presumed abandoned (its worker died): longer
    than any job takes (10 minutes unless MYOMAP_JOBS_LEASE_SECONDS says otherwise)."""
    return dt.timedelta(seconds=int(getattr(settings, "JOBS_LEASE_SECONDS", 600)))


def retry_wait(attempts: int) -> dt.timedelta:
    """The wait after failed attempt number `attempts` (1, 2, ...): 60 s, 120 s, 240 s..."""
    return dt.timedelta(seconds=RETRY_SECONDS * 2 ** (attempts - 1))


class Retry(Exception):
    """The job failed and runs again at `at`: the queue schedules the next delivery."""

    def __init__(self, at: dt.datetime) -> None:
        super().__init__(at)
        self.at = at


def run(job_id: int, now: dt.datetime | None = None) -> str:
    """Run job `job_id` if it is due and nobody has it: "done", "skipped" (not due, taken
    or finished already), "failed" for good; raises `Retry` when it will run again."""
    now = now or timezone.now()
    claimed = Job.objects.filter(pk=job_id, status__in=READY, run_at__lte=now).update(
        status=Job.Status.RUNNING, attempts=F("attempts") + 1, claimed_until=now + lease()
    )
    if not claimed:
        return "skipped"
    job = Job.objects.get(pk=job_id)
    try:
        handler = kinds.handler_for(job.kind)
        scope = transaction.atomic() if kinds.atomic(job.kind) else contextlib.nullcontext()
        with scope:
            handler(job)
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.DONE,
                finished_at=timezone.now(),
                claimed_until=None,
                last_error="",
                **_forgotten(job.kind),
            )
    except Exception as exc:
        log.warning("job %s (%s) failed, attempt %s: %s", job.pk, job.kind, job.attempts, exc)
        return _failed(job, f"{type(exc).__name__}: {exc}")
    return "done"


def _failed(job: Job, error: str) -> str:
    later = timezone.now()
    fields: dict[str, object] = {"last_error": error[:ERROR_CHARS], "claimed_until": None}
    if job.attempts >= MAX_ATTEMPTS:
        fields |= _forgotten(job.kind)
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, finished_at=later, **fields)
        return "failed"
    at = later + retry_wait(job.attempts)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RETRYING, run_at=at, **fields)
    raise Retry(at)


def _forgotten(kind: str) -> dict[str, object]:
    """The payload emptied, for a finished job of a kind that keeps none (`kinds`)."""
    return {"payload": {}} if kinds.forgets(kind) else {}


def sweep(now: dt.datetime | None = None) -> list[int]:
    """Jobs abandoned by a worker that died get another attempt (or fail, when that was
    their last); jobs due long ago and never taken are handed out again. The ids to
    hand to the queue."""
    now = now or timezone.now()
    revived: list[int] = []
    for job in Job.objects.filter(status=Job.Status.RUNNING, claimed_until__lt=now):
        last = job.attempts >= MAX_ATTEMPTS
        changed = Job.objects.filter(
            pk=job.pk, status=Job.Status.RUNNING, claimed_until__lt=now
        ).update(
            status=Job.Status.FAILED if last else Job.Status.RETRYING,
            run_at=now,
            claimed_until=None,
            last_error=f"the worker stopped during attempt {job.attempts}",
            finished_at=now if last else None,
            **(_forgotten(job.kind) if last else {}),
        )
        if changed and not last:
            revived.append(job.pk)
    lost = Job.objects.filter(status__in=READY, run_at__lt=now - LOST_AFTER)
    return revived + [pk for pk in lost.values_list("pk", flat=True) if pk not in revived]
