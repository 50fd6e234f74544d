"""The client's own portal in the JSON API (/api/me/...): today's program with dose,
steps, precautions and the client's own points; the log (done, skipped, hurt, an
optional pain, a phone-made id so a retry is recorded once); the pain diary (several
regions, one pain, a note; a bad region or pain is 422 naming the field, nothing saved);
the appointments; the signed notes' client summary (never a draft, never the note's
clinical text). Only the client's own token or session: staff get 403 here, as a client
gets 403 on the staff's writes (test_permissions.py). Audited as the web portal.

The people are tests/personas.py's (`build_world`): Dan Marlowe's record at Lakeside
(dan is his login), erin another Lakeside client, alice his therapist, carol the clinic
admin, bob at Hilltop."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
import schemathesis
from django.test import Client as Browser
from django.urls import resolve
from django.utils import timezone
from records_fixtures import (
    DAN_FAMILY_NAME,
    EXPECTED,
    IP,
    PERSONAS,
    PORTAL_ENTRIES,
    PORTAL_PREFIX,
    Entry,
    Outcome,
    World,
    build_world,
    last_event_id,
    new_events,
    outcome,
    routes,
    snapshot,
)
from test_api_fuzz import CHECKS, FUZZ, api_schema, wsgi_app  # noqa: F401 (fixtures)

from myomap.api.models import ApiToken
from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients.models import Intake
from myomap.program import actions as program_actions
from myomap.program.models import DiaryEntry, LogEntry, Program, ProgramItem
from myomap.visits import actions as visit_actions
from myomap.visits import queries as visit_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    """Dan's record with a home program built from his planned visit."""
    world = build_world()
    review = {
        "anticoagulants": {"answer": False, "by": world.alice.pk, "at": "2026-01-05T10:00:00+00:00"}
    }
    Intake.objects.filter(pk=world.ask_intake.pk).update(medication_review=review)
    # Through the action, not the test client: the generated-input test's WSGI handler
    # keeps the test's database connection open only while no test client ran before it.
    program_actions.build_program(Context(user=world.alice), world.visit)
    return world


def portal_rows() -> dict[str, list[dict[str, Any]]]:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Program, ProgramItem, LogEntry, DiaryEntry)
    }


def first_item(world: World) -> ProgramItem:
    item = ProgramItem.objects.filter(program__client=world.client).order_by("order").first()
    assert item is not None
    return item


def post(world: World, persona: str, path: str, body: dict[str, Any]) -> Any:
    return world.api(persona).post(path, body, content_type="application/json")


# ----------------------------------------------------------------------------- the matrix
def _route(entry: Entry) -> str:
    return str(resolve(entry.path).route)


def test_every_portal_url_and_method_is_in_the_table(world: World) -> None:
    covered: dict[str, set[str]] = {}
    for entry in PORTAL_ENTRIES:
        covered.setdefault(_route(entry), set()).add(entry.method)
    assert sorted(covered) == routes((PORTAL_PREFIX,))
    for route, methods in covered.items():
        answer = world.api("dan").generic("TRACE", "/" + route)
        assert answer.status_code == 405, route
        assert set(re.split(r",\s*", answer["Allow"])) == methods, route


CASES = [
    pytest.param(entry, persona, id=f"{entry} as {persona}")
    for entry in PORTAL_ENTRIES
    for persona in PERSONAS
]


