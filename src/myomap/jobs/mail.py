"""The job that sends one e-mail through Django's e-mail backend (SMTP, or the outbox
folder of the embedded default), stamped with the clinic it is sent for."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage

from myomap.accounts.outbox import stamp
from myomap.jobs import actions
from myomap.jobs.kinds import kind
from myomap.jobs.models import Job

MAIL = "mail"


@kind(MAIL)
def send(job: Job) -> None:
    data = job.payload
    EmailMessage(
        subject=str(data["subject"]),
        body=str(data["body"]),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[str(address) for address in data["to"]],
        headers=stamp(job.clinic_id),
    ).send(fail_silently=False)


def send_later(
    *,
    key: str,
    to: list[str],
    subject: str,
    body: str,
    clinic_id: int | None,
    now: dt.datetime,
    at: dt.datetime | None = None,
) -> Job:
    """An e-mail sent by a worker (now, or at `at`), retried if the mail server fails."""
    return actions.schedule(
        kind=MAIL,
        key=key,
        payload={"to": to, "subject": subject, "body": body},
        now=now,
        run_at=at,
        clinic_id=clinic_id,
        description=f"E-mail: {subject}"[:200],
    )
