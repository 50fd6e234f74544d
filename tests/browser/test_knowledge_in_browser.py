"""Every muscle and exercise page renders in a real browser, with its figure."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from myomap.core.kb import load_default

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
KB = load_default()


def test_every_muscle_page_shows_its_trigger_points_on_the_body_map(
    page, live_server, alice, password, artifacts, sign_in
):
    sign_in(page, "/knowledge/", "Knowledge")
    for muscle in KB.muscles.values():
        page.goto(f"{live_server.url}/knowledge/muscles/{muscle.id}/")
        expect(page.locator("h1")).to_have_text(muscle.name)
        count = sum(1 for tp in KB.trigger_points.values() if tp.muscle == muscle.id)
        expect(page.locator("ol.points > li")).to_have_count(count)
        expect(page.locator("svg.myomap-bodymap .zone-essential").first).to_be_visible()
        expect(page.locator("svg.myomap-bodymap .marker")).to_have_count(count)
    page.goto(f"{live_server.url}/knowledge/muscles/quadratus-lumborum/")
    page.screenshot(path=str(artifacts / "muscle-quadratus-lumborum.png"), full_page=True)


def test_every_exercise_page_shows_its_illustration_and_steps(
    page, live_server, alice, password, artifacts, sign_in
):
    sign_in(page, "/knowledge/", "Knowledge")
    for exercise in KB.exercises.values():
        page.goto(f"{live_server.url}/knowledge/exercises/{exercise.id}/")
        expect(page.locator("h1")).to_have_text(exercise.name)
        expect(page.locator("ol.steps > li")).to_have_count(len(exercise.steps))
        image = page.locator("figure.illustration img")
        expect(image).to_be_visible()
        width = image.evaluate("img => img.complete ? img.naturalWidth : 0")
        assert width > 0, f"the illustration of {exercise.id} did not load"
    page.goto(f"{live_server.url}/knowledge/exercises/glute-bridge/")
    page.screenshot(path=str(artifacts / "exercise-glute-bridge.png"), full_page=True)


def test_searching_from_the_knowledge_page_leads_to_the_muscle(
    page, live_server, alice, password, sign_in
):
    sign_in(page, "/knowledge/", "Knowledge")
    page.fill("#q", "piriformis")
    page.click("form.search button")
    page.click("ul.hits a:has-text('Piriformis')")
    expect(page.locator("h1")).to_have_text("Piriformis")
