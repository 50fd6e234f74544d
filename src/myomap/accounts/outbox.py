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
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from functools import cached_property
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
    """One message kept. Who it is to, when and for which clinic are read from its raw
    headers for every message the outbox looks through; its subject and body are
    decoded only for the messages a page shows."""

    sent_at: dt.datetime
    to: tuple[str, ...]
    clinic_id: int | None = None
    raw: bytes = field(default=b"", repr=False, compare=False)

    @cached_property
    def _message(self) -> EmailMessage | None:
        message = email.message_from_bytes(self.raw, policy=email.policy.default)
        return message if isinstance(message, EmailMessage) else None

    @property
    def subject(self) -> str:
        return str(self._message["Subject"] or "") if self._message is not None else ""

    @property
    def body(self) -> str:
        """The plain-text body."""
        part = self._message.get_body(("plain",)) if self._message is not None else None
        return part.get_content() if isinstance(part, EmailMessage) else ""


def read(folder: Path, clinic_id: int, recipients: set[str], since: dt.datetime) -> list[Mail]:
    """The mail in `folder` stamped for `clinic_id` and sent since `since` to any of
    `recipients` (addresses compared without case), newest first by the Date header;
    mail sent in the same second by file name, then the later in a file first: the same
    order each time, so that pages of the outbox never repeat or skip a message."""
    wanted = {address.casefold() for address in recipients}
    if not folder.is_dir() or not wanted:
        return []
    files = sorted(folder.glob("*.log"), key=lambda p: p.name, reverse=True)[:MAX_FILES]
    found: list[tuple[dt.datetime, str, int, Mail]] = []
    for path in files:
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        for place, chunk in enumerate(raw.split(SEPARATOR)):
            mail = _parse(chunk)
            if (
                mail is not None
                and mail.clinic_id == clinic_id
                and mail.sent_at >= since
                and wanted & set(mail.to)
            ):
                found.append((mail.sent_at, path.name, place, mail))
    found.sort(key=lambda entry: entry[:3], reverse=True)
    return [mail for *_, mail in found]


# The raw headers as written (compat32 keeps them as text, without the default policy's
# slower parsing of each header); enough to choose the mail, see `Mail`.
_HEADERS = BytesHeaderParser(policy=email.policy.compat32)


def _parse(chunk: bytes) -> Mail | None:
    if not chunk.strip():
        return None
    headers = _HEADERS.parsebytes(chunk)
    date = headers["Date"]
    if date is None:
        return None
    try:
        sent_at = email.utils.parsedate_to_datetime(str(date))
    except (TypeError, ValueError):
        return None
    if sent_at.tzinfo is None:
        sent_at = sent_at.replace(tzinfo=dt.UTC)
    to = tuple(
        address.casefold()
        for _, address in email.utils.getaddresses([str(v) for v in headers.get_all("To", [])])
        if address
    )
    stamped = str(headers[CLINIC_HEADER] or "").strip()
    return Mail(
        sent_at=sent_at,
        to=to,
        clinic_id=int(stamped) if stamped.isdigit() else None,
        raw=chunk,
    )
