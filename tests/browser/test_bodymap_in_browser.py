"""A therapist signs in with a real browser and marks pain on the body map."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_marking_three_regions_lists_them_with_their_intensities(
    page, live_server, alice, password, artifacts, sign_in
):
    sign_in(page, "/body-map/", "Pain drawing")

    # A tap with the brush set to 7.
    page.locator("#brush").fill("7")
    page.click("#region-buttock-upper-left")
    # The keyboard: focus a region, Enter marks it, a digit sets its intensity.
    page.focus("#region-si-joint-left")
    page.keyboard.press("Enter")
    page.keyboard.press("4")
    # A second tap, then the slider in the list.
    page.click("#region-hip-lateral-right")
    page.locator("#intensity-hip-lateral-right").fill("9")
    page.locator("#intensity-hip-lateral-right").dispatch_event("change")

    rows = page.locator("#selection li")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Left upper buttock")
    expect(rows.nth(0)).to_contain_text("7/10")
    expect(rows.nth(1)).to_contain_text("Left sacroiliac joint")
    expect(rows.nth(1)).to_contain_text("4/10")
    expect(rows.nth(2)).to_contain_text("Right outer hip over the greater trochanter")
    expect(rows.nth(2)).to_contain_text("9/10")
    expect(page.locator("#selection-summary")).to_have_text(
        "3 regions marked · highest intensity 9/10"
    )
    # The drawing shows the same: pressed regions coloured by intensity.
    expect(page.locator("#region-buttock-upper-left")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#region-si-joint-left")).to_have_class("region selected i-4")
    page.screenshot(path=str(artifacts / "bodymap.png"), full_page=True)


def test_hovering_names_the_region_and_removing_clears_it(
    page, live_server, alice, password, sign_in
):
    sign_in(page, "/body-map/", "Pain drawing")
    page.hover("#region-sacrum")
    expect(page.locator("#region-caption")).to_have_text("Sacrum")
    page.click("#region-sacrum")
    page.click("button[aria-label='Remove Sacrum']")
    expect(page.locator("#selection li")).to_have_count(0)
    expect(page.locator("#region-sacrum")).to_have_attribute("aria-pressed", "false")


def test_the_page_works_on_a_phone(browser, live_server, alice, password, artifacts, sign_in):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    sign_in(page, "/body-map/", "Pain drawing")
    page.tap("#region-lumbar-lower-right")
    expect(page.locator("#selection li")).to_have_count(1)
    expect(page.locator("#selection li")).to_contain_text("Right lower lumbar paraspinal")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    page.screenshot(path=str(artifacts / "bodymap-phone.png"), full_page=True)
    context.close()


def test_candidates_update_as_pain_is_drawn_and_show_their_pattern(
    page, live_server, alice, password, artifacts, sign_in
):
    sign_in(page, "/body-map/", "Pain drawing")
    page.click("#region-buttock-upper-left")
    page.click("#region-si-joint-left")
    items = page.locator("#candidates li")
    expect(items.first).to_be_visible()
    expect(page.locator("#candidates-status")).to_contain_text("most likely shown")
    first_side = items.first.get_attribute("data-side")
    assert first_side in ("left", "bilateral", "midline")
    expect(page.locator("#cover")).to_contain_text(
        "Together these muscles explain the whole drawing"
    )

    items.first.hover()
    expect(page.locator("svg.myomap-bodymap")).to_have_class("myomap-bodymap overlay")
    assert page.locator("svg.myomap-bodymap .zone-essential").count() >= 1
    page.screenshot(path=str(artifacts / "bodymap-candidates.png"), full_page=True)
    page.mouse.move(5, 5)
    expect(page.locator("svg.myomap-bodymap .zone-essential")).to_have_count(0)

    # Keyboard users get the same overlay by focusing a candidate.
    items.nth(1).focus()
    assert page.locator("svg.myomap-bodymap .pattern").count() >= 1

    # Removing the pain empties the list again.
    page.click("#clear")
    expect(page.locator("#candidates li")).to_have_count(0)
    expect(page.locator("#candidates-status")).to_have_text("Mark pain to see candidates.")
