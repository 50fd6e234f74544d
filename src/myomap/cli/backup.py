"""`myomap backup FILE` and `myomap restore FILE`: an exact, private backup of everything.

    myomap backup FILE            the database, secret key and knowledge folder, one archive
    myomap backup --verify FILE   check an archive's checksums and print its manifest
    myomap restore FILE           into an empty data folder (or empty PostgreSQL database)

With `--passphrase-file PATH` (or MYOMAP_BACKUP_PASSPHRASE) the archive is encrypted
(AES-256-GCM, the key derived with scrypt); `restore` and `backup --verify` ask for the
same passphrase, and refuse a wrong one or a changed file.

On the embedded SQLite database the copy is taken with SQLite's online backup, so a server
writing meanwhile does no harm; on PostgreSQL with `pg_dump --format=custom`. The archive
is written 0600 and lists a SHA-256 of each member and of a canonical dump of every table;
a restore checks them all before it writes anything and the dump again afterwards. Both are
audited, via "cli". See docs/backup.md."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from myomap.backup import BackupError

PROG = "myomap"
PASSPHRASE_ENV = "MYOMAP_BACKUP_PASSPHRASE"


def add_parser(commands: Any) -> None:
    backup = commands.add_parser("backup", help="back up the database, secret key and knowledge")
    backup.add_argument("file", type=Path, help="the archive to write (must not exist)")
    backup.add_argument(
        "--verify", action="store_true", help="only check an existing archive's checksums"
    )
    _passphrase(backup)
    backup.set_defaults(handler=run_backup)
    restore = commands.add_parser("restore", help="restore a backup into an empty data folder")
    restore.add_argument("file", type=Path, help="the archive made by `myomap backup`")
    _passphrase(restore)
    restore.set_defaults(handler=run_restore)


def _passphrase(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="PATH",
        help=f"encrypt (or decrypt) with the passphrase in this file (or {PASSPHRASE_ENV})",
    )


def passphrase_of(args: argparse.Namespace) -> str | None:
    """The passphrase from --passphrase-file (its first line) or the environment; None
    when neither is given."""
    path: Path | None = getattr(args, "passphrase_file", None)
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BackupError(f"cannot read the passphrase file {path}: {exc}") from None
        lines = text.splitlines()
        if not lines or not lines[0]:
            raise BackupError(f"the passphrase file {path} is empty")
        return lines[0]
    value = os.environ.get(PASSPHRASE_ENV)
    if value is None:
        return None
    if not value:
        raise BackupError(f"{PASSPHRASE_ENV} is set but empty")
    return value


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _embedded() -> bool:
    return not os.environ.get("DATABASE_URL", "").strip()


def _django() -> dict[str, Any]:
    import django
    from django.conf import settings

    from myomap.web.bootstrap import prepare_environment

    prepare_environment()
    django.setup()
    return dict(settings.DATABASES["default"])


def _audit(action: str, summary: str) -> None:
    from myomap.audit.log import Context, record
    from myomap.audit.models import AuditEvent

    record(Context(user=None, via="cli"), getattr(AuditEvent.Action, action), None, summary=summary)


def run_backup(args: argparse.Namespace) -> int:
    try:
        passphrase = passphrase_of(args)
        return _verify(args.file, passphrase) if args.verify else _backup(args.file, passphrase)
    except BackupError as exc:
        _say(f"{PROG} backup: {exc}")
        return exc.code


def _verify(path: Path, passphrase: str | None) -> int:
    from myomap.backup import archive

    contents = archive.read(path, passphrase)
    manifest = contents.manifest
    sealed = " (encrypted; the passphrase opens it)" if archive.is_encrypted(path) else ""
    print(f"{path}: every member matches its checksum{sealed}")
    for key in ("myomap_version", "database_vendor", "created_at", "canonical_sha256"):
        print(f"  {key}: {manifest.get(key)}")
    for name in sorted(contents.members):
        print(f"  member {name} ({len(contents.members[name]):,} bytes)")
    return 0


def _backup(path: Path, passphrase: str | None) -> int:
    from myomap.backup import ops
    from myomap.web import env

    # The embedded database is copied before Django is set up (it needs none), so a
    # refused backup leaves the data folder untouched; PostgreSQL's needs Django's settings.
    database = None if _embedded() else _django()
    made = ops.make_backup(
        path, passphrase, _say, data_dir=env.default_data_dir(), database=database
    )
    if database is None:
        _django()
    _audit("EXPORT", made.summary)
    sealed = ", encrypted" if passphrase is not None else ""
    print(f"Backup written to {path} (0600{sealed}): {', '.join(made.members)}")
    print(f"Canonical dump SHA-256: {made.canonical}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    try:
        return _restore(args.file, passphrase_of(args))
    except BackupError as exc:
        _say(f"{PROG} restore: {exc}")
        return exc.code


def _restore(path: Path, passphrase: str | None) -> int:
    from myomap.backup import archive, canonical, ops
    from myomap.web import env

    contents = archive.read(path, passphrase)  # every checksum verified before anything is written
    vendor = contents.manifest.get("database_vendor")
    data_dir = env.default_data_dir()
    keep_key = not env.get_secret("MYOMAP_SECRET_KEY")
    if vendor == "sqlite":
        if not _embedded():
            raise BackupError("this backup is of an embedded SQLite database; unset DATABASE_URL")
        ops.refuse_unless_empty(data_dir)
        written = ops.restore_files(contents, data_dir, keep_key=keep_key)
        digest = canonical.sqlite_digest(data_dir / ops.DATABASE_FILE, _say)
        _django()
    elif vendor == "postgresql":
        if _embedded():
            raise BackupError("this backup is of a PostgreSQL database; set DATABASE_URL")
        written = _restore_postgres(contents, data_dir, keep_key)
        digest = canonical.django_digest(_say)
    else:
        raise BackupError(f"{path}: unknown database vendor {vendor!r}")
    print(f"Restored from {path}: {', '.join(written)}")
    expected = contents.manifest.get("canonical_sha256")
    if digest != expected:
        print(f"Canonical dump differs: {digest} restored, {expected} in the backup")
        return 1
    print(f"Canonical dump matches the backup: every row is back (SHA-256 {digest})")
    _migrate_and_audit(path)
    return 0


def _restore_postgres(contents: Any, data_dir: Path, keep_key: bool) -> list[str]:
    """The data folder's files first (so the bootstrap keeps the archive's secret key),
    taken back out if the database turns out not to be empty."""
    from myomap.backup import ops

    files = [n for n in contents.members if n != ops.POSTGRES_MEMBER]
    written: list[str] = []
    if files and (keep_key or len(files) > 1):
        ops.refuse_unless_empty(data_dir)
        written = ops.restore_files(contents, data_dir, keep_key=keep_key)
    database = _django()
    try:
        _refuse_unless_empty_database(database)
    except BackupError:
        for name in reversed(written):
            Path(name).unlink(missing_ok=True)
        raise
    ops.restore_postgres(contents, database)
    return [f"database {database['NAME']}", *written]


def _refuse_unless_empty_database(database: dict[str, Any]) -> None:
    from django.db import connection

    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"the database {database['NAME']!r} is not empty ({len(tables)} tables); restore "
            "only into an empty database. Nothing was changed."
        )


def _migrate_and_audit(path: Path) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    _audit("CREATE", f"restored from backup {path.name}")