@pytest.mark.parametrize(("entry", "persona"), CASES)
def test_the_portal_permission_matrix(world: World, entry: Entry, persona: str) -> None:
    expected = EXPECTED[entry.kind][persona]
    before, before_portal, first = snapshot(audit=False), portal_rows(), last_event_id()

    response = entry.send(world, persona)

    got = outcome(response, api=True)
    assert got == expected, f"{entry} as {persona}: {response.status_code} {response.content!r}"
    if persona != "dan":
        assert DAN_FAMILY_NAME.encode() not in response.content
    events = new_events(first)
    if expected is not Outcome.ALLOWED:
        assert response.status_code in (401, 403)
        assert snapshot(audit=False) == before and portal_rows() == before_portal
        assert events == [], "a refused request wrote to the audit log"
        return
    mine = world.client if persona == "dan" else world.erin_client
    if entry.method == "GET":
        assert response.status_code == 200
        assert [(e.action, e.actor, e.client, e.via, e.ip) for e in events] == [
            (AuditEvent.Action.VIEW, world.user(persona), mine, "api", IP)
        ]
        assert events[0].path == entry.path
    elif persona == "dan":
        assert response.status_code == 201, response.content
        assert sorted(e.action for e in events) == sorted(entry.audit)
        assert {(e.actor, e.client, e.via) for e in events} == {(world.dan, world.client, "api")}
    else:
        # Erin has no program: Dan's exercise is none of hers (her diary entry is hers).
        if entry.path == "/api/me/log":
            assert response.status_code == 422 and response.json()["field"] == "item"
            assert portal_rows() == before_portal and events == []
        else:
            assert response.status_code == 201
            assert set(DiaryEntry.objects.values_list("client", flat=True)) == {mine.pk}


def test_staff_are_told_why_they_are_refused(world: World) -> None:
    answer = world.api("alice").get("/api/me/program")
    assert answer.status_code == 403
    assert (
        answer.json()["detail"] == "only a client, signed in to their own portal, may use /api/me"
    )


def test_a_client_is_refused_every_staff_api_endpoint(world: World) -> None:
    """Every staff-only API entry of the permission table answers dan 403, and changes
    nothing (his own record's reads are his: RECORD_READ)."""
    from records_fixtures import ENTRIES, Kind

    staff = [e for e in ENTRIES if e.api and EXPECTED[e.kind]["dan"] is Outcome.FORBIDDEN]
    assert len(staff) >= 20 and {e.kind for e in staff} >= {Kind.RECORD_WRITE, Kind.AUDIT}
    before, before_portal = snapshot(audit=False), portal_rows()
    for entry in staff:
        assert entry.send(world, "dan").status_code == 403, entry
    assert snapshot(audit=False) == before and portal_rows() == before_portal


# ----------------------------------------------------------------------------- program and log
def test_the_program_has_the_days_exercises_with_dose_steps_precautions_and_points(
    world: World,
) -> None:
    body = world.api("dan").get("/api/me/program").json()
    names = [e["name"] for e in body["exercises"]]
    assert "Ball release for quadratus lumborum" in names
    release = next(e for e in body["exercises"] if e["point"] is not None)
    assert release["name"] == "Ball release for quadratus lumborum"
    assert release["point"]["side"] == "left" and release["point"]["muscle"] == "Quadratus lumborum"
    assert release["point"]["region"] is not None
    assert release["dose"]["hold_seconds"] == 20
    assert release["steps"][0].startswith("Lie on your back with knees bent.")
    assert any("Keep the ball off the spine" in p for p in release["precautions"])
    assert any("never sharp" in p for p in release["precautions"])  # self-release's, from the KB
    assert release["picture"].endswith("/illustration.svg") and release["today"] == []
    assert body["day"] == timezone.localdate().isoformat() and len(body["days"]) == 7
    stored = [
        i.pk for i in ProgramItem.objects.filter(program__client=world.client, removed_at=None)
    ]
    assert sorted(e["item"] for e in body["exercises"]) == sorted(stored)


