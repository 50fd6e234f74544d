"""Appointments in a phone's calendar: each appointment's .ics and the therapist's private
feed, parsed back with icalendar field by field. They carry the clinic's zone (times right
across a daylight-saving change) and nothing about the client but "Appointment at
<clinic>"; a cancelled appointment leaves the feed; a revoked or unknown feed is 404.

The people are tests/personas.py's: alice (a Lakeside therapist), bob (Hilltop)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.urls import reverse

from myomap.accounts.models import Clinic
from myomap.appointments import actions
from myomap.appointments.models import CalendarFeed
from myomap.audit.log import Context
from myomap.clients import actions as client_actions
from personas import DAN_BORN, DAN_FAMILY_NAME, People

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 3, 20, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def booked(people: People):
    Clinic.objects.filter(pk=people.lakeside.pk).update(time_zone="Europe/London")
    ctx = Context(user=people.alice, now=NOW)
    actions.set_weekly_hours(ctx, people.alice, [(d, dt.time(9), dt.time(17)) for d in range(7)])
    dan = client_actions.create_client(
        ctx,
        client_actions.ClientData(
            "Dan", DAN_FAMILY_NAME, DAN_BORN, treatment_consent=True, data_consent=True
        ),
    )
    # Before and after the clocks go forward (01:00 UTC, Sunday 29 March 2026).
    first = actions.book(
        ctx,
        client=dan,
        therapist=people.alice,
        starts_at=dt.datetime(2026, 3, 28, 9, 0, tzinfo=LONDON),
        minutes=60,
    )
    second = actions.book(
        ctx,
        client=dan,
        therapist=people.alice,
        starts_at=dt.datetime(2026, 3, 30, 14, 30, tzinfo=LONDON),
        minutes=45,
    )
    return ctx, first, second


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def test_an_appointments_ics_has_its_times_in_the_clinics_zone_and_no_client_data(
    booked, client, people
) -> None:
    _, _, second = booked
    client.force_login(people.alice)
    with time_machine.travel(NOW, tick=False):
        answer = client.get(reverse("appointments:ics", args=[second.pk]))
    assert answer["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = parse(answer.content)
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["method"]) == "PUBLISH"
    (event,) = calendar.events
    assert str(event["uid"]) == f"appointment-{second.pk}@myomap"
    assert event.start == dt.datetime(2026, 3, 30, 14, 30, tzinfo=LONDON)
    assert event.start.tzinfo.key == "Europe/London"
    assert event.end == dt.datetime(2026, 3, 30, 15, 15, tzinfo=LONDON)
    # 14:30 BST is 13:30 UTC: the zone is written out, with its summer time.
    assert event.start.astimezone(dt.UTC) == dt.datetime(2026, 3, 30, 13, 30, tzinfo=dt.UTC)
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert str(event["summary"]) == "Appointment at Lakeside"
    assert str(event["status"]) == "CONFIRMED"
    assert event.decoded("dtstamp") == NOW
    text = answer.content.decode()
    for private in (DAN_FAMILY_NAME, "Dan", "Alice", "Moss", "DESCRIPTION", "LOCATION"):
        assert private not in text


def test_a_cancelled_appointments_ics_says_it_is_cancelled(booked, client, people) -> None:
    ctx, first, _ = booked
    actions.cancel(ctx, first)
    client.force_login(people.alice)
    (event,) = parse(client.get(reverse("appointments:ics", args=[first.pk])).content).events
    assert str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) == 1


def test_another_clinic_gets_no_ics(booked, client, people) -> None:
    _, first, _ = booked
    client.force_login(people.bob)
    assert client.get(reverse("appointments:ics", args=[first.pk])).status_code == 404


def _new_link(client) -> str:
    page = client.post(reverse("appointments:feed_page"), {"do": "new"}).content.decode()
    link = re.search(r'<code id="feed-link">([^<]+)</code>', page)
    assert link is not None
    return link.group(1).replace("http://testserver", "")


def test_the_feed_carries_the_therapists_appointments_and_a_cancelled_one_leaves_it(
    booked, client, people
) -> None:
    ctx, first, second = booked
    client.force_login(people.alice)
    link = _new_link(client)
    assert CalendarFeed.objects.get().revoked_at is None
    # Only the digest is kept: the secret in the link is nowhere in the database.
    secret = link.rsplit("/", 1)[1].removesuffix(".ics")
    assert secret not in CalendarFeed.objects.get().digest
    client.logout()  # a phone's calendar has no session

    with time_machine.travel(NOW, tick=False):
        answer = client.get(link)
    assert answer.status_code == 200
    calendar = parse(answer.content)
    assert str(calendar["x-wr-calname"]) == "Myomap: Alice Moss"
    events = {str(e["uid"]): e for e in calendar.events}
    assert set(events) == {f"appointment-{first.pk}@myomap", f"appointment-{second.pk}@myomap"}
    saturday = events[f"appointment-{first.pk}@myomap"]
    assert saturday.start == dt.datetime(2026, 3, 28, 9, 0, tzinfo=LONDON)
    assert saturday.start.astimezone(dt.UTC).hour == 9  # GMT that day
    assert events[f"appointment-{second.pk}@myomap"].start.astimezone(dt.UTC).hour == 13
    assert {str(e["summary"]) for e in events.values()} == {"Appointment at Lakeside"}
    assert DAN_FAMILY_NAME not in answer.content.decode()

    actions.cancel(ctx, first)
    with time_machine.travel(NOW, tick=False):
        calendar = parse(client.get(link).content)
    assert [str(e["uid"]) for e in calendar.events] == [f"appointment-{second.pk}@myomap"]
    # A month after an appointment it leaves the feed too.
    with time_machine.travel(NOW + dt.timedelta(days=45), tick=False):
        assert parse(client.get(link).content).events == []


def test_a_revoked_or_replaced_feed_answers_404(booked, client, people) -> None:
    client.force_login(people.alice)
    old = _new_link(client)
    new = _new_link(client)  # a new link revokes the old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    answer = client.post(reverse("appointments:feed_page"), {"do": "revoke"})
    assert answer.status_code == 302
    assert CalendarFeed.objects.filter(revoked_at=None).count() == 0
    assert client.get(new).status_code == 404
    assert "You have no link yet." in client.get(reverse("appointments:feed_page")).content.decode()
    assert client.get("/appointments/feed/not-a-real-secret.ics").status_code == 404
