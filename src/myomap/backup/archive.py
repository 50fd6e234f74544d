"""The archive: a tar file holding manifest.json and the members it lists, each with its
SHA-256. Written 0600 under a temporary name and renamed, so a failed backup leaves no
half archive; read back only after every member's checksum matches."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from myomap.backup import BackupError, crypto

FORMAT = "myomap-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Contents:
    """What an archive holds once its checksums are verified: its manifest and members."""

    manifest: dict[str, Any]
    members: dict[str, bytes]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_for(
    members: dict[str, bytes], *, vendor: str, version: str, canonical: str
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "myomap_version": version,
        "database_vendor": vendor,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "canonical_sha256": canonical,
        "members": {name: sha256(data) for name, data in sorted(members.items())},
    }


def _disk_error(path: Path, exc: OSError) -> BackupError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return BackupError(f"the disk is full: cannot write {path}", code=1)
    return BackupError(f"cannot write {path}: {exc.strerror or exc}", code=1)


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to a new file at `path`, 0600, refusing to overwrite."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(path, 0o600)
    except FileExistsError:
        raise BackupError(f"{path} already exists; nothing was overwritten") from None
    except OSError as exc:
        raise _disk_error(path, exc) from None


def write(
    path: Path,
    manifest: dict[str, Any],
    members: dict[str, bytes],
    passphrase: str | None = None,
) -> None:
    """The archive at `path` (0600): manifest first, then the members; with a passphrase,
    encrypted (`crypto.seal`)."""
    if path.exists():
        raise BackupError(f"{path} already exists; choose another file name")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        items = [(MANIFEST, json.dumps(manifest, indent=2).encode()), *sorted(members.items())]
        for name, data in items:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
    data = buffer.getvalue() if passphrase is None else crypto.seal(buffer.getvalue(), passphrase)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    write_private(partial, data)
    os.replace(partial, path)


def is_encrypted(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return crypto.is_sealed(handle.read(len(crypto.MAGIC)))
    except OSError:
        return False


def read(path: Path, passphrase: str | None = None) -> Contents:
    """The verified contents of the archive at `path`, or a BackupError naming what is
    wrong: a missing file, not a Myomap backup, an unknown version, a tampered member; an
    encrypted one without its passphrase, with a wrong one, or changed."""
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror or exc}") from None
    if crypto.is_sealed(data):
        data = crypto.unseal(data, passphrase, str(path))
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            members: dict[str, bytes] = {}
            for info in tar.getmembers():
                handle = tar.extractfile(info) if info.isfile() else None
                if handle is None:
                    raise BackupError(f"{path}: unexpected entry {info.name!r} in the archive")
                members[info.name] = handle.read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{path} is not a Myomap backup (cannot read it: {exc})") from None
    raw = members.pop(MANIFEST, None)
    try:
        manifest = json.loads(raw) if raw is not None else None
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Myomap backup (no valid {MANIFEST})")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is backup format version {manifest.get('format_version')!r}; "
            f"this Myomap reads version {FORMAT_VERSION}"
        )
    listed: dict[str, str] = manifest.get("members", {})
    for name in sorted(set(listed) | set(members)):
        if name not in members:
            raise BackupError(f"{path}: member {name!r} is listed but missing")
        if name not in listed:
            raise BackupError(f"{path}: member {name!r} is not in the manifest")
        if sha256(members[name]) != listed[name]:
            raise BackupError(f"{path}: member {name!r} does not match its checksum (changed)")
    return Contents(manifest=manifest, members=members)
