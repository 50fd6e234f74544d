"""The rebooking suggestion with open times, where it is asked for: on the signed note (the
page the therapist lands on after signing), each time booked in one tap through the
calendar's booking; and on the client's "is the pain back?" pages, booked from the
e-mailed link, refused by name when the time was taken meanwhile or has passed, audited
with the client as the actor, and then on the therapist's calendar. With a fixed clock.

The people are tests/personas.py's: alice (a Lakeside therapist, Mondays to Fridays
09:00-17:00 here), bob (a Hilltop therapist); Dan Marlowe a Lakeside client whose relief
lasted 7, 10 and 7 days after three earlier sessions."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from myomap.accounts.models import Clinic
from myomap.aftercare import links, relief
from myomap.aftercare.models import ReliefCheck
from myomap.appointments import actions as appointment_actions
from myomap.appointments import queries as appointment_queries
from myomap.appointments.models import Appointment
from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients import actions as client_actions
from myomap.clients.models import Client
from myomap.visits import actions as visit_actions
from myomap.visits.models import Visit
from personas import DAN_BORN, DAN_FAMILY_NAME, People

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Tuesday 3 March 2026, 10:00 in London (GMT, = UTC): the session signed today.
SIGNED = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)
EARLIER = [  # three earlier sessions, and the day each one's pain was back
    (dt.datetime(2026, 1, 6, 10, 0, tzinfo=dt.UTC), 7),
    (dt.datetime(2026, 1, 20, 10, 0, tzinfo=dt.UTC), 10),
    (dt.datetime(2026, 2, 10, 10, 0, tzinfo=dt.UTC), 7),
]
WORDS = "Suggest rebooking on Monday 9 Mar (day 6): relief lasted 7, 10 and 7 days"
# The same suggestion on the client's own pages, in words to them.
CLIENT_WORDS = (
    "We suggest your next session on Monday 9 Mar, day 6 after this one: "
    "relief lasted 7, 10 and 7 days"
)


def london(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=LONDON)


def sign_session(people: People, dan: Client, signed_at: dt.datetime, captured) -> Visit:
    ctx = Context(user=people.alice, now=signed_at - dt.timedelta(hours=1))
    intake = dan.intakes.order_by("-pk").first()
    if intake is None:
        intake = client_actions.record_intake(
            ctx,
            dan,
            client_actions.IntakeData(complaint="Low back pain", pain_drawing={"sacrum": 4}),
        )
    visit = visit_actions.start_visit(ctx, dan, intake)
    version = visit_actions.draft_note(ctx, visit)
    version = visit_actions.save_note(
        ctx,
        visit,
        revision=version.revision,
        subjective="S",
        objective="O",
        assessment="A",
        plan="P",
    )
    with captured(execute=True), transaction.atomic():
        visit_actions.sign_note(
            Context(user=people.alice, now=signed_at), visit, revision=version.revision
        )
    return visit


@pytest.fixture
def queue(tmp_path):
    """The jobs the signatures ask for go to a queue of this test's own."""
    from huey.storage import SqliteStorage

    from myomap.jobs.queue import HUEY

    kept = HUEY._storage
    HUEY.storage = SqliteStorage("myomap", filename=str(tmp_path / "jobs.sqlite3"))
    yield HUEY
    HUEY.storage = kept


@pytest.fixture
def world(people: People, queue, django_capture_on_commit_callbacks):
    """Dan with three followed sessions (relief 7, 10 and 7 days) and one signed today;
    Alice works Monday to Friday 09:00-17:00 and has Eve at 09:00 on Monday 9 March."""
    Clinic.objects.filter(pk=people.lakeside.pk).update(time_zone="Europe/London")
    ctx = Context(user=people.alice, now=EARLIER[0][0] - dt.timedelta(days=1))
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
    eve = client_actions.create_client(
        ctx,
        client_actions.ClientData(
            "Eve", "Lindqvist", dt.date(1975, 2, 1), treatment_consent=True, data_consent=True
        ),
    )
    for signed_at, back_on in EARLIER:
        visit = sign_session(people, dan, signed_at, django_capture_on_commit_callbacks)
        for day in relief.schedule_days():
            if day > back_on:
                break
            check = relief.ask(visit, signed_at, day, signed_at)
            relief.answer(
                Context(user=None, via="web", now=check.due_at + dt.timedelta(hours=1)),
                check,
                back=day == back_on,
                pain_now=4 if day == back_on else 1,
            )
    today = sign_session(people, dan, SIGNED, django_capture_on_commit_callbacks)
    staff = Context(user=people.alice, now=SIGNED)
    appointment_actions.set_weekly_hours(
        staff, people.alice, [(d, dt.time(9), dt.time(17)) for d in range(5)]
    )
    appointment_actions.book(
        staff, client=eve, therapist=people.alice, starts_at=london(9, 9), minutes=60
    )
    return dan, eve, today


