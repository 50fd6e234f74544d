"""The queue's two tasks: run one job, and the sweep (every minute, in every worker)."""

from __future__ import annotations

from typing import Any

from django.db import close_old_connections, connection
from huey import crontab
from huey.exceptions import RetryTask

from myomap.jobs import runner
from myomap.jobs.queue import HUEY


def _close_old_connections() -> None:
    # Not inside a transaction that is still open (a test's, which runs tasks in place).
    if not connection.in_atomic_block:
        close_old_connections()


@HUEY.pre_execute()  # type: ignore[untyped-decorator]  # huey is untyped
def _fresh_connection(task: Any) -> None:
    # A worker thread keeps its database connection between jobs, as a server thread does
    # between requests: one that has expired or broken is replaced first.
    _close_old_connections()


@HUEY.post_execute()  # type: ignore[untyped-decorator]
def _release_connection(task: Any, value: Any, exc: BaseException | None) -> None:
    _close_old_connections()


@HUEY.task(name="myomap.run_job")  # type: ignore[untyped-decorator]
def run_job(job_id: int) -> str:
    try:
        return runner.run(job_id)
    except runner.Retry as retry:
        # The queue holds the next attempt until then (it survives a restart).
        raise RetryTask(eta=retry.at) from None


@HUEY.periodic_task(crontab(minute="*"), name="myomap.sweep_jobs")  # type: ignore[untyped-decorator]
def sweep_jobs() -> None:
    for job_id in runner.sweep():
        run_job(job_id)


def hand_over(job_id: int, at: Any = None) -> None:
    """Give the job to the queue: now, or to be delivered at `at`."""
    if at is None:
        run_job(job_id)
    else:
        run_job.schedule((job_id,), eta=at)
