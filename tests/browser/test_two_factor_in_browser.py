"""Two-factor sign-in on a phone (390x844): set up the app from its QR code, see the
recovery codes once, sign out, and sign in again with the password and then the code.

alice (therapist at Lakeside) is tests/personas.py's; the app's codes are computed here
from the device's key with django-otp's TOTP helper."""

from __future__ import annotations

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_kit import PHONE
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(device: TOTPDevice, later: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + later
    return f"{totp.token():0{device.digits}d}"


def serious_violations(page) -> list[str]:
    """axe-core's critical and serious findings on the page, one line each."""
    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}) at {node['target']}"
        for v in found
        if v["impact"] in ("critical", "serious")
        for node in v["nodes"]
    ]


def sign_in_with_password(page, url: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/?next=/clients/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_a_therapist_sets_up_two_factor_and_signs_in_with_it_on_a_phone(
    browser, live_server, alice, password, artifacts
):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    sign_in_with_password(page, live_server.url, password)
    expect(page.locator("h1")).to_have_text("Clients")  # no app yet: nothing asked

    page.click(".account-menu summary")
    page.click("a:has-text('Two-factor')")
    expect(page.locator("h1")).to_have_text("Two-factor sign-in")
    page.click("button:has-text('Set up two-factor sign-in')")
    qr = page.locator("img.qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code loads"
    expect(page.locator("#secret")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "two-factor-setup-phone.png"), full_page=True)
    assert serious_violations(page) == []

    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    page.fill("#id_code", code_for(device))
    page.click("button:has-text('Turn on two-factor sign-in')")
    expect(page.locator("h2", has_text="Your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "two-factor-codes-phone.png"), full_page=True)
    assert serious_violations(page) == []

    page.click("button:has-text('Sign out')")
    sign_in_with_password(page, live_server.url, password)
    expect(page.locator("h1")).to_have_text("Enter your code")
    page.fill("#id_code", "000000")
    page.click("button:has-text('Sign in')")
    expect(page.locator(".field-error")).to_contain_text("That code is not right.")
    page.screenshot(path=str(artifacts / "two-factor-wrong-code-phone.png"), full_page=True)
    assert serious_violations(page) == []

    time.sleep(1.1)  # django-otp's back-off after a wrong code
    device.refresh_from_db()
    # The code at set-up used this time step: the app's next one is the one accepted now.
    page.fill("#id_code", code_for(device, later=device.step))
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text("Clients")
    context.close()