def booking_forms(page: str, action: str) -> list[dict[str, str]]:
    """The one-tap booking forms posting to `action`: their hidden fields."""
    found = []
    for form in re.findall(rf'<form method="post" action="{re.escape(action)}">(.*?)</form>', page):
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
        fields.pop("csrfmiddlewaretoken", None)
        found.append({k: html.unescape(v) for k, v in fields.items()})
    return found


def test_the_signed_note_suggests_the_day_from_measured_relief_with_times_booked_in_one_tap(
    world, client, people
) -> None:
    dan, _, visit = world
    client.force_login(people.alice)
    with time_machine.travel(SIGNED + dt.timedelta(minutes=2), tick=False):
        page = client.get(f"/visits/{visit.pk}/note/").content.decode()
    assert WORDS + "</strong>." in page
    assert "Open with Alice Moss on Monday 9 Mar (60 minutes):" in page
    offered = booking_forms(page, "/appointments/new/")
    # 09:00 is Eve's; the first four open starts after it, on London's clock.
    assert [f["time"] for f in offered] == ["10:00", "10:15", "10:30", "10:45"]
    assert offered[0] == {
        "client": str(dan.pk),
        "therapist": str(people.alice.pk),
        "day": "2026-03-09",
        "time": "10:00",
        "minutes": "60",
    }

    with time_machine.travel(SIGNED + dt.timedelta(minutes=3), tick=False):
        answer = client.post("/appointments/new/", offered[0], follow=True)
    stored = Appointment.objects.get(client=dan)
    assert (stored.therapist, stored.starts_at, stored.minutes) == (
        people.alice,
        dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC),
        60,
    )
    assert (stored.booked_via, stored.created_by) == ("staff", people.alice)
    shown = answer.content.decode()
    assert "The appointment is booked." in shown and "Monday 9 March 2026, 10:00" in shown
    assert "by the clinic (Alice Moss), 3 Mar 2026 10:03" in shown
    with time_machine.travel(SIGNED + dt.timedelta(minutes=4), tick=False):
        page = client.get(f"/visits/{visit.pk}/note/").content.decode()
    assert booking_forms(page, "/appointments/new/") == []  # booked: no more to offer
    assert WORDS in page
    assert (
        f'Already booked: <a href="/appointments/{stored.pk}/">Monday 9 Mar at 10:00</a> '
        "with Alice Moss."
    ) in page

    # Another clinic's therapist sees no suggestion (nor the note).
    client.force_login(people.bob)
    assert WORDS not in client.get(f"/visits/{visit.pk}/note/").content.decode()


def test_with_no_open_time_that_day_the_nearest_day_is_offered(world, client, people) -> None:
    _, _, visit = world
    staff = Context(user=people.alice, now=SIGNED)
    appointment_actions.add_time_off(staff, people.alice, london(9, 0), london(10, 0), "course")
    client.force_login(people.alice)
    with time_machine.travel(SIGNED + dt.timedelta(minutes=2), tick=False):
        page = client.get(f"/visits/{visit.pk}/note/").content.decode()
    assert WORDS in page
    assert "No open time with Alice Moss on Monday 9 Mar; the nearest, on Tuesday 10 Mar" in page
    assert booking_forms(page, "/appointments/new/")[0]["day"] == "2026-03-10"


