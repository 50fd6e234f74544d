"""The program editor as a therapist on a tablet meets it: the evidence behind the small
default read as words, each dose field's spinner bounded as `set_dose` bounds it, every
change answered in words naming the exercise, and the page coming back to the exercise
just changed (not the top of a long page).

The people are tests/personas.py's (`build_world`): Dan Marlowe's record at Lakeside,
alice his therapist; Dan told alice he no longer takes the blood thinner his second
intake names, so his program holds the self-release of his treated active point."""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape
from records_fixtures import World, build_world

from myomap.clients.models import Intake
from myomap.core.kb import load_default
from myomap.program.models import Program, ProgramItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    world = build_world()
    review = {
        "anticoagulants": {"answer": False, "by": world.alice.pk, "at": "2026-01-05T10:00:00+00:00"}
    }
    Intake.objects.filter(pk=world.ask_intake.pk).update(medication_review=review)
    assert world.web("alice").post(url(world), {"do": "build"}).status_code == 302
    return world


def url(world: World) -> str:
    return f"/portal/visits/{world.visit.pk}/program/"


def current(world: World) -> list[ProgramItem]:
    program = Program.objects.get(client=world.client)
    return list(program.items.filter(removed_at=None).order_by("order"))


def name_of(item: ProgramItem) -> str:
    name = load_default().exercises[item.exercise].name
    return f"{name} ({item.side})" if item.side else name


def number_input(html: str, item: ProgramItem, name: str) -> str:
    found = re.search(
        rf'<input type="number" name="{name}"[^>]*id="id_item{item.pk}_{name}"[^>]*>', html
    )
    assert found, f"no {name} input for item {item.pk}"
    return found.group(0)


def test_the_small_defaults_evidence_reads_as_words(world: World) -> None:
    html = world.web("alice").get(url(world)).content.decode()
    assert "at most 4 exercises (expert opinion: fewer are kept to better)" in html
    assert "expertopinion" not in html


def test_each_dose_spinner_is_bounded_as_the_action_bounds_it(world: World) -> None:
    html = world.web("alice").get(url(world)).content.decode()
    items = current(world)
    stretch = next(i for i in items if not i.trigger_point)
    release = next(i for i in items if i.trigger_point)
    assert 'min="1"' in number_input(html, stretch, "sets")
    assert 'max="5"' in number_input(html, stretch, "sets")
    assert 'max="7"' in number_input(html, stretch, "days_per_week")
    assert 'max="60"' in number_input(html, stretch, "hold_seconds")
    # a self-release's hold is held to its own 10-30 s
    hold = number_input(html, release, "hold_seconds")
    assert 'min="10"' in hold and 'max="30"' in hold


def test_moving_says_which_exercise_moved_and_comes_back_to_it(world: World) -> None:
    browser = world.web("alice")
    second = current(world)[1]
    answer = browser.post(url(world), {"do": "up", "item": second.pk})
    assert answer.status_code == 302
    assert answer["Location"] == f"{url(world)}#item-{second.pk}"
    assert current(world)[0] == second
    page = browser.get(url(world)).content.decode()
    assert escape(f"Moved {name_of(second)} up.") in page


def test_removing_says_which_exercise_went(world: World) -> None:
    browser = world.web("alice")
    last = current(world)[-1]
    answer = browser.post(url(world), {"do": "remove", "item": last.pk})
    assert answer.status_code == 302 and answer["Location"].endswith("#items-heading")
    assert last not in current(world)
    page = browser.get(url(world)).content.decode()
    assert escape(f"Removed {name_of(last)}.") in page


def test_a_refused_dose_names_the_exercise_as_well_as_the_field(world: World) -> None:
    browser = world.web("alice")
    item = current(world)[0]
    bad = {
        "do": "dose",
        "item": item.pk,
        "sets": 9,
        "repetitions": 3,
        "hold_seconds": 20,
        "days_per_week": 7,
    }
    page = browser.post(url(world), bad)
    assert page.status_code == 400
    assert escape(f"Not saved: {name_of(item)}: sets must be 1 to 5") in page.content.decode()
    item.refresh_from_db()
    assert item.sets != 9
    good = bad | {"sets": 2}
    answer = browser.post(url(world), good)
    assert answer.status_code == 302 and answer["Location"].endswith(f"#item-{item.pk}")
    item.refresh_from_db()
    assert item.sets == 2
    assert escape(f"Dose of {name_of(item)} saved.") in browser.get(url(world)).content.decode()


def test_a_self_release_reads_as_the_clients_point_with_the_muscle_in_lower_case(
    world: World,
) -> None:
    item = next(i for i in current(world) if i.trigger_point)
    point = load_default().trigger_points[item.trigger_point]
    assert item.why.startswith("Self-release of your ")  # what the client's own side reads
    html = world.web("alice").get(url(world)).content.decode()
    words = point.name[0].lower() + point.name[1:]
    said = f"— Self-release: {item.side} {words} point, found active and treated"
    assert escape(said) in html
    assert "Self-release of your" not in html
