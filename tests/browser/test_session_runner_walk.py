"""The session runner as a new therapist walks it on a tablet (1024x768 on its side and
768x1024 upright, touch): the point's name, the timer, the hold buttons and the feedback
are on the first screen together; the client's stop from their phone raises a banner over
the page and the status line says who stopped; the therapist's own Stop (Esc) is stored as
theirs; ending the session and starting another each ask first, and the runner stays on
the point it ended at; a value off the scale is refused beside its field and a good one
says "Saved"; the plan's points are tapped to go to them; Space on a button reached with
the keyboard presses that button; the client's phone's QR code opens in a dialog on the
runner, warning that a phone cannot reach a localhost link.

The world is tests/web/records_fixtures.py's (Dan Marlowe's record at Lakeside)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from browser_kit import signed_in
from django.test import Client as DjangoClient
from playwright.sync_api import expect
from tests.web.records_fixtures import World

from myomap.core.kb import load_default
from myomap.core.notes import point_name
from myomap.visits import pad_tokens
from myomap.visits.models import SessionEvent, SessionRun

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_session_yet"),
]

LANDSCAPE = {"width": 1024, "height": 768}
PORTRAIT = {"width": 768, "height": 1024}
MIN_TARGET_PX = 44


def tablet(browser: Any, live_server: Any, world: World, viewport: dict[str, int]) -> Any:
    return signed_in(browser, live_server, world.alice, viewport)


def opened(context: Any, live_server: Any, world: World) -> tuple[Any, list[str]]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/visits/{world.visit.pk}/session/")
    page.click("#start-session")
    expect(page.locator("#session-status")).to_have_text("Session running.")
    return page, errors


def inside(page: Any, selector: str, viewport: dict[str, int]) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= viewport["width"] + 0.5, (selector, box)
    assert box["y"] + box["height"] <= viewport["height"] + 0.5, (selector, box)
    return box  # type: ignore[no-any-return]


def closed(page: Any, context: Any) -> None:
    """Close the tablet once every tap it made is stored (none in flight at teardown)."""
    expect(page.locator("#queued")).to_have_text("")
    page.wait_for_timeout(300)
    context.close()


def pad_tap(world: World, kind: str) -> None:
    """The client taps on their own phone (the pad's own address, no login)."""
    run = SessionRun.objects.get(visit=world.visit, ended_at__isnull=True)
    token = pad_tokens.make_token(run, world.alice)
    now = dt.datetime.now(dt.UTC).isoformat()
    body = {"id": f"phone-{kind}", "kind": kind, "at": now, "sent": now}
    answer = DjangoClient().post(
        f"/pad/{token}/events", json.dumps(body), content_type="application/json"
    )
    assert answer.status_code == 200, answer.content[:300]


@pytest.mark.parametrize("viewport", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_the_point_the_timer_the_hold_buttons_and_the_feedback_fit_the_first_screen(
    browser, live_server, world, artifacts, viewport
):
    context = tablet(browser, live_server, world, viewport)
    page, errors = opened(context, live_server, world)
    page.screenshot(path=str(artifacts / f"session-runner-{viewport['width']}-holding.png"))
    print(
        "before",
        page.evaluate(
            "[window.scrollY, document.activeElement.id, document.documentElement.scrollHeight]"
        ),
    )
    page.click("#start-hold")
    print("after", page.evaluate("[window.scrollY, document.activeElement.id]"))
    expect(page.locator("#release")).to_be_enabled()
    print("after2", page.evaluate("[window.scrollY, document.activeElement.id]"))
    assert page.evaluate("window.scrollY") == 0
    for selector in ("#current-name", "#timer", "#start-hold", "#release", "#stop", "#timer-note"):
        inside(page, selector, viewport)
    for kind in ("too-much", "too-little", "better", "worse", "released", "stop"):
        box = inside(page, f"[data-feedback={kind}]", viewport)
        assert box["height"] >= MIN_TARGET_PX and box["width"] >= MIN_TARGET_PX
    inside(page, "[data-feedback=referral-reproduced]", viewport)
    expect(page.locator("#timer-note")).to_have_text("Holding…")
    name = page.locator("#current-name").inner_text()

    # The client taps Stop on their phone: a banner over the page, whatever is scrolled,
    # and the status line says who stopped.
    page.mouse.wheel(0, 600)
    pad_tap(world, "stop")
    alert = page.get_by_role("alert").filter(has_text="STOP")
    expect(alert).to_be_visible(timeout=5000)
    inside(page, "#client-alert", viewport)
    expect(page.locator("#timer-note")).to_contain_text("Stopped by the client on their phone")
    expect(page.locator("#holds li").first).to_contain_text("stopped by the client on their phone")
    page.screenshot(path=str(artifacts / f"session-runner-{viewport['width']}-client-stop.png"))
    page.click("#client-alert-ok")
    expect(page.locator("#client-alert")).to_be_hidden()
    [hold] = SessionRun.objects.get(visit=world.visit).state["session"]["holds"]
    assert hold[7] == "stop" and hold[9] == "pad"

    # The next point starts with an empty status line, not the last point's.
    page.mouse.wheel(0, -2000)
    page.click("#next")
    expect(page.locator("#current-name")).not_to_have_text(name)
    expect(page.locator("#timer-note")).to_have_text("")
    expect(page.locator("#timer-seconds")).to_have_text("0")
    assert errors == []
    closed(page, context)


def test_the_therapists_stop_the_clients_word_and_the_release_each_say_so(
    browser, live_server, world
):
    context = tablet(browser, live_server, world, LANDSCAPE)
    page, errors = opened(context, live_server, world)
    page.click("#start-hold")
    expect(page.locator("#timer-note")).to_have_text("Holding…")
    page.keyboard.press("Escape")
    expect(page.locator("#timer-note")).to_have_text("Stopped by you after 0 s.", timeout=3000)
    page.keyboard.press(" ")
    expect(page.locator("#timer-note")).to_have_text("Holding…")
    page.click("[data-feedback=stop]")  # "Client said stop"
    expect(page.locator("#timer-note")).to_contain_text("the client said stop")
    page.keyboard.press(" ")
    expect(page.locator("#release")).to_be_enabled()
    page.wait_for_timeout(1100)
    page.keyboard.press(" ")
    expect(page.locator("#timer-note")).to_contain_text("Released after 1 s.")
    expect(page.locator("#queued")).to_have_text("")
    stops = SessionEvent.objects.filter(kind="feedback").order_by("id")
    assert [(e.fields["kind"], e.fields.get("by")) for e in stops] == [
        ("stop", "therapist"),
        ("stop", "client"),
    ]
    expect(page.locator("#holds li").nth(0)).to_contain_text("stopped by you")
    expect(page.locator("#holds li").nth(1)).to_contain_text("the client said stop")
    # One numbering only: the list is not numbered again before "Hold 1:".
    assert page.eval_on_selector("#holds", "el => el.tagName") == "UL"
    assert errors == []
    closed(page, context)


def test_ending_and_starting_another_session_ask_first_and_the_runner_stays_on_its_point(
    browser, live_server, world
):
    context = tablet(browser, live_server, world, LANDSCAPE)
    page, errors = opened(context, live_server, world)
    page.click("#next")
    page.click("#next")
    name = page.locator("#current-name").inner_text()
    count = page.locator("#current-count").inner_text()
    page.click("#end-session")
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("End the session now?")
    page.click("#confirm-no")
    expect(dialog).to_be_hidden()
    assert SessionRun.objects.get(visit=world.visit).ended_at is None
    page.click("#end-session")
    page.click("#confirm-yes")
    expect(page.locator("#session-status")).to_contain_text("Session ended at ")
    assert SessionRun.objects.get(visit=world.visit).ended_at is not None
    expect(page.locator("#current-name")).to_have_text(name)
    expect(page.locator("#current-count")).to_have_text(count.replace(" (not started)", ""))
    # 24-hour clock, as everywhere else ("ended at 14:05", never "2:05 PM")
    assert "M." not in page.locator("#session-status").inner_text()

    page.click("#start-session")  # now "Start another session"
    expect(dialog).to_contain_text("Start another session")
    page.click("#confirm-no")
    assert SessionRun.objects.filter(visit=world.visit).count() == 1
    page.click("#start-session")
    page.click("#confirm-yes")
    expect(page.locator("#session-status")).to_have_text("Session running.")
    assert SessionRun.objects.filter(visit=world.visit).count() == 2
    # "Session started." goes away by itself.
    expect(page.locator("#message")).to_have_text("", timeout=6000)
    assert errors == []
    closed(page, context)


def test_a_value_off_the_scale_is_refused_beside_its_field_and_a_good_one_says_saved(
    browser, live_server, world
):
    context = tablet(browser, live_server, world, LANDSCAPE)
    page, errors = opened(context, live_server, world)
    page.fill("#tender-before", "12")
    page.keyboard.press("Tab")
    said = page.locator("#tender-before-said")
    expect(said).to_contain_text("whole number from 0 to 10, not 12")
    expect(page.locator("#tender-before")).to_have_attribute("aria-invalid", "true")
    box, field = said.bounding_box(), page.locator("#tender-before").bounding_box()
    assert box and field and abs(box["y"] - (field["y"] + field["height"])) < 40  # beside it
    assert SessionEvent.objects.filter(kind="tenderness").count() == 0
    page.fill("#tender-before", "7")
    page.keyboard.press("Tab")
    expect(said).to_have_text("Saved ✓")
    expect(page.locator("#tender-before")).not_to_have_attribute("aria-invalid", "true")
    [row] = SessionEvent.objects.filter(kind="tenderness")
    assert row.fields["value"] == 7 and row.fields["when"] == "before"
    assert errors == []
    closed(page, context)


def test_plan_points_are_tapped_to_go_to_them_and_space_presses_a_focused_button(
    browser, live_server, world
):
    context = tablet(browser, live_server, world, LANDSCAPE)
    page, errors = opened(context, live_server, world)
    steps = list(world.visit.plan_steps.all())
    kb = load_default()
    third = point_name(kb, steps[2].trigger_point, steps[2].side)
    page.locator("#point-3 .plan-go").click()
    expect(page.locator("#current-name")).to_have_text(third)
    expect(page.locator("#point-3")).to_have_class("is-current")
    # Targets a finger uses: 44 px or more.
    for selector in ("#point-3 .plan-go", "#pad-open", ".point-steps summary"):
        found = page.locator(selector)
        if found.count():
            box = found.first.bounding_box()
            assert box and box["height"] >= MIN_TARGET_PX, (selector, box)
    # Space on "Next point" reached with the keyboard presses it (no hold starts).
    fourth = point_name(kb, steps[3].trigger_point, steps[3].side)
    page.locator("#previous").focus()
    page.keyboard.press("Tab")  # to "Next point"
    assert page.evaluate("document.activeElement.id") == "next"
    page.keyboard.press(" ")
    expect(page.locator("#current-name")).to_have_text(fourth)
    expect(page.locator("#start-hold")).to_be_enabled()
    assert SessionEvent.objects.filter(kind="start-hold").count() == 0
    # After a tap on a button, Space is the hold's shortcut again.
    page.click("#previous")
    page.keyboard.press(" ")
    expect(page.locator("#release")).to_be_enabled()
    assert errors == []
    closed(page, context)


def test_the_clients_phone_link_opens_in_a_dialog_on_the_runner_and_warns_of_localhost(
    browser, live_server, world, artifacts
):
    context = tablet(browser, live_server, world, PORTRAIT)
    page, errors = opened(context, live_server, world)
    url = page.url
    page.click("#pad-open")
    dialog = page.locator("#pad-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#pad-dialog-qr")).to_be_visible()
    assert page.eval_on_selector("#pad-dialog-qr", "img => img.naturalWidth") > 0
    link = page.locator("#pad-dialog-link").get_attribute("href")
    assert link and "/pad/" in link
    # The live server is on localhost: a phone cannot reach it, and the dialog says so.
    expect(dialog).to_contain_text("a phone cannot open it")
    expect(dialog).to_contain_text("--host")
    page.screenshot(path=str(artifacts / "session-runner-pad-dialog.png"))
    page.click("#pad-close")
    expect(dialog).to_be_hidden()
    assert page.url == url  # the runner was never left
    expect(page.locator("#session-status")).to_have_text("Session running.")
    assert errors == []
    closed(page, context)
