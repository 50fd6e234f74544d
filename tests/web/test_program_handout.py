"""The home program as a PDF handout: its text (read back from the PDF) has each
exercise's name, dose and precautions, the pictures are drawn in it, a QR code leads to
the live program; page 1 is saved as a PNG to look at. The therapist and the client
himself may print it; another client or clinic may not.

The people are tests/personas.py's (`build_world`): Dan Marlowe's record at Lakeside
(dan is his login), erin another Lakeside client, alice his therapist, bob at Hilltop."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from records_fixtures import World, build_world, last_event_id, new_events

from myomap.audit.models import AuditEvent
from myomap.clients.models import Intake
from myomap.core.kb import load_default
from myomap.program.models import Program

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


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


def url(world: World) -> str:
    return f"/portal/clients/{world.client.pk}/handout.pdf"


def pdf_of(world: World, persona: str) -> bytes:
    answer = world.web(persona).get(url(world))
    assert answer.status_code == 200, answer.content[:300]
    assert answer["Content-Type"] == "application/pdf"
    body: bytes = answer.content
    assert body.startswith(b"%PDF-")
    return body


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_handout_has_each_exercises_name_dose_and_precautions(world: World) -> None:
    first = last_event_id()
    pdf = pdf_of(world, "alice")
    text = text_of(pdf)
    kb = load_default()
    items = list(Program.objects.get(client=world.client).items.filter(removed_at=None))
    assert items
    assert "Lakeside" in text and "Your home program — Dan Marlowe" in text
    for item in items:
        exercise = kb.exercises[item.exercise]
        assert exercise.name in text
        assert f"{item.sets} set" in text and f"{item.days_per_week} days a week" in text
        for precaution in exercise.precautions:
            assert " ".join(precaution.split())[:40] in text, precaution
    assert "hold 20 s" in text  # the self-release's hold
    assert 'Stay at "good pain"; never sharp' in text  # the self-release precautions
    assert "Your program on your phone" in text and "/me/" in text
    assert [(e.action, e.summary) for e in new_events(first)] == [
        (AuditEvent.Action.VIEW, "home program handout as PDF")
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    page = pypdfium2.PdfDocument(pdf)[0].render(scale=1.5).to_pil().convert("RGB")
    page.save(ARTIFACTS / "home-program-handout.png")
    # The drawings are in it: the figures' blue-grey (#8da2b8) covers part of page 1.
    colours = page.getcolors(maxcolors=1 << 24) or []
    figure = sum(
        n
        for n, (r, g, b) in colours
        if abs(r - 0x8D) < 12 and abs(g - 0xA2) < 12 and abs(b - 0xB8) < 12
    )
    assert figure > 500


def test_the_client_prints_his_own_handout(world: World) -> None:
    assert "Ball release for quadratus lumborum" in text_of(pdf_of(world, "dan"))
    html = world.web("dan").get("/me/").content.decode()
    assert f'href="{url(world)}"' in html


@pytest.mark.parametrize("persona", ["erin", "bob"])
def test_nobody_else_prints_it(world: World, persona: str) -> None:
    assert world.web(persona).get(url(world)).status_code == 404


def test_the_editor_links_to_the_handout(world: World) -> None:
    html = world.web("alice").get(f"/portal/visits/{world.visit.pk}/program/").content.decode()
    assert f'href="{url(world)}"' in html
