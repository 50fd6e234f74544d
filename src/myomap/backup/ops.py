"""Making and restoring an archive of one installation, without Django: the caller gives
the data folder and, on PostgreSQL, Django's database settings."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from myomap import __version__
from myomap.backup import BackupError, archive, canonical, crypto, postgres, sqlite
from myomap.backup.canonical import Progress

DATABASE_FILE = "myomap.sqlite3"
SECRET_KEY = "secret_key"
KNOWLEDGE = "knowledge"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"


@dataclass(frozen=True)
class Made:
    """A backup written: where, its members, the canonical digest of its database, and
    whether it is encrypted."""

    members: list[str]
    canonical: str
    path: Path
    encrypted: bool = False

    @property
    def summary(self) -> str:
        """The audit log's words for it: "encrypted backup made: NAME (members)"."""
        what = "encrypted backup" if self.encrypted else "backup"
        return f"{what} made: {self.path.name} ({', '.join(self.members)})"


def is_postgres(database: dict[str, Any] | None) -> bool:
    return database is not None and "postgresql" in str(database.get("ENGINE", ""))


def make_backup(
    path: Path,
    passphrase: str | None,
    say: Progress,
    *,
    data_dir: Path,
    database: dict[str, Any] | None = None,
) -> Made:
    """One backup file at `path` (0600, encrypted when `passphrase` is given) of the
    installation whose data folder is `data_dir`: its embedded SQLite database, or the
    PostgreSQL database of `database` (Django's settings, with Django set up, for the
    canonical dump). Everything is checked before anything is written; a BackupError says
    what is wrong. The one way a backup is made: `myomap backup` and the nightly job."""
    if passphrase is not None:
        crypto.check_passphrase(passphrase)
    if path.exists():
        raise BackupError(f"{path} already exists; choose another file name")
    if not path.parent.is_dir():
        raise BackupError(f"no folder {path.parent} to write the backup into")
    if database is not None and is_postgres(database):
        digest = canonical.django_digest(say)
        return backup_postgres(database, data_dir, path, __version__, digest, passphrase)
    if not (data_dir / DATABASE_FILE).is_file():
        raise BackupError(f"no database at {data_dir / DATABASE_FILE}: nothing to back up")
    return backup_sqlite(data_dir, path, __version__, say, passphrase)


def _folder_members(data_dir: Path) -> dict[str, bytes]:
    members: dict[str, bytes] = {}
    key = data_dir / SECRET_KEY
    if key.is_file():
        members[SECRET_KEY] = key.read_bytes()
    knowledge = data_dir / KNOWLEDGE
    if knowledge.is_dir():
        for path in sorted(knowledge.rglob("*")):
            if path.is_file():
                members[path.relative_to(data_dir).as_posix()] = path.read_bytes()
    return members


def backup_sqlite(
    data_dir: Path, out: Path, version: str, progress: Progress, passphrase: str | None = None
) -> Made:
    """Archive the embedded database (online backup), secret key and knowledge folder;
    encrypted with `passphrase` if one is given."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / SQLITE_MEMBER
        sqlite.snapshot(data_dir / DATABASE_FILE, copy, progress)
        digest = canonical.sqlite_digest(copy, progress)
        members = {SQLITE_MEMBER: copy.read_bytes(), **_folder_members(data_dir)}
    manifest = archive.manifest_for(members, vendor="sqlite", version=version, canonical=digest)
    archive.write(out, manifest, members, passphrase)
    return Made(sorted(members), digest, out, encrypted=passphrase is not None)


def backup_postgres(
    database: dict[str, Any],
    data_dir: Path | None,
    out: Path,
    version: str,
    digest: str,
    passphrase: str | None = None,
) -> Made:
    """Archive `pg_dump` of the database (and the data folder's files, if any)."""
    with tempfile.TemporaryDirectory() as scratch:
        dumped = Path(scratch) / POSTGRES_MEMBER
        postgres.dump(database, dumped)
        members = {POSTGRES_MEMBER: dumped.read_bytes()}
    if data_dir is not None and data_dir.is_dir():
        members.update(_folder_members(data_dir))
    manifest = archive.manifest_for(members, vendor="postgresql", version=version, canonical=digest)
    archive.write(out, manifest, members, passphrase)
    return Made(sorted(members), digest, out, encrypted=passphrase is not None)


def refuse_unless_empty(data_dir: Path) -> None:
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise BackupError(
            f"the data folder {data_dir} is not empty; restore only into an empty data "
            "folder (set MYOMAP_DATA_DIR to a new one). Nothing was changed."
        )


def restore_files(contents: archive.Contents, data_dir: Path, *, keep_key: bool) -> list[str]:
    """Write the archive's files into the empty `data_dir` (0700), each 0600; the
    database too on SQLite. `keep_key` False skips the secret key (one is configured)."""
    for name in contents.members:
        known = name in (SQLITE_MEMBER, POSTGRES_MEMBER, SECRET_KEY)
        if not (known or name.startswith(KNOWLEDGE + "/")) or ".." in Path(name).parts:
            raise BackupError(f"unexpected member {name!r} in the archive; nothing was changed")
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    data_dir.chmod(0o700)
    written = []
    for name, data in sorted(contents.members.items()):
        if name == POSTGRES_MEMBER or (name == SECRET_KEY and not keep_key):
            continue
        target = data_dir / (DATABASE_FILE if name == SQLITE_MEMBER else name)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        archive.write_private(target, data)
        written.append(str(target))
    return written


def restore_postgres(contents: archive.Contents, database: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        dumped = Path(scratch) / POSTGRES_MEMBER
        archive.write_private(dumped, contents.members[POSTGRES_MEMBER])
        postgres.restore(database, dumped)
