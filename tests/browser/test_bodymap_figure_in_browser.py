"""A pain drawing shown as a picture (the assessment and intake pages) looks the same in a
real browser whether the whole figure is in the page or only its painted regions are, over
the two static pictures the browser keeps (myomap.clients.figure)."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import expect

from myomap.core.bodymap.svg import figure_over, figure_under, render_body_map, render_drawing
from myomap.core.kb import load_default

pytestmark = [pytest.mark.browser]

SKIN = (243, 221, 203)  # the silhouette's fill: only the picture under the drawing has it

DRAWING = {"sacrum": 3, "buttock-upper-left": 7, "lumbar-lower-right": 10, "neck-back-left": 1}


def _data(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _shot(page, svg: str) -> Image.Image:
    page.set_content(
        "<!doctype html><style>body{margin:0;background:#fff}div{width:760px}"
        "svg{display:block;width:760px;height:auto}</style>"
        f'<div id="figure">{svg}</div>'
    )
    page.wait_for_function(
        "[...document.images, ...document.querySelectorAll('image')].length === 0"
        " || document.readyState === 'complete'"
    )
    page.wait_for_timeout(200)  # the two pictures decoded and painted
    return Image.open(io.BytesIO(page.locator("#figure").screenshot())).convert("RGB")


def test_the_drawing_over_the_static_pictures_looks_like_the_whole_figure(page) -> None:
    names = {region_id: region.name for region_id, region in load_default().regions.items()}
    whole = render_body_map(names, intensities=DRAWING, interactive=False, title="Pain drawing")
    layered = render_drawing(names, DRAWING, under=_data(figure_under()), over=_data(figure_over()))
    in_page = render_drawing(names, DRAWING, under="/u.svg", over="/o.svg")
    assert len(in_page) < len(whole) / 10

    before, after = _shot(page, whole), _shot(page, layered)
    assert before.size == after.size
    diff = ImageChops.difference(before, after).convert("L")
    # anti-aliasing at the edges of a picture may differ by a shade; no shape may differ
    differing = sum(1 for value in diff.get_flattened_data() if value > 48)
    assert differing < before.size[0] * before.size[1] / 1000, differing
    # the painted regions are there, in their colours: the figure is not blank
    width, height = after.size
    colours = {after.getpixel((x, y)) for x in range(0, width, 7) for y in range(0, height, 7)}
    assert len(colours) > 20


@pytest.mark.django_db(transaction=True)
def test_the_assessment_and_intake_pages_show_the_whole_figure(
    page, live_server, password, transactional_db
) -> None:
    from web.records_fixtures import build_world

    world = build_world()
    world.alice.set_password(password)
    world.alice.save(update_fields=["password"])
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Clients")
    for path in (f"/visits/{world.visit.pk}/", f"/clients/intakes/{world.intake.pk}/"):
        page.goto(f"{live_server.url}{path}")
        figure = page.locator("svg.myomap-bodymap")
        expect(figure).to_have_attribute("aria-label", "Pain drawing")
        expect(figure.locator("#region-sacrum")).to_have_attribute("data-intensity", "3")
        page.wait_for_load_state("load")
        fetched = page.evaluate(
            "performance.getEntriesByType('resource').map(e => e.name)"
            ".filter(n => n.includes('/static/myomap/bodymap/figure-'))"
        )
        assert len(fetched) == 2, fetched
        shot = Image.open(io.BytesIO(figure.screenshot())).convert("RGB")
        width, height = shot.size
        seen = {shot.getpixel((x, y)) for x in range(0, width, 3) for y in range(0, height, 3)}
        assert SKIN in seen, path  # the silhouette under the painted regions is drawn
        assert refused == [], refused
