"""axe-core (shipped inside axe-playwright-python, run offline) in Chromium on the pages a
therapist works through, on a laptop and a phone: no critical or serious violation, and no
element id used twice."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_kit import sign_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = ("critical", "serious")
VIEWPORTS = {"laptop": {"width": 1366, "height": 1000}, "phone": {"width": 390, "height": 844}}
PAGES = {
    "client list": "/clients/",
    "a client": "/clients/{client}/",
    "an intake": "/clients/intakes/{intake}/",
    "the intake form": "/clients/{client}/intake/new/",
    "the assessment page": "/visits/{visit}/",
    "the plan page": "/visits/{visit}/plan/",
    "the note page": "/visits/{visit}/note/",
    "the body map page": "/body-map/",
}


def blocking(results: Any) -> list[str]:
    """One line per critical or serious violation: rule, impact, where, and what axe says."""
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            for node in violation["nodes"]:
                lines.append(
                    f"{violation['id']} ({violation['impact']}) at {node['target']}: "
                    f"{node['failureSummary']}"
                )
    return lines


# axe-core 4.x no longer checks duplicate ids; forms repeated per row are where they creep in.
DUPLICATE_IDS_JS = """() => {
  const ids = [...document.querySelectorAll("[id]")].map(el => el.id);
  return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
}"""


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_therapists_pages_have_no_critical_or_serious_violations(
    browser, live_server, world, axe, artifacts, viewport
):
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    sign_in_context(context, live_server, world.alice)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    for name, path in PAGES.items():
        response = page.goto(live_server.url + path.format(**world.ids))
        assert response.status == 200, (name, response.status)
        page.wait_for_load_state("networkidle")
        problems = blocking(axe.run(page))
        problems += [f"duplicate id {i!r}" for i in page.evaluate(DUPLICATE_IDS_JS)]
        if problems:
            found[name] = problems
    context.close()
    assert not found, "\n".join(f"{name}:\n  " + "\n  ".join(p) for name, p in found.items())
