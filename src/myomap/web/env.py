"""Reading settings from the environment: the only place settings come from.

Each helper names the variable it reads, so a wrong value fails loudly with its name.
A `<NAME>_FILE` variant reads a secret from a file (for container secrets).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from myomap.backup import MIN_PASSPHRASE

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def get_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def get_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def get_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def get_secret(name: str) -> str | None:
    """`NAME`, or the contents of the file named by `NAME_FILE`."""
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc}") from None
    return None


def default_data_dir() -> Path:
    """The per-user data folder: MYOMAP_DATA_DIR, else the platform's user data folder."""
    override = os.environ.get("MYOMAP_DATA_DIR")
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "myomap"


BACKUP_AT = "02:30"
BACKUP_KEEP = 7


def nightly_backup() -> tuple[Path | None, str, int, str | None]:
    """The nightly backup's settings: the folder (None: off), the time of day as HH:MM,
    how many to keep, the passphrase (None: not encrypted). A bad value is refused
    naming its variable."""
    raw = os.environ.get("MYOMAP_BACKUP_DIR", "").strip()
    folder = Path(raw).expanduser() if raw else None
    if folder is not None and not folder.is_absolute():
        raise ImproperlyConfigured(
            f"MYOMAP_BACKUP_DIR must be an absolute path, such as /srv/myomap-backups, not {raw!r}"
        )
    at = os.environ.get("MYOMAP_BACKUP_AT", "").strip() or BACKUP_AT
    hour_minute = re.fullmatch(r"(\d{1,2}):(\d{2})", at)
    if hour_minute is None or int(hour_minute[1]) > 23 or int(hour_minute[2]) > 59:
        raise ImproperlyConfigured(
            f"MYOMAP_BACKUP_AT must be a time of day as HH:MM on a 24-hour clock, such as "
            f"02:30, not {at!r}"
        )
    keep = get_int("MYOMAP_BACKUP_KEEP", BACKUP_KEEP)
    if keep < 1:
        raise ImproperlyConfigured(
            f"MYOMAP_BACKUP_KEEP must be 1 or more (how many nightly backups to keep), not {keep}"
        )
    passphrase = os.environ.get("MYOMAP_BACKUP_PASSPHRASE")
    if folder is not None and passphrase is not None and len(passphrase) < MIN_PASSPHRASE:
        why = "is set but empty" if not passphrase else "is too short"
        raise ImproperlyConfigured(
            f"MYOMAP_BACKUP_PASSPHRASE {why}: the nightly backups need at least "
            f"{MIN_PASSPHRASE} characters (or unset it for unencrypted backups)"
        )
    return folder, f"{int(hour_minute[1]):02d}:{hour_minute[2]}", keep, passphrase or None
