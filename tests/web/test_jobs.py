"""Background jobs on the queue (myomap.jobs), one process: a job asked for inside a
change is handed to the queue when the change commits and run once however often it is
delivered; one that fails is tried again later, waiting longer each time, and after its
last attempt is marked failed, with its error on the clinic admin's jobs page; one whose
worker died is tried again by the sweep. The clock is fixed and moved with time-machine.

The people are tests/personas.py's: carol (Lakeside's clinic admin), alice (a Lakeside
therapist), bob (a Hilltop therapist)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from huey.storage import SqliteStorage

from myomap.jobs import actions, mail, runner
from myomap.jobs.kinds import kind
from myomap.jobs.models import Job
from myomap.jobs.queue import HUEY
from myomap.jobs.tasks import run_job, sweep_jobs
from personas import People

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PAGE = reverse("jobs:page")

# A kind of job for these tests: fails while FLAKY["failures"] is above zero.
FLAKY: dict[str, Any] = {"failures": 0, "runs": 0}


@kind("test.flaky")
def _flaky(job: Job) -> None:
    FLAKY["runs"] += 1
    if FLAKY["failures"] > 0:
        FLAKY["failures"] -= 1
        raise ConnectionError("the mail server did not answer")


@pytest.fixture
def queue(tmp_path) -> Iterator[Any]:
    """The queue in a file of its own (the embedded default's storage)."""
    kept = HUEY._storage
    HUEY.storage = SqliteStorage("myomap", filename=str(tmp_path / "jobs.sqlite3"))
    FLAKY.update(failures=0, runs=0)
    yield HUEY
    HUEY.storage = kept


def deliver(huey: Any, at: dt.datetime) -> list[Any]:
    """What a consumer does at `at`: move the due scheduled tasks to the queue, then take
    and run every task in it. The values the tasks returned."""
    for task in huey.read_schedule(at.replace(tzinfo=None)):
        huey.enqueue(task)
    results = []
    while (task := huey.dequeue()) is not None:
        results.append(huey.execute(task, at.replace(tzinfo=None)))
    return results


def ask(captured: Any, **fields: Any) -> Job:
    with captured(execute=True), transaction.atomic():
        return actions.schedule(**fields)


def test_a_mail_asked_for_is_sent_once_by_the_queue_after_the_commit(
    queue, people: People, mail_folder, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(T0, tick=False):
        with django_capture_on_commit_callbacks(execute=False) as waiting, transaction.atomic():
            job = mail.send_later(
                key="hello:1",
                to=["dan@lakeside.example"],
                subject="Your appointment",
                body="See you on Monday.",
                clinic_id=people.lakeside.pk,
                now=T0,
            )
        # Nothing is handed to the queue before the change commits.
        assert queue.pending_count() == 0
        for callback in waiting:
            callback()
        assert queue.pending_count() == 1
        assert deliver(queue, T0) == ["done"]

    stored = Job.objects.get(pk=job.pk)
    assert (stored.status, stored.attempts, stored.last_error) == ("done", 1, "")
    files = list(mail_folder.glob("*.log"))
    assert len(files) == 1
    text = files[0].read_text()
    assert "Subject: Your appointment" in text
    assert f"X-Myomap-Clinic: {people.lakeside.pk}" in text


def test_a_job_delivered_twice_runs_once(queue, people: People, mail_folder) -> None:
    with time_machine.travel(T0, tick=False):
        job = Job.objects.create(
            kind="mail",
            key="twice",
            payload={"to": ["dan@lakeside.example"], "subject": "Once", "body": "."},
            run_at=T0,
            created_at=T0,
            clinic=people.lakeside,
        )
        run_job(job.pk)
        run_job(job.pk)  # a second delivery (the sweep, another worker)
        assert deliver(queue, T0) == ["done", "skipped"]
    assert Job.objects.get(pk=job.pk).attempts == 1
    assert len(list(mail_folder.glob("*.log"))) == 1


def test_asking_twice_for_the_same_purpose_is_one_job(
    queue, people: People, django_capture_on_commit_callbacks
) -> None:
    first = ask(django_capture_on_commit_callbacks, kind="test.flaky", key="k", now=T0)
    again = ask(django_capture_on_commit_callbacks, kind="test.flaky", key="k", now=T0)
    assert first.pk == again.pk
    assert Job.objects.count() == 1


def test_an_unknown_kind_of_job_is_refused_when_asked_for(queue) -> None:
    with pytest.raises(LookupError, match="no kind of job is called 'fax'"):
        actions.schedule(kind="fax", key="x", now=T0)
    assert not Job.objects.exists()


def test_a_failed_job_is_retried_with_backoff_and_its_error_kept(
    queue, people: People, django_capture_on_commit_callbacks
) -> None:
    FLAKY["failures"] = 2
    with time_machine.travel(T0, tick=False) as clock:
        job = ask(
            django_capture_on_commit_callbacks,
            kind="test.flaky",
            key="flaky",
            now=T0,
            clinic_id=people.lakeside.pk,
        )
        deliver(queue, T0)
        stored = Job.objects.get(pk=job.pk)
        assert (stored.status, stored.attempts) == ("retrying", 1)
        assert stored.last_error == "ConnectionError: the mail server did not answer"
        assert stored.run_at == T0 + dt.timedelta(seconds=60)

        # Not before the wait is over: 59 s later nothing runs.
        clock.move_to(T0 + dt.timedelta(seconds=59))
        assert deliver(queue, T0 + dt.timedelta(seconds=59)) == []
        clock.move_to(T0 + dt.timedelta(seconds=60))
        deliver(queue, T0 + dt.timedelta(seconds=60))
        stored = Job.objects.get(pk=job.pk)
        assert (stored.status, stored.attempts) == ("retrying", 2)
        # The second wait is twice the first.
        assert stored.run_at == T0 + dt.timedelta(seconds=60 + 120)

        clock.move_to(stored.run_at)
        assert deliver(queue, stored.run_at) == ["done"]
    stored = Job.objects.get(pk=job.pk)
    assert (stored.status, stored.attempts, stored.last_error) == ("done", 3, "")
    assert FLAKY["runs"] == 3


def test_a_job_that_keeps_failing_is_failed_after_its_last_attempt_and_shown_to_the_admin(
    queue, people: People, carol, bob, client, django_capture_on_commit_callbacks
) -> None:
    FLAKY["failures"] = 99
    at = T0
    with time_machine.travel(T0, tick=False) as clock:
        job = ask(
            django_capture_on_commit_callbacks,
            kind="test.flaky",
            key="hopeless",
            now=T0,
            clinic_id=people.lakeside.pk,
            description="E-mail: Reminder for Monday",
        )
        for _ in range(runner.MAX_ATTEMPTS):
            clock.move_to(at)
            deliver(queue, at)
            at = Job.objects.get(pk=job.pk).run_at
        clock.move_to(at + dt.timedelta(hours=1))
        assert deliver(queue, at + dt.timedelta(hours=1)) == []
    stored = Job.objects.get(pk=job.pk)
    assert (stored.status, stored.attempts) == ("failed", runner.MAX_ATTEMPTS)
    assert FLAKY["runs"] == runner.MAX_ATTEMPTS

    client.force_login(carol)
    page = client.get(PAGE).content.decode()
    assert "E-mail: Reminder for Monday" in page
    assert "ConnectionError: the mail server did not answer" in page
    assert "Failed: 1" in page

    # Another clinic's admin does not see it; a therapist may not open the page.
    hilltop_admin = type(carol).objects.create(
        username="hilltop-admin", role="admin", clinic=people.hilltop
    )
    client.force_login(hilltop_admin)
    assert "Reminder for Monday" not in client.get(PAGE).content.decode()
    client.force_login(bob)
    assert client.get(PAGE).status_code == 403


def test_a_job_whose_worker_died_is_run_again_once_by_the_sweep(
    queue, people: People, mail_folder
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        job = Job.objects.create(
            kind="mail",
            key="abandoned",
            payload={"to": ["dan@lakeside.example"], "subject": "Again", "body": "."},
            run_at=T0,
            created_at=T0,
            clinic=people.lakeside,
            # A worker took it (attempt 1) and was killed before it finished.
            status=Job.Status.RUNNING,
            attempts=1,
            claimed_until=T0 + runner.lease(),
        )
        sweep_jobs.call_local()
        assert deliver(queue, T0) == []  # still within the dead worker's claim

        later = T0 + runner.lease() + dt.timedelta(minutes=1)
        clock.move_to(later)
        sweep_jobs.call_local()
        assert deliver(queue, later) == ["done"]
        sweep_jobs.call_local()  # a later sweep finds nothing more to do
        assert deliver(queue, later) == []
    stored = Job.objects.get(pk=job.pk)
    assert (stored.status, stored.attempts) == ("done", 2)
    assert len(list(mail_folder.glob("*.log"))) == 1


def test_a_job_whose_hand_over_was_lost_is_handed_out_by_the_sweep(queue, people: People) -> None:
    # The process stopped between the commit and the hand-over: the queue never heard.
    Job.objects.create(kind="test.flaky", key="lost", run_at=T0, created_at=T0)
    later = T0 + runner.LOST_AFTER + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        sweep_jobs.call_local()
        assert deliver(queue, later) == ["done"]
    assert Job.objects.get(key="lost").status == "done"


def test_a_cancelled_job_does_not_run(
    queue, people: People, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(T0, tick=False):
        ask(django_capture_on_commit_callbacks, kind="test.flaky", key="c", now=T0)
        assert actions.cancel("c", T0)
        assert deliver(queue, T0) == ["skipped"]
    assert Job.objects.get(key="c").status == "cancelled"
    assert FLAKY["runs"] == 0


def test_the_queue_is_the_database_s_own_or_redis(settings, tmp_path) -> None:
    from django.db import connection

    from myomap.jobs.queue import storage_for

    settings.JOBS_QUEUE_FILE = tmp_path / "jobs.sqlite3"
    expected = "PostgresStorage" if connection.vendor == "postgresql" else "SqliteStorage"
    assert type(storage_for("probe")).__name__ == expected
    settings.JOBS_REDIS_URL = "redis://127.0.0.1:1/0"
    assert type(storage_for("probe")).__name__ == "RedisStorage"
