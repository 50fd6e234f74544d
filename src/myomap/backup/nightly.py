"""The nightly backup's files, without Django: when the next one is due, its name, the
folder it goes into, writing it and keeping the newest few.

A nightly file is `myomap-backup-YYYY-MM-DD.backup` (the night's date on the server's
clock); only files named so are ever removed, so whatever else the folder holds stays.

>>> name_for(dt.date(2026, 3, 2))
'myomap-backup-2026-03-02.backup'
>>> [p.name for p in to_remove([Path(name_for(dt.date(2026, 3, d))) for d in (1, 3, 2)], 2)]
['myomap-backup-2026-03-01.backup']
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from myomap.backup import BackupError
from myomap.backup.canonical import Progress
from myomap.backup.ops import Made, make_backup

PREFIX = "myomap-backup-"
SUFFIX = ".backup"  # as docs/backup.md names the command's files
PATTERN = re.compile(r"myomap-backup-(\d{4}-\d{2}-\d{2})\.backup")


def name_for(day: dt.date) -> str:
    return f"{PREFIX}{day.isoformat()}{SUFFIX}"


def day_of(name: str) -> dt.date | None:
    """The night a nightly file is of; None for any other name."""
    matched = PATTERN.fullmatch(name)
    if matched is None:
        return None
    try:
        return dt.date.fromisoformat(matched[1])
    except ValueError:
        return None


def next_run(now: dt.datetime, at: dt.time, zone: dt.tzinfo) -> tuple[dt.date, dt.datetime]:
    """The night of the next backup after `now` and its moment (UTC): today at `at` on
    the clock of `zone` if that is still ahead, else tomorrow. A time the clock skips
    (a spring-forward night) falls at the same distance past the skip.

    >>> import zoneinfo
    >>> london = zoneinfo.ZoneInfo("Europe/London")  # summer time: UTC+1
    >>> day, at = next_run(dt.datetime(2026, 7, 1, 0, 0, tzinfo=dt.UTC), dt.time(2, 30), london)
    >>> str(day), at.isoformat()
    ('2026-07-01', '2026-07-01T01:30:00+00:00')
    >>> str(next_run(dt.datetime(2026, 7, 1, 1, 30, tzinfo=dt.UTC), dt.time(2, 30), london)[0])
    '2026-07-02'
    """
    today = now.astimezone(zone).date()
    for day in (today, today + dt.timedelta(days=1)):
        moment = dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)
        if moment > now:
            return day, moment
    raise AssertionError("tomorrow at any time of day is after now")  # pragma: no cover


def prepare_folder(folder: Path) -> None:
    """The folder the backups go into: made (0700) if missing, refused in words when it
    cannot be made or is not a folder."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileExistsError:
        raise BackupError(f"the backup folder {folder} is not a folder", code=1) from None
    except OSError as exc:
        raise BackupError(
            f"cannot make the backup folder {folder}: {exc.strerror or exc}", code=1
        ) from None
    if not folder.is_dir():
        raise BackupError(f"the backup folder {folder} is not a folder", code=1)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BackupError(f"the backup folder {folder} is not writable by Myomap", code=1)


def files_in(folder: Path) -> list[Path]:
    """The nightly files in `folder`, newest night first (none if it cannot be read)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    nightly = [
        p for p in entries if day_of(p.name) is not None and p.is_file() and not p.is_symlink()
    ]
    return sorted(nightly, key=lambda p: p.name, reverse=True)


def to_remove(files: list[Path], keep: int) -> list[Path]:
    """Of the nightly `files`, those past the newest `keep` nights (oldest last kept)."""
    dated = sorted((p for p in files if day_of(p.name) is not None), key=lambda p: p.name)
    return dated[: max(len(dated) - keep, 0)]


def write(
    folder: Path,
    day: dt.date,
    passphrase: str | None,
    say: Progress,
    *,
    data_dir: Path,
    database: dict[str, Any] | None,
) -> Made:
    """The night's backup, `folder/myomap-backup-<day>.backup` (0600), written under a
    temporary name and renamed: a failure leaves no half file, and another attempt at the
    same night replaces the file it made."""
    prepare_folder(folder)
    target = folder / name_for(day)
    # A name of this attempt's own: a second attempt at the same night (a worker that
    # took the job over after a long dump outlived its lease) never touches this file.
    scratch = folder / f".{target.name}.{secrets.token_hex(6)}.new"
    _remove_stale_scratch(folder)
    try:
        made = make_backup(scratch, passphrase, say, data_dir=data_dir, database=database)
        os.replace(scratch, target)
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror or exc}", code=1) from None
    finally:
        scratch.unlink(missing_ok=True)
    return dataclasses.replace(made, path=target)


def _remove_stale_scratch(folder: Path, older_than: float = 24 * 3600) -> None:
    """Scratch files of attempts stopped between writing and renaming, a day old or more."""
    limit = time.time() - older_than
    for path in folder.glob(".myomap-backup-*.new"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove the nightly files past the newest `keep`; the ones removed. Any other file
    in the folder is left alone."""
    removed = []
    for path in to_remove(files_in(folder), keep):
        try:
            path.unlink()
        except FileNotFoundError:
            continue  # another worker removed it first
        except OSError as exc:
            raise BackupError(
                f"the backup was written but the old {path.name} could not be removed: "
                f"{exc.strerror or exc}",
                code=1,
            ) from None
        removed.append(path)
    return removed


@dataclass(frozen=True)
class Newest:
    """The newest nightly file, for the clinic admin's Data page."""

    name: str
    size: int
    day: dt.date


def newest(folder: Path) -> Newest | None:
    for path in files_in(folder):
        day = day_of(path.name)
        try:
            size = path.stat().st_size
        except OSError:
            continue
        if day is not None:
            return Newest(path.name, size, day)
    return None
