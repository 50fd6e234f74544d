"""axe-core on the client's portal pages and the therapist's program editor, at phone
size: no critical or serious violation, no element id used twice."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client as DjangoClient
from tests.browser.test_accessibility import DUPLICATE_IDS_JS, blocking
from tests.web.records_fixtures import World, build_world

from myomap.audit.log import Context
from myomap.program import invitations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(live_server: Any) -> World:
    world = build_world()
    assert (
        world.web("alice")
        .post(f"/portal/visits/{world.visit.pk}/program/", {"do": "build"})
        .status_code
        == 302
    )
    return world


def check(browser: Any, live_server: Any, user: Any, paths: list[str]) -> dict[str, list[str]]:
    session = DjangoClient()
    if user is not None:
        session.force_login(user)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    if user is not None:
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": session.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
    page = context.new_page()
    axe = Axe()
    found: dict[str, list[str]] = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, (path, response.status)
        page.wait_for_load_state("networkidle")
        problems = blocking(axe.run(page))
        problems += [f"duplicate id {i!r}" for i in page.evaluate(DUPLICATE_IDS_JS)]
        if problems:
            found[path] = problems
    context.close()
    return found


def test_the_portal_pages_have_no_critical_or_serious_violations(
    browser: Any, live_server: Any, world: World
) -> None:
    link = invitations.invite_client(Context(user=world.alice, via="cli"), world.client).link_path
    found = check(browser, live_server, None, [link, "/portal/sign-in-link/"])
    found |= check(
        browser,
        live_server,
        world.dan,
        ["/me/", "/me/diary/", "/me/notes/", f"/clients/{world.client.pk}/"],
    )
    found |= check(browser, live_server, world.alice, [f"/portal/visits/{world.visit.pk}/program/"])
    assert not found, "\n".join(f"{name}:\n  " + "\n  ".join(p) for name, p in found.items())
