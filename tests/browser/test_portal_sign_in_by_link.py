"""Signing in by an e-mailed link on a phone (390x844): from the sign-in page Dan asks
for a link, opens it from the e-mail, taps Sign in and lands on today's program, with his
last session's summary and the reminder's time zone; the same link a second time says it
was used and offers a new one.

The world is tests/web/records_fixtures.py's (Dan Marlowe's signed visit)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from myomap.accounts import outbox
from myomap.clients.models import Client
from myomap.program.models import SignInLink
from web.records_fixtures import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(live_server: Any) -> World:
    world = build_world()
    Client.objects.filter(pk=world.client.pk).update(email="dan@example.org")
    return world


def test_a_client_signs_in_with_an_e_mailed_link_on_a_phone(
    browser: Any, live_server: Any, world: World, mail_folder: Any
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("link", name="E-mail me a sign-in link").click()
    page.get_by_label("Your e-mail address").fill("dan@example.org")
    page.get_by_role("button", name="E-mail me a link").click()
    expect(page.get_by_role("status")).to_contain_text("a sign-in link is on its way")

    since = timezone.now() - dt.timedelta(days=1)
    mail = outbox.read(mail_folder, world.lakeside.pk, {"dan@example.org"}, since)
    assert len(mail) == 1
    found = re.search(r"http://\S+?(/portal/sign-in/\S+/)", mail[0].body)
    assert found is not None
    link = live_server.url + found.group(1)

    page.goto(link)
    expect(page.get_by_role("heading", name="Sign in to your home program")).to_be_visible()
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/me/")
    expect(page.get_by_role("heading", name="Your last session")).to_be_visible()
    expect(page.locator("#last-session")).to_contain_text("with Alice Moss")
    expect(page.get_by_label("Time zone")).to_have_value("UTC")
    assert SignInLink.objects.get().used_at is not None
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    other = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    second = other.new_page()
    second.goto(link)
    expect(second.get_by_role("alert")).to_contain_text("already been used")
    expect(second.get_by_role("link", name="E-mail me a new sign-in link")).to_be_visible()
    other.close()
    context.close()
