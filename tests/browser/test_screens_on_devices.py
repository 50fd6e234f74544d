"""The therapist's screens on a phone (390x844) and a tablet (820x1180): error pages with
the navigation, tables that keep their labels, and a body map a finger can use."""

from __future__ import annotations

import json
from typing import Any

import pytest
from browser_kit import PHONE, TABLET, sign_in_context, signed_in
from playwright.sync_api import expect

from myomap.core.bodymap.geometry import region_shapes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEVICES = {"phone": PHONE, "tablet": TABLET}
MIN_TARGET_PX = 24  # WCAG 2.2 success criterion 2.5.8, target size (minimum)


def device(browser: Any, live_server: Any, user: Any, viewport: dict[str, int]) -> Any:
    """A touch browser signed in as `user` (the session cookie of a forced login)."""
    return signed_in(browser, live_server, user, viewport)


@pytest.mark.parametrize("name", DEVICES)
def test_the_error_pages_show_the_navigation(browser, live_server, world, artifacts, name):
    context = device(browser, live_server, world.alice, DEVICES[name])
    page = context.new_page()
    response = page.goto(f"{live_server.url}/clients/99999/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("We could not find that page")
    nav = page.locator("nav[aria-label=Main]")
    expect(nav).to_be_visible()
    expect(nav.locator("a", has_text="Clients")).to_be_visible()
    expect(page.locator(".topbar", has_text="Sign out")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= DEVICES[name]["width"]
    page.screenshot(path=str(artifacts / f"error-404-{name}.png"))

    # A client's own login asks for the therapists' client list: 403, with her navigation.
    context.close()
    context = device(browser, live_server, world.erin, DEVICES[name])
    page = context.new_page()
    response = page.goto(f"{live_server.url}/clients/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("This page is not open to your account")
    expect(page.locator("nav[aria-label=Main] a", has_text="Body map")).to_be_visible()
    page.screenshot(path=str(artifacts / f"error-403-{name}.png"))
    context.close()


def test_the_client_list_on_a_phone_labels_every_value(browser, live_server, world, artifacts):
    context = device(browser, live_server, world.alice, PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/clients/")
    expect(page.locator("h1")).to_have_text("Clients")
    expect(page.locator("table thead")).to_be_hidden()
    row = page.locator("table tbody tr", has_text=world.client.family_name)
    labels = row.locator("td").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    # The name leads the row as its link, unlabelled; the other values carry their labels.
    assert labels == ["none", '"Born"', '"Visits"', '"Last visit"']
    # The label sits beside its value on the same line, not stacked away from it, and a
    # client takes two or three short lines, so a page of 50 stays a short scroll.
    visits = row.locator("td[data-label=Visits]")
    box = visits.bounding_box()
    assert box is not None and box["height"] < 40
    whole = row.bounding_box()
    assert whole is not None and whole["height"] < 120
    expect(visits).to_have_text(str(world.client.visits.count()))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "clients-phone.png"), full_page=True)
    context.close()


def test_the_audit_log_on_a_phone_labels_every_value(browser, live_server, world, artifacts):
    context = device(browser, live_server, world.carol, PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/audit/")
    first = page.locator("table tbody tr").first
    labels = first.locator("td").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert labels == ['"When"', '"Who"', '"Action"', '"Client"', '"What"', '"From"']
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "audit-phone.png"))
    context.close()


TARGETS_JS = """view => {
  const svg = document.querySelector("svg.myomap-bodymap");
  return [...svg.querySelectorAll(`.region[data-view="${view}"]`)].map(path => {
    const size = el => {
      const r = el.getBoundingClientRect();
      return Math.min(r.width, r.height);
    };
    let best = size(path);
    for (const hit of svg.querySelectorAll(`.hit[data-region="${path.dataset.region}"]`)) {
      best = Math.max(best, size(hit));
    }
    return [path.dataset.region, best];
  });
}"""


@pytest.mark.parametrize("name", DEVICES)
def test_on_a_touch_screen_every_region_of_the_body_map_is_a_big_enough_target(
    browser, live_server, world, artifacts, name
):
    context = device(browser, live_server, world.alice, DEVICES[name])
    page = context.new_page()
    page.goto(f"{live_server.url}/body-map/")
    switch = page.locator(".view-switch")
    expect(switch).to_be_visible()
    expect(switch.locator("button[aria-pressed=true]")).to_have_text("Back")
    expect(page.locator("#view-sides")).to_have_text(
        "Back view: the client's left is on your left."
    )
    page.screenshot(path=str(artifacts / f"bodymap-{name}-back.png"))
    small = [(r, s) for r, s in page.evaluate(TARGETS_JS, "back") if s < MIN_TARGET_PX]
    assert small == [], small
    # every region drawn on the back view is measured (none missing from the page)
    back = [r for r, shape in region_shapes().items() if shape.view == "back"]
    assert len(back) >= 68
    assert sorted(r for r, _ in page.evaluate(TARGETS_JS, "back")) == sorted(back)

    switch.locator("button", has_text="Front").tap()
    expect(switch.locator("button[aria-pressed=true]")).to_have_text("Front")
    expect(page.locator("svg.myomap-bodymap")).to_have_attribute("data-shown", "front")
    small = [(r, s) for r, s in page.evaluate(TARGETS_JS, "front") if s < MIN_TARGET_PX]
    assert small == [], small
    # The zoomed figure pans inside its own box; the page never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= DEVICES[name]["width"]
    page.screenshot(path=str(artifacts / f"bodymap-{name}-front.png"))
    context.close()


def test_a_tap_on_the_thin_spine_strip_marks_the_spine(browser, live_server, world):
    context = device(browser, live_server, world.alice, PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/body-map/")
    page.locator(".hit[data-region=spine-thoracic]").tap()
    expect(page.locator("#selection li")).to_have_count(1)
    expect(page.locator("#selection li")).to_contain_text("Thoracic spine")
    expect(page.locator("#region-spine-thoracic")).to_have_attribute("aria-pressed", "true")
    context.close()


def test_keyboard_focus_moving_to_the_other_view_switches_to_it(browser, live_server, world):
    context = device(browser, live_server, world.alice, PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/body-map/")
    expect(page.locator("svg.myomap-bodymap")).to_have_attribute("data-shown", "back")
    page.focus("#region-knee-front-left")
    expect(page.locator("svg.myomap-bodymap")).to_have_attribute("data-shown", "front")
    page.keyboard.press("Enter")
    page.keyboard.press("6")
    expect(page.locator("#selection li")).to_contain_text("6/10")
    context.close()


@pytest.mark.parametrize("name", DEVICES)
def test_a_tap_on_the_intake_forms_body_map_sets_its_intensity(
    browser, live_server, world, artifacts, name
):
    context = device(browser, live_server, world.alice, DEVICES[name])
    page = context.new_page()
    page.goto(f"{live_server.url}/body-map/")
    help_on_the_body_map = page.locator("#bodymap-help").inner_text()
    page.goto(f"{live_server.url}/clients/{world.client.pk}/intake/new/")
    # The same instructions and controls as the body-map page.
    assert page.locator("#bodymap-help").inner_text() == help_on_the_body_map
    expect(page.locator("#bodymap-help")).to_contain_text("Pick Front or Back above the drawing")
    expect(page.locator("#bodymap-help")).to_contain_text("With the keyboard: Tab to a region")
    expect(page.locator(".view-switch")).to_be_visible()
    page.locator("#brush").fill("8")
    page.locator("#region-buttock-upper-left").tap()
    row = page.locator("#selection li")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Left upper buttock")
    expect(row).to_contain_text("8/10")
    expect(page.locator("#region-buttock-upper-left")).to_have_class("region selected i-8")
    drawing = json.loads(page.locator("#id_pain_drawing").input_value())
    assert drawing == {"buttock-upper-left": 8}
    page.locator(".view-switch button", has_text="Front").tap()
    page.locator("#region-knee-front-right").tap()
    expect(row).to_have_count(2)
    assert json.loads(page.locator("#id_pain_drawing").input_value()) == {
        "buttock-upper-left": 8,
        "knee-front-right": 8,
    }
    assert page.evaluate("document.documentElement.scrollWidth") <= DEVICES[name]["width"]
    page.screenshot(path=str(artifacts / f"intake-bodymap-{name}.png"))
    context.close()


def test_the_assessment_forms_are_labelled_and_work_on_a_phone(
    browser, live_server, world, artifacts
):
    from myomap.visits.models import MovementFinding

    context = device(browser, live_server, world.alice, PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/visits/{world.visit.pk}/")
    movement = page.locator("#movement")
    movement.get_by_label("Test").select_option("prone-hip-extension")
    movement.get_by_label("Side").select_option("right")
    movement.get_by_label("Result").select_option("positive")
    movement.get_by_label("Note (optional)").fill("Hamstring fires first")
    movement.locator("button", has_text="Record test").tap()
    expect(page.locator("#movement")).to_contain_text("Hamstring fires first")
    found = MovementFinding.objects.filter(visit=world.visit, note="Hamstring fires first")
    assert [(m.test, m.side, m.result) for m in found] == [
        ("prone-hip-extension", "right", "positive")
    ]
    # One shared palpation form: tapping a row's link opens it in that row, labelled.
    row = page.locator(".exam-item:not(.examined)").nth(1)
    row.get_by_role("link", name="Record a finding").tap()
    expect(row.get_by_label("Tender 0-10")).to_be_visible()
    first = row
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#movement").screenshot(path=str(artifacts / "assessment-movement-phone.png"))
    first.screenshot(path=str(artifacts / "assessment-palpation-phone.png"))
    context.close()


def test_on_a_laptop_both_views_show_side_by_side_without_a_switch(page, live_server, world):
    sign_in_context(page.context, live_server, world.alice)
    page.goto(f"{live_server.url}/body-map/")
    expect(page.locator(".view-switch")).to_be_hidden()
    expect(page.locator(".view-help")).to_be_hidden()
    svg = page.locator("svg.myomap-bodymap")
    expect(svg).to_have_attribute("viewBox", "0 0 760 996")
    expect(page.locator("#region-knee-front-left")).to_be_visible()
    expect(page.locator("#region-lumbar-lower-right")).to_be_visible()
    # The thin spine strip answers the mouse over its whole wider hit area.
    page.locator(".hit[data-region=spine-lumbar]").hover()
    expect(page.locator("#region-caption")).to_have_text("Lumbar spine")
    expect(page.locator("#region-spine-lumbar")).to_have_class("region hovered")
    page.locator(".hit[data-region=spine-lumbar]").click()
    expect(page.locator("#selection li")).to_contain_text("Lumbar spine")


@pytest.mark.parametrize("name", DEVICES)
def test_the_top_bar_of_a_clinic_admin_stays_short_and_opens_the_account_pages(
    browser, live_server, world, artifacts, name
):
    """Carol (admin) has every section and her account's pages: on a phone the bar is the
    brand with her name and Sign out, then the six sections on one line, not four rows;
    her own pages open from the menu under her name."""
    context = device(browser, live_server, world.carol, DEVICES[name])
    page = context.new_page()
    page.goto(f"{live_server.url}/clients/")
    nav = page.locator("nav[aria-label=Main] a")
    expect(nav).to_have_count(6)
    tops = {
        round(box["y"]) for box in nav.evaluate_all("a => a.map(e => e.getBoundingClientRect())")
    }
    assert len(tops) == 1, f"the sections wrap over {len(tops)} lines"
    bar = page.locator(".topbar").bounding_box()
    assert bar is not None and bar["height"] <= 100
    tokens = page.get_by_role("link", name="API tokens")
    expect(tokens).to_be_hidden()
    page.locator(".account-menu summary", has_text="Carol Hart").click()
    page.screenshot(path=str(artifacts / f"account-menu-{name}.png"))
    tokens.click()
    expect(page.locator("h1")).to_have_text("API tokens")
    context.close()


@pytest.mark.parametrize("name", DEVICES)
def test_the_plan_editor_on_a_tablet_and_a_phone_is_one_short_card_a_step(
    browser, live_server, world, artifacts, name
):
    """Each step: its number beside the point, the technique under it, then pressure,
    hold and repetitions side by side on one line (labelled), not a field a line."""
    context = device(browser, live_server, world.alice, DEVICES[name])
    page = context.new_page()
    page.goto(f"{live_server.url}/visits/{world.visit.pk}/plan/")
    step = page.locator(".plan-form tbody tr").first
    boxes = {
        label: step.locator(f'td[data-label="{label}"]').bounding_box()
        for label in ("Step", "Trigger point", "Technique", "Pressure", "Hold (s)", "Repetitions")
    }
    assert all(boxes.values())
    dose = [boxes[label] for label in ("Pressure", "Hold (s)", "Repetitions")]
    assert len({round(box["y"]) for box in dose}) == 1, "pressure, hold, reps on one line"
    assert dose[0]["x"] < dose[1]["x"] < dose[2]["x"]
    assert boxes["Step"]["y"] == pytest.approx(boxes["Trigger point"]["y"], abs=12)
    assert boxes["Technique"]["y"] < dose[0]["y"]
    labels = step.locator('td[data-label="Hold (s)"]').evaluate(
        "c => getComputedStyle(c, '::before').content"
    )
    assert labels == '"Hold (s)"'
    assert page.evaluate("document.documentElement.scrollWidth") <= DEVICES[name]["width"]
    page.screenshot(path=str(artifacts / f"plan-{name}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("name", DEVICES)
def test_the_visits_four_tabs_stay_on_one_line_and_each_opens_its_page(
    browser, live_server, world, name
):
    context = device(browser, live_server, world.alice, DEVICES[name])
    page = context.new_page()
    page.goto(f"{live_server.url}/visits/{world.visit.pk}/")
    tabs = page.locator("nav.tabs a")
    expect(tabs).to_have_text(["1. Assessment", "2. Plan", "3. Session", "4. Note"])
    tops = {round(box["y"]) for box in (tabs.nth(i).bounding_box() for i in range(4)) if box}
    assert len(tops) == 1, f"the tabs take {len(tops)} lines"
    for i in range(4):
        box = tabs.nth(i).bounding_box()
        assert box is not None and box["height"] >= MIN_TARGET_PX
    assert page.evaluate("document.documentElement.scrollWidth") <= DEVICES[name]["width"]
    tabs.nth(3).click()
    expect(page.locator("nav.tabs a[aria-current=page]")).to_have_text("4. Note")
    context.close()
