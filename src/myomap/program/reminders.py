"""The client's program reminders: the client chooses days, a time and their time zone
(the clinic's unless they choose another); a background job sends each reminder on the
channels the client accepts (e-mail, text: `messaging.channels.channels_for`) at that local
time, summer time or not, and asks for the next. Without an address the reminder is shown
in the portal only."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.core import program as core
from myomap.jobs import actions as jobs
from myomap.jobs.kinds import kind
from myomap.jobs.models import Job
from myomap.messaging import send as messages
from myomap.program.actions import own_client
from myomap.program.models import Reminder
from myomap.records.errors import Invalid

KIND = "program.reminder"


@functools.cache
def time_zones() -> tuple[str, ...]:
    """The IANA time zone names a client may choose, sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


def checked_zone(name: object, default: str) -> str:
    """The zone's name, or `default` for none; refused naming the field when unknown."""
    text = str(name or "").strip()
    if not text:
        return default
    if text not in time_zones():
        raise Invalid(
            f"{text[:64]!r} is not a known time zone: choose one from the list "
            "(written like Europe/London or America/New_York)",
            "time_zone",
        )
    return text


def next_at(
    days: Sequence[int], at: dt.time, zone: zoneinfo.ZoneInfo, now: dt.datetime
) -> dt.datetime | None:
    """The next reminder after `now`: on one of `days` at `at` on the wall clock of
    `zone`, whatever its offset that day. A time the clock skips when summer time starts
    is taken at the offset before the change (an hour later on the clock); a time the
    clock shows twice when it ends, at its first."""
    local = now.astimezone(zone).replace(tzinfo=None)
    found = core.next_reminder(days, at, local)
    while found is not None:
        moment = found.replace(tzinfo=zone)
        if moment > now:
            return moment.astimezone(dt.UTC)
        # its first showing is already past (the hour shown twice): the next chosen day
        found = core.next_reminder(days, at, found)
    return None


def _next(reminder: Reminder, now: dt.datetime) -> dt.datetime | None:
    return next_at(reminder.days, reminder.at, zoneinfo.ZoneInfo(reminder.time_zone), now)


def _schedule(reminder: Reminder, now: dt.datetime) -> None:
    """Ask for the reminder's next job (cancelling the one asked for before)."""
    if reminder.next_key:
        jobs.cancel(reminder.next_key, now)
    reminder.next_at = _next(reminder, now)
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


def set_reminder(
    ctx: Context, days: Sequence[object], at: object, time_zone: object = ""
) -> Reminder | None:
    """The client's reminder days, time and time zone (no days: no reminder; no zone: the
    clinic's). Refused naming the field for a day that is not 0-6, a time that is not
    HH:MM or a zone that is not an IANA name."""
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
    zone = checked_zone(time_zone, client.clinic.time_zone)
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
        reminder.time_zone = zone
        reminder.save()
        _schedule(reminder, ctx.now)
        words = ", ".join(core.WEEKDAYS[d] for d in chosen)
        record(
            ctx,
            AuditEvent.Action.UPDATE,
            reminder,
            summary=f"program reminders: {words} at {when:%H:%M} ({zone})",
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
    # on the channels the client accepts for program reminders, in the clinic's wording
    messages.to_client(
        client,
        "program_reminder",
        {"given_name": client.given_name, "clinic": client.clinic.name},
        clinic_id=client.clinic_id,
        key=job.key,
        now=timezone.now(),
    )
    with transaction.atomic():
        _schedule(reminder, max(timezone.now(), reminder.next_at or timezone.now()))
