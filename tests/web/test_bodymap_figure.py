"""The assessment and intake pages show the pain drawing's painted regions in the page and
the rest of the figure as two static pictures the browser keeps: the page is a few
kilobytes, not a hundred, and says as much as before about each painted region."""

from __future__ import annotations

import re

import pytest
from records_fixtures import LOW_BACK, World, build_world

from myomap.clients import figure
from myomap.core.bodymap.geometry import region_shapes
from myomap.core.bodymap.svg import figure_over, figure_under
from myomap.core.kb import load_default

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def test_the_static_pictures_are_what_the_core_draws() -> None:
    """After a change to the shapes or the stylesheet: `python -m myomap.clients.figure`."""
    assert (figure.FOLDER / "figure-under.svg").read_text(encoding="utf-8") == figure_under()
    assert (figure.FOLDER / "figure-over.svg").read_text(encoding="utf-8") == figure_over()
    # every region is in the picture under the drawing, unpainted
    assert figure_under().count('<path class="region" ') == len(region_shapes())


def drawing_of(page: str) -> str:
    return page[page.index('<svg xmlns="http://www.w3.org/2000/svg" class="myomap-bodymap"') :][
        : page.index("</svg>")
    ]


@pytest.mark.parametrize("where", ["assessment", "intake"])
def test_the_page_draws_the_painted_regions_over_the_static_figure(
    world: World, where: str
) -> None:
    browser = world.web("alice")
    path = (
        f"/visits/{world.visit.pk}/"
        if where == "assessment"
        else f"/clients/intakes/{world.intake.pk}/"
    )
    page = browser.get(path).content.decode()
    svg = drawing_of(page)
    assert 'role="img" aria-label="Pain drawing"' in svg
    names = load_default().regions
    painted = re.findall(
        r'<path class="region selected i-(\d+)" id="region-([\w-]+)" data-region="\2" '
        r'data-view="(front|back)" data-name="([^"]+)" data-intensity="\1" d="[^"]+">'
        r"<title>\4</title></path>",
        svg,
    )
    assert {region: int(level) for level, region, _, _ in painted} == LOW_BACK
    assert all(name == names[region].name for _, region, _, name in painted)
    assert svg.count("<path") == len(LOW_BACK)  # no unpainted region in the page
    assert len(svg) < 8_000, len(svg)

    under, over = re.findall(r'<image aria-hidden="true" [^>]*href="([^"]+)"/>', svg)
    for address, expected in ((under, figure_under()), (over, figure_over())):
        assert re.fullmatch(
            r"/static/myomap/bodymap/figure-(under|over)\.svg\?v=[0-9a-f]{12}", address
        )
        served = browser.get(address)
        assert served.status_code == 200
        assert served["Content-Type"].startswith("image/svg+xml")
        assert b"".join(served.streaming_content).decode() == expected
