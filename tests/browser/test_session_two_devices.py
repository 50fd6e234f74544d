"""The guided session on two devices, as in the clinic: alice runs it on a tablet
(820x1180), Dan taps on his own phone (390x844) through the pad's link; the tablet shows
his "too much" within about a second, without a reload; she releases, and the drafted
note says what was done on the point and that the client reported too much.

The world is tests/web/records_fixtures.py's (Dan Marlowe's record at Lakeside)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_kit import PHONE, TABLET, signed_in
from playwright.sync_api import expect
from tests.web.records_fixtures import World

from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.visits import actions as visit_actions

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_session_yet"),
]


def tablet_of(browser: Any, live_server: Any, world: World) -> Any:
    return signed_in(browser, live_server, world.alice, TABLET, mobile=False)


def test_the_clients_tap_on_the_phone_reaches_the_tablet_and_the_note(
    browser: Any, live_server: Any, world: World, artifacts: Any
) -> None:
    tablet_context = tablet_of(browser, live_server, world)
    tablet = tablet_context.new_page()
    errors: list[str] = []
    tablet.on("pageerror", lambda error: errors.append(str(error)))
    tablet.goto(f"{live_server.url}/visits/{world.visit.pk}/session/")
    tablet.click("#start-session")
    expect(tablet.locator("#session-status")).to_have_text("Session running.")

    # The pad's link, in a dialog on the runner.
    tablet.click("#pad-open")
    link = tablet.locator("#pad-dialog-link").get_attribute("href")
    assert link and re.match(rf"{re.escape(live_server.url)}/pad/[^/]+/$", link)
    tablet.click("#pad-close")
    expect(tablet.locator("#session-status")).to_have_text("Session running.")
    tablet.click("#start-hold")
    expect(tablet.locator("#release")).to_be_enabled()

    phone_context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    phone = phone_context.new_page()
    phone.goto(link)
    expect(phone.locator("#pad-hold")).to_contain_text("Holding now", timeout=8000)
    phone.get_by_role("button", name="Too much").tap()
    expect(phone.locator("#pad-message")).to_have_text("Recorded: too much ✓")

    # On the tablet, untouched: the client's tap shows up within a couple of seconds.
    expect(tablet.locator("#holds li")).to_contain_text("too much at", timeout=2500)
    tablet.screenshot(path=str(artifacts / "session-two-devices-tablet.png"), full_page=True)
    phone.screenshot(path=str(artifacts / "session-two-devices-phone.png"), full_page=True)
    tablet.click("#release")
    expect(tablet.locator("#queued")).to_have_text("")
    expect(tablet.locator("#release")).to_be_disabled()

    # The tablet read the session every second meanwhile: one audited read a minute.
    reads = AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, summary="guided session", actor=world.alice
    )
    assert 1 <= reads.count() <= 3

    version = visit_actions.draft_note(
        Context(user=world.alice, via="web"), world.visit, revision=world.revision()
    )
    assert "Treated in the session:" in version.objective
    assert "client reported too much" in version.objective
    assert errors == []
    phone_context.close()
    tablet_context.close()
