"""The pain diary on a 390x844 phone as a client meets it: Dan taps the places that hurt
on the body map (the back first, then the front by the Front/Back switch), each place a
target he can hit, sets one pain for them and a note, saves, and sees the entry with both
places named; saving with nothing tapped says so. Without scripts the same form is a list
of places grouped by body area.

The world is tests/web/records_fixtures.py's (Dan Marlowe, dan his login)."""

from __future__ import annotations

from typing import Any

import pytest
from browser_kit import PHONE, signed_in
from playwright.sync_api import expect

from myomap.program.models import DiaryEntry
from web.records_fixtures import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The smallest side of a region's tap area (its own shape or the wider hit area over a
# thin one) in CSS pixels, as the phone shows it.
TARGET = """id => {
  const els = [...document.querySelectorAll(`[data-region="${id}"]`)];
  return Math.max(...els.map(e => {
    const r = e.getBoundingClientRect();
    return Math.min(r.width, r.height);
  }));
}"""


@pytest.fixture
def world(transactional_db: None) -> World:
    return build_world()


def test_two_regions_tapped_on_the_map_make_one_entry(
    browser: Any, live_server: Any, world: World, artifacts: Any
) -> None:
    phone = signed_in(browser, live_server, world.dan, PHONE)
    me = phone.new_page()
    me.goto(f"{live_server.url}/me/diary/")
    expect(me.locator("#diary-map")).to_be_visible()
    expect(me.locator("#diary-list")).to_be_hidden()
    switch = me.locator("#diary-map .view-switch")
    expect(switch).to_be_visible()
    expect(switch.get_by_role("button", name="Back")).to_have_attribute("aria-pressed", "true")

    me.get_by_role("button", name="Save entry").tap()
    expect(me.locator("#diary-problem")).to_have_text(
        "Not saved: choose where the pain is: one body map region or more"
    )

    assert me.evaluate(TARGET, "lumbar-lower-left") >= 24
    me.tap("#region-lumbar-lower-left")
    switch.get_by_role("button", name="Front").tap()
    expect(switch.get_by_role("button", name="Front")).to_have_attribute("aria-pressed", "true")
    assert me.evaluate(TARGET, "thigh-anterior-proximal-left") >= 24
    me.tap("#region-thigh-anterior-proximal-left")
    chosen = me.locator("#selection li .region-name")
    expect(chosen).to_have_text(["Left lower lumbar paraspinal", "Left upper front of thigh"])
    me.evaluate("window.scrollTo(0, 0)")
    me.screenshot(path=str(artifacts / "portal-diary-phone-front.png"))
    me.fill("#diary-pain", "6")
    me.fill("#diary-note", "after the long walk")
    assert me.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    me.screenshot(path=str(artifacts / "portal-diary-phone-map.png"), full_page=True)

    me.get_by_role("button", name="Save entry").tap()
    line = me.locator(".diary-entries li").first
    expect(line).to_contain_text(
        "Left lower lumbar paraspinal, Left upper front of thigh: 6/10 — after the long walk"
    )
    rows = sorted(DiaryEntry.objects.values_list("region", "pain", "note"))
    assert rows == [
        ("lumbar-lower-left", 6, "after the long walk"),
        ("thigh-anterior-proximal-left", 6, "after the long walk"),
    ]
    me.screenshot(path=str(artifacts / "portal-diary-phone-saved.png"), full_page=True)
    phone.close()


def test_without_scripts_the_places_are_a_list_by_body_area(
    browser: Any, live_server: Any, world: World, artifacts: Any
) -> None:
    phone = signed_in(browser, live_server, world.dan, PHONE, javascript=False)
    me = phone.new_page()
    me.goto(f"{live_server.url}/me/diary/")
    expect(me.locator("#diary-map")).to_be_hidden()
    me.locator("summary", has_text="Lower back and buttocks").tap()
    me.get_by_role("checkbox", name="Left lower lumbar paraspinal").check()
    me.get_by_role("checkbox", name="Sacrum").check()
    me.fill("#diary-pain", "4")
    me.get_by_role("button", name="Save entry").tap()
    expect(me.locator(".diary-entries li").first).to_contain_text(
        "Left lower lumbar paraspinal, Sacrum: 4/10"
    )
    assert DiaryEntry.objects.count() == 2
    assert me.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    me.screenshot(path=str(artifacts / "portal-diary-phone-no-scripts.png"), full_page=True)
    phone.close()
