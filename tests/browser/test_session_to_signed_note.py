"""The whole guided session as the issue's "done when" says, end to end in Chromium: alice
runs it on a tablet, Dan taps feedback on his own phone, she records pain and tenderness
before and after on two points, ends the session, drafts the note from what was recorded
and signs it, without typing any of the note. The signed note (page and stored version)
says what was done point by point, with the before and after values and Dan's word.

The world is tests/web/records_fixtures.py's (Dan Marlowe's record at Lakeside)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_kit import PHONE, TABLET, signed_in
from playwright.sync_api import expect
from tests.web.records_fixtures import World

from myomap.visits.models import NoteVersion, SessionEvent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_session_yet"),
]


def signed_in_tablet(browser: Any, live_server: Any, world: World) -> Any:
    return signed_in(browser, live_server, world.alice, TABLET, mobile=False)


def enter(page: Any, field: str, value: str) -> None:
    """A value typed into a measurement field and left (Tab): saved, as the page says."""
    page.fill(f"#{field}", value)
    page.keyboard.press("Tab")
    expect(page.locator(f"#{field}-said")).to_have_text("Saved ✓")


def hold_with(page: Any, phone: Any, word: str) -> None:
    """A hold on the current point during which Dan taps `word` on his phone; released."""
    page.click("#start-hold")
    expect(page.locator("#release")).to_be_enabled()
    expect(phone.locator("#pad-hold")).to_contain_text("Holding now", timeout=8000)
    phone.get_by_role("button", name=word).tap()
    expect(phone.locator("#pad-message")).to_have_text(f"Recorded: {word.lower()} ✓")
    expect(page.locator("#holds li").last).to_contain_text(f"{word.lower()} at", timeout=4000)
    page.click("#release")
    expect(page.locator("#release")).to_be_disabled()
    expect(page.locator("#queued")).to_have_text("")


def test_a_whole_session_on_tablet_and_phone_ends_in_a_signed_note_written_from_it(
    browser: Any, live_server: Any, world: World, artifacts: Any
) -> None:
    tablet_context = signed_in_tablet(browser, live_server, world)
    page = tablet_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())  # "Sign and lock ...?" and the like
    page.goto(f"{live_server.url}/visits/{world.visit.pk}/session/")
    page.click("#start-session")
    expect(page.locator("#session-status")).to_have_text("Session running.")
    enter(page, "pain-start", "6")

    page.click("#pad-open")
    link = page.locator("#pad-dialog-link").get_attribute("href")
    assert link
    page.click("#pad-close")
    phone_context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    phone = phone_context.new_page()
    phone.goto(link)

    first = page.locator("#current-name").inner_text()
    enter(page, "tender-before", "7")
    hold_with(page, phone, "Too much")
    enter(page, "tender-after", "3")

    page.click("#next")
    expect(page.locator("#current-name")).not_to_have_text(first)
    second = page.locator("#current-name").inner_text()
    enter(page, "tender-before", "5")
    hold_with(page, phone, "Better")
    enter(page, "tender-after", "2")

    enter(page, "pain-end", "2")
    page.click("#end-session")
    if page.locator("#confirm-dialog").is_visible():
        page.click("#confirm-yes")
    expect(page.locator("#session-status")).to_contain_text("Session ended")
    assert SessionEvent.objects.filter(run__visit=world.visit, kind="end-session").count() == 1

    # The note: drafted from the record with one tap, signed with another.
    page.goto(f"{live_server.url}/visits/{world.visit.pk}/note/")
    page.get_by_role("button", name=re.compile(r"^(Draft the note|Redraft) from")).click()
    objective = page.locator("textarea[name=objective]")
    expect(objective).to_contain_text("Treated in the session:")
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.locator(".messages")).to_contain_text("signed and locked")
    page.screenshot(path=str(artifacts / "session-signed-note-tablet.png"), full_page=True)

    signed = NoteVersion.objects.filter(note__visit=world.visit, signed_at__isnull=False).get()
    text = signed.objective
    for name in (first, second):
        assert name.split(" (")[0].lower() in text.lower(), (name, text)
    assert "7 → 3" in text and "5 → 2" in text, text
    assert "client reported too much" in text, text
    pain = signed.assessment + signed.subjective + text
    assert "Pain now 6/10 at the start and 2/10 at the end of the session" in pain, pain
    shown = page.locator("main").inner_text()
    assert "7 → 3" in shown and "client reported too much" in shown
    assert errors == []
    phone_context.close()
    tablet_context.close()