def test_a_log_is_stored_once_however_often_it_is_sent_and_shows_in_the_program(
    world: World,
) -> None:
    item = first_item(world)
    sent = {"entry_id": str(uuid.uuid4()), "item": item.pk, "outcome": "hurt", "pain": 6}
    first = post(world, "dan", "/api/me/log", sent)
    assert first.status_code == 201 and first.json()["created"] is True
    again = post(world, "dan", "/api/me/log", sent)
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["id"] == first.json()["id"]
    stored = LogEntry.objects.get()
    assert (stored.client, stored.item, stored.outcome, stored.pain) == (
        world.client,
        item,
        "hurt",
        6,
    )
    assert str(stored.entry_id) == sent["entry_id"]
    body = world.api("dan").get("/api/me/program").json()
    row = next(e for e in body["exercises"] if e["item"] == item.pk)
    assert row["today"] == ["hurt"] and row["week"][-1] == "hurt"
    # the therapist's record shows it in the adherence, as from the web portal's log
    page = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert "Pain reported during" in page


def test_the_api_log_and_the_web_log_are_one_record(world: World) -> None:
    """The phone's web queue and the API share the action: an entry id sent on both is
    recorded once."""
    item = first_item(world)
    sent = {"entry_id": str(uuid.uuid4()), "item": item.pk, "outcome": "done"}
    web = world.web("dan").post("/me/log", sent, content_type="application/json")
    assert web.status_code == 201
    api = post(world, "dan", "/api/me/log", sent)
    assert api.status_code == 200 and api.json()["created"] is False
    assert LogEntry.objects.count() == 1
    # one answer on both ways in: the same entry, the same fields
    stored = LogEntry.objects.get()
    assert web.json() | {"created": False} == api.json()
    assert (api.json()["id"], api.json()["exercise"]) == (stored.pk, item.exercise)


@pytest.mark.parametrize("item", [True, 1.0, "1e3", None, [1]])
def test_the_web_log_names_an_item_that_is_not_a_whole_number(world: World, item: Any) -> None:
    """`true` is no exercise's number (Python would read it as 1), nor is 1.0 or a list."""
    sent = {"entry_id": str(uuid.uuid4()), "item": item, "outcome": "done"}
    first = last_event_id()
    answer = world.web("dan").post("/me/log", sent, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json() == {"detail": "item must be the number of an exercise", "field": "item"}
    assert not LogEntry.objects.exists() and new_events(first) == []


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"outcome": "maybe"}, "outcome", "outcome must be done, skipped or hurt"),
        ({"pain": 11}, "pain", "pain must be from 0 to 10, not 11"),
        ({"entry_id": "not-a-uuid"}, "entry_id", "entry_id must be an id made on the phone"),
        ({"item": 987654}, "item", "no such exercise in your program"),
    ],
)
def test_a_bad_log_is_422_naming_the_field_and_nothing_is_saved(
    world: World, change: dict[str, Any], field: str, words: str
) -> None:
    sent = {"entry_id": str(uuid.uuid4()), "item": first_item(world).pk, "outcome": "done"}
    first = last_event_id()
    answer = post(world, "dan", "/api/me/log", sent | change)
    assert answer.status_code == 422
    assert answer.json()["field"] == field and words in answer.json()["detail"]
    assert not LogEntry.objects.exists() and new_events(first) == []


def test_the_signed_in_session_works_with_its_csrf_token(world: World) -> None:
    browser = Browser(REMOTE_ADDR=IP, enforce_csrf_checks=True)
    browser.force_login(world.dan)
    assert browser.get("/api/me/program").status_code == 200
    sent = {"entry_id": str(uuid.uuid4()), "item": first_item(world).pk, "outcome": "done"}
    refused = browser.post("/api/me/log", sent, content_type="application/json")
    assert refused.status_code in (401, 403) and not LogEntry.objects.exists()
    browser.get("/me/")  # the portal's page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    done = browser.post(
        "/api/me/log", sent, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert done.status_code == 201 and LogEntry.objects.count() == 1


