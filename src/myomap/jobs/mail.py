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
    deliver(
        to=[str(address) for address in data["to"]],
        subject=str(data["subject"]),
        body=str(data["body"]),
        clinic_id=job.clinic_id,
    )


def deliver(*, to: list[str], subject: str, body: str, clinic_id: int | None) -> None:
    """Send one message now (from inside a job: its failure is the job's, retried)."""
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers=stamp(clinic_id),
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
