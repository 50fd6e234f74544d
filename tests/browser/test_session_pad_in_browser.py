"""The client's feedback pad in a real browser: alice's link page shows the QR code under
the Content-Security-Policy; a phone-size context with no login opens the link, sees the
current point, taps "too much" during a hold (recorded, shown as sent), taps "better" while
offline (waiting, then sent once when the network returns), and once the session ends the
pad says so and stops taking taps.

The world is tests/web/records_fixtures.py's (Dan Marlowe's visit, its session open at
its first point)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_kit import CSP_LISTENER, PHONE
from django.utils import timezone
from playwright.sync_api import expect

from myomap.audit.log import Context
from myomap.visits import session_actions
from myomap.visits.models import SessionEvent
from web.records_fixtures import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db: None, password: str) -> World:
    world = build_world()
    world.alice.set_password(password)
    world.alice.save(update_fields=["password"])
    return world


def feedback(world: World) -> list[str]:
    rows = SessionEvent.objects.filter(run__visit=world.visit, kind="feedback").order_by("id")
    return [r.fields["kind"] for r in rows]


def test_the_client_taps_feedback_on_a_phone_also_offline_until_the_session_ends(
    browser: Any, page: Any, live_server: Any, world: World, sign_in: Any, artifacts: Any
) -> None:
    page.add_init_script(CSP_LISTENER)
    heading = "The client's feedback pad — Dan Marlowe"
    sign_in(page, f"/visits/{world.visit.pk}/session/pad/", heading)
    qr = page.locator("#pad-qr")
    expect(qr).to_be_visible()
    assert page.eval_on_selector("#pad-qr", "img => img.naturalWidth") > 0
    assert page.evaluate("window.__violations") == []
    link = page.locator("#pad-link").get_attribute("href")
    assert link and re.match(rf"{re.escape(live_server.url)}/pad/[^/]+/$", link)

    phone = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    pad = phone.new_page()
    pad.add_init_script(CSP_LISTENER)
    pad.goto(link)
    expect(pad.locator("#pad-point")).to_have_text("Left quadratus lumborum, deep caudal")
    expect(pad.locator("#pad-hold")).to_contain_text("Not holding")
    expect(pad.get_by_role("button", name="Too much")).to_be_disabled()  # nothing held yet
    assert "Marlowe" not in pad.content()

    # The therapist starts a hold; the pad learns of it at its next poll.
    ctx = Context(user=world.alice, now=timezone.now())
    hold = session_actions.EventData(
        "tablet-hold",
        "start-hold",
        ctx.now,
        {"technique": "ischemic-compression", "pressure": "moderate"},
    )
    session_actions.record_events(ctx, world.visit, [hold])
    expect(pad.locator("#pad-hold")).to_contain_text("Holding now", timeout=8000)
    expect(pad.get_by_role("button", name="Too much")).to_be_enabled()

    pad.get_by_role("button", name="Too much").tap()
    expect(pad.locator("#pad-message")).to_have_text("Recorded: too much ✓")
    assert feedback(world) == ["too-much"]

    phone.set_offline(True)
    pad.get_by_role("button", name="Better").tap()
    expect(pad.locator("#pad-queued")).to_have_text("1 tap waiting to be sent.")
    # Offline nothing is said to be sent, nor in the green of a tap recorded.
    message = pad.locator("#pad-message")
    expect(message).to_have_text(
        "Saved on this phone: better. It is sent when the phone is connected."
    )
    expect(message).not_to_have_class(re.compile(r"\bgood\b"))
    line = pad.locator(".pad-net").inner_text()
    assert ". 1 tap waiting" in line or line.startswith("1 tap waiting"), line
    pad.screenshot(path=str(artifacts / "session-pad-offline.png"))
    assert feedback(world) == ["too-much"]
    phone.set_offline(False)
    expect(pad.locator("#pad-queued")).to_have_text("", timeout=8000)
    expect(pad.locator("#pad-message")).to_have_text("Recorded: better ✓")
    assert feedback(world) == ["too-much", "better"]
    assert pad.evaluate("window.__violations") == []

    # Stop ends the hold; the session ends; the pad says so and takes no more taps.
    pad.get_by_role("button", name="Stop").tap()
    expect(pad.locator("#pad-hold")).to_contain_text("Not holding")
    expect(pad.get_by_role("button", name="Better")).to_be_disabled()
    session_actions.end_session(Context(user=world.alice), world.visit)
    expect(pad.locator("#pad-message")).to_contain_text("This session has ended", timeout=8000)
    expect(pad.get_by_role("button", name="Better")).to_be_disabled()
    assert feedback(world) == ["too-much", "better", "stop"]
    pad.goto(link)
    expect(pad.locator("#pad-refused")).to_contain_text("This session has ended")
    phone.close()