# ----------------------------------------------------------------------------- the diary
def test_a_diary_entry_over_several_regions_is_stored_once_and_listed(world: World) -> None:
    sent = {
        "entry_id": str(uuid.uuid4()),
        "regions": ["lumbar-lower-left", "sacrum"],
        "pain": 5,
        "note": "after  weeding the garden",
    }
    first = last_event_id()
    answer = post(world, "dan", "/api/me/diary", sent)
    assert answer.status_code == 201, answer.content
    assert [(e["region"], e["pain"]) for e in answer.json()["entries"]] == [
        ("lumbar-lower-left", 5),
        ("sacrum", 5),
    ]
    rows = list(DiaryEntry.objects.order_by("id"))
    assert [(r.client, r.region, r.pain, r.note) for r in rows] == [
        (world.client, "lumbar-lower-left", 5, "after weeding the garden"),
        (world.client, "sacrum", 5, "after weeding the garden"),
    ]
    assert str(rows[0].entry_id) == sent["entry_id"]
    assert [e.action for e in new_events(first)] == [AuditEvent.Action.CREATE] * 2
    again = post(world, "dan", "/api/me/diary", sent)
    assert again.status_code == 200 and again.json()["created"] is False
    assert DiaryEntry.objects.count() == 2
    listed = world.api("dan").get("/api/me/diary").json()["entries"]
    assert {(e["region"], e["region_name"] != "", e["note"]) for e in listed} == {
        ("lumbar-lower-left", True, "after weeding the garden"),
        ("sacrum", True, "after weeding the garden"),
    }
    # the therapist sees it beside the visits, as an entry from the web portal
    assert (
        "after weeding the garden"
        in world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    )


def test_an_entry_sent_again_answers_its_own_rows_only(world: World) -> None:
    """Two entries the phone made at the same moment, stored in the same instant: the one
    sent again answers its own regions, not the other's."""
    at = timezone.now() - dt.timedelta(minutes=5)
    ctx = Context(user=world.dan, now=at + dt.timedelta(minutes=1))
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    for key, regions in ((first, ["sacrum", "lumbar-lower-left"]), (second, ["sacrum"])):
        program_actions.record_diary_regions(
            ctx, entry_id=key, regions=regions, pain=4, note="", made_at=at
        )
    assert DiaryEntry.objects.count() == 3
    sent = {"entry_id": first, "regions": ["sacrum", "lumbar-lower-left"], "pain": 4}
    again = post(world, "dan", "/api/me/diary", sent)
    assert again.status_code == 200 and again.json()["created"] is False
    assert [e["region"] for e in again.json()["entries"]] == ["sacrum", "lumbar-lower-left"]
    assert DiaryEntry.objects.count() == 3
    # the web diary's form sends one region: the same entry is found under either way in
    web = world.web("dan").post(
        "/me/diary/",
        {"entry_id": second, "region": "sacrum", "pain": 4},
        content_type="application/json",
    )
    assert web.status_code == 200 and web.json()["created"] is False
    assert DiaryEntry.objects.count() == 3


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"regions": ["lumbar-lower-left", "elbow-of-nowhere"]}, "regions", "unknown body region"),
        ({"regions": []}, "regions", "choose where the pain is"),
        ({"pain": 11}, "pain", "pain must be from 0 to 10, not 11"),
        ({"pain": -1}, "pain", "pain must be from 0 to 10, not -1"),
        ({"note": "x" * 501}, "note", "longer than 500 characters"),
    ],
)
def test_a_bad_diary_entry_is_422_naming_the_field_and_nothing_is_saved(
    world: World, change: dict[str, Any], field: str, words: str
) -> None:
    sent = {"entry_id": str(uuid.uuid4()), "regions": ["sacrum"], "pain": 4} | change
    first = last_event_id()
    answer = post(world, "dan", "/api/me/diary", sent)
    assert answer.status_code == 422
    assert answer.json()["field"] == field and words in answer.json()["detail"]
    assert not DiaryEntry.objects.exists() and new_events(first) == []
    assert world.api("dan").get("/api/me/diary").json()["entries"] == []


