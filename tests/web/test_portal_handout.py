"""The printed handout as a client holds it: each exercise whole on one page (its name,
dose, steps and precautions together, never its precautions alone on the next page), its
picture beside its words, so Dan's program of four takes two pages (each exercise under
its picture took three).

The people are tests/personas.py's (`build_world`): alice builds Dan Marlowe's program
from his visit (he told her he no longer takes the blood thinner his second intake names,
so it holds the self-release of his treated active point, with its long precautions)."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from records_fixtures import World, build_world

from myomap.clients.models import Intake
from myomap.core.kb import load_default
from myomap.program.models import Program

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    world = build_world()
    review = {
        "anticoagulants": {"answer": False, "by": world.alice.pk, "at": "2026-01-05T10:00:00+00:00"}
    }
    Intake.objects.filter(pk=world.ask_intake.pk).update(medication_review=review)
    built = world.web("alice").post(f"/portal/visits/{world.visit.pk}/program/", {"do": "build"})
    assert built.status_code == 302
    added = world.web("alice").post(
        f"/portal/visits/{world.visit.pk}/program/", {"do": "add", "exercise": "glute-bridge"}
    )
    assert added.status_code == 302
    return world


def test_each_exercise_is_whole_on_one_page_and_four_take_two_pages(
    world: World,
) -> None:
    answer = world.web("alice").get(f"/portal/clients/{world.client.pk}/handout.pdf")
    assert answer.status_code == 200
    pages = [
        re.sub(r"\s+", " ", p.extract_text())
        for p in pypdf.PdfReader(io.BytesIO(answer.content)).pages
    ]
    kb = load_default()
    items = list(Program.objects.get(client=world.client).items.order_by("order"))
    assert len(items) == 4
    # the picture beside the words: two exercises and more to a page
    assert len(pages) <= 2, [p[:80] for p in pages]
    for number, item in enumerate(items, start=1):
        exercise = kb.exercises[item.exercise]
        heading = f"{number}. {exercise.name}"
        (page,) = [p for p in pages if heading in p]
        after = page[page.index(heading) :]
        assert "Dose:" in after
        last_care = re.sub(r"\s+", " ", exercise.precautions[-1])
        assert last_care[:40] in after, (heading, last_care)
