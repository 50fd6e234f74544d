"""The therapist's home program editor on a visit: built from the visit in one click
(self-release of the treated active points first, the exercises for the findings, small
by default), then add, remove, reorder and dose, each stored and shown, each audited. An
exercise the client's screening rules out is never in the program: building leaves it
out and says why, adding it is refused naming the reason.

The people are tests/personas.py's (`build_world`): Dan Marlowe's record at Lakeside (his
second intake names enoxaparin, a blood thinner, not yet reviewed, so the cautious
reading applies), alice his therapist, bob at Hilltop, dan and erin clients."""

from __future__ import annotations

import io

import pypdf
import pytest
from records_fixtures import World, build_world, last_event_id, new_events

from myomap.audit.models import AuditEvent
from myomap.clients.models import Intake
from myomap.core.kb import load_default
from myomap.core.program import refusal, rules
from myomap.program.models import Program, ProgramItem
from myomap.program.queries import contraindications_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def no_blood_thinner(world: World) -> World:
    """Dan told alice he no longer takes the enoxaparin his second intake names."""
    review = {
        "anticoagulants": {"answer": False, "by": world.alice.pk, "at": "2026-01-05T10:00:00+00:00"}
    }
    Intake.objects.filter(pk=world.ask_intake.pk).update(medication_review=review)
    return world


def url(world: World) -> str:
    return f"/portal/visits/{world.visit.pk}/program/"


def items(world: World) -> list[tuple[str, str]]:
    program = Program.objects.get(client=world.client)
    return [(i.exercise, i.side) for i in program.items.filter(removed_at=None).order_by("order")]


def test_the_visit_page_links_to_the_editor(world: World) -> None:
    page = world.web("alice").get(f"/visits/{world.visit.pk}/").content.decode()
    assert f'href="{url(world)}"' in page and "Build the home program" in page


def test_building_gives_the_self_release_of_the_treated_active_point(
    no_blood_thinner: World,
) -> None:
    world = no_blood_thinner
    first = last_event_id()
    done = world.web("alice").post(url(world), {"do": "build"})
    assert done.status_code == 302
    stored = items(world)
    assert stored[0] == ("ball-release-quadratus-lumborum", "left")
    assert 0 < len(stored) <= rules(load_default()).max_exercises.value
    item = ProgramItem.objects.get(exercise="ball-release-quadratus-lumborum")
    assert 10 <= item.hold_seconds <= 30 and item.trigger_point == "quadratus-lumborum-deep-caudal"
    events = new_events(first)
    assert [(e.action, e.object_type) for e in events] == [(AuditEvent.Action.CREATE, "Program")]
    page = world.web("alice").get(url(world)).content.decode()
    assert "Ball release for quadratus lumborum" in page and "found active and treated" in page


def test_a_blood_thinner_leaves_out_every_self_pressure_and_says_why(world: World) -> None:
    assert "anticoagulants" in contraindications_of(world.client)
    world.web("alice").post(url(world), {"do": "build"})
    kb = load_default()
    stored = items(world)
    assert stored, "the stretches are still given"
    assert all(kb.exercises[e].category != "self-release" for e, _ in stored)
    page = world.web("alice").get(url(world)).content.decode()
    assert "Left out by the screening" in page
    assert "No self-pressure with a ball or the hands: blood-thinning medicine" in page


def test_adding_an_excluded_exercise_is_refused_with_the_reason(world: World) -> None:
    world.web("alice").post(url(world), {"do": "build"})
    before = items(world)
    first = last_event_id()
    page = world.web("alice").post(url(world), {"do": "add", "exercise": "ball-release-piriformis"})
    assert page.status_code == 400
    html = page.content.decode()
    assert "Ball release for piriformis is ruled out for this client: No self-pressure" in html
    assert items(world) == before
    assert [e.action for e in new_events(first)] == []


