"""Logging an exercise on a 390 px phone as a client meets it: the pain choice and the
Done / Skipped / Hurt buttons are targets of 48 px or more that do not overlap, the
week's day letters stay on one line, "Hurt" says what to do next, and an entry the
server refuses says "Not saved" on its own card instead of "Today: done".

The world is tests/web/records_fixtures.py's: alice builds Dan Marlowe's program from his
visit (he told her he no longer takes the blood thinner his second intake names)."""

from __future__ import annotations

from typing import Any

import pytest
from browser_kit import PHONE, signed_in
from playwright.sync_api import expect

from myomap.clients.models import Intake
from myomap.program.models import LogEntry
from web.records_fixtures import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOXES = """card => [...card.querySelectorAll('.pain-select, button.log')].map(e => {
  const r = e.getBoundingClientRect();
  return {name: e.dataset.outcome || 'pain', x: r.x, y: r.y, w: r.width, h: r.height};
})"""


@pytest.fixture
def world(transactional_db: None) -> World:
    world = build_world()
    review = {
        "anticoagulants": {"answer": False, "by": world.alice.pk, "at": "2026-01-05T10:00:00+00:00"}
    }
    Intake.objects.filter(pk=world.ask_intake.pk).update(medication_review=review)
    built = world.web("alice").post(f"/portal/visits/{world.visit.pk}/program/", {"do": "build"})
    assert built.status_code == 302
    return world


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["w"] <= b["x"]
        or b["x"] + b["w"] <= a["x"]
        or a["y"] + a["h"] <= b["y"]
        or b["y"] + b["h"] <= a["y"]
    )


def test_the_log_targets_are_large_and_apart_and_the_week_reads(
    browser: Any, live_server: Any, world: World, artifacts: Any
) -> None:
    phone = signed_in(browser, live_server, world.dan, PHONE)
    me = phone.new_page()
    me.goto(f"{live_server.url}/me/")
    card = me.locator(".exercise").first
    boxes = card.evaluate(BOXES)
    assert [b["name"] for b in boxes] == ["pain", "done", "skipped", "hurt"]
    assert all(b["h"] >= 48 for b in boxes), boxes
    assert all(b["x"] >= 0 and b["x"] + b["w"] <= PHONE["width"] for b in boxes), boxes
    assert not any(overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]), boxes
    expect(card.get_by_label("Pain during it, 0 none to 10 worst (optional)")).to_be_visible()
    # The day letters of the week: each header one line tall, as "Sa" is.
    heights = me.eval_on_selector_all(
        "table.week thead th:not(:first-child) abbr",
        "els => els.map(e => e.getClientRects().length)",
    )
    assert heights == [1] * 7
    expect(me.locator(".week-key")).to_have_text("✓ done · ! hurt · \u2013 skipped")
    assert me.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    card.screenshot(path=str(artifacts / "portal-phone-log-buttons.png"))
    phone.close()


def test_hurt_says_what_to_do_and_a_refused_entry_says_not_saved(
    browser: Any, live_server: Any, world: World
) -> None:
    phone = signed_in(browser, live_server, world.dan, PHONE)
    me = phone.new_page()
    me.goto(f"{live_server.url}/me/")
    first, second = me.locator(".exercise").nth(0), me.locator(".exercise").nth(1)
    advice = "Stop this exercise for today. Tell your therapist if the pain is sharp"
    expect(first.locator(".hurt-advice")).to_be_hidden()
    first.locator(".pain-select").select_option("6")
    first.get_by_role("button", name="Hurt").tap()
    expect(me.locator("#net-status")).to_have_text("Saved")
    expect(first.locator(".hurt-advice")).to_contain_text(advice)
    assert list(LogEntry.objects.values_list("outcome", "pain")) == [("hurt", 6)]

    # A pain the scale does not have (the page edited): refused, and the card says so.
    second.locator(".pain-select").evaluate(
        "s => { s.add(new Option('11', '11')); s.value = '11'; }"
    )
    second.get_by_role("button", name="Done", exact=True).tap()
    expect(second.locator(".logged")).to_have_text("Not saved: pain must be from 0 to 10, not 11")
    assert LogEntry.objects.count() == 1

    me.reload()  # the page read again: the hurt's advice is still beside it
    expect(me.locator(".exercise").nth(0).locator(".hurt-advice")).to_be_visible()
    expect(me.locator(".exercise").nth(1).locator(".logged")).to_have_text("")
    phone.close()


def test_the_reminder_forms_targets_are_large_enough(
    browser: Any, live_server: Any, world: World
) -> None:
    phone = signed_in(browser, live_server, world.dan, PHONE)
    me = phone.new_page()
    me.goto(f"{live_server.url}/me/")
    sizes = me.eval_on_selector_all(
        "#reminders label.check, #reminders input[type=time], #reminders button",
        "els => els.map(e => [e.textContent.trim() || e.name, e.getBoundingClientRect().height])",
    )
    assert len(sizes) == 9  # seven days, the time, the button
    assert all(height >= 44 for _, height in sizes), sizes
    me.get_by_label("Tue", exact=True).check()
    me.locator("#reminder-at").fill("07:30")
    me.get_by_role("button", name="Save reminders").tap()
    expect(me.locator("#reminders")).to_contain_text("Next reminder: Tuesday")
    phone.close()


def test_the_steps_and_the_diary_are_targets_a_finger_hits(
    browser: Any, live_server: Any, world: World
) -> None:
    phone = signed_in(browser, live_server, world.dan, PHONE)
    me = phone.new_page()
    me.goto(f"{live_server.url}/me/")
    card = me.locator(".exercise").first
    summary = card.locator("summary", has_text="How to do it")
    assert summary.bounding_box()["height"] >= 44
    summary.tap()
    expect(card.locator("ol.steps li").first).to_be_visible()
    me.goto(f"{live_server.url}/me/diary/")
    # the places are tapped on the body map (its own target test); the pain and Save
    heights = me.eval_on_selector_all(
        "#diary-pain, #diary-form button[type=submit]",
        "els => els.map(e => e.getBoundingClientRect().height)",
    )
    assert len(heights) == 2 and all(h >= 44 for h in heights), heights
    phone.close()
