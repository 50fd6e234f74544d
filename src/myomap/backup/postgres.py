"""PostgreSQL: `pg_dump --format=custom` of the configured database, and `pg_restore` into
an empty one."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from myomap.backup import BackupError


def _command(tool: str, database: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    exe = shutil.which(tool)
    if exe is None:
        raise BackupError(f"{tool} is not installed; it is needed on PostgreSQL", code=1)
    args = [exe, "--no-password"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            args += [flag, str(database[key])]
    environ = dict(os.environ)
    if database.get("PASSWORD"):
        environ["PGPASSWORD"] = str(database["PASSWORD"])
    return args, environ


def dump(database: dict[str, Any], target: Path) -> None:
    """`pg_dump --format=custom` of `database` (Django's settings) into `target`."""
    args, environ = _command("pg_dump", database)
    args += ["--format=custom", "--file", str(target), "--dbname", str(database["NAME"])]
    done = subprocess.run(args, env=environ, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}", code=1)
    target.chmod(0o600)


def restore(database: dict[str, Any], source: Path) -> None:
    """`pg_restore` of the custom-format dump `source` into the (empty) `database`."""
    args, environ = _command("pg_restore", database)
    args += ["--no-owner", "--exit-on-error", "--dbname", str(database["NAME"]), str(source)]
    done = subprocess.run(args, env=environ, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}", code=1)
