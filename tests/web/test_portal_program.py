"""The client's program on the phone: today's exercises with their steps and
precautions, the timer's dose, the week at a glance; "done", "skipped" and "hurt" logged
with an optional pain 0-10, each entry recorded once however often the phone sends it;
a client reads and writes only their own, and reaches no staff page. The therapist sees
adherence per exercise and week on the record, with a flag when the client stops logging
or reports pain.

The people are tests/personas.py's (`build_world`): Dan Marlowe's record at Lakeside
(dan is his login), erin another Lakeside client, alice his therapist, bob at Hilltop."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from records_fixtures import World, build_world, last_event_id, new_events

from myomap.audit.models import AuditEvent
from myomap.clients.models import Intake
from myomap.program.models import LogEntry, Program, ProgramItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    world = build_world()
    review = {
        "anticoagulants": {"answer": False, "by": world.alice.pk, "at": "2026-01-05T10:00:00+00:00"}
    }
    Intake.objects.filter(pk=world.ask_intake.pk).update(medication_review=review)
    assert (
        world.web("alice")
        .post(f"/portal/visits/{world.visit.pk}/program/", {"do": "build"})
        .status_code
        == 302
    )
    return world


def first_item(world: World) -> ProgramItem:
    item = Program.objects.get(client=world.client).items.order_by("order").first()
    assert item is not None
    return item


def send(world: World, persona: str, body: dict[str, object]):  # type: ignore[no-untyped-def]
    return world.web(persona).post("/me/log", json.dumps(body), content_type="application/json")


def entry(item: ProgramItem, outcome: str = "done", pain: int | None = None) -> dict[str, object]:
    return {"entry_id": str(uuid.uuid4()), "item": item.pk, "outcome": outcome, "pain": pain}


def test_today_shows_the_clients_exercises_with_steps_and_precautions(world: World) -> None:
    first = last_event_id()
    page = world.web("dan").get("/me/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ball release for quadratus lumborum (left)" in html
    assert "Lie on your back with knees bent." in html  # its steps
    assert "Keep the ball off the spine" in html  # its precautions
    assert "Stay at &quot;good pain&quot;; never sharp" in html  # self-release's, from the KB
    assert 'data-hold="20"' in html and "Start hold" in html
    assert "Your point:" in html  # the point on his own body map drawing
    assert 'rel="manifest"' in html
    assert [(e.action, e.actor) for e in new_events(first)] == [(AuditEvent.Action.VIEW, world.dan)]


def test_done_is_stored_and_shown_on_the_page_and_the_week(world: World) -> None:
    item = first_item(world)
    first = last_event_id()
    answer = send(world, "dan", entry(item, "done", 2))
    assert answer.status_code == 201
    assert answer.json()["outcome"] == "done" and answer.json()["created"] is True
    stored = LogEntry.objects.get()
    assert (stored.client, stored.item, stored.outcome, stored.pain) == (
        world.client,
        item,
        "done",
        2,
    )
    assert [(e.action, e.object_type) for e in new_events(first)] == [
        (AuditEvent.Action.CREATE, "LogEntry")
    ]
    html = world.web("dan").get("/me/").content.decode()
    assert "Today: done" in html
    assert 'class="mark-done">✓' in html
    assert "1 day in a row" in html


def test_a_days_mark_in_the_week_is_its_best_outcome(world: World, time_machine) -> None:  # type: ignore[no-untyped-def]
    """Done, else hurt, else skipped, whatever the order they were logged in: a "hurt"
    followed by a "skipped" stays a hurt in the week, for the client and on the API."""
    noon = dt.datetime.combine(dt.date.today(), dt.time(12), tzinfo=dt.UTC)
    time_machine.move_to(noon)
    item = first_item(world)
    for minutes, outcome in ((30, "hurt"), (20, "skipped")):
        made = (noon - dt.timedelta(minutes=minutes)).isoformat()
        assert send(world, "dan", entry(item, outcome) | {"made_at": made}).status_code == 201
    assert list(LogEntry.objects.values_list("outcome", flat=True)) == ["hurt", "skipped"]
    html = world.web("dan").get("/me/").content.decode()
    assert 'class="mark-hurt">!' in html and 'class="mark-skipped"' not in html
    body = world.web("dan").get("/api/me/program").json()
    row = next(e for e in body["exercises"] if e["item"] == item.pk)
    assert row["week"][-1] == "hurt" and row["today"] == ["hurt", "skipped"]
    made = (noon - dt.timedelta(minutes=10)).isoformat()
    assert send(world, "dan", entry(item, "done") | {"made_at": made}).status_code == 201
    html = world.web("dan").get("/me/").content.decode()
    assert 'class="mark-done">✓' in html and 'class="mark-hurt"' not in html


def test_the_clients_day_is_on_their_clinics_clock_not_the_servers(
    world: World, time_machine
) -> None:  # type: ignore[no-untyped-def]
    """At Lakeside in Auckland, 20:00 UTC on 1 June is 08:00 on 2 June: an exercise done at
    23:00 there on 1 June (11:00 UTC, the server's same day) is yesterday's, and the
    streak runs from it."""
    from myomap.accounts.models import Clinic

    Clinic.objects.filter(pk=world.lakeside.pk).update(time_zone="Pacific/Auckland")
    now = dt.datetime(2026, 6, 1, 20, 0, tzinfo=dt.UTC)
    time_machine.move_to(now)
    item = first_item(world)
    made = dt.datetime(2026, 6, 1, 11, 0, tzinfo=dt.UTC).isoformat()
    assert send(world, "dan", entry(item, "done") | {"made_at": made}).status_code == 201
    body = world.web("dan").get("/api/me/program").json()
    assert body["day"] == "2026-06-02" and body["days"][-2] == "2026-06-01"
    assert body["streak"] == 1
    row = next(e for e in body["exercises"] if e["item"] == item.pk)
    assert row["today"] == [] and row["week"][-2:] == ["done", ""]
    html = world.web("dan").get("/me/").content.decode()
    assert "Today: done" not in html and "1 day in a row" in html


def test_an_entry_sent_again_is_recorded_once(world: World) -> None:
    """The phone resends an entry it made offline when the network returns; the server
    may already have it (the answer was lost): one row, the second answer says so."""
    body = entry(first_item(world), "skipped")
    assert send(world, "dan", body).status_code == 201
    again = send(world, "dan", body)
    assert again.status_code == 200 and again.json()["created"] is False
    assert LogEntry.objects.count() == 1


def test_an_entry_made_offline_keeps_the_phones_time(world: World) -> None:
    made = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    body = entry(first_item(world), "hurt", 6) | {"made_at": made.isoformat()}
    assert send(world, "dan", body).status_code == 201
    stored = LogEntry.objects.get()
    assert abs((stored.made_at - made).total_seconds()) < 1
    assert stored.recorded_at > stored.made_at


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"pain": 11}, "pain", "pain must be from 0 to 10, not 11"),
        ({"pain": -1}, "pain", "pain must be from 0 to 10, not -1"),
        ({"outcome": "maybe"}, "outcome", "outcome must be done, skipped or hurt"),
        ({"entry_id": "x"}, "entry_id", "entry_id must be an id made on the phone"),
        ({"item": 987654}, "item", "no such exercise in your program"),
    ],
)
def test_a_bad_entry_is_refused_naming_the_field(
    world: World, change: dict[str, object], field: str, words: str
) -> None:
    answer = send(world, "dan", entry(first_item(world)) | change)
    assert answer.status_code == 400
    assert answer.json()["field"] == field and words in answer.json()["detail"]
    assert LogEntry.objects.count() == 0


def test_a_client_cannot_log_another_clients_exercise(world: World) -> None:
    answer = send(world, "erin", entry(first_item(world)))
    assert answer.status_code == 400 and answer.json()["field"] == "item"
    assert LogEntry.objects.count() == 0


def test_erin_sees_none_of_dans_program(world: World) -> None:
    html = world.web("erin").get("/me/").content.decode()
    assert "Ball release" not in html and "Marlowe" not in html
    assert "Your therapist has not given you a home program yet." in html


@pytest.mark.parametrize("persona", ["alice", "carol", "bob"])
def test_staff_have_no_portal_of_their_own(world: World, persona: str) -> None:
    assert world.web(persona).get("/me/").status_code == 403
    assert send(world, persona, entry(first_item(world))).status_code == 403
    assert LogEntry.objects.count() == 0


def test_anonymous_is_asked_to_sign_in(world: World) -> None:
    page = world.web("anonymous").get("/me/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    assert send(world, "anonymous", entry(first_item(world))).status_code == 302
    assert LogEntry.objects.count() == 0


@pytest.mark.parametrize(
    "path",
    [
        "/clients/",
        "/clients/new/",
        "/audit/",
        "/accounts/clinic/",
        "/accounts/outbox/",
    ],
)
def test_a_client_reaches_no_staff_page(world: World, path: str) -> None:
    assert world.web("dan").get(path).status_code in (403, 404)


def test_a_client_reaches_no_staff_page_of_the_portal(world: World) -> None:
    browser = world.web("dan")
    assert browser.get(f"/portal/visits/{world.visit.pk}/program/").status_code == 403
    assert browser.post(f"/portal/clients/{world.client.pk}/invite/").status_code == 403


def test_the_therapist_sees_adherence_per_exercise_and_week(world: World) -> None:
    item = first_item(world)
    send(world, "dan", entry(item, "done"))
    html = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert "Adherence" in html
    assert "1/7 days" in html
    assert "Last logged" in html


def test_pain_during_an_exercise_is_flagged(world: World) -> None:
    item = first_item(world)
    send(world, "dan", entry(item, "hurt", 7))
    html = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert "Pain reported during Ball release for quadratus lumborum" in html
    assert "(up to 7/10)" in html
    assert "hurt 1" in html


def test_a_client_who_stops_logging_is_flagged(world: World, time_machine) -> None:  # type: ignore[no-untyped-def]
    send(world, "dan", entry(first_item(world), "done"))
    html = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert "No exercise logged" not in html
    time_machine.move_to(dt.datetime.now(dt.UTC) + dt.timedelta(days=8))
    html = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert "No exercise logged for 7 days or more (last on" in html


def test_another_clinic_sees_no_adherence(world: World) -> None:
    send(world, "dan", entry(first_item(world), "done"))
    assert world.web("bob").get(f"/clients/{world.client.pk}/").status_code == 404


def test_the_manifest_and_service_worker_are_served(world: World) -> None:
    manifest = world.web("anonymous").get("/me/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.json()["start_url"] == "/me/"
    worker = world.web("anonymous").get("/me/sw.js")
    assert worker.status_code == 200 and b'addEventListener("fetch"' in worker.content


def test_the_portal_shows_the_clients_own_booked_appointments_and_his_record(
    world: World,
) -> None:
    """Dan's portal lists his booked appointments from now on (soonest first, on the
    clinic's clock, with whom), not a cancelled one; it links to his own record."""
    from django.utils import timezone

    from myomap.appointments import actions as appointment_actions
    from myomap.appointments.models import Appointment
    from myomap.audit.log import Context

    now = timezone.now()
    ctx = Context(user=world.alice, now=now)
    hours = [(d, dt.time(0), dt.time(23, 45)) for d in range(7)]
    appointment_actions.set_weekly_hours(ctx, world.alice, hours)
    zone = world.lakeside.zone
    day = (now + dt.timedelta(days=2)).astimezone(zone).date()
    first = dt.datetime.combine(day, dt.time(10, 0), tzinfo=zone)
    second = first + dt.timedelta(days=7)
    for start in (second, first, first + dt.timedelta(days=1)):
        appointment_actions.book(
            ctx, client=world.client, therapist=world.alice, starts_at=start, minutes=45
        )
    dropped = Appointment.objects.get(starts_at=first + dt.timedelta(days=1))
    appointment_actions.cancel(ctx, dropped)
    html = world.web("dan").get("/me/").content.decode()
    section = html[html.index('id="appointments"') :]
    section = section[: section.index("</section>")]
    shown = [f"{s:%A} {s.day} {s:%B}, 10:00" for s in (first, second)]
    assert section.index(shown[0]) < section.index(shown[1])
    assert section.count("45 minutes with Alice Moss") == 2
    assert f"/clients/{world.client.pk}/" in section
    # Erin (another client of the clinic) sees none of Dan's.
    hers = world.web("erin").get("/me/").content.decode()
    assert "No appointment booked" in hers and "45 minutes with" not in hers


def test_weeks_before_the_programs_visit_are_not_counted_as_missed(world: World) -> None:
    """The program was built at a visit 9 days ago: the record's two oldest weeks asked
    nothing of Dan, and say so instead of "0/7 days"."""
    from django.utils import timezone

    from myomap.visits.models import Visit

    now = timezone.localtime()
    monday = now.date() - dt.timedelta(days=now.weekday())
    visit_day = monday - dt.timedelta(days=3)  # in last week, whatever today is
    Visit.objects.filter(pk=world.visit.pk).update(
        started_at=timezone.make_aware(dt.datetime.combine(visit_day, dt.time(10)))
    )
    html = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    row = html[html.index('<table class="adherence">') :]
    row = row[row.index("<tbody>") :]
    cells = row[: row.index("</tr>")].split("<td")[1:]
    assert len(cells) == 4
    assert all("not given yet" in c for c in cells[:2]), cells
    assert all("0/7 days" in c for c in cells[2:]), cells


def test_the_record_leads_the_therapist_back_to_the_program_and_its_handout(
    world: World,
) -> None:
    html = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert f'href="/portal/visits/{world.visit.pk}/program/">Edit the home program</a>' in html
    assert (
        f'href="/portal/clients/{world.client.pk}/handout.pdf">Print the handout (PDF)</a>' in html
    )
    Program.objects.filter(client=world.client).delete()
    html = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert "Edit the home program" not in html
    assert "No home program yet: build it from a visit" in html
