"""First-run preparation shared by `myomap serve`, the other commands and the WSGI entry
point.

It runs before Django is set up: it makes the data folder private (0700) and keeps a secret
key there, so sessions survive restarts and several workers share one key. Files created
afterwards are owner-only (the umask drops group and other bits), so the SQLite database
and its -wal and -shm files are 0600 from the start; an existing file or folder that is
looser is tightened, and what was fixed is printed.
"""

from __future__ import annotations

import os
import secrets
import stat
import sys
from pathlib import Path

from myomap.web import env

SECURE_SETTINGS = ("MYOMAP_SECURE_COOKIES", "MYOMAP_BEHIND_HTTPS_PROXY")
PRIVATE_FILES = ("secret_key", "myomap.sqlite3", "myomap.sqlite3-wal", "myomap.sqlite3-shm")


def prepare_environment() -> list[str]:
    """Make the data folder private with its secret key if needed; point Django at our
    settings. Returns what was made private (also printed to stderr)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "myomap.web.settings")
    os.umask(os.umask(0o077) | 0o077)
    embedded = not os.environ.get("DATABASE_URL", "").strip()
    if env.get_secret("MYOMAP_SECRET_KEY") and not embedded:
        return []  # nothing of ours lives in the data folder
    data_dir = env.default_data_dir()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    fixed = make_private(data_dir)
    if not env.get_secret("MYOMAP_SECRET_KEY"):
        key_file = data_dir / "secret_key"
        if not key_file.exists():
            # Created with owner-only permissions before the key is written.
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(50))
    for line in fixed:
        print(f"Myomap: {line}", file=sys.stderr)
    return fixed


def make_private(data_dir: Path) -> list[str]:
    """chmod the data folder to 0700 and its database and key files to 0600 where they
    are looser; say what was changed."""
    fixed = []
    for path, private in [(data_dir, 0o700), *((data_dir / n, 0o600) for n in PRIVATE_FILES)]:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            path.chmod(private)
            fixed.append(f"made {path} private ({mode:04o} -> {private:04o})")
    return fixed


def secure_settings_on() -> list[str]:
    """The secure settings that are on: a deployment on a network, never a demo."""
    return [name for name in SECURE_SETTINGS if env.get_bool(name, False)]
