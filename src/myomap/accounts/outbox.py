"""The outbox: the mail the embedded default writes to a folder of the data folder
(Django's file-based e-mail backend) instead of sending it, read back for the clinic admin's
outbox page. Each file holds one or more messages, each followed by a line of 79 dashes.

Each message we send is stamped with the clinic it was sent for (`stamp`, the
X-Myomap-Clinic header) and an admin's outbox shows only their clinic's stamped mail to
their clinic's active members: an address alone does not say whose mail it is."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

DAYS = 7  # how far back the outbox page looks
MAX_FILES = 1000  # the newest files read, so an old, full folder stays quick
SEPARATOR = b"-" * 79 + b"\n"
CLINIC_HEADER = "X-Myomap-Clinic"


def stamp(clinic_id: int | None) -> dict[str, str]:
    """The headers that mark a message as sent for the clinic `clinic_id` (none without)."""
    return {CLINIC_HEADER: str(clinic_id)} if clinic_id is not None else {}


@dataclass(frozen=True)
class Mail:
    sent_at: dt.datetime
    to: tuple[str, ...]
    subject: str
    body: str
    clinic_id: int | None = None


def read(folder: Path, clinic_id: int, recipients: set[str], since: dt.datetime) -> list[Mail]:
    """The mail in `folder` stamped for `clinic_id` and sent since `since` to any of
    `recipients` (addresses compared without case), newest first."""
    wanted = {address.casefold() for address in recipients}
    if not folder.is_dir() or not wanted:
        return []
    files = sorted(folder.glob("*.log"), key=lambda p: p.name, reverse=True)[:MAX_FILES]
    found: list[Mail] = []
    for path in files:
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        for chunk in raw.split(SEPARATOR):
            mail = _parse(chunk)
            if (
                mail is not None
                and mail.clinic_id == clinic_id
                and mail.sent_at >= since
                and wanted & set(mail.to)
            ):
                found.append(mail)
    return sorted(found, key=lambda m: m.sent_at, reverse=True)


def _parse(chunk: bytes) -> Mail | None:
    if not chunk.strip():
        return None
    message = email.message_from_bytes(chunk, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or message["Date"] is None:
        return None
    try:
        sent_at = email.utils.parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        return None
    if sent_at.tzinfo is None:
        sent_at = sent_at.replace(tzinfo=dt.UTC)
    to = tuple(
        address.casefold()
        for _, address in email.utils.getaddresses([str(v) for v in message.get_all("To", [])])
        if address
    )
    part = message.get_body(preferencelist=("plain",))
    body = part.get_content() if isinstance(part, EmailMessage) else ""
    stamped = str(message[CLINIC_HEADER] or "").strip()
    return Mail(
        sent_at=sent_at,
        to=to,
        subject=str(message["Subject"] or ""),
        body=body,
        clinic_id=int(stamped) if stamped.isdigit() else None,
    )