def test_a_pain_that_is_not_a_number_is_422_naming_pain(world: World) -> None:
    sent = {"entry_id": str(uuid.uuid4()), "regions": ["sacrum"], "pain": "ten"}
    answer = post(world, "dan", "/api/me/diary", sent)
    assert answer.status_code == 422
    assert [p["loc"] for p in answer.json()["detail"]] == [["body", "data", "pain"]]
    assert not DiaryEntry.objects.exists()


def test_a_client_reads_only_their_own_diary(world: World) -> None:
    post(
        world,
        "dan",
        "/api/me/diary",
        {"entry_id": str(uuid.uuid4()), "regions": ["sacrum"], "pain": 3, "note": "Dan's"},
    )
    assert world.api("erin").get("/api/me/diary").json()["entries"] == []


# ----------------------------------------------------------------------------- appointments
def test_the_clients_booked_appointments(world: World) -> None:
    from myomap.appointments import actions as appointment_actions

    now = timezone.now()
    ctx = Context(user=world.alice, now=now)
    hours = [(d, dt.time(0), dt.time(23, 45)) for d in range(7)]
    appointment_actions.set_weekly_hours(ctx, world.alice, hours)
    zone = world.lakeside.zone
    day = (now + dt.timedelta(days=2)).astimezone(zone).date()
    start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=zone)
    appointment_actions.book(
        ctx, client=world.client, therapist=world.alice, starts_at=start, minutes=45
    )
    shown = world.api("dan").get("/api/me/appointments").json()["appointments"]
    assert len(shown) == 1
    assert dt.datetime.fromisoformat(shown[0]["starts"]) == start
    assert (shown[0]["minutes"], shown[0]["therapist"]) == (45, "Alice Moss")
    assert world.api("erin").get("/api/me/appointments").json()["appointments"] == []


# ----------------------------------------------------------------------------- notes
DRAFT_WORDS = "Words-only-in-an-unsigned-draft"


def test_the_notes_are_the_signed_notes_client_summary_only(world: World) -> None:
    ctx = Context(user=world.alice)
    amendment = visit_actions.amend_note(ctx, world.signed_visit, "Adding what was said.")
    draft = visit_queries.latest_version(world.visit)
    assert draft is not None
    for version in (draft, amendment):
        version.subjective = f"{DRAFT_WORDS} {version.subjective}"
        version.save()
    signed = visit_queries.versions_for(world.alice, world.signed_visit)[0]
    answer = world.api("dan").get("/api/me/notes")
    assert answer.status_code == 200
    notes = answer.json()["notes"]
    assert [n["visit_id"] for n in notes] == [world.signed_visit.pk]  # the draft's visit: none
    note = notes[0]
    assert note["therapist"] == "Alice Moss"
    assert (
        note["visit_date"] == timezone.localtime(world.signed_visit.started_at).date().isoformat()
    )
    assert note["worked_on"][0] == "Quadratus lumborum (left)"  # the plan's first step
    assert note["aftercare"] and note["aftercare"][0].startswith("Soreness may last")
    text = answer.content.decode()
    assert DRAFT_WORDS not in text
    for clinical in (signed.subjective, signed.objective, signed.assessment, signed.plan):
        assert clinical.strip() and clinical not in text, "the note's clinical text was sent"
    assert world.api("erin").get("/api/me/notes").json()["notes"] == []


# ----------------------------------------------------------------------------- generated input
portal_schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def dans_key(world: World) -> str:
    return ApiToken.issue(world.dan, "fuzz")[1]


@portal_schema.include(path_regex="^/api/me/").parametrize()
@FUZZ
def test_no_generated_request_breaks_the_clients_portal(
    case: Any, world: World, dans_key: str
) -> None:
    """Dan's own token: every answer is no server error, a listed status, a fitting body."""
    case.call_and_validate(headers={"Authorization": f"Bearer {dans_key}"}, checks=CHECKS)