def test_the_program_never_holds_an_excluded_exercise(world: World) -> None:
    kb = load_default()
    browser = world.web("alice")
    browser.post(url(world), {"do": "build"})
    for eid in kb.exercises:
        browser.post(url(world), {"do": "add", "exercise": eid})
    contra = contraindications_of(world.client)
    stored = items(world)
    assert len(stored) > rules(kb).max_exercises.value  # added by hand past the default
    assert all(refusal(kb, e, contra) is None for e, _ in stored)


def test_add_move_remove_and_dose_are_stored_and_shown(world: World) -> None:
    browser = world.web("alice")
    browser.post(url(world), {"do": "build"})
    assert browser.post(url(world), {"do": "add", "exercise": "glute-bridge"}).status_code == 302
    assert items(world)[-1] == ("glute-bridge", "")
    bridge = ProgramItem.objects.get(exercise="glute-bridge")
    browser.post(url(world), {"do": "up", "item": bridge.pk})
    assert items(world)[-2] == ("glute-bridge", "")
    first = last_event_id()
    dose = {
        "do": "dose",
        "item": bridge.pk,
        "sets": 2,
        "repetitions": 10,
        "hold_seconds": 5,
        "days_per_week": 4,
    }
    assert browser.post(url(world), dose).status_code == 302
    bridge.refresh_from_db()
    assert (bridge.sets, bridge.repetitions, bridge.hold_seconds, bridge.days_per_week) == (
        2,
        10,
        5,
        4,
    )
    assert "days a week 4" in new_events(first)[0].summary
    page = browser.get(url(world)).content.decode()
    assert 'name="days_per_week" value="4"' in page
    browser.post(url(world), {"do": "remove", "item": bridge.pk})
    assert ("glute-bridge", "") not in items(world)


def test_a_dose_out_of_bounds_is_refused_naming_the_field(world: World) -> None:
    browser = world.web("alice")
    browser.post(url(world), {"do": "build"})
    item = Program.objects.get(client=world.client).items.first()
    assert item is not None
    bad = {
        "do": "dose",
        "item": item.pk,
        "sets": 1,
        "repetitions": 3,
        "hold_seconds": 20,
        "days_per_week": 9,
    }
    page = browser.post(url(world), bad)
    assert page.status_code == 400
    assert "days a week must be 1 to 7" in page.content.decode()
    item.refresh_from_db()
    assert item.days_per_week != 9


@pytest.mark.parametrize(("persona", "status"), [("dan", 403), ("erin", 403), ("bob", 404)])
def test_only_the_clinics_staff_reach_the_editor(world: World, persona: str, status: int) -> None:
    browser = world.web(persona)
    assert browser.get(url(world)).status_code == status
    assert browser.post(url(world), {"do": "build"}).status_code == status
    assert not Program.objects.exists()


def test_the_sign_in_page_for_anonymous(world: World) -> None:
    page = world.web("anonymous").get(url(world))
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_an_item_ruled_out_since_it_was_added_is_held_back_and_flagged(
    no_blood_thinner: World,
) -> None:
    """A later intake names a blood thinner: the self-release built before is no longer
    shown to the client or printed, and the editor says why."""
    world = no_blood_thinner
    world.web("alice").post(url(world), {"do": "build"})
    assert "Ball release for quadratus lumborum" in world.web("dan").get("/me/").content.decode()
    Intake.objects.filter(pk=world.ask_intake.pk).update(medication_review={})
    assert (
        "Ball release for quadratus lumborum" not in world.web("dan").get("/me/").content.decode()
    )
    page = world.web("alice").get(url(world)).content.decode()
    assert "Ruled out by the client's screening since it was added" in page
    assert "No self-pressure with a ball or the hands" in page
    handout = world.web("dan").get(f"/portal/clients/{world.client.pk}/handout.pdf").content
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(handout)).pages)
    assert "Standing side-bend stretch" in text and "Ball release" not in text
