"""The consumer that runs jobs: `myomap worker`, and the one `myomap serve` starts beside
its web processes. Threads, not processes: a job mostly waits (a mail server, the
database), and each thread keeps its own database connection."""

from __future__ import annotations

from typing import Any

from myomap.jobs import tasks  # noqa: F401  # the queue's tasks, registered on import
from myomap.jobs.queue import HUEY


def make_consumer(threads: int) -> Any:
    return HUEY.create_consumer(
        workers=threads,
        worker_type="thread",
        periodic=True,  # the sweep, every minute
        check_worker_health=True,  # a worker thread that died is replaced
        max_delay=2.0,  # an idle queue is looked at every 2 s at most
        graceful_signal="INT",  # Ctrl+C and serve's stop let a running job finish
        shutdown_timeout=30,
    )
