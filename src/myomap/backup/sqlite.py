"""SQLite's online backup API: a consistent copy of a database another process may be
writing to, page by page, with progress."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from myomap.backup import BackupError
from myomap.backup.canonical import Progress

PAGES_PER_STEP = 1024


def snapshot(source: Path, target: Path, progress: Progress | None = None) -> None:
    """Copy the live database `source` into the new file `target` (0600)."""
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    target.touch(mode=0o600, exist_ok=False)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:

        def report(status: int, remaining: int, total: int) -> None:
            if progress is not None:
                progress(f"database pages {total - remaining} of {total}")

        src.backup(dst, pages=PAGES_PER_STEP, progress=report)
        # The copy is a plain file, not in WAL mode: one file to archive and restore.
        dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"cannot back up {source}: {exc}", code=1) from None
    finally:
        src.close()
        dst.close()


def integrity(path: Path) -> str:
    """SQLite's integrity_check of the database at `path`: "ok" when it is sound."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()
