"""A new API token's key is shown once: its Copy button puts it on the clipboard and says
so. Alice is Lakeside's therapist (personas)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_new_tokens_copy_button_copies_the_key(
    browser: Any, live_server: Any, alice: Any, sign_in: Any
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    sign_in(page, "/accounts/tokens/", "API tokens")
    page.fill("#id_name", "front desk script")
    page.click("text=Create token")
    key = page.locator("#new-key").input_value()
    assert len(key) > 20
    button = page.locator("button.copy-button")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box is not None and box["height"] >= 40
    button.click()
    expect(button).to_have_text("Copied", timeout=1500)
    assert page.evaluate("navigator.clipboard.readText()") == key
    context.close()
