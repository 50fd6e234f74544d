"""Writing an export: a new file (never over an old one), readable by its owner only."""

from __future__ import annotations

import os
from pathlib import Path

from myomap.interop import InteropError


def write_private(path: Path, data: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InteropError(f"{path} already exists; choose another name") from None
    except FileNotFoundError:
        raise InteropError(f"no folder {path.parent} to write into") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)


def private_folder(path: Path) -> None:
    """A new or empty folder, 0700."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise InteropError(f"{path} exists and is not an empty folder; choose a new one")
    if not path.parent.is_dir():
        raise InteropError(f"no folder {path.parent} to write into")
    path.mkdir(mode=0o700, exist_ok=True)
    path.chmod(0o700)
