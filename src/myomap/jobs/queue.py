"""The queue that delivers jobs: Huey, on the storage the installation already has.

- The embedded default: a SQLite file beside the database in the data folder
  (`jobs.sqlite3`), so `myomap serve` needs nothing more.
- PostgreSQL (`DATABASE_URL`): Huey's tables (`huey_*`) in the same database, so every
  `myomap worker` of a clinic network, on any machine, takes from one queue.
- `MYOMAP_REDIS_URL`: Redis instead, where a network has one.

The queue is named "myomap" unless MYOMAP_JOBS_QUEUE names another (two installations
sharing one Redis, a test's own queue). The storage is opened on first use, not at
import: importing the app (a management command, a test) creates no file and opens no
connection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from huey import Huey
from huey.storage import PostgresStorage, RedisStorage, SqliteStorage

NAME = "myomap"


def queue_name() -> str:
    return str(getattr(settings, "JOBS_QUEUE_NAME", "") or NAME)


def storage_for(name: str | None = None) -> Any:
    """The storage the settings choose (see the module's docstring)."""
    name = name or queue_name()
    redis_url = str(getattr(settings, "JOBS_REDIS_URL", "") or "")
    if redis_url:
        return RedisStorage(name, url=redis_url)
    database = settings.DATABASES["default"]
    if "postgresql" in str(database["ENGINE"]):
        return PostgresStorage(name, dsn=_conninfo(database))
    queue_file = Path(settings.JOBS_QUEUE_FILE)
    # the data folder may not exist yet (a worker or a test before the first `serve`)
    queue_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return SqliteStorage(name, filename=str(queue_file))


def describe() -> str:
    """Where the queue is, in words, for `myomap worker`'s first line."""
    if getattr(settings, "JOBS_REDIS_URL", ""):
        return "Redis"
    if "postgresql" in str(settings.DATABASES["default"]["ENGINE"]):
        return "PostgreSQL"
    return str(settings.JOBS_QUEUE_FILE)


def _conninfo(database: dict[str, Any]) -> str:
    from psycopg.conninfo import make_conninfo

    parts = {
        "dbname": database.get("NAME"),
        "user": database.get("USER"),
        "password": database.get("PASSWORD"),
        "host": database.get("HOST"),
        "port": database.get("PORT"),
    }
    return make_conninfo(**{k: str(v) for k, v in parts.items() if v})


class Queue(Huey):  # type: ignore[misc]  # huey ships no type information
    """Huey with its storage made on first use."""

    _storage: Any = None

    def create_storage(self) -> None:
        return None

    @property
    def storage(self) -> Any:
        if self._storage is None:
            self._storage = storage_for()
        return self._storage

    @storage.setter
    def storage(self, value: Any) -> None:
        self._storage = value


# Results are not kept: the ledger (`Job`) says how each job went.
HUEY = Queue(NAME, results=False, utc=True)
