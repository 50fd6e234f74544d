"""The client's pad on a phone, as a new user met it: with no hold on its buttons are
disabled and look it (grey), a hold turns them on within about a second, each tap is
acknowledged in words, the phone on its side (844x390) shows every button, Stop included,
without scrolling, and once the session ends the buttons look disabled too.

The world is tests/web/records_fixtures.py's (Dan Marlowe's visit, its session open at
its first point)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from myomap.audit.log import Context
from myomap.visits import pad_tokens, session_actions
from myomap.visits.models import SessionEvent, SessionRun
from web.records_fixtures import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PORTRAIT = {"width": 390, "height": 844}
LANDSCAPE = {"width": 844, "height": 390}
WHITE = "rgb(255, 255, 255)"


@pytest.fixture
def world(transactional_db: None) -> World:
    return build_world()


def link(live_server: Any, world: World) -> str:
    run = SessionRun.objects.get(visit=world.visit, ended_at__isnull=True)
    return f"{live_server.url}/pad/{pad_tokens.make_token(run, world.alice)}/"


def hold(world: World) -> None:
    ctx = Context(user=world.alice, now=timezone.now())
    start = session_actions.EventData(
        "tablet-hold",
        "start-hold",
        ctx.now,
        {"technique": "ischemic-compression", "pressure": "moderate"},
    )
    session_actions.record_events(ctx, world.visit, [start])


def background(page: Any, name: str) -> str:
    return page.get_by_role("button", name=name).evaluate(
        "b => getComputedStyle(b).backgroundColor"
    )


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["upright", "on-its-side"])
def test_the_pad_says_what_it_did_and_shows_when_it_can_be_tapped(
    browser: Any, live_server: Any, world: World, artifacts: Any, viewport: dict[str, int]
) -> None:
    phone = browser.new_context(viewport=viewport, has_touch=True, is_mobile=True)
    pad = phone.new_page()
    pad.goto(link(live_server, world))
    expect(pad.locator("#pad-hold")).to_contain_text("Not holding")
    too_much = pad.get_by_role("button", name="Too much")
    expect(too_much).to_be_disabled()
    assert background(pad, "Too much") != WHITE  # it looks disabled, not only is
    assert pad.locator("#pad-message").inner_text() == ""  # no "Sent" before any tap

    hold(world)
    expect(too_much).to_be_enabled(timeout=2500)  # polled every second
    assert background(pad, "Too much") == WHITE
    for button in pad.locator("button[data-kind]").all():
        box = button.bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 0.5, box
        assert box["x"] + box["width"] <= viewport["width"] + 0.5, box
    assert pad.evaluate("window.scrollY") == 0
    pad.screenshot(path=str(artifacts / f"pad-{viewport['width']}x{viewport['height']}.png"))

    too_much.tap()
    expect(pad.locator("#pad-message")).to_have_text("Recorded: too much ✓")
    pad.get_by_role("button", name="Worse").tap()
    expect(pad.locator("#pad-message")).to_have_text("Recorded: worse ✓")
    kinds = [e.fields["kind"] for e in SessionEvent.objects.filter(kind="feedback").order_by("id")]
    assert kinds == ["too-much", "worse"]

    pad.get_by_role("button", name="Stop").tap()
    expect(pad.locator("#pad-message")).to_have_text("Recorded: stop ✓")
    expect(too_much).to_be_disabled()
    session_actions.end_session(Context(user=world.alice), world.visit)
    expect(pad.locator("#pad-message")).to_contain_text("This session has ended", timeout=5000)
    for button in pad.locator("button[data-kind]").all():
        expect(button).to_be_disabled()
    assert background(pad, "Better") != WHITE
    phone.close()
