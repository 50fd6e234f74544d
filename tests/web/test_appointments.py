"""Appointments: booking on the clinic's clock, refused naming the conflict (taken, outside
the hours, time off, past), cancel and no-show, a visit started from an appointment, the
day and week views, and times across a daylight-saving change. After each write, the rows
stored and the page shown.

The people are tests/personas.py's: alice and frank (Lakeside therapists), carol
(Lakeside's clinic admin), bob (a Hilltop therapist); Dan Marlowe is a Lakeside client."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from myomap.accounts.models import Clinic
from myomap.appointments import actions
from myomap.appointments.models import Appointment, Occupied, TimeOff
from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients import actions as client_actions
from myomap.clients.models import Client
from myomap.records.errors import Conflict, Invalid
from personas import DAN_BORN, DAN_FAMILY_NAME, People

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Monday 2 March 2026, 08:00 in London (GMT, = UTC).
NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
DASH = "\u2013"  # the pages write a time span with an en dash
WORKDAY = [(d, dt.time(9), dt.time(17)) for d in range(5)]  # Monday to Friday 09-17


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    """A moment on London's clock in 2026, as an aware datetime."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def clinic(people: People) -> Clinic:
    Clinic.objects.filter(pk=people.lakeside.pk).update(time_zone="Europe/London")
    return Clinic.objects.get(pk=people.lakeside.pk)


@pytest.fixture
def dan(people: People, clinic: Clinic) -> Client:
    ctx = Context(user=people.alice, now=NOW)
    return client_actions.create_client(
        ctx,
        client_actions.ClientData(
            "Dan", DAN_FAMILY_NAME, DAN_BORN, treatment_consent=True, data_consent=True
        ),
    )


@pytest.fixture
def ctx(people: People, clinic: Clinic) -> Context:
    actions.set_weekly_hours(Context(user=people.alice, now=NOW), people.alice, WORKDAY)
    return Context(user=people.alice, now=NOW)


def book(ctx: Context, dan: Client, start: dt.datetime, minutes: int = 60) -> Appointment:
    return actions.book(ctx, client=dan, therapist=ctx.user, starts_at=start, minutes=minutes)


def test_a_booking_is_stored_in_utc_with_its_units_and_audited(ctx, dan, people) -> None:
    appointment = book(ctx, dan, at(2, 10, 30), 45)
    stored = Appointment.objects.get(pk=appointment.pk)
    assert stored.starts_at == dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC)
    assert (stored.minutes, stored.status, stored.created_by) == (45, "booked", people.alice)
    assert Occupied.objects.filter(appointment=stored).count() == 9  # 45 minutes / 5
    event = AuditEvent.objects.get(action="create", object_type="Appointment")
    assert event.client_id == dan.pk
    assert "Mon 2 Mar 2026 10:30-11:15" in event.summary


def test_a_taken_slot_is_refused_naming_the_appointment_it_meets(ctx, dan) -> None:
    book(ctx, dan, at(2, 10))
    with pytest.raises(Invalid) as refused:
        book(ctx, dan, at(2, 10, 45), 30)
    assert refused.value.field == "starts_at"
    assert refused.value.message == (
        "Alice Moss already has an appointment Mon 2 Mar 2026 10:00-11:00"
    )
    assert Appointment.objects.count() == 1
    # Right after it is free.
    book(ctx, dan, at(2, 11), 30)
    assert Appointment.objects.count() == 2


