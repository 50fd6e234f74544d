"""First-run preparation shared by `myomap serve` and the WSGI entry point.

It runs before Django is set up: it creates the data folder and keeps a secret key there,
so sessions survive restarts and several workers share one key.
"""

from __future__ import annotations

import os
import secrets

from myomap.web import env


def prepare_environment() -> None:
    """Create the data folder and its secret key if needed; point Django at our settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "myomap.web.settings")
    if env.get_secret("MYOMAP_SECRET_KEY"):
        return
    data_dir = env.default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        # Created with owner-only permissions before the key is written.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))
