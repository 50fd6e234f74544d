"""Backup and restore of everything a Myomap installation holds: its database (SQLite's
online backup, or `pg_dump` on PostgreSQL), its secret key and any local knowledge folder,
in one archive with a manifest of checksums and a checksum of a canonical dump."""

from __future__ import annotations

# The shortest passphrase an encrypted backup takes (`myomap backup` and the nightly job).
MIN_PASSPHRASE = 8  # characters


class BackupError(Exception):
    """A backup or restore that cannot go on: the message says why, `code` is the exit code
    (2 for a refusal or a bad archive, 1 for a failure of the machine, a full disk say)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code
