"""The appointment reminder: a message the day before, at MYOMAP_REMINDER_TIME on the
clinic's clock (17:00 unless set), sent by a worker on the channels the client accepts
for appointment reminders (e-mail, text, both; `messaging.channels.channels_for`), in the
clinic's wording; none for a client who accepts none or cannot be reached, none once the
appointment is cancelled (its job is cancelled with it, and the job itself checks again
before sending)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from myomap.appointments.models import Appointment
from myomap.jobs import actions as jobs
from myomap.jobs.kinds import kind
from myomap.jobs.models import Job
from myomap.messaging import send as messages
from myomap.messaging.channels import channels_for
from myomap.messaging.models import Purpose

KIND = "appointments.reminder"


def reminder_time() -> dt.time:
    return dt.time.fromisoformat(str(getattr(settings, "REMINDER_TIME", "17:00")))


def key(appointment: Appointment) -> str:
    return f"reminder:appointment:{appointment.pk}"


def reminder_at(appointment: Appointment) -> dt.datetime:
    """The day before the appointment, at the reminder time, on the clinic's clock."""
    zone = appointment.clinic.zone
    day_before = appointment.starts_at.astimezone(zone).date() - dt.timedelta(days=1)
    return dt.datetime.combine(day_before, reminder_time(), tzinfo=zone).astimezone(dt.UTC)


def schedule(appointment: Appointment, now: dt.datetime) -> Job | None:
    """Inside the booking's transaction. None when the client accepts no reminder (or
    cannot be reached) or there is no time left."""
    at = reminder_at(appointment)
    if at <= now or not channels_for(appointment.client, Purpose.APPOINTMENTS):
        return None
    return jobs.schedule(
        kind=KIND,
        key=key(appointment),
        payload={"appointment": appointment.pk},
        now=now,
        run_at=at,
        clinic_id=appointment.clinic_id,
        description="Appointment reminder",
    )


def cancel(appointment: Appointment, now: dt.datetime) -> None:
    jobs.cancel(key(appointment), now)


@kind(KIND)
def send(job: Job) -> None:
    appointment = (
        Appointment.objects.select_related("clinic", "client")
        .filter(pk=job.payload["appointment"], status=Appointment.Status.BOOKED)
        .first()
    )
    if appointment is None:
        return  # cancelled (or gone) since: nothing is sent
    zone = appointment.clinic.zone
    context = {
        "given_name": appointment.client.given_name,
        "clinic": appointment.clinic.name,
        "starts": appointment.starts_at.astimezone(zone),
        "minutes": appointment.minutes,
    }
    with timezone.override(zone):  # the template's dates on the clinic's clock
        messages.to_client(
            appointment.client,
            "appointment_reminder",
            context,
            clinic_id=appointment.clinic_id,
            key=job.key,
            now=timezone.now(),
        )
