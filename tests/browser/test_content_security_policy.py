"""The Content-Security-Policy in a real browser: the pages with scripts (the body map, the
intake form, the plan, the note) and the API docs load with no violation reported, and the
body map still draws on a tap.

The world is tests/web/records_fixtures.py's (Dan Marlowe's record at Lakeside); alice
(therapist) signs in through the login page, which is checked too."""

from __future__ import annotations

from typing import Any

import pytest
from browser_kit import CSP_LISTENER
from playwright.sync_api import expect

from web.records_fixtures import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db: None, password: str) -> World:
    world = build_world()
    world.alice.set_password(password)
    world.alice.save(update_fields=["password"])
    return world


@pytest.fixture
def watched(page: Any) -> tuple[Any, list[str]]:
    """The page, and the policy complaints of its console (Chromium logs each refusal)."""
    complaints: list[str] = []
    page.add_init_script(CSP_LISTENER)
    page.on(
        "console",
        lambda message: (
            complaints.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page, complaints


def violations(page: Any, complaints: list[str]) -> list[str]:
    return [*page.evaluate("window.__violations"), *complaints]


def sign_in(page: Any, url: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Clients")


def test_the_body_map_draws_on_a_tap_with_no_policy_violation(
    watched, live_server, world, password
):
    page, complaints = watched
    sign_in(page, live_server.url, password)
    page.goto(f"{live_server.url}/body-map/")
    page.click("#region-buttock-upper-left")
    expect(page.locator("#region-buttock-upper-left")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#selection li")).to_have_count(1)
    # The drawing's own stylesheet applies: a marked region is filled on the colour ramp.
    fill = page.eval_on_selector("#region-buttock-upper-left", "el => getComputedStyle(el).fill")
    assert fill not in ("", "none", "rgb(0, 0, 0)"), fill
    expect(page.locator("#candidates li").first).to_be_visible()
    assert violations(page, complaints) == []


def test_the_intake_form_plan_and_note_pages_load_with_no_policy_violation(
    watched, live_server, world, password
):
    page, complaints = watched
    sign_in(page, live_server.url, password)
    pages = {
        f"/clients/{world.client.pk}/intake/new/": "Intake — Dan",
        f"/visits/{world.visit.pk}/plan/": "Treatment plan — Dan",
        f"/visits/{world.visit.pk}/note/": "Session note — Dan",
    }
    for path, heading in pages.items():
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("h1")).to_contain_text(heading)
        assert violations(page, complaints) == [], path
    # The intake form's body map still answers a tap.
    page.goto(f"{live_server.url}/clients/{world.client.pk}/intake/new/")
    page.click("#region-sacrum")
    expect(page.locator("#selection li")).to_have_count(1)
    assert violations(page, complaints) == []


def test_the_api_docs_load_under_their_policy(watched, live_server, world, password):
    page, complaints = watched
    sign_in(page, live_server.url, password)
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Myomap API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert violations(page, complaints) == []


def test_the_watch_sees_a_violation_when_there_is_one(watched, live_server):
    # Without this, "no violation" could mean a listener that hears nothing.
    page, complaints = watched
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        "() => { const s = document.createElement('style'); s.textContent = 'h1{color:red}';"
        " document.head.appendChild(s); }"
    )
    page.wait_for_function("window.__violations.length > 0")
    assert any("style-src" in v for v in violations(page, complaints))
    assert page.eval_on_selector("h1", "el => getComputedStyle(el).color") != "rgb(255, 0, 0)"