def test_the_note_page_reads_the_weeks_open_times_at_once(world, client, people) -> None:
    """Looking through a week for an open time costs the page no more queries than finding
    one on the first day: the calendar is read once for all the days it looks at."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, _, visit = world
    client.force_login(people.alice)

    def queries_of_the_page() -> tuple[int, str]:
        with (
            time_machine.travel(SIGNED + dt.timedelta(minutes=2), tick=False),
            CaptureQueriesContext(connection) as seen,
        ):
            page = client.get(f"/visits/{visit.pk}/note/").content.decode()
        return len(seen), page

    first_day, page = queries_of_the_page()
    assert "Open with Alice Moss on Monday 9 Mar" in page
    staff = Context(user=people.alice, now=SIGNED)
    appointment_actions.add_time_off(staff, people.alice, london(9, 0), london(17, 0), "week")
    for day in (10, 11, 12, 13, 16):
        appointment_actions.add_time_off(staff, people.alice, london(day, 0), london(day, 23), "w")
    no_day, page = queries_of_the_page()
    assert "No open time with Alice Moss in the week from Monday 9 Mar" in page
    assert no_day == first_day


def relief_link(check: ReliefCheck, now: dt.datetime) -> str:
    """The link the relief e-mail of `check` carries (made as the job makes it)."""
    return f"/aftercare/relief/{links.issue(check, relief.SALT, now)}/"


def test_the_client_books_a_suggested_time_from_the_relief_link(world, client, people) -> None:
    dan, eve, visit = world
    check = ReliefCheck.objects.get(visit=visit, day=4)
    sent = SIGNED + dt.timedelta(days=4)  # Saturday 7 March, 10:00
    link = relief_link(check, sent)
    with time_machine.travel(sent + dt.timedelta(hours=1), tick=False):
        page = client.get(link).content.decode()
        assert CLIENT_WORDS in page and "tap a time to book it" in page
        assert "Suggest rebooking" not in page  # the therapist's words stay theirs
        assert [f["start"] for f in booking_forms(page, link + "book/")][:2] == [
            "2026-03-09T10:00:00+00:00",
            "2026-03-09T10:15:00+00:00",
        ]
        thanks = client.post(link, {"back": "no", "pain_now": "1"}).content.decode()
    assert "may ask again" in thanks and CLIENT_WORDS in thanks  # the link still books
    offered = booking_forms(thanks, link + "book/")
    assert ">Book 10:00</button>" in thanks

    # Meanwhile the clinic gives 10:00 to Eve: the database's rule refuses Dan's tap.
    appointment_actions.book(
        Context(user=people.alice, now=sent + dt.timedelta(hours=1)),
        client=eve,
        therapist=people.alice,
        starts_at=london(9, 10),
        minutes=60,
    )
    with time_machine.travel(sent + dt.timedelta(hours=2), tick=False):
        refused = client.post(link + "book/", offered[0])
    assert refused.status_code == 409
    text = html.unescape(refused.content.decode())
    assert (
        "Not booked: Alice Moss already has an appointment Mon 9 Mar 2026 10:00-11:00. "
        "Choose another time below."
    ) in text
    assert not Appointment.objects.filter(client=dan).exists()
    offered = booking_forms(refused.content.decode(), link + "book/")
    assert offered[0]["start"] == "2026-03-09T11:00:00+00:00"

    with time_machine.travel(sent + dt.timedelta(hours=2, minutes=1), tick=False):
        booked = client.post(link + "book/", offered[0])
    assert booked.status_code == 200
    shown = booked.content.decode()
    assert "You are booked" in shown
    assert "Monday 9 March 2026 at 11:00</strong> with Alice Moss at Lakeside" in shown
    stored = Appointment.objects.get(client=dan)
    assert (stored.therapist, stored.starts_at, stored.booked_via, stored.created_by) == (
        people.alice,
        dt.datetime(2026, 3, 9, 11, 0, tzinfo=dt.UTC),
        "check-in",
        None,
    )
    assert ReliefCheck.objects.get(pk=check.pk).appointment == stored
    event = AuditEvent.objects.get(object_type="Appointment", object_id=str(stored.pk))
    assert (event.actor, event.actor_name, event.via, event.client_id) == (
        None,
        "client Dan Marlowe",
        "check-in",
        dan.pk,
    )
    assert event.summary == (
        "appointment booked by the client for Mon 9 Mar 2026 11:00-12:00 with Alice Moss"
    )

    # One booking per link: a second tap is refused, and the page shows the booking.
    with time_machine.travel(sent + dt.timedelta(hours=3), tick=False):
        again = client.post(link + "book/", offered[1])
    assert again.status_code == 409
    assert "you booked an appointment from this link already" in again.content.decode()
    assert Appointment.objects.filter(client=dan).count() == 1

    # On Alice's calendar.
    client.force_login(people.alice)
    with time_machine.travel(sent + dt.timedelta(hours=3), tick=False):
        day = client.get("/appointments/day/2026-03-09/").content.decode()
    assert (
        '<span class="when">11:00\u201312:00</span> <span class="who">Dan Marlowe</span> '
        '<span class="state">Booked · booked by the client</span>'
    ) in day
    assert "Eve Lindqvist" in day
    with time_machine.travel(sent + dt.timedelta(hours=3), tick=False):
        detail = client.get(f"/appointments/{stored.pk}/").content.decode()
    assert "by the client, from a check-in link, 7 Mar 2026 12:01" in detail


def test_a_past_time_or_an_expired_link_books_nothing(world, client) -> None:
    dan, _, visit = world
    check = ReliefCheck.objects.get(visit=visit, day=4)
    sent = london(8, 12)  # Sunday 8 March; valid until Tuesday 10 March 12:00
    link = relief_link(check, sent)
    with time_machine.travel(london(9, 10, 30), tick=False):
        past = client.post(link + "book/", {"start": "2026-03-09T10:00:00+00:00"})
    assert past.status_code == 409
    assert "Not booked: Mon 9 Mar 2026 10:00 is in the past." in html.unescape(
        past.content.decode()
    )
    with time_machine.travel(london(9, 10, 31), tick=False):
        unreadable = client.post(link + "book/", {"start": "soon"})
    assert "that one could not be read" in unreadable.content.decode()
    with time_machine.travel(london(10, 12, 1), tick=False):
        expired = client.post(link + "book/", {"start": "2026-03-11T10:00:00+00:00"})
    assert expired.status_code == 410
    assert "This link expired on 10 Mar 2026 at 12:00" in expired.content.decode()
    assert not Appointment.objects.filter(client=dan).exists()


def test_a_time_booked_between_the_look_and_the_write_is_refused_by_the_database(
    world, client, people, monkeypatch
) -> None:
    """The clinic books 10:00 after the client's booking looked (it saw it free, among the
    times offered): the database's one-row-per-unit rule refuses the client's write, and
    the page says so."""
    dan, eve, visit = world
    check = ReliefCheck.objects.get(visit=visit, day=4)
    sent = SIGNED + dt.timedelta(days=4)
    link = relief_link(check, sent)
    seen_free = appointment_queries.open_starts(
        people.alice, dt.date(2026, 3, 9), LONDON, 60, sent + dt.timedelta(hours=1)
    )
    monkeypatch.setattr(
        appointment_queries,
        "open_starts_on",
        lambda therapist, days, *args: {day: seen_free for day in days},
    )
    appointment_actions.book(
        Context(user=people.alice, now=sent),
        client=eve,
        therapist=people.alice,
        starts_at=london(9, 10),
        minutes=60,
    )
    real = appointment_actions._refuse_if_taken
    looks: list[int] = []

    def blind_first_look(*args, **kwargs) -> None:  # the look before the other's commit
        looks.append(1)
        if len(looks) > 1:
            real(*args, **kwargs)

    monkeypatch.setattr(appointment_actions, "_refuse_if_taken", blind_first_look)
    with time_machine.travel(sent + dt.timedelta(hours=1), tick=False):
        refused = client.post(link + "book/", {"start": "2026-03-09T10:00:00+00:00"})
    assert len(looks) == 2  # the write failed, and the second look named the conflict
    assert refused.status_code == 409
    assert "Not booked: Alice Moss already has an appointment Mon 9 Mar 2026 10:00-11:00." in (
        html.unescape(refused.content.decode())
    )
    assert not Appointment.objects.filter(client=dan).exists()
    assert ReliefCheck.objects.get(pk=check.pk).appointment is None


def test_the_link_books_only_a_time_it_offers(world, client, people) -> None:
    """The link books one of the times its pages show, nothing else: not another open time
    that day, not another week, not a second appointment for a client already booked."""
    dan, _, visit = world
    check = ReliefCheck.objects.get(visit=visit, day=4)
    sent = SIGNED + dt.timedelta(days=4)
    link = relief_link(check, sent)
    with time_machine.travel(sent + dt.timedelta(hours=1), tick=False):
        page = client.get(link).content.decode()
        shown = [f["start"] for f in booking_forms(page, link + "book/")]
        assert "2026-03-09T15:00:00+00:00" not in shown  # open, but not offered
        for start in ("2026-03-09T15:00:00+00:00", "2026-03-23T10:00:00+00:00"):
            refused = client.post(link + "book/", {"start": start})
            assert refused.status_code == 409
            assert "Not booked: that time is not one of those offered. Choose another" in (
                refused.content.decode()
            )
            assert booking_forms(refused.content.decode(), link + "book/")  # the offer again
        unchosen = client.post(link + "book/", {})
    assert unchosen.status_code == 400
    assert "Choose one of the times below: none was chosen." in unchosen.content.decode()
    assert not Appointment.objects.filter(client=dan).exists()
    assert ReliefCheck.objects.get(pk=check.pk).appointment is None

    # Booked by the clinic meanwhile: the page shows that booking, and the link books no more.
    staffed = appointment_actions.book(
        Context(user=people.alice, now=sent + dt.timedelta(hours=1)),
        client=dan,
        therapist=people.alice,
        starts_at=london(10, 14),
        minutes=60,
    )
    with time_machine.travel(sent + dt.timedelta(hours=2), tick=False):
        again = client.post(link + "book/", {"start": shown[0]})
    assert again.status_code == 409
    text = html.unescape(again.content.decode())
    assert (
        "Not booked: you have an appointment already, Tue 10 Mar 2026 at 14:00 with Alice Moss."
    ) in text
    assert "Tuesday 10 March 2026 at 14:00</strong> with Alice Moss" in text
    assert booking_forms(again.content.decode(), link + "book/") == []
    assert list(Appointment.objects.filter(client=dan)) == [staffed]
    assert ReliefCheck.objects.get(pk=check.pk).appointment is None


def test_a_replaced_or_tampered_relief_link_neither_answers_nor_books(world, client) -> None:
    dan, _, visit = world
    check = ReliefCheck.objects.get(visit=visit, day=4)
    sent = SIGNED + dt.timedelta(days=4)
    old = relief_link(check, sent)
    new = relief_link(check, sent + dt.timedelta(minutes=1))  # sent again: the old one stops
    signed, _, mac = old.rstrip("/").rsplit("/", 1)[1].rpartition(":")
    tampered = f"/aftercare/relief/{signed}:{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}/"
    with time_machine.travel(sent + dt.timedelta(hours=1), tick=False):
        for link, why in (
            (old, "This link has been replaced by a newer one, or no longer works."),
            (tampered, "This link is not a question link of ours."),
        ):
            assert why in client.get(link).content.decode()
            answered = client.post(link, {"back": "no", "pain_now": "1"})
            booked = client.post(link + "book/", {"start": "2026-03-09T10:00:00+00:00"})
            assert (answered.status_code, booked.status_code) == (410, 410)
            assert why in booked.content.decode()
        assert client.get(new).status_code == 200
    stored = ReliefCheck.objects.get(pk=check.pk)
    assert (stored.answered_at, stored.appointment) == (None, None)
    assert not Appointment.objects.filter(client=dan).exists()


def test_a_booking_from_the_link_cancelled_by_the_clinic_is_not_shown_as_the_next(
    world, client, people
) -> None:
    dan, _, visit = world
    check = ReliefCheck.objects.get(visit=visit, day=4)
    sent = SIGNED + dt.timedelta(days=4)
    link = relief_link(check, sent)
    with time_machine.travel(sent + dt.timedelta(hours=1), tick=False):
        page = client.get(link).content.decode()
        booked = client.post(link + "book/", booking_forms(page, link + "book/")[0])
    assert booked.status_code == 200
    stored = Appointment.objects.get(client=dan)
    appointment_actions.cancel(Context(user=people.alice, now=sent + dt.timedelta(hours=2)), stored)

    with time_machine.travel(sent + dt.timedelta(hours=3), tick=False):
        page = client.get(link).content.decode()
        again = client.post(link + "book/", {"start": "2026-03-09T10:00:00+00:00"})
    assert "Your next appointment" in page
    assert "This link has booked an appointment already. To book another, call Lakeside." in page
    assert "Monday 9 March 2026 at 10:00" not in page  # the cancelled one is not "next"
    assert booking_forms(page, link + "book/") == []
    assert again.status_code == 409
    assert "you booked an appointment from this link already" in again.content.decode()
    assert [a.status for a in Appointment.objects.filter(client=dan)] == ["cancelled"]
    assert ReliefCheck.objects.get(pk=check.pk).appointment == stored


def test_a_session_from_a_45_minute_appointment_offers_45_minutes(world, client, people) -> None:
    dan, _, visit = world
    earlier = Context(user=people.alice, now=SIGNED - dt.timedelta(hours=3))
    session = appointment_actions.book(
        earlier, client=dan, therapist=people.alice, starts_at=london(3, 9), minutes=45
    )
    appointment_actions.link_visit(earlier, session, visit)
    client.force_login(people.alice)
    with time_machine.travel(SIGNED + dt.timedelta(minutes=2), tick=False):
        note = client.get(f"/visits/{visit.pk}/note/").content.decode()
    assert "Open with Alice Moss on Monday 9 Mar (45 minutes):" in note
    assert {f["minutes"] for f in booking_forms(note, "/appointments/new/")} == {"45"}

    client.logout()
    check = ReliefCheck.objects.get(visit=visit, day=4)
    sent = SIGNED + dt.timedelta(days=4)
    link = relief_link(check, sent)
    with time_machine.travel(sent + dt.timedelta(hours=1), tick=False):
        page = client.get(link).content.decode()
        assert "(45 minutes; tap a time to book it)" in page
        booked = client.post(link + "book/", booking_forms(page, link + "book/")[0])
    assert booked.status_code == 200
    stored = Appointment.objects.get(client=dan, booked_via="check-in")
    assert (stored.starts_at, stored.minutes) == (dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC), 45)
    assert "Monday 9 March 2026 at 10:00</strong> with Alice Moss at Lakeside (45 minutes)" in (
        booked.content.decode()
    )


def test_the_link_books_its_own_client_with_the_sessions_therapist_whatever_is_posted(
    world, client, people
) -> None:
    dan, eve, visit = world
    check = ReliefCheck.objects.get(visit=visit, day=4)
    sent = SIGNED + dt.timedelta(days=4)
    link = relief_link(check, sent)
    with time_machine.travel(sent + dt.timedelta(hours=1), tick=False):
        page = client.get(link).content.decode()
        tap = booking_forms(page, link + "book/")[0]
        forged = {**tap, "client": str(eve.pk), "therapist": str(people.bob.pk), "minutes": "120"}
        assert client.post(link + "book/", forged).status_code == 200
    stored = Appointment.objects.get(booked_via="check-in")
    assert (stored.client, stored.therapist, stored.minutes) == (dan, people.alice, 60)
    assert not Appointment.objects.filter(client=eve, booked_via="check-in").exists()


def test_the_appointment_the_visit_started_from_is_not_shown_as_the_next(
    world, client, people
) -> None:
    """A visit started a few minutes before its appointment's time: the signed note offers
    the times to come back, not "Already booked" for the very session being signed."""
    dan, _, visit = world
    earlier = Context(user=people.alice, now=SIGNED - dt.timedelta(hours=3))
    session = appointment_actions.book(
        earlier, client=dan, therapist=people.alice, starts_at=london(3, 10, 15), minutes=45
    )
    appointment_actions.link_visit(earlier, session, visit)
    client.force_login(people.alice)
    with time_machine.travel(SIGNED + dt.timedelta(minutes=2), tick=False):
        page = client.get(f"/visits/{visit.pk}/note/").content.decode()
    assert "Already booked" not in page
    assert "Open with Alice Moss on Monday 9 Mar (45 minutes):" in page
    assert booking_forms(page, "/appointments/new/")[0]["time"] == "10:00"
    assert appointment_queries.next_appointment(dan, SIGNED) is None


def test_the_clients_thanks_page_has_the_phone_sized_buttons_and_a_used_link_names_no_check_in(
    world, client
) -> None:
    """The times to book after answering are 48 px high as on the question's page; the
    link opened again says it cannot be used, not that it is not a check-in."""
    from django.contrib.staticfiles import finders

    _, _, visit = world
    check = ReliefCheck.objects.get(visit=visit, day=4)
    sent = SIGNED + dt.timedelta(days=4)
    link = relief_link(check, sent)
    with time_machine.travel(sent + dt.timedelta(hours=1), tick=False):
        thanks = client.post(link, {"back": "no", "pain_now": "1"}).content.decode()
        again = client.get(link)
    assert 'href="/static/aftercare/check-in.css"' in thanks and ">Book 10:00</button>" in thanks
    css = Path(finders.find("aftercare/check-in.css")).read_text()
    assert ".rebooking .slots button { min-height: 48px; }" in css.replace(
        ".check-in button.primary, ", ""
    )
    assert again.status_code == 410
    shown = again.content.decode()
    assert "<h1>This link cannot be used</h1>" in shown and "check-in" not in shown.split("<h1>")[1]
