"""Text messages (SMS): one small interface, `send_sms(to, body)`, sending through the class
named by MYOMAP_SMS_BACKEND, as Django's EMAIL_BACKEND names the class that sends e-mail.
No provider is built in. A clinic plugs in its own with a class of one method:

    class MyProvider:
        def send(self, to: str, body: str, *, clinic_id: int | None) -> None:
            ...  # call the provider's API; raise to have the job tried again

and MYOMAP_SMS_BACKEND=mypackage.sms.MyProvider (docs/jobs.md). Built in:

- "folder" (`FolderBackend`): each message is written as a file to the `sms` folder of the
  data folder, beside the e-mail outbox, and shown on the outbox page: the embedded
  default's, and the tests';
- "disabled" (`DisabledBackend`, the default with a mail server): refuses, saying so.

A text goes out as a job of kind "sms" (`send_later`), tried again like e-mail."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from myomap.jobs import actions
from myomap.jobs.kinds import kind
from myomap.jobs.models import Job
from myomap.records.errors import Invalid

SMS = "sms"
FOLDER = "folder"
DISABLED = "disabled"
ALIASES = {
    FOLDER: "myomap.jobs.sms.FolderBackend",
    DISABLED: "myomap.jobs.sms.DisabledBackend",
}
MAX_LENGTH = 1600  # ten concatenated parts: what providers commonly accept
DAYS = 7  # how far back the outbox page looks
MAX_SHOWN = 200

# E.164: a plus, a country code that does not start with 0, at most 15 digits in all.
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")  # ASCII digits only: \d takes any script's
_SEPARATORS = re.compile(r"[\s\-().]")


class SmsError(Exception):
    """A text could not be sent (the job that sent it fails, and is tried again)."""


class Backend(Protocol):
    def send(self, to: str, body: str, *, clinic_id: int | None) -> None: ...


def phone_number(value: object, field: str = "phone") -> str:
    """The number in E.164 form (+447700900123), spaces, dashes, dots and brackets taken
    out; refused naming `field` otherwise."""
    text = _SEPARATORS.sub("", str(value or ""))
    if text.startswith("00"):
        text = "+" + text[2:]
    if not _E164.fullmatch(text):
        shown = str(value or "").strip()[:40]
        raise Invalid(
            f"{shown!r} is not a phone number a text can go to: write it in international "
            "form, a + then the country code and the number (+44 7700 900123)"
            if shown
            else "a text needs a phone number, in international form (+44 7700 900123)",
            field,
        )
    return text


def is_phone_number(value: object) -> bool:
    try:
        phone_number(value)
    except Invalid:
        return False
    return True


def backend_name() -> str:
    return str(getattr(settings, "SMS_BACKEND", "") or DISABLED)


def enabled() -> bool:
    """Whether texts can be sent at all (any backend but "disabled")."""
    return ALIASES.get(backend_name(), backend_name()) != ALIASES[DISABLED]


def backend() -> Backend:
    name = backend_name()
    try:
        cls = import_string(ALIASES.get(name, name))
    except ImportError as exc:
        raise SmsError(f"MYOMAP_SMS_BACKEND names {name!r}, which cannot be imported") from exc
    return cls()  # type: ignore[no-any-return]


def send_sms(to: str, body: str, *, clinic_id: int | None = None) -> None:
    """Send one text now, through the configured backend (from inside a job: its failure
    is the job's, tried again)."""
    number = phone_number(to, "to")
    text = body.strip()
    if not text:
        raise Invalid("a text needs something to say", "body")
    backend().send(number, text[:MAX_LENGTH], clinic_id=clinic_id)


# Once finished (sent, or failed for good) the number and the words are not kept in the
# ledger (`forget`: a client's erasure does not reach the jobs' rows).
@kind(SMS, forget=True)
def send(job: Job) -> None:
    data = job.payload
    send_sms(str(data["to"]), str(data["body"]), clinic_id=job.clinic_id)


def send_later(
    *,
    key: str,
    to: str,
    body: str,
    clinic_id: int | None,
    now: dt.datetime,
    at: dt.datetime | None = None,
) -> Job:
    """A text sent by a worker (now, or at `at`), tried again if the provider fails. The
    number is checked here, in the caller's transaction."""
    return actions.schedule(
        kind=SMS,
        key=key,
        payload={"to": phone_number(to, "to"), "body": body},
        now=now,
        run_at=at,
        clinic_id=clinic_id,
        description="Text message",
    )


class DisabledBackend:
    """No provider: every text is refused, saying what to set."""

    def send(self, to: str, body: str, *, clinic_id: int | None) -> None:
        raise SmsError(
            "text messages are not set up on this installation: set MYOMAP_SMS_BACKEND to "
            "the class that sends them through your provider (docs/jobs.md)"
        )


def folder() -> Path:
    return Path(getattr(settings, "SMS_FILE_PATH", Path(settings.DATA_DIR) / "sms"))


class FolderBackend:
    """Each text written as one JSON file in the `sms` folder, sent nowhere."""

    def send(self, to: str, body: str, *, clinic_id: int | None) -> None:
        target = folder()
        target.mkdir(parents=True, exist_ok=True)
        now = timezone.now()
        record = {"to": to, "body": body, "clinic": clinic_id, "sent_at": now.isoformat()}
        name = f"{now:%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.json"
        partial = target / f".{name}"
        partial.write_text(json.dumps(record), encoding="utf-8")
        partial.replace(target / name)  # whole or not at all, for the outbox page


@dataclass(frozen=True)
class Text:
    sent_at: dt.datetime
    to: str
    body: str


def kept(clinic_id: int, since: dt.datetime) -> list[Text]:
    """The texts the folder backend kept for `clinic_id` since `since`, newest first (at
    most MAX_SHOWN of them, however many other clinics have)."""
    place = folder()
    if not place.is_dir():
        return []
    found: list[Text] = []
    # the names begin with the time sent: newest first, and none older once one is
    for path in sorted(place.glob("*.json"), key=lambda p: p.name, reverse=True):
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            sent_at = dt.datetime.fromisoformat(str(data["sent_at"]))
        except (OSError, ValueError, KeyError):
            continue
        if sent_at < since:
            break
        if data.get("clinic") == clinic_id:
            found.append(Text(sent_at, str(data.get("to", "")), str(data.get("body", ""))))
            if len(found) == MAX_SHOWN:
                break
    return found
