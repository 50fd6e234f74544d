"""The progress report's pages flow: a questionnaire's heading, change and plot stay
together (a short table beside the plot), the next questionnaire follows on the same page
where it fits, and a long table runs on to the next page; no page is left half empty
because a plot was pushed over. Read back with pypdfium2 as PNGs (saved to look at).

The people are tests/personas.py's (`build_world`): Dan Marlowe's record at Lakeside,
alice his therapist."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from records_fixtures import World, build_world

from myomap.audit.log import Context
from myomap.outcomes import actions

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FOOTER = 0.90  # the page's own footer sits below this share of its height


@pytest.fixture
def world() -> World:
    return build_world()


def _record(world: World, day: dt.datetime, instrument: str, answers: list[int | None]) -> None:
    names = ["Gardening", "Stairs", "Lifting my son"] if instrument == "psfs" else []
    data = actions.ResponseData(instrument, answers, activities=names, taken_at=day)
    actions.record_response(Context(user=world.alice, now=day), world.client, data)


def _pages(world: World, name: str) -> tuple[list[object], str]:
    answer = world.web("alice").get(f"/clients/{world.client.pk}/outcomes/report.pdf")
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF-")
    text = " ".join(
        " ".join(
            p.extract_text() for p in pypdf.PdfReader(io.BytesIO(answer.content)).pages
        ).split()
    )
    ARTIFACTS.mkdir(exist_ok=True)
    images = []
    for n, page in enumerate(pypdfium2.PdfDocument(answer.content), 1):
        image = page.render(scale=1).to_pil().convert("L")
        image.save(ARTIFACTS / f"{name}-page-{n}.png")
        images.append(image)
    return images, text


def _filled(image: object) -> float:
    """How far down the page its body's ink reaches, as a share of the page's height."""
    width, height = image.size  # type: ignore[attr-defined]
    body = image.crop((0, 0, width, int(height * FOOTER)))  # type: ignore[attr-defined]
    box = body.point(lambda v: 255 if v < 200 else 0).getbbox()
    return 0.0 if box is None else box[3] / height


def test_four_questionnaires_fill_the_pages_each_heading_with_its_plot(world: World) -> None:
    start = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    later = start + dt.timedelta(days=21)
    for day, nprs, rmdq, odi, psfs in (
        (start, 7, 14, [3, 2, 2, 3, 2, 2, 3, None, 2, 2], [3, 3, 4]),
        (later, 3, 8, [2, 1, 1, 2, 1, 1, 2, None, 1, 1], [6, 6, 6]),
    ):
        _record(world, day, "nprs", [nprs])
        _record(world, day, "rmdq", [1] * rmdq + [0] * (24 - rmdq))
        _record(world, day, "odi", odi)
        _record(world, day, "psfs", psfs)

    pages, text = _pages(world, "outcomes-report-flow")

    # each of the four sections (and the pain drawing) took a page of its own, half of it
    # empty, before: five pages
    assert len(pages) <= 3
    for n, page in enumerate(pages[:2], 1):
        assert _filled(page) > 0.7, f"page {n} is filled to {_filled(page):.0%} only"
    for heading in ("Numeric Pain Rating Scale", "Roland-Morris", "Oswestry", "Patient-Specific"):
        assert heading in text
    assert "NPRS 7 → 3" in text and "PSFS 3.3 → 6" in text


def test_a_long_series_runs_its_table_on_to_the_next_page(world: World) -> None:
    start = dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC)
    for n in range(30):
        _record(world, start + dt.timedelta(days=3 * n), "nprs", [max(0, 8 - n // 4)])
    _record(world, start, "rmdq", [1] * 14 + [0] * 10)
    _record(world, start + dt.timedelta(days=60), "rmdq", [1] * 8 + [0] * 16)

    pages, _ = _pages(world, "outcomes-report-long")

    assert len(pages) == 2
    # the NPRS heading, change and plot on page 1 with the table's start, not pushed over
    assert _filled(pages[0]) > 0.8
    first = pypdf.PdfReader(
        io.BytesIO(
            world.web("alice").get(f"/clients/{world.client.pk}/outcomes/report.pdf").content
        )
    ).pages
    one, two = (" ".join(p.extract_text().split()) for p in first)
    assert "Numeric Pain Rating Scale" in one and "NPRS 8 → 1" in one and "5 Jan 2026" in one
    assert "Date Score Taken" in two  # the table's heading again where it runs on
    assert "RMDQ 14 → 8" in two
