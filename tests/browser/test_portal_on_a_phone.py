"""The client's side in a real browser at phone size (390x844): alice builds Dan's home
program from his visit in one click and invites him from his record (the QR code shown
under the Content-Security-Policy); Dan opens the link on his phone, sets a password and
consents, opens today's program, runs a hold timer to its end (the clock fast-forwarded),
logs "done", logs "skipped" with the network off (waiting, then recorded once when it
returns), and writes pain diary entries, one of them offline; alice sees both on his record.

The world is tests/web/records_fixtures.py's (Dan Marlowe's visit with his left deep
quadratus lumborum point found active and treated)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from myomap.clients.models import Intake
from myomap.program.models import DiaryEntry, LogEntry
from web.records_fixtures import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
NEW_PASSWORD = "a-long-and-quiet-river-stone"
# The phone's cues, recorded: a vibration at the end of a hold, the screen kept awake.
CUES = """
window.__vibrations = 0; window.__locks = 0;
navigator.vibrate = () => { window.__vibrations += 1; return true; };
Object.defineProperty(navigator, "wakeLock", { value: { request: async () => {
  window.__locks += 1;
  return { release: async () => {}, addEventListener: () => {} };
} } });
"""
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def world(transactional_db: None, password: str) -> World:
    world = build_world()
    world.alice.set_password(password)
    world.alice.save(update_fields=["password"])
    # Dan told alice he no longer takes the blood thinner his second intake names.
    review = {
        "anticoagulants": {"answer": False, "by": world.alice.pk, "at": "2026-01-05T10:00:00+00:00"}
    }
    Intake.objects.filter(pk=world.ask_intake.pk).update(medication_review=review)
    return world


def test_an_invited_client_follows_the_program_on_a_phone(
    browser: Any, page: Any, live_server: Any, world: World, sign_in: Any, artifacts: Any
) -> None:
    page.add_init_script(LISTEN)
    sign_in(page, f"/visits/{world.visit.pk}/", "Assessment — Dan Marlowe")
    page.get_by_role("link", name="Build the home program").click()
    page.get_by_role("button", name="Build from this visit").click()
    expect(page.locator(".program-item").first).to_contain_text(
        "Ball release for quadratus lumborum"
    )

    page.goto(f"{live_server.url}/clients/{world.client.pk}/")
    page.get_by_role("button", name="Send a new portal link").click()
    expect(page.locator("h1")).to_have_text("Portal invitation for Dan Marlowe")
    assert page.eval_on_selector("img.qr", "img => img.naturalWidth") > 0
    link = page.locator("code.invite-link").text_content() or ""
    assert page.evaluate("window.__violations") == []

    phone = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    me = phone.new_page()
    me.add_init_script(LISTEN)
    me.add_init_script(CUES)
    me.clock.install()
    me.goto(link)
    expect(me.locator("h1")).to_have_text("Welcome, Dan")
    me.fill("#id_password", NEW_PASSWORD)
    me.fill("#id_password_again", NEW_PASSWORD)
    me.check("#id_consent")
    me.get_by_role("button", name="Set my password").tap()
    expect(me.locator("h1")).to_have_text("Today")

    card = me.locator(".exercise").first
    expect(card.locator("h2")).to_have_text("Ball release for quadratus lumborum (left)")
    expect(card.locator(".timer-seconds")).to_have_text("20")
    card.get_by_role("button", name="Start hold").tap()
    me.clock.run_for(21_000)
    expect(card.locator(".rep-now")).to_have_text("1")
    expect(card.get_by_role("button", name="Start the next hold")).to_be_enabled()
    assert me.evaluate("[window.__vibrations, window.__locks]") == [1, 1]
    me.screenshot(path=str(artifacts / "portal-phone-today.png"), full_page=True)

    card.get_by_role("button", name="Done", exact=True).tap()
    expect(me.locator("#net-status")).to_have_text("Saved")
    assert list(LogEntry.objects.values_list("outcome", flat=True)) == ["done"]

    second = me.locator(".exercise").nth(1)
    phone.set_offline(True)
    second.get_by_role("button", name="Skipped").tap()
    expect(me.locator("#queue-status")).to_have_text("1 waiting to be sent")
    assert LogEntry.objects.count() == 1
    phone.set_offline(False)
    me.evaluate("window.dispatchEvent(new Event('online'))")
    expect(me.locator("#queue-status")).to_have_text("", timeout=8000)
    assert sorted(LogEntry.objects.values_list("outcome", flat=True)) == ["done", "skipped"]
    me.reload()
    expect(me.locator("#queue-status")).to_have_text("")
    assert LogEntry.objects.count() == 2  # sent once, not again after the reload
    assert me.evaluate("window.__violations") == []

    # Signed out meanwhile (the session ended): the entry waits for the next sign-in.
    phone.clear_cookies()
    me.locator(".exercise").nth(2).get_by_role("button", name="Done", exact=True).tap()
    expect(me.locator("#net-status")).to_have_text("Sign in again to send what is waiting")
    expect(me.locator("#queue-status")).to_have_text("1 waiting to be sent")
    assert LogEntry.objects.count() == 2
    me.goto(f"{live_server.url}/accounts/login/?next=/me/")
    me.fill("#id_username", "dan")
    me.fill("#id_password", NEW_PASSWORD)
    me.get_by_role("button", name="Sign in").tap()
    expect(me.locator("h1")).to_have_text("Today")
    expect(me.locator("#queue-status")).to_have_text("", timeout=8000)
    assert sorted(LogEntry.objects.values_list("outcome", flat=True)) == ["done", "done", "skipped"]

    me.get_by_role("link", name="Pain diary").first.tap()
    expect(me.locator("h1")).to_have_text("Pain diary")
    me.tap("#region-lumbar-lower-left")  # on the body map, its back shown first
    me.fill("#diary-pain", "3")
    me.fill("#diary-note", "after a long drive")
    me.get_by_role("button", name="Save entry").tap()
    expect(me.locator(".diary-entries")).to_contain_text("3/10 — after a long drive")
    assert DiaryEntry.objects.get().pain == 3

    me.get_by_role("button", name="Save entry").tap()
    expect(me.locator("#diary-problem")).to_have_text(
        "Not saved: choose where the pain is: one body map region or more"
    )
    me.tap("#region-sacrum")
    me.fill("#diary-pain", "12")
    me.get_by_role("button", name="Save entry").tap()
    expect(me.locator("#diary-problem")).to_have_text(
        "Not saved: pain must be from 0 to 10, not 12"
    )
    assert DiaryEntry.objects.count() == 1

    # A diary entry written offline waits on the phone and is recorded once it returns.
    phone.set_offline(True)
    me.tap("#region-sacrum")  # tapped again: off
    me.tap("#region-lumbar-upper-left")
    me.fill("#diary-pain", "6")
    me.fill("#diary-note", "carrying shopping")
    me.get_by_role("button", name="Save entry").tap()
    expect(me.locator("#diary-status")).to_contain_text("Saved on this phone")
    assert DiaryEntry.objects.count() == 1
    phone.set_offline(False)  # the page hears "online", sends the entry, shows the list
    expect(me.locator(".diary-entries")).to_contain_text("6/10 — carrying shopping", timeout=20000)
    assert sorted(DiaryEntry.objects.values_list("pain", flat=True)) == [3, 6]
    width = me.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the diary fits the phone's width"
    phone.close()

    page.goto(f"{live_server.url}/clients/{world.client.pk}/")
    section = page.locator("#portal")
    expect(section).to_contain_text("1/7 days")
    expect(section).to_contain_text("3/10 — after a long drive")
