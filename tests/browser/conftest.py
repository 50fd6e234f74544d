"""Playwright driving Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the Django calls these tests
# make (creating users) are ordinary blocking calls, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("MYOMAP_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def sign_in(live_server: Any, password: str) -> Any:
    """sign_in(page, path, heading): open `path`, sign in as alice, expect `heading`."""
    from playwright.sync_api import expect

    def go(page: Any, path: str, heading: str) -> None:
        page.goto(f"{live_server.url}{path}")
        page.fill("#id_username", "alice")
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text(heading)

    return go


@pytest.fixture
def world(live_server: Any) -> Any:
    """The shared world of tests/web/records_fixtures.py (Dan Marlowe's record at Lakeside),
    served by the live server. A test file may define its own `world` over this one."""
    from tests.web.records_fixtures import build_world

    return build_world()


@pytest.fixture
def no_session_yet(world: Any) -> None:
    """The world's planned visit with no session started (the session tests start it on the
    tablet): use with `pytest.mark.usefixtures("no_session_yet")`."""
    from myomap.visits.models import SessionRun

    SessionRun.objects.filter(visit=world.visit).delete()
