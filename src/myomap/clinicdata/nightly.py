"""The nightly backup on the background jobs (docs/backup.md).

With MYOMAP_BACKUP_DIR set, every worker asks each minute for the next night's backup
job, `backup:<date>` at MYOMAP_BACKUP_AT on the server's clock: the ledger's unique key
makes that one job however many workers ask. The job writes the file the way `myomap
backup` does (`backup.ops.make_backup`), `myomap-backup-<date>.backup` (0600) in the
folder (made 0700 if missing), then removes the oldest nightly files past
MYOMAP_BACKUP_KEEP (no other file), and is audited as an export, like the command. A
failure (a full disk, a folder it may not write) is the job's: its error on the ledger,
retried by the jobs' rules. The clinic admin's Data page shows it (`status`)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from huey import crontab

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.backup import nightly
from myomap.jobs import actions as jobs
from myomap.jobs.kinds import kind
from myomap.jobs.models import Job
from myomap.jobs.queue import HUEY

KIND = "backup.nightly"
RUNS = 5  # nights shown on the Data page
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    """The nightly backup as configured (the settings, read when asked); `folder` None
    when it is off."""

    folder: Path | None
    at: dt.time
    keep: int
    encrypted: bool
    zone: str


def configured() -> Schedule:
    """The settings of the nightly backup (MYOMAP_BACKUP_*, TIME_ZONE), as they are now."""
    folder = getattr(settings, "BACKUP_DIR", None)
    return Schedule(
        folder=Path(folder) if folder else None,
        at=dt.time.fromisoformat(str(settings.BACKUP_AT)),
        keep=int(settings.BACKUP_KEEP),
        encrypted=settings.BACKUP_PASSPHRASE is not None,
        zone=str(settings.TIME_ZONE),
    )


def key_for(day: dt.date) -> str:
    return f"backup:{day.isoformat()}"


def plan(now: dt.datetime) -> Job | None:
    """The next night's backup job, asked for once (None when backups are off). Looked
    up before it is asked for, so a minute's asking by every worker writes nothing."""
    schedule = configured()
    if schedule.folder is None:
        return None
    day, at = nightly.next_run(now, schedule.at, timezone.get_default_timezone())
    key = key_for(day)
    planned = Job.objects.filter(key=key).first()
    if planned is not None:
        return planned
    return jobs.schedule(
        kind=KIND,
        key=key,
        now=now,
        run_at=at,
        payload={"day": day.isoformat()},
        description=f"Nightly backup {day.isoformat()}",
    )


@HUEY.periodic_task(crontab(minute="*"), name="myomap.plan_nightly_backup")  # type: ignore[untyped-decorator]  # huey is untyped
def plan_nightly_backup() -> None:
    plan(timezone.now())


@kind(KIND, atomic=False)  # a long read: it must not hold SQLite's write lock meanwhile
def back_up(job: Job) -> None:
    schedule = configured()
    if schedule.folder is None:
        return  # turned off since this night was planned: nothing is written
    made = nightly.write(
        schedule.folder,
        dt.date.fromisoformat(str(job.payload["day"])),
        settings.BACKUP_PASSPHRASE,
        log.debug,
        data_dir=Path(settings.DATA_DIR),
        database=dict(connection.settings_dict),
    )
    removed = nightly.prune(schedule.folder, schedule.keep)
    gone = f"; removed {', '.join(p.name for p in removed)}" if removed else ""
    record(
        Context(user=None, via="system"),
        AuditEvent.Action.EXPORT,
        None,
        summary=f"nightly {made.summary}{gone}",
    )


@dataclass(frozen=True)
class Status:
    """What the Data page shows of the nightly backup."""

    schedule: Schedule  # its folder None when nightly backups are off
    runs: list[Job]  # the last nights' jobs that ran or are running, newest night first
    next: Job | None  # the night asked for and not yet run
    newest: nightly.Newest | None  # the newest nightly file in the folder


def status() -> Status:
    schedule = configured()
    if schedule.folder is None:
        return Status(schedule, [], None, None)
    ours = Job.objects.filter(kind=KIND)
    waiting = {"status": Job.Status.QUEUED, "attempts": 0}
    return Status(
        schedule=schedule,
        runs=list(ours.exclude(**waiting).order_by("-key")[:RUNS]),
        next=ours.filter(**waiting).order_by("run_at").first(),
        newest=nightly.newest(schedule.folder),
    )
