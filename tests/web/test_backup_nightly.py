"""The nightly backup on the background jobs: with MYOMAP_BACKUP_DIR set, the periodic task
asks for the next night's job (`backup:<date>`, at MYOMAP_BACKUP_AT on the server's clock)
once however often it runs; the job writes `myomap-backup-<date>.backup` (0600, in a folder
made 0700) that `myomap restore`'s reader opens and verifies, encrypted when
MYOMAP_BACKUP_PASSPHRASE is set, keeps the newest MYOMAP_BACKUP_KEEP nightly files and no
fewer of anything else; a folder it cannot write is the job's failure, with the reason,
tried again by the jobs' rules; carol, Lakeside's clinic admin, sees each state on the
Data page. Bad settings stop a worker naming the variable. The clock is time-machine's.

On SQLite the test database lives in memory, so the installation's database file is a
copy of it in a data folder of the test's own; on PostgreSQL the job dumps the test
database itself with pg_dump."""

from __future__ import annotations

import datetime as dt
import doctest
import errno
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.template.defaultfilters import filesizeformat
from huey.storage import SqliteStorage

import myomap.backup.nightly
from myomap.audit.models import AuditEvent
from myomap.backup import BackupError, archive, canonical, crypto, nightly, ops
from myomap.clinicdata import nightly as nightly_job
from myomap.jobs import kinds, runner
from myomap.jobs.kinds import kind
from myomap.jobs.models import Job
from myomap.jobs.queue import HUEY
from myomap.web import env
from myomap.web.demo import CLINIC_NAME
from personas import People

pytestmark = pytest.mark.django_db

ZONE = "Europe/Berlin"  # UTC+1 in March: 02:30 on the server's clock is 01:30 UTC
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # Monday 2 March, 11:00 in Berlin
NIGHT = dt.datetime(2026, 3, 3, 1, 30, tzinfo=dt.UTC)  # Tuesday 3 March, 02:30 in Berlin
FIRST = "myomap-backup-2026-03-03.backup"
SECRET = "correct horse battery staple"
DATA = "/accounts/clinic/data/"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[Any]:
    """The queue in a file of its own (the embedded default's storage)."""
    kept = HUEY._storage
    HUEY.storage = SqliteStorage("myomap", filename=str(tmp_path / "jobs.sqlite3"))
    yield HUEY
    HUEY.storage = kept


def run_myomap(*args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "MYOMAP"))}
    environ.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "myomap.cli.main", *args],
        env=environ | variables,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """On SQLite, an installation's database file: the demo clinic, made by `myomap demo`
    (the test database itself is in memory, where no other connection can copy it)."""
    if connection.vendor != "sqlite":
        return None
    folder = tmp_path_factory.mktemp("demo")
    made = run_myomap("demo", MYOMAP_DATA_DIR=str(folder))
    assert made.returncode == 0, made.stderr
    return folder / ops.DATABASE_FILE


