"""The client's program reminders: the client chooses days and a time on today's page;
the next reminder is a background job at that moment, which e-mails the client (when
the record has an address; otherwise the reminder is shown in the portal only) and asks
for the one after; changing or turning them off cancels the job asked for before. A bad
day or time is refused naming it, nothing saved.

The people are tests/personas.py's (`build_world`): Dan Marlowe's record at Lakeside
(dan is his login), alice his therapist."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.utils import timezone
from records_fixtures import World, build_world, last_event_id, new_events

from myomap.accounts import outbox
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.jobs import runner
from myomap.jobs.models import Job
from myomap.program.models import Reminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    world = build_world()
    Client.objects.filter(pk=world.client.pk).update(email="dan@example.org")
    return world


def save(world: World, days: list[int], at: str = "07:30"):  # type: ignore[no-untyped-def]
    return world.web("dan").post("/me/reminders", {"days": [str(d) for d in days], "at": at})


def test_chosen_days_and_time_are_stored_scheduled_and_shown(world: World, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(timezone.make_aware(dt.datetime(2026, 12, 2, 8, 0)))  # a Wednesday
    first = last_event_id()
    assert save(world, [0, 3]).status_code == 302
    reminder = Reminder.objects.get(client=world.client)
    assert (reminder.days, reminder.at) == ([0, 3], dt.time(7, 30))
    expected = timezone.make_aware(dt.datetime(2026, 12, 3, 7, 30))  # Thursday
    assert reminder.next_at == expected
    job = Job.objects.get(key=reminder.next_key)
    assert (job.kind, job.run_at, job.status) == ("program.reminder", expected, Job.Status.QUEUED)
    assert [(e.action, e.object_type) for e in new_events(first)] == [
        (AuditEvent.Action.UPDATE, "Reminder")
    ]
    page = world.web("dan").get("/me/").content.decode()
    assert "Next reminder: Thursday 3 Dec 07:30, by e-mail to dan@example.org" in page
    assert 'name="days" value="0" checked' in page and 'name="days" value="1">' in page


def test_the_reminder_is_e_mailed_and_the_next_one_asked_for(
    world: World, time_machine, mail_folder
) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(timezone.make_aware(dt.datetime(2026, 12, 2, 8, 0)))
    save(world, [0, 3])
    reminder = Reminder.objects.get()
    job = Job.objects.get(key=reminder.next_key)
    time_machine.move_to(timezone.make_aware(dt.datetime(2026, 12, 3, 7, 30, 5)))
    assert runner.run(job.pk) == "done"
    sent = outbox.read(
        mail_folder, world.lakeside.pk, {"dan@example.org"}, timezone.now() - dt.timedelta(days=1)
    )
    assert len(sent) == 1 and "reminder for today's home exercises" in sent[0].body
    reminder.refresh_from_db()
    assert reminder.next_at == timezone.make_aware(dt.datetime(2026, 12, 7, 7, 30))  # Monday
    assert Job.objects.filter(kind="program.reminder", status=Job.Status.QUEUED).count() == 1


def test_changing_the_reminder_cancels_the_one_asked_for(world: World) -> None:
    save(world, [0])
    old = Reminder.objects.get().next_key
    save(world, [4], "19:00")
    assert Job.objects.get(key=old).status == Job.Status.CANCELLED
    assert Job.objects.get(key=Reminder.objects.get().next_key).status == Job.Status.QUEUED
    assert save(world, []).status_code == 302
    assert not Reminder.objects.exists()
    assert not Job.objects.filter(kind="program.reminder", status=Job.Status.QUEUED).exists()


def test_without_an_address_the_reminder_is_shown_in_the_portal_only(world: World) -> None:
    Client.objects.filter(pk=world.client.pk).update(email="")
    save(world, [0, 1, 2, 3, 4, 5, 6])
    page = world.web("dan").get("/me/").content.decode()
    assert "Your record has no e-mail address: the reminder is shown here only" in page


@pytest.mark.parametrize(
    ("days", "at", "words"),
    [([7], "07:30", "unknown day '7'"), ([1], "7.30", "the time must be given as HH:MM")],
)
def test_a_bad_day_or_time_is_refused_naming_it(
    world: World, days: list[int], at: str, words: str
) -> None:
    browser = world.web("dan")
    page = browser.post("/me/reminders", {"days": [str(d) for d in days], "at": at}, follow=True)
    assert page.status_code == 200
    assert not Reminder.objects.exists() and not Job.objects.exists()
    assert f"Reminders not saved: {words}" in html.unescape(page.content.decode())


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_staff_set_no_reminders_of_their_own(world: World, persona: str) -> None:
    assert (
        world.web(persona).post("/me/reminders", {"days": ["1"], "at": "07:30"}).status_code == 403
    )
    assert not Reminder.objects.exists()
