"""A backup made from the clinic admin's Data page, the way `myomap backup` makes it
(`backup.ops.make_backup`): the whole installation (its database, secret key and knowledge
folder), optionally encrypted. A backup holds every clinic of the installation, so the
page makes one only where the installation is this one clinic; elsewhere it is for whoever
runs the server, with `myomap backup`."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.db import connection

from myomap.accounts.models import Clinic
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.backup import BackupError, crypto
from myomap.backup.ops import make_backup
from myomap.records.errors import ActionError

log = logging.getLogger(__name__)


def allowed(user: object) -> str | None:
    """Why the page may not make a backup for this admin (None: it may)."""
    others = Clinic.objects.exclude(pk=getattr(user, "clinic_id", 0) or 0).count()
    if others:
        return (
            f"this installation holds {others + 1} clinics and a backup holds all of them: "
            "it is made with `myomap backup` by whoever runs the server"
        )
    return None


def file_name(ctx: Context) -> str:
    return f"myomap-backup-{ctx.now:%Y-%m-%d-%H%M}.backup"


def make_download(ctx: Context, passphrase: str | None) -> Path:
    """Write a backup (0600) under a scratch name in the data folder and give its path;
    the caller sends it and removes it. Audited as an export. Refused, naming why, when
    the installation holds other clinics or the passphrase is too short."""
    why = allowed(ctx.user)
    if why is not None:
        raise ActionError(f"No backup from this page: {why}")
    if passphrase is not None:
        try:
            crypto.check_passphrase(passphrase)
        except BackupError as exc:
            raise ActionError(f"{exc}", field="passphrase") from None
    data_dir = Path(settings.DATA_DIR)
    scratch = data_dir / f".download-{secrets.token_hex(8)}.backup"
    try:
        made = make_backup(
            scratch,
            passphrase,
            log.debug,
            data_dir=data_dir,
            database=dict(connection.settings_dict),
        )
    except BackupError as exc:
        scratch.unlink(missing_ok=True)
        raise ActionError(f"No backup was made: {exc}") from None
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise
    os.chmod(scratch, 0o600)
    record(ctx, AuditEvent.Action.EXPORT, None, summary=f"{made.summary}, downloaded")
    return scratch
