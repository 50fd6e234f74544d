"""The canonical dump: every table's rows ordered by primary key, every value as text
exactly (timestamps as stored, to the microsecond), hashed with SHA-256. The same function
runs on the backup and on the restored database, so equal digests mean every row is back."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

Progress = Callable[[str], None]


def text(value: Any) -> str | None:
    """One value as exact text: None stays None, bytes as hex, anything else str()."""
    if value is None:
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


def digest_tables(
    tables: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
    progress: Progress | None = None,
) -> str:
    """SHA-256 over (table, columns, rows in order) for each table, in name order."""
    hasher = hashlib.sha256()
    for name, columns, rows in tables:
        hasher.update(json.dumps(["table", name, list(columns)]).encode())
        count = 0
        for row in rows:
            hasher.update(json.dumps([text(v) for v in row], ensure_ascii=False).encode())
            hasher.update(b"\n")
            count += 1
        if progress is not None:
            progress(f"checked table {name} ({count} rows)")
    return hasher.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_digest(path: Path, progress: Progress | None = None) -> str:
    """The canonical digest of the SQLite database file at `path` (opened read-only)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]

        def tables() -> Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]:
            for name in names:
                info = conn.execute(f"PRAGMA table_info({_quote(name)})").fetchall()
                columns = [col[1] for col in info]
                keys = [col[1] for col in sorted(info, key=lambda c: c[5]) if col[5] > 0]
                order = ", ".join(_quote(k) for k in keys) if keys else "rowid"
                select = ", ".join(_quote(c) for c in columns)
                rows = conn.execute(f"SELECT {select} FROM {_quote(name)} ORDER BY {order}")
                yield name, columns, rows

        return digest_tables(tables(), progress)
    finally:
        conn.close()


def django_digest(progress: Progress | None = None) -> str:
    """The canonical digest of the configured Django database (used on PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))

        def tables() -> Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]:
            for name in names:
                quoted = connection.ops.quote_name(name)
                described = connection.introspection.get_table_description(cursor, name)
                columns = [col.name for col in described]
                keys = connection.introspection.get_primary_key_columns(cursor, name) or columns
                order = ", ".join(connection.ops.quote_name(k) for k in keys)
                select = ", ".join(connection.ops.quote_name(c) for c in columns)
                with connection.cursor() as rows:
                    rows.execute(f"SELECT {select} FROM {quoted} ORDER BY {order}")
                    yield name, columns, rows.fetchall()

        return digest_tables(tables(), progress)