def test_the_database_refuses_a_double_booking_even_past_every_check(ctx, dan, people) -> None:
    from django.db import IntegrityError, transaction

    first = book(ctx, dan, at(2, 10))
    other = Appointment.objects.create(
        clinic=first.clinic,
        client=dan,
        therapist=people.alice,
        starts_at=at(2, 10, 30),
        minutes=30,
        created_by=people.alice,
        created_at=NOW,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Occupied.objects.create(
            appointment=other, therapist=people.alice, unit=first.units.first().unit
        )


@pytest.mark.parametrize(
    ("start", "minutes", "field", "message"),
    [
        (at(2, 7, 0), 60, "starts_at", "Mon 2 Mar 2026 07:00 is in the past"),
        (
            at(2, 16, 30),
            60,
            "starts_at",
            "Alice Moss is not available Mon 2 Mar 2026 16:30-17:30: "
            "Alice Moss works Monday 09:00-17:00",
        ),
        (
            at(7, 10),
            60,
            "starts_at",
            "Alice Moss is not available Sat 7 Mar 2026 10:00-11:00: "
            "Alice Moss does not work on Saturdays",
        ),
        (
            at(2, 10, 2),
            60,
            "starts_at",
            "an appointment starts on the 5-minute mark, not at 10:02:00",
        ),
        (at(2, 10), 7, "minutes", "an appointment lasts 5-240 minutes in steps of 5, not 7"),
    ],
)
def test_a_bad_booking_is_refused_by_name_and_nothing_is_saved(
    ctx, dan, start, minutes, field, message
) -> None:
    with pytest.raises(Invalid) as refused:
        book(ctx, dan, start, minutes)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert not Appointment.objects.exists()
    assert not Occupied.objects.exists()


def test_time_off_refuses_a_booking_in_it(ctx, dan, people) -> None:
    actions.add_time_off(ctx, people.alice, at(3, 0), at(5, 0), "course")
    # Whole days are named as the days away, the last one Wednesday (not "Thu 00:00").
    with pytest.raises(Invalid, match=r"^Alice Moss is away Tue 3 Mar 2026 to Wed 4 Mar 2026$"):
        book(ctx, dan, at(4, 10))
    book(ctx, dan, at(5, 10))


def test_cancelling_frees_the_time_and_a_no_show_is_recorded_once_begun(ctx, dan) -> None:
    appointment = book(ctx, dan, at(2, 10))
    actions.cancel(ctx, appointment)
    stored = Appointment.objects.get(pk=appointment.pk)
    assert (stored.status, stored.changed_at) == ("cancelled", NOW)
    assert not Occupied.objects.filter(appointment=stored).exists()
    with pytest.raises(Conflict, match="this one is cancelled"):
        actions.cancel(ctx, stored)
    again = book(ctx, dan, at(2, 10))

    with pytest.raises(Invalid, match="only once it has begun"):
        actions.mark_no_show(ctx, again)
    later = Context(user=ctx.user, now=at(2, 10, 10))
    actions.mark_no_show(later, again)
    assert Appointment.objects.get(pk=again.pk).status == "no_show"
    # The missed time stays taken.
    assert Occupied.objects.filter(appointment=again).count() == 12
    summaries = set(
        AuditEvent.objects.filter(object_type="Appointment").values_list("summary", flat=True)
    )
    assert {"appointment cancelled", "client did not come"} <= summaries


def test_another_clinic_cannot_book_or_see_the_calendar(ctx, dan, people, client) -> None:
    appointment = book(ctx, dan, at(2, 10))
    from myomap.records.errors import Forbidden

    with pytest.raises(Forbidden):
        actions.book(
            Context(user=people.bob, now=NOW),
            client=dan,
            therapist=people.bob,
            starts_at=at(2, 12),
            minutes=30,
        )
    client.force_login(people.bob)
    assert client.get(reverse("appointments:detail", args=[appointment.pk])).status_code == 404


def test_an_unknown_time_zone_is_refused_at_configuration(people, clinic) -> None:
    admin = Context(user=people.carol, now=NOW)
    with pytest.raises(Invalid) as refused:
        actions.set_time_zone(admin, "Europe/Londn")
    assert refused.value.field == "time_zone"
    assert "'Europe/Londn' is not a known time zone" in refused.value.message
    assert Clinic.objects.get(pk=clinic.pk).time_zone == "Europe/London"
    actions.set_time_zone(admin, "America/New_York")
    assert Clinic.objects.get(pk=clinic.pk).time_zone == "America/New_York"


def test_the_booking_form_books_on_the_clinics_clock_and_shows_it(ctx, dan, client, people) -> None:
    client.force_login(people.alice)
    with time_machine.travel(NOW, tick=False):
        answer = client.post(
            reverse("appointments:book"),
            {
                "client": dan.pk,
                "therapist": people.alice.pk,
                "day": "2026-03-02",
                "time": "14:15",
                "minutes": "50",
            },
        )
        assert answer.status_code == 302
        appointment = Appointment.objects.get()
        assert appointment.starts_at == dt.datetime(2026, 3, 2, 14, 15, tzinfo=dt.UTC)
        page = client.get(answer["Location"]).content.decode()
        assert f"Monday 2 March 2026, 14:15{DASH}15:05 (Europe/London)" in page
        day = client.get(reverse("appointments:day", args=["2026-03-02"])).content.decode()
        assert f"14:15{DASH}15:05" in day and "Dan Marlowe" in day

        # The same time again: refused beside the time, nothing more stored.
        again = client.post(
            reverse("appointments:book"),
            {
                "client": dan.pk,
                "therapist": people.alice.pk,
                "day": "2026-03-02",
                "time": "14:30",
                "minutes": "30",
            },
        )
    assert again.status_code == 400
    assert (
        "Alice Moss already has an appointment Mon 2 Mar 2026 14:15-15:05" in again.content.decode()
    )
    assert Appointment.objects.count() == 1


def test_times_across_the_spring_clock_change_are_shown_on_the_local_clock(
    dan, client, people, clinic
) -> None:
    # London goes from GMT to BST at 01:00 UTC on Sunday 29 March 2026.
    actions.set_weekly_hours(
        Context(user=people.alice, now=NOW),
        people.alice,
        [(d, dt.time(9), dt.time(17)) for d in range(7)],
    )
    ctx = Context(user=people.alice, now=NOW)
    saturday = book(ctx, dan, at(28, 9))
    sunday = book(ctx, dan, at(29, 9))
    assert saturday.starts_at == dt.datetime(2026, 3, 28, 9, 0, tzinfo=dt.UTC)
    assert sunday.starts_at == dt.datetime(2026, 3, 29, 8, 0, tzinfo=dt.UTC)  # 09:00 BST
    client.force_login(people.alice)
    week = client.get(reverse("appointments:week", args=["2026-03-26"])).content.decode()
    assert week.count("09:00</span>") == 2
    day = client.get(reverse("appointments:day", args=["2026-03-29"])).content.decode()
    assert "this day has 23 hours (the clocks change)" in day
    assert f"09:00{DASH}10:00" in day
    # A time that does not exist that night is refused by name.
    answer = client.post(
        reverse("appointments:book"),
        {
            "client": dan.pk,
            "therapist": people.alice.pk,
            "day": "2026-03-29",
            "time": "01:30",
            "minutes": "30",
        },
    )
    assert answer.status_code == 400
    assert "01:30 does not exist on 29 Mar 2026 in Europe/London" in answer.content.decode()


def test_the_day_view_offers_the_free_starts_and_a_visit_starts_from_the_appointment(
    ctx, dan, client, people
) -> None:
    client_actions.record_intake(
        ctx, dan, client_actions.IntakeData(complaint="Low back pain", pain_drawing={"sacrum": 4})
    )
    appointment = book(ctx, dan, at(2, 10))
    client.force_login(people.alice)
    with time_machine.travel(NOW, tick=False):
        day = client.get(reverse("appointments:day", args=["2026-03-02"])).content.decode()
        assert ">09:00</a>" in day and ">11:00</a>" in day
        assert ">09:15</a>" not in day and ">10:00</a>" not in day  # would meet 10:00-11:00
        assert ">16:00</a>" in day and ">16:15</a>" not in day  # ends by 17:00
        answer = client.post(reverse("appointments:start_visit", args=[appointment.pk]))
        assert answer.status_code == 302
        stored = Appointment.objects.get(pk=appointment.pk)
        assert stored.visit is not None
        assert answer["Location"] == reverse("visits:detail", args=[stored.visit_id])
        # Twice is the same visit.
        again = client.post(reverse("appointments:start_visit", args=[appointment.pk]))
        assert again["Location"] == answer["Location"]
        page = client.get(reverse("appointments:detail", args=[appointment.pk])).content.decode()
    assert "Open the visit" in page


def test_a_therapist_sets_her_hours_and_time_off_on_the_page(client, people, clinic) -> None:
    client.force_login(people.alice)
    url = reverse("appointments:hours")
    answer = client.post(
        url,
        {"form": "hours", "hours": "Monday 09:00-12:30\nmonday 13:30-17:00\nFriday 08:00-12:00"},
    )
    assert answer.status_code == 302
    rows = list(people.alice.weekly_hours.values_list("weekday", "starts", "ends"))
    assert rows == [
        (0, dt.time(9), dt.time(12, 30)),
        (0, dt.time(13, 30), dt.time(17)),
        (4, dt.time(8), dt.time(12)),
    ]
    page = client.get(url).content.decode()
    assert "Monday 09:00-12:30" in page
    bad = client.post(url, {"form": "hours", "hours": "Munday 09:00-12:00"})
    assert bad.status_code == 400
    assert "line 1: write" in bad.content.decode()
    assert people.alice.weekly_hours.count() == 3
    answer = client.post(
        url,
        {
            "form": "time_off",
            "first_day": "2026-04-06",
            "last_day": "2026-04-10",
            "note": "Holiday",
        },
    )
    assert answer.status_code == 302
    off = TimeOff.objects.get()
    assert off.starts_at == dt.datetime(2026, 4, 5, 23, 0, tzinfo=dt.UTC)  # midnight BST
    assert off.ends_at == dt.datetime(2026, 4, 10, 23, 0, tzinfo=dt.UTC)
    # The page names the days as they were written: the 6th to the 10th, not "11 Apr 00:00".
    with time_machine.travel(dt.datetime(2026, 4, 1, tzinfo=dt.UTC), tick=False):
        page = client.get(url).content.decode()
    assert "Mon 6 Apr 2026 to Fri 10 Apr 2026 · Holiday" in page
    assert "11 Apr" not in page


def test_the_clinic_admin_refuses_an_unknown_time_zone_on_the_page(client, people, clinic) -> None:
    client.force_login(people.carol)
    answer = client.post(
        reverse("appointments:hours"), {"form": "time_zone", "time_zone": "Mars/Olympus"}
    )
    assert answer.status_code == 400
    assert "&#x27;Mars/Olympus&#x27; is not a known time zone" in answer.content.decode()
    assert Clinic.objects.get(pk=clinic.pk).time_zone == "Europe/London"


def test_cancel_and_no_show_from_the_appointment_page(ctx, dan, client, people) -> None:
    cancelled = book(ctx, dan, at(2, 10))
    missed = book(ctx, dan, at(2, 12))
    client.force_login(people.alice)
    with time_machine.travel(at(2, 12, 20), tick=False):
        answer = client.post(reverse("appointments:cancel", args=[cancelled.pk]))
        assert answer.status_code == 302
        page = client.get(answer["Location"]).content.decode()
        # Who recorded it and when, on the clinic's clock, as the booking says who booked.
        assert (
            '<dd id="appointment-state">Cancelled: recorded by Alice Moss, 2 Mar 2026 12:20</dd>'
        ) in page
        assert "The appointment is cancelled." in page
        answer = client.post(reverse("appointments:no_show", args=[missed.pk]))
        page = client.get(answer["Location"]).content.decode()
        assert (
            '<dd id="appointment-state">Did not come: recorded by Alice Moss, 2 Mar 2026 12:20</dd>'
        ) in page
        day = client.get(reverse("appointments:day", args=["2026-03-02"])).content.decode()
    assert Appointment.objects.get(pk=cancelled.pk).status == "cancelled"
    assert Appointment.objects.get(pk=missed.pk).status == "no_show"
    assert 'class="appt cancelled"' in day and 'class="appt no_show"' in day
    # The cancelled time is free again; the missed one is not.
    assert ">10:00</a>" not in day  # in the past by now
    assert not Occupied.objects.filter(appointment_id=cancelled.pk).exists()
