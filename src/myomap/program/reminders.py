"""The client's program reminders: the client chooses days and a time; a background job
sends each reminder by e-mail (when the record has an address) and asks for the next.
Without an address the reminder is shown in the portal only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.core import program as core
from myomap.jobs import actions as jobs
from myomap.jobs.kinds import kind
from myomap.jobs.mail import deliver
from myomap.jobs.models import Job
from myomap.program.actions import own_client
from myomap.program.models import Reminder
from myomap.records.errors import Invalid

KIND = "program.reminder"


def _next(days: Sequence[int], at: dt.time, now: dt.datetime) -> dt.datetime | None:
    local = timezone.localtime(now)
    found = core.next_reminder(days, at, local.replace(tzinfo=None))
    return timezone.make_aware(found) if found is not None else None


def _schedule(reminder: Reminder, now: dt.datetime) -> None:
    """Ask for the reminder's next job (cancelling the one asked for before)."""
    if reminder.next_key:
        jobs.cancel(reminder.next_key, now)
    reminder.next_at = _next(reminder.days, reminder.at, now)
    reminder.next_key = ""
    if reminder.next_at is not None:
        key = f"program-reminder:{reminder.client_id}:{reminder.next_at.isoformat()}"
        jobs.schedule(
            kind=KIND,
            key=key,
            now=now,
            run_at=reminder.next_at,
            payload={"reminder": reminder.pk},
            clinic_id=reminder.client.clinic_id,
            description="Home program reminder",
        )
        reminder.next_key = key
    reminder.save(update_fields=["next_at", "next_key"])


def set_reminder(ctx: Context, days: Sequence[object], at: object) -> Reminder | None:
    """The client's reminder days and time (no days: no reminder). Refused naming the
    field for a day that is not 0-6 or a time that is not HH:MM."""
    client = own_client(ctx)
    chosen: list[int] = []
    for day in days:
        try:
            number = int(str(day))
        except ValueError:
            raise Invalid(f"unknown day {day!r}", "days") from None
        if not 0 <= number <= 6:
            raise Invalid(f"unknown day {day!r}", "days")
        chosen.append(number)
    chosen = sorted(set(chosen))
    if isinstance(at, dt.time):
        when = at
    else:
        try:
            when = dt.time.fromisoformat(str(at))
        except ValueError:
            raise Invalid("the time must be given as HH:MM", "at") from None
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(client=client).first()
        if not chosen:
            if reminder is not None:
                if reminder.next_key:
                    jobs.cancel(reminder.next_key, ctx.now)
                reminder.delete()
                record(ctx, AuditEvent.Action.DELETE, client, summary="program reminders off")
            return None
        if reminder is None:
            reminder = Reminder(client=client, days=chosen, at=when, updated_at=ctx.now)
        reminder.days, reminder.at, reminder.updated_at = chosen, when, ctx.now
        reminder.save()
        _schedule(reminder, ctx.now)
        words = ", ".join(core.WEEKDAYS[d] for d in chosen)
        record(
            ctx,
            AuditEvent.Action.UPDATE,
            reminder,
            summary=f"program reminders: {words} at {when:%H:%M}",
        )
    return reminder


@kind(KIND)
def send(job: Job) -> None:
    """Send one reminder (if it is still the one asked for) and ask for the next."""
    reminder = (
        Reminder.objects.select_related("client", "client__clinic", "client__user")
        .filter(pk=job.payload.get("reminder"))
        .first()
    )
    if reminder is None or reminder.next_key != job.key:
        return  # turned off or changed since
    client: Client = reminder.client
    address = client.email or (client.user.email if client.user else "")
    if address:
        deliver(
            to=[address],
            subject=f"Your home program today ({client.clinic})",
            body=(
                f"Hello {client.given_name},\n\n"
                "This is your reminder for today's home exercises. Open your program on "
                "your phone to follow the timer and log what you did.\n\n"
                "To change or stop these reminders, open your program and change the days.\n"
            ),
            clinic_id=client.clinic_id,
        )
    with transaction.atomic():
        _schedule(reminder, max(timezone.now(), reminder.next_at or timezone.now()))
