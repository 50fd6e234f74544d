"""Shared by the web tests: the background jobs' queue in a file of the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[Any]:
    """The jobs the test asks for go to a queue file of its own (the embedded default's
    storage), never the installation's; the queue is put back afterwards."""
    from huey.storage import SqliteStorage

    from myomap.jobs.queue import HUEY

    kept = HUEY._storage
    HUEY.storage = SqliteStorage("myomap", filename=str(tmp_path / "jobs.sqlite3"))
    yield HUEY
    HUEY.storage = kept
