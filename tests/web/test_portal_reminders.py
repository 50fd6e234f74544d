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
import zoneinfo

import pytest
from django.utils import timezone
from records_fixtures import World, build_world, last_event_id, new_events

from myomap.accounts import outbox
from myomap.accounts.models import Clinic
from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.jobs import runner
from myomap.jobs.models import Job
from myomap.program import reminders
from myomap.program.models import Reminder
from myomap.records.errors import Invalid

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


# ----------------------------------------------------------------------------- time zones
UTC = dt.UTC
LONDON = zoneinfo.ZoneInfo("Europe/London")


def at_utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_the_reminder_keeps_the_clinics_zone_unless_the_client_chooses_one(
    world: World, time_machine
) -> None:  # type: ignore[no-untyped-def]
    Clinic.objects.filter(pk=world.lakeside.pk).update(time_zone="America/New_York")
    time_machine.move_to(at_utc(2026, 12, 2, 13, 0))  # Wednesday 08:00 in New York
    page = world.web("dan").get("/me/").content.decode()
    assert 'name="time_zone" list="time-zones" value="America/New_York"' in page
    assert '<option value="Europe/Berlin">' in page
    save(world, [3])
    reminder = Reminder.objects.get()
    assert reminder.time_zone == "America/New_York"
    assert reminder.next_at == at_utc(2026, 12, 3, 12, 30)  # Thursday 07:30 in New York
    browser = world.web("dan")
    chosen = browser.post(
        "/me/reminders", {"days": ["3"], "at": "07:30", "time_zone": "Europe/Berlin"}
    )
    assert chosen.status_code == 302
    reminder.refresh_from_db()
    assert reminder.time_zone == "Europe/Berlin"
    assert reminder.next_at == at_utc(2026, 12, 3, 6, 30)  # Thursday 07:30 in Berlin
    assert Job.objects.get(key=reminder.next_key).run_at == reminder.next_at
    page = html.unescape(browser.get("/me/").content.decode())
    assert "Next reminder: Thursday 3 Dec 07:30 (Europe/Berlin time)" in page
    assert 'value="Europe/Berlin"' in page


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "europe/london", "../../etc/passwd"])
def test_an_unknown_time_zone_is_refused_naming_it(world: World, zone: str) -> None:
    page = world.web("dan").post(
        "/me/reminders", {"days": ["1"], "at": "07:30", "time_zone": zone}, follow=True
    )
    text = html.unescape(page.content.decode())
    assert (
        f"Reminders not saved: {zone!r} is not a known time zone: choose one from the list" in text
    )
    assert not Reminder.objects.exists() and not Job.objects.exists()
    with pytest.raises(Invalid) as refused:
        reminders.set_reminder(Context(user=world.dan), [1], "07:30", zone)
    assert refused.value.field == "time_zone"


def test_the_reminder_comes_at_the_same_local_time_across_the_clock_changes(
    world: World, time_machine, mail_folder
) -> None:  # type: ignore[no-untyped-def]
    """London: 07:30 every day is 07:30 UTC in winter, 06:30 UTC in summer time (from
    Sunday 29 March 2026) and 07:30 UTC again from Sunday 25 October."""
    time_machine.move_to(at_utc(2026, 3, 28, 8, 0))  # Saturday, after the day's 07:30
    world.web("dan").post(
        "/me/reminders",
        {"days": [str(d) for d in range(7)], "at": "07:30", "time_zone": "Europe/London"},
    )
    reminder = Reminder.objects.get()
    assert reminder.next_at == at_utc(2026, 3, 29, 6, 30)  # Sunday 07:30 BST
    assert reminder.next_at.astimezone(LONDON).time() == dt.time(7, 30)

    def fire(at: dt.datetime) -> Reminder:
        job = Job.objects.get(key=Reminder.objects.get().next_key)
        assert job.run_at == at
        time_machine.move_to(at + dt.timedelta(seconds=5))
        assert runner.run(job.pk) == "done"
        return Reminder.objects.get()

    reminder = fire(at_utc(2026, 3, 29, 6, 30))
    assert reminder.next_at == at_utc(2026, 3, 30, 6, 30)  # Monday, still 07:30 in London
    sent = outbox.read(
        mail_folder, world.lakeside.pk, {"dan@example.org"}, at_utc(2026, 3, 28, 0, 0)
    )
    assert len(sent) == 1

    # Autumn: the Saturday before the change at 06:30 UTC, the Sunday at 07:30 UTC.
    time_machine.move_to(at_utc(2026, 10, 24, 5, 0))
    world.web("dan").post(
        "/me/reminders",
        {"days": [str(d) for d in range(7)], "at": "07:30", "time_zone": "Europe/London"},
    )
    reminder = fire(at_utc(2026, 10, 24, 6, 30))
    assert reminder.next_at == at_utc(2026, 10, 25, 7, 30)  # Sunday 07:30 GMT
    reminder = fire(at_utc(2026, 10, 25, 7, 30))
    assert reminder.next_at.astimezone(LONDON) == dt.datetime(2026, 10, 26, 7, 30, tzinfo=LONDON)


def test_a_time_the_clock_skips_or_shows_twice() -> None:
    """01:30 on 29 March 2026 does not exist in London (01:00 jumps to 02:00): the
    reminder comes at 02:30 BST, an hour later on the clock. 01:30 on 1 November 2026
    comes twice in New York: the reminder comes at the first."""
    sunday = [6]
    skipped = reminders.next_at(sunday, dt.time(1, 30), LONDON, at_utc(2026, 3, 28, 12, 0))
    assert skipped == at_utc(2026, 3, 29, 1, 30)
    assert skipped is not None and skipped.astimezone(LONDON).time() == dt.time(2, 30)
    york = zoneinfo.ZoneInfo("America/New_York")
    twice = reminders.next_at(sunday, dt.time(1, 30), york, at_utc(2026, 10, 31, 12, 0))
    assert twice == at_utc(2026, 11, 1, 5, 30)  # 01:30 EDT, the first
    # between the two showings: the first is past, so the next Sunday (once a day only)
    after = reminders.next_at(sunday, dt.time(1, 30), york, at_utc(2026, 11, 1, 5, 45))
    assert after == at_utc(2026, 11, 8, 6, 30)
