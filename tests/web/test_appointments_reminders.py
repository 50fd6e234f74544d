"""The appointment reminder: booked, an e-mail goes out the day before at the reminder time
on the clinic's clock (across a clock change too), once; cancelled, nothing is sent.

The people are tests/personas.py's: alice (a Lakeside therapist); Dan Marlowe a client."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from myomap.accounts.models import Clinic
from myomap.appointments import actions
from myomap.audit.log import Context
from myomap.clients import actions as client_actions
from myomap.jobs.models import Job
from personas import DAN_BORN, DAN_FAMILY_NAME, People

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 3, 20, 8, 0, tzinfo=dt.UTC)


def deliver(huey: Any, at: dt.datetime) -> list[Any]:
    results = []
    for _ in range(2):
        while (task := huey.dequeue()) is not None:
            results.append(huey.execute(task, at.replace(tzinfo=None)))
        for task in huey.read_schedule(at.replace(tzinfo=None)):
            huey.enqueue(task)
    return [r for r in results if r is not None]


@pytest.fixture
def booking(people: People, django_capture_on_commit_callbacks):
    Clinic.objects.filter(pk=people.lakeside.pk).update(time_zone="Europe/London")
    ctx = Context(user=people.alice, now=NOW)
    actions.set_weekly_hours(ctx, people.alice, [(d, dt.time(9), dt.time(17)) for d in range(7)])
    dan = client_actions.create_client(
        ctx,
        client_actions.ClientData(
            "Dan",
            DAN_FAMILY_NAME,
            DAN_BORN,
            email="dan@example.org",
            treatment_consent=True,
            data_consent=True,
        ),
    )

    def book(start: dt.datetime):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return actions.book(
                ctx, client=dan, therapist=people.alice, starts_at=start, minutes=60
            )

    return ctx, book


def test_a_reminder_goes_out_the_day_before_on_the_clinics_clock_once(
    booking, queue, mail_folder
) -> None:
    _, book = booking
    # Monday 30 March 2026, the day after the clocks went forward: 17:00 BST on Sunday.
    appointment = book(dt.datetime(2026, 3, 30, 14, 30, tzinfo=LONDON))
    job = Job.objects.get(kind="appointments.reminder")
    assert job.run_at == dt.datetime(2026, 3, 29, 16, 0, tzinfo=dt.UTC)
    assert job.key == f"reminder:appointment:{appointment.pk}"
    before = job.run_at - dt.timedelta(minutes=1)
    with time_machine.travel(before, tick=False):
        assert deliver(queue, before) == []
    with time_machine.travel(job.run_at, tick=False):
        assert deliver(queue, job.run_at) == ["done"]
        assert deliver(queue, job.run_at) == []
    (path,) = mail_folder.glob("*.log")
    text = path.read_text()
    assert text.count("Subject: Reminder: your appointment at Lakeside") == 1
    assert "Monday 30 March 2026 at 14:30, for 60 minutes." in text


def test_a_cancelled_appointment_sends_no_reminder(booking, queue, mail_folder) -> None:
    ctx, book = booking
    appointment = book(dt.datetime(2026, 3, 25, 10, 0, tzinfo=LONDON))
    actions.cancel(ctx, appointment)
    job = Job.objects.get(kind="appointments.reminder")
    assert job.status == "cancelled"
    with time_machine.travel(job.run_at, tick=False):
        assert deliver(queue, job.run_at) == ["skipped"]
    assert not list(mail_folder.glob("*.log"))


def test_a_booking_too_late_for_the_reminder_time_asks_for_none(booking, queue) -> None:
    _, book = booking
    book(dt.datetime(2026, 3, 20, 15, 0, tzinfo=LONDON))  # today: yesterday's 17:00 is past
    assert not Job.objects.exists()