@pytest.fixture
def installation(settings: Any, tmp_path: Path, demo_database: Path | None) -> Path:
    """The data folder the job backs up: its secret key and, on SQLite, the demo
    database (on PostgreSQL the job dumps the test database)."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    (data_dir / ops.SECRET_KEY).write_text("a-secret-key", encoding="utf-8")
    if demo_database is not None:
        shutil.copyfile(demo_database, data_dir / ops.DATABASE_FILE)
    settings.DATA_DIR = data_dir
    return data_dir


@pytest.fixture
def backups(settings: Any, tmp_path: Path, installation: Path, monkeypatch: Any) -> Path:
    """Nightly backups on, into a folder that does not exist yet; a cheaper scrypt."""
    folder = tmp_path / "backups" / "nightly"
    settings.BACKUP_DIR = folder
    settings.BACKUP_AT = "02:30"
    settings.BACKUP_KEEP = 7
    settings.BACKUP_PASSPHRASE = None
    settings.TIME_ZONE = ZONE
    monkeypatch.setattr(crypto, "SCRYPT_N", 2**10)
    return folder


def deliver(huey: Any, at: dt.datetime) -> list[Any]:
    """What a consumer does at `at`: due scheduled tasks to the queue, then run them all."""
    for task in huey.read_schedule(at.replace(tzinfo=None)):
        huey.enqueue(task)
    results = []
    while (task := huey.dequeue()) is not None:
        results.append(huey.execute(task, at.replace(tzinfo=None)))
    return results


def plan_and_run(queue: Any, captured: Any, planned_at: dt.datetime) -> Job:
    """The periodic task at `planned_at`, then the consumer when the job is due."""
    with time_machine.travel(planned_at, tick=False) as clock:
        with captured(execute=True):
            nightly_job.plan_nightly_backup.call_local()
        job = Job.objects.get(kind=nightly_job.KIND, status=Job.Status.QUEUED, attempts=0)
        clock.move_to(job.run_at)
        deliver(queue, job.run_at)
    job.refresh_from_db()
    return job


def backup_events() -> list[str]:
    return list(
        AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, via="system")
        .order_by("pk")
        .values_list("summary", flat=True)
    )


# ------------------------------------------------------------------------------ the plan
def test_the_periodic_task_asked_twice_or_by_two_workers_makes_one_job_for_the_night(
    backups: Path, queue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(T0, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            nightly_job.plan_nightly_backup.call_local()
            nightly_job.plan_nightly_backup.call_local()  # another worker, the same minute
        with django_capture_on_commit_callbacks(execute=True):
            assert nightly_job.plan(T0 + dt.timedelta(minutes=1)) is not None
    job = Job.objects.get()
    assert (job.kind, job.key, job.status) == ("backup.nightly", "backup:2026-03-03", "queued")
    assert job.run_at == NIGHT
    assert job.payload == {"day": "2026-03-03"}
    assert job.clinic_id is None  # the whole installation, not one clinic
    assert queue.pending_count() == 1  # handed to the queue once, to run at night


def test_before_the_time_tonight_is_planned_after_it_tomorrow_night(backups: Path) -> None:
    early = dt.datetime(2026, 3, 3, 1, 0, tzinfo=dt.UTC)  # 02:00 in Berlin
    assert nightly_job.plan(early).key == "backup:2026-03-03"  # type: ignore[union-attr]
    assert nightly_job.plan(NIGHT).key == "backup:2026-03-04"  # type: ignore[union-attr]
    assert Job.objects.count() == 2


def test_nothing_is_planned_while_nightly_backups_are_off(settings: Any) -> None:
    settings.BACKUP_DIR = None
    with time_machine.travel(T0, tick=False):
        nightly_job.plan_nightly_backup.call_local()
    assert nightly_job.plan(T0) is None
    assert not Job.objects.exists()


def test_a_night_the_clock_skips_the_time_of_is_still_one_real_moment() -> None:
    import zoneinfo

    berlin = zoneinfo.ZoneInfo(ZONE)  # 29 March 2026: 02:00 jumps to 03:00
    day, at = nightly.next_run(
        dt.datetime(2026, 3, 28, 12, 0, tzinfo=dt.UTC), dt.time(2, 30), berlin
    )
    assert (str(day), at.isoformat()) == ("2026-03-29", "2026-03-29T01:30:00+00:00")
    assert at.astimezone(berlin).strftime("%H:%M %Z") == "03:30 CEST"


def test_the_nightly_modules_examples_hold() -> None:
    assert doctest.testmod(myomap.backup.nightly).failed == 0


# ------------------------------------------------------------------------------- the job
def test_the_job_writes_a_private_backup_that_restore_opens_and_verifies(
    backups: Path, queue: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    job = plan_and_run(queue, django_capture_on_commit_callbacks, T0)
    assert (job.status, job.attempts, job.last_error) == ("done", 1, "")

    made = backups / FIRST
    assert sorted(p.name for p in backups.iterdir()) == [FIRST]  # no scratch file left
    assert mode(made) == 0o600
    assert mode(backups) == 0o700
    assert not archive.is_encrypted(made)
    contents = archive.read(made)  # every member's checksum verified
    assert contents.manifest["database_vendor"] == connection.vendor
    member = ops.SQLITE_MEMBER if connection.vendor == "sqlite" else ops.POSTGRES_MEMBER
    assert sorted(contents.members) == sorted([member, ops.SECRET_KEY])
    assert contents.members[ops.SECRET_KEY] == b"a-secret-key"
    if connection.vendor == "sqlite":
        ops.restore_files(contents, tmp_path / "restored", keep_key=True)
        restored = tmp_path / "restored" / ops.DATABASE_FILE
        assert canonical.sqlite_digest(restored) == contents.manifest["canonical_sha256"]
        db = sqlite3.connect(restored)
        try:
            clinics = db.execute("SELECT name FROM accounts_clinic").fetchall()
        finally:
            db.close()
        assert clinics == [(CLINIC_NAME,)]
    assert backup_events() == [
        f"nightly backup made: {FIRST} ({', '.join(sorted([member, ops.SECRET_KEY]))})"
    ]


def test_another_attempts_scratch_file_is_left_alone_and_a_day_old_one_removed(
    backups: Path, queue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A worker that took the night over (the first one's lease ran out during a long
    dump) writes under a name of its own: the first attempt's file in the making is not
    touched; a scratch file a day old (an attempt killed between write and rename) goes."""
    import os

    backups.mkdir(mode=0o700, parents=True, exist_ok=True)
    running = backups / f".{FIRST}.aaaaaaaaaaaa.new"
    running.write_bytes(b"the other worker's dump, still being written")
    stale = backups / ".myomap-backup-2020-01-01.backup.bbbbbbbbbbbb.new"
    stale.write_bytes(b"left by an attempt killed long ago")
    long_ago = dt.datetime(2020, 1, 2, tzinfo=dt.UTC).timestamp()
    os.utime(stale, (long_ago, long_ago))
    job = plan_and_run(queue, django_capture_on_commit_callbacks, T0)
    assert job.status == "done"
    assert sorted(p.name for p in backups.iterdir()) == sorted([FIRST, running.name])
    assert running.read_bytes() == b"the other worker's dump, still being written"
    archive.read(backups / FIRST)


def test_the_job_runs_outside_a_transaction_so_sqlite_s_write_lock_stays_free() -> None:
    assert kinds.atomic("mail")
    assert not kinds.atomic(nightly_job.KIND)


SEEN: dict[str, bool] = {}


@kind("test.outside", atomic=False)
def _outside(job: Job) -> None:
    SEEN["in_transaction"] = connection.in_atomic_block


@kind("test.inside")
def _inside(job: Job) -> None:
    SEEN["in_transaction"] = connection.in_atomic_block


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("name", "inside"), [("test.outside", False), ("test.inside", True)])
def test_a_kind_registered_outside_the_transaction_runs_without_one(
    name: str, inside: bool
) -> None:
    job = Job.objects.create(kind=name, key=name, run_at=T0, created_at=T0)
    assert runner.run(job.pk, now=T0) == "done"
    assert SEEN["in_transaction"] is inside
    assert Job.objects.get(pk=job.pk).status == "done"


def test_with_keep_2_three_nights_leave_the_two_newest_and_every_other_file(
    backups: Path, settings: Any, queue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.BACKUP_KEEP = 2
    backups.mkdir(parents=True)
    others = {
        "notes.txt": b"the clinic's own notes",
        "clinic-2026-01-01.backup": b"a backup made by hand",
        "myomap-backup-latest.backup": b"not a nightly name",
        "myomap-backup-2026-03-01.backup.old": b"nor this",
    }
    for name, data in others.items():
        (backups / name).write_bytes(data)

    for night in range(3):
        job = plan_and_run(queue, django_capture_on_commit_callbacks, T0 + dt.timedelta(days=night))
        assert job.status == "done", job.last_error

    names = sorted(p.name for p in backups.iterdir())
    kept = ["myomap-backup-2026-03-04.backup", "myomap-backup-2026-03-05.backup"]
    assert names == sorted([*kept, *others])
    for name, data in others.items():
        assert (backups / name).read_bytes() == data
    for name in kept:
        archive.read(backups / name)
    events = backup_events()
    assert len(events) == 3
    assert events[2].endswith(f"; removed {FIRST}")
    assert "removed" not in events[0] + events[1]


def test_with_the_passphrase_set_the_file_is_encrypted_and_opens_only_with_it(
    backups: Path, settings: Any, queue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.BACKUP_PASSPHRASE = SECRET
    job = plan_and_run(queue, django_capture_on_commit_callbacks, T0)
    assert job.status == "done", job.last_error
    made = backups / FIRST
    assert archive.is_encrypted(made)
    with pytest.raises(BackupError, match="is encrypted: give its passphrase"):
        archive.read(made)
    with pytest.raises(BackupError, match="the passphrase is wrong"):
        archive.read(made, SECRET + "!")
    assert archive.read(made, SECRET).manifest["database_vendor"] == connection.vendor
    assert backup_events()[0].startswith(f"nightly encrypted backup made: {FIRST} (")


@pytest.fixture
def obstacle(request: Any, backups: Path, monkeypatch: Any) -> tuple[str, Any]:
    """A folder the job cannot write, the reason it will give, and how to clear it."""
    if request.param == "not a folder":
        # The folder would be inside a file: it cannot be made.
        blocker = backups.parent
        blocker.parent.mkdir(parents=True, exist_ok=True)
        blocker.write_text("a file where the folder's parent should be")
        return "BackupError: cannot make the backup folder", blocker.unlink
    if request.param == "read-only":
        backups.mkdir(parents=True)
        real = os.access
        monkeypatch.setattr(
            nightly.os, "access", lambda p, m: False if Path(p) == backups else real(p, m)
        )
        return "BackupError: the backup folder", monkeypatch.undo
    backups.mkdir(parents=True)  # the disk is full
    real_open = os.open

    def full(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).startswith(str(backups)):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", full)
    return "BackupError: the disk is full: cannot write", monkeypatch.undo


@pytest.mark.parametrize("obstacle", ["not a folder", "read-only", "disk full"], indirect=True)
def test_a_folder_it_cannot_write_is_a_failure_with_the_reason_then_retried(
    obstacle: tuple[str, Any], backups: Path, queue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    reason, clear = obstacle
    job = plan_and_run(queue, django_capture_on_commit_callbacks, T0)
    assert (job.status, job.attempts) == ("retrying", 1)
    assert job.last_error.startswith(reason), job.last_error
    assert str(backups) in job.last_error
    assert job.run_at == NIGHT + runner.retry_wait(1)  # the jobs' backoff
    assert backup_events() == []  # nothing audited: nothing was made
    if backups.is_dir():
        assert sorted(p.name for p in backups.iterdir()) == []  # no half file

    clear()
    with time_machine.travel(job.run_at, tick=False):
        deliver(queue, job.run_at)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.last_error) == ("done", 2, "")
    assert archive.read(backups / FIRST)


def test_a_job_planned_before_backups_were_turned_off_writes_nothing(
    backups: Path, settings: Any, queue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        nightly_job.plan(T0)
    settings.BACKUP_DIR = None
    with time_machine.travel(NIGHT, tick=False):
        assert deliver(queue, NIGHT) == ["done"]
    assert not backups.exists()
    assert backup_events() == []


# -------------------------------------------------------------------------- the Data page
def section(html: str) -> str:
    start = html.index('id="nightly-backup"')
    return html[start : html.index("</section>", start)]


def test_the_data_page_says_how_to_turn_the_nightly_backup_on_while_it_is_off(
    settings: Any, people: People, client: Any
) -> None:
    settings.BACKUP_DIR = None
    settings.TIME_ZONE = ZONE
    client.force_login(people.carol)
    shown = section(client.get(DATA).content.decode())
    assert "Off." in shown
    assert "MYOMAP_BACKUP_DIR" in shown and "restart Myomap" in shown
    assert "02:30" in shown and ZONE in shown and "newest 7" in shown


def test_the_data_page_shows_the_schedule_before_any_night_has_run(
    backups: Path, people: People, client: Any
) -> None:
    with time_machine.travel(T0, tick=False):
        nightly_job.plan(T0)
        client.force_login(people.carol)
        shown = section(client.get(DATA).content.decode())
    assert "<strong>On</strong>" in shown
    assert "<strong>02:30</strong> (Europe/Berlin)" in shown
    assert f"<code>{backups}</code>" in shown
    assert "the newest <strong>7</strong>" in shown and "not encrypted" in shown
    assert "Newest file: none yet." in shown
    assert "Next: 3 Mar 2026 02:30." in shown
    assert "No nightly backup has run yet." in shown


def test_the_data_page_shows_the_last_nights_ok_or_failed_and_the_newest_file(
    backups: Path,
    settings: Any,
    people: People,
    client: Any,
    queue: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
) -> None:
    settings.BACKUP_PASSPHRASE = SECRET
    assert plan_and_run(queue, django_capture_on_commit_callbacks, T0).status == "done"
    size = (backups / FIRST).stat().st_size
    # The next night Myomap may not write the folder: that night fails.
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, m: False if Path(p) == backups else real(p, m))
    failed = plan_and_run(queue, django_capture_on_commit_callbacks, T0 + dt.timedelta(days=1))
    assert failed.status == "retrying"

    with time_machine.travel(NIGHT + dt.timedelta(days=1, hours=1), tick=False):
        client.force_login(people.carol)
        shown = section(client.get(DATA).content.decode())
    assert "encrypted with the backup passphrase" in shown
    assert f"Newest file: <code>{FIRST}</code>" in shown
    assert f"<code>{FIRST}</code> ({filesizeformat(size)})" in shown
    rows = shown.split("<tr>")[2:]
    assert len(rows) == 2
    assert "2026-03-04" in rows[0] and "failed, trying again at 02:31" in rows[0]
    assert f"the backup folder {backups} is not writable by Myomap" in rows[0]
    assert "2026-03-03" in rows[1] and ">ok<" in rows[1] and "3 Mar 2026 02:30" in rows[1]


def test_only_a_clinic_admin_sees_the_nightly_backup(
    backups: Path, people: People, client: Any
) -> None:
    client.force_login(people.alice)
    assert client.get(DATA).status_code == 403


# ----------------------------------------------------------------------------- settings
@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"MYOMAP_BACKUP_KEEP": "0"}, "MYOMAP_BACKUP_KEEP must be 1 or more"),
        ({"MYOMAP_BACKUP_KEEP": "seven"}, "MYOMAP_BACKUP_KEEP must be a whole number"),
        ({"MYOMAP_BACKUP_AT": "25:00"}, "MYOMAP_BACKUP_AT must be a time of day as HH:MM"),
        ({"MYOMAP_BACKUP_AT": "2.30"}, "MYOMAP_BACKUP_AT must be a time of day as HH:MM"),
        ({"MYOMAP_BACKUP_DIR": "backups"}, "MYOMAP_BACKUP_DIR must be an absolute path"),
        (
            {"MYOMAP_BACKUP_DIR": "/srv/b", "MYOMAP_BACKUP_PASSPHRASE": "short"},
            "MYOMAP_BACKUP_PASSPHRASE is too short",
        ),
        (
            {"MYOMAP_BACKUP_DIR": "/srv/b", "MYOMAP_BACKUP_PASSPHRASE": ""},
            "MYOMAP_BACKUP_PASSPHRASE is set but empty",
        ),
    ],
)
def test_a_bad_setting_is_refused_naming_the_variable(
    variables: dict[str, str], message: str, monkeypatch: Any
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        env.nightly_backup()


def test_the_settings_default_to_off_at_0230_keeping_7(monkeypatch: Any) -> None:
    for name in ("DIR", "AT", "KEEP", "PASSPHRASE"):
        monkeypatch.delenv(f"MYOMAP_BACKUP_{name}", raising=False)
    assert env.nightly_backup() == (None, "02:30", 7, None)
    monkeypatch.setenv("MYOMAP_BACKUP_DIR", "/srv/b")
    monkeypatch.setenv("MYOMAP_BACKUP_AT", "3:05")
    monkeypatch.setenv("MYOMAP_BACKUP_KEEP", "14")
    monkeypatch.setenv("MYOMAP_BACKUP_PASSPHRASE", SECRET)
    assert env.nightly_backup() == (Path("/srv/b"), "03:05", 14, SECRET)


def test_a_worker_with_a_bad_setting_does_not_start_and_names_it(tmp_path: Path) -> None:
    done = run_myomap("worker", MYOMAP_DATA_DIR=str(tmp_path / "data"), MYOMAP_BACKUP_KEEP="0")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "myomap worker: not started: MYOMAP_BACKUP_KEEP must be 1 or more "
        "(how many nightly backups to keep), not 0"
    )
