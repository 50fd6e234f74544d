"""The session runner on a tablet beside the table (820x1180): alice starts the session,
starts a hold on the plan's first point, taps "too much" and releases; the API then shows
that hold, released, with the feedback stamped in it, and the page, reloaded, resumes from
the server's state. No script error and no Content-Security-Policy violation on the way.

The world is tests/web/records_fixtures.py's (Dan Marlowe's record at Lakeside)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from browser_kit import PHONE, TABLET, signed_in
from django.test import Client as DjangoClient
from playwright.sync_api import expect
from tests.web.records_fixtures import World

from myomap.core.kb import load_default
from myomap.core.notes import point_name
from myomap.core.session.steps import hold_steps
from myomap.visits.models import SessionEvent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_session_yet"),
]

MIN_TARGET_PX = 44


def watched(browser: Any, live_server: Any, world: World, viewport: dict[str, int]) -> Any:
    """alice's touch browser, keeping each policy violation (window.__violations)."""
    return signed_in(browser, live_server, world.alice, viewport, listen=True)


def api_state(world: World) -> dict[str, Any]:
    browser = DjangoClient()
    browser.force_login(world.alice)
    response = browser.get(f"/api/visits/{world.visit.pk}/session")
    assert response.status_code == 200, response.content
    return json.loads(response.content)["session"]  # type: ignore[no-any-return]


def test_a_hold_with_too_much_is_recorded_from_the_tablet(browser, live_server, world, artifacts):
    context = watched(browser, live_server, world, TABLET)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    first = world.visit.plan_steps.first()
    assert first is not None
    name = point_name(load_default(), first.trigger_point, first.side)

    page.goto(f"{live_server.url}/visits/{world.visit.pk}/session/")
    expect(page.locator("h1")).to_contain_text("Guided session")
    expect(page.locator("#session-status")).to_have_text("Not started yet.")
    page.click("#start-session")
    expect(page.locator("#session-status")).to_have_text("Session running.")
    expect(page.locator("#current-name")).to_have_text(name)
    expect(page.locator("#current-hold")).to_contain_text(f"{first.hold_seconds} s planned")
    # The map shows this point's marker and its referral zones, no other point's marker.
    expect(page.locator("#session-map .marker.is-current")).to_have_count(1)
    expect(page.locator("#session-map .marker.is-current")).to_have_text("1")
    assert page.locator("#session-map .region.zone-essential").count() >= 1
    expect(page.locator("#start-hold")).to_be_enabled()
    # Every control a finger uses is at least 44 px each way.
    for selector in ("#start-hold", "#release", "#stop", "#next", "[data-feedback=too-much]"):
        box = page.locator(selector).bounding_box()
        assert box["width"] >= MIN_TARGET_PX and box["height"] >= MIN_TARGET_PX, selector

    page.click("#start-hold")
    expect(page.locator("#release")).to_be_enabled()
    expect(page.locator("#timer-seconds")).to_have_text("1", timeout=3000)
    page.click("[data-feedback=too-much]")
    expect(page.locator("#holds li")).to_contain_text("too much at 1 s")
    page.screenshot(path=str(artifacts / "session-runner-tablet-holding.png"), full_page=True)
    page.click("#release")
    expect(page.locator("#queued")).to_have_text("")
    expect(page.locator("#release")).to_be_disabled()
    expect(page.locator("#holds li")).to_have_count(1)
    expect(page.locator("#holds li")).to_contain_text("Hold 1:")

    state = api_state(world)
    assert state["status"] == "running"
    assert state["active_hold"] is None
    [hold] = state["holds"]
    assert (hold["trigger_point"], hold["side"]) == (first.trigger_point, first.side)
    assert hold["technique"] == first.technique and hold["pressure"] == first.pressure
    assert hold["ended_by"] == "release"
    assert hold["seconds"] >= 1
    assert [(f["kind"], f["second"]) for f in hold["feedback"]] == [("too-much", 1)]
    # Each tap is stored once: start, go to the point, start the hold, the tap, the release.
    kinds = list(SessionEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["start-session", "go-to-point", "start-hold", "feedback", "release-hold"]

    # A reload resumes from the server's state.
    page.reload()
    expect(page.locator("#session-status")).to_have_text("Session running.")
    expect(page.locator("#current-name")).to_have_text(name)
    expect(page.locator("#holds li")).to_contain_text("too much at 1 s")
    page.screenshot(path=str(artifacts / "session-runner-tablet.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    assert page.evaluate("window.__violations") == []
    assert errors == []
    context.close()

    # The same session on a phone: one column, nothing wider than the screen.
    context = watched(browser, live_server, world, PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/visits/{world.visit.pk}/session/")
    expect(page.locator("#session-status")).to_have_text("Session running.")
    expect(page.locator("#holds li")).to_contain_text("too much at 1 s")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "session-runner-phone.png"), full_page=True)
    page.locator(".hold").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "session-runner-phone-hold.png"))
    context.close()


def test_taps_made_offline_are_sent_once_when_the_network_returns(
    browser, live_server, world, artifacts
):
    """The keyboard runs the session too; with the network gone the taps wait on the
    device, then each is recorded once, also when the device sends one again."""
    context = watched(browser, live_server, world, TABLET)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    steps = list(world.visit.plan_steps.all())
    assert len(steps) >= 2
    second = point_name(load_default(), steps[1].trigger_point, steps[1].side)

    page.goto(f"{live_server.url}/visits/{world.visit.pk}/session/")
    page.click("#start-session")
    expect(page.locator("#session-status")).to_have_text("Session running.")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#current-name")).to_have_text(second)
    expect(page.locator("#point-2")).to_have_class("is-current")
    page.fill("#tender-before", "7")
    page.keyboard.press("Tab")  # leaving the field records the value
    page.fill("#ppt-before", "3.5")
    page.keyboard.press("Tab")
    expect(page.locator("#queued")).to_have_text("")

    context.set_offline(True)
    page.locator("h1").click()  # the focus off the input, for the shortcuts
    page.keyboard.press(" ")
    expect(page.locator("#release")).to_be_enabled()
    page.wait_for_timeout(1100)
    page.keyboard.press("3")
    page.click("[data-feedback=released]")
    # The space bar releases, and is not also a click of the focused feedback button.
    page.keyboard.press(" ")
    expect(page.locator("#net")).to_contain_text("Offline")
    expect(page.locator("#queued")).to_have_text("4 taps waiting to be sent")
    expect(page.locator("#holds li")).to_contain_text("better at 1 s, released at 1 s")
    assert SessionEvent.objects.filter(kind="start-hold").count() == 0

    context.set_offline(False)
    expect(page.locator("#queued")).to_have_text("", timeout=10000)
    expect(page.locator("#net")).to_have_text("Online")
    state = api_state(world)
    [hold] = state["holds"]
    assert (hold["trigger_point"], hold["side"]) == (steps[1].trigger_point, steps[1].side)
    # Taps in one second are kept in the order of their ids (docs/session.md).
    stamps = sorted((f["kind"], f["second"]) for f in hold["feedback"])
    assert stamps == [("better", 1), ("released", 1)]
    assert hold["ended_by"] == "release" and hold["released"] is True
    [point] = [p for p in state["points"] if p["trigger_point"] == steps[1].trigger_point]
    assert point["before"] == {"tender": 7, "ppt": 3.5}
    kinds = list(SessionEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [
        "start-session",
        "go-to-point",
        "go-to-point",
        "tenderness",
        "tenderness",
        "start-hold",
        "feedback",
        "feedback",
        "release-hold",
    ]
    queue_key = f"myomap.session.{world.visit.pk}.queue"
    assert json.loads(page.evaluate(f"localStorage.getItem('{queue_key}')")) == []
    # A device that never heard the answer keeps the tap and sends it again after a
    # reload: it is recorded once.
    tap = SessionEvent.objects.filter(kind="feedback").first()
    assert tap is not None
    again = {
        "event_id": tap.event_id,
        "kind": "feedback",
        "at": tap.at.isoformat(),
        "fields": {"kind": "better"},
    }
    page.evaluate(f"localStorage.setItem('{queue_key}', JSON.stringify([{json.dumps(again)}]))")
    page.reload()
    expect(page.locator("#session-status")).to_have_text("Session running.")
    expect(page.locator("#queued")).to_have_text("")
    assert json.loads(page.evaluate(f"localStorage.getItem('{queue_key}')")) == []
    assert SessionEvent.objects.filter(kind="feedback").count() == 2
    assert sorted(f["kind"] for f in api_state(world)["holds"][0]["feedback"]) == [
        "better",
        "released",
    ]
    page.screenshot(path=str(artifacts / "session-runner-tablet-after-offline.png"))
    assert errors == []
    context.close()


# Keeps the device's vibrations (the page's cues: a short one at each pressure step, two at
# the planned seconds).
VIBRATE = "window.__vibrated = []; navigator.vibrate = (p) => window.__vibrated.push(p) > 0;"
END_CUE = [200, 100, 200]
STEP_CUE = 150


def test_the_planned_seconds_cue_and_the_release_at_the_techniques_limit(
    browser, live_server, world, artifacts
):
    """At each pressure step of the stepped hold (ischemic compression in three steps, from
    the knowledge base) the device vibrates briefly and the page says which step; at the
    planned seconds it vibrates (and beeps) the end cue once; a hold still running
    at its technique's longest hold is released by the page at that limit, which the
    server records as the hold's end. Pain now at the start, two "too much" in one hold
    show the repeated-discomfort suggestion, a skipped point keeps its reason, a point found
    on the way is added and held, and the session ends from the page."""
    context = watched(browser, live_server, world, TABLET)
    context.add_init_script(VIBRATE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.clock.install()
    first = world.visit.plan_steps.first()
    assert first is not None

    page.goto(f"{live_server.url}/visits/{world.visit.pk}/session/")
    page.click("#start-session")
    expect(page.locator("#session-status")).to_have_text("Session running.")
    page.fill("#pain-start", "6")
    page.keyboard.press("Tab")
    page.click("#start-hold")
    expect(page.locator("#release")).to_be_enabled()
    page.clock.run_for(2000)
    page.click("[data-feedback=too-much]")
    page.clock.run_for(1000)
    page.click("[data-feedback=too-much]")
    expect(page.locator("#suggestion")).to_be_visible()
    expect(page.locator("#suggestion")).to_contain_text("lighter pressure")
    page.screenshot(path=str(artifacts / "session-runner-tablet-suggestion.png"))
    assert page.evaluate("window.__vibrated") == []
    stepped = hold_steps(load_default(), first.technique, first.hold_seconds)
    assert stepped is not None and len(stepped.seconds) == 2  # three steps
    two, three = stepped.seconds
    expect(page.locator("#current-hold")).to_contain_text(
        f"3 pressure steps, cued at {two} s, {three} s"
    )
    page.clock.run_for((two - 3) * 1000 + 500)  # half a second into the second step
    expect(page.locator("#timer-note")).to_contain_text("Pressure step 2 of 3")
    assert page.evaluate("window.__vibrated") == [STEP_CUE]
    page.clock.run_for((three - two) * 1000)
    expect(page.locator("#timer-note")).to_contain_text("Pressure step 3 of 3")
    assert page.evaluate("window.__vibrated") == [STEP_CUE, STEP_CUE]
    page.clock.run_for((first.hold_seconds - three) * 1000)
    expect(page.locator("#timer")).to_have_class("timer over")  # a warning colour
    expect(page.locator("#timer-note")).to_contain_text(f"planned {first.hold_seconds} s are up")
    assert page.evaluate("window.__vibrated") == [STEP_CUE, STEP_CUE, END_CUE]
    state = api_state(world)
    longest = state["active_hold"]["longest"]
    assert longest is not None and longest > first.hold_seconds
    page.clock.run_for((longest - first.hold_seconds) * 1000 + 1000)
    expect(page.locator("#release")).to_be_disabled()
    expect(page.locator("#timer-note")).to_contain_text(f"{longest} s limit")
    expect(page.locator("#queued")).to_have_text("")

    state = api_state(world)
    assert state["active_hold"] is None
    [hold] = state["holds"]
    assert hold["ended_by"] == "release" and hold["seconds"] == longest
    stamps = [(f["kind"], f["second"]) for f in hold["feedback"]]
    assert stamps == [("too-much", 2), ("too-much", 3)]
    assert state["pain_start"] == 6
    assert state["suggestion"]["action"] == "lighter-pressure"
    assert page.evaluate("window.__vibrated") == [STEP_CUE, STEP_CUE, END_CUE]

    # The second point is skipped, saying why: the runner goes on to the third.
    steps = list(world.visit.plan_steps.all())
    kb = load_default()
    page.click("#next")
    expect(page.locator("#current-name")).to_have_text(
        point_name(kb, steps[1].trigger_point, steps[1].side)
    )
    page.click("#skip")
    page.click("[data-skip-reason='client declined']")
    expect(page.locator("#current-name")).to_have_text(
        point_name(kb, steps[2].trigger_point, steps[2].side)
    )
    expect(page.locator("#point-2")).to_have_class("is-skipped")
    expect(page.locator("#queued")).to_have_text("")
    skipped = {(p["trigger_point"], p["side"]): p["skipped"] for p in api_state(world)["points"]}
    assert skipped[(steps[1].trigger_point, steps[1].side)] == "client declined"
    assert skipped[(steps[2].trigger_point, steps[2].side)] is None

    # A point found on the way is added with its technique, and held like a planned one.
    page.click("#add-point summary")
    page.select_option("#add-tp", "piriformis-medial")
    page.select_option("#add-side", "right")
    page.select_option("#add-technique", "ischemic-compression")
    page.locator("#add-point").screenshot(path=str(artifacts / "session-runner-add-point.png"))
    page.click("#add-go")
    added = point_name(kb, "piriformis-medial", "right")
    expect(page.locator("#current-name")).to_have_text(added)
    expect(page.locator("#session-plan li")).to_have_count(len(steps) + 1)
    expect(page.locator("#session-plan li.added")).to_contain_text("added on the way")
    page.click("#start-hold")
    page.clock.run_for(2000)
    page.click("#release")
    expect(page.locator("#queued")).to_have_text("")
    state = api_state(world)
    [extra] = [p for p in state["points"] if not p["planned"]]
    assert (extra["trigger_point"], extra["side"]) == ("piriformis-medial", "right")
    assert state["holds"][-1]["trigger_point"] == "piriformis-medial"
    assert state["holds"][-1]["technique"] == "ischemic-compression"
    # After a reload the added point is still in the list, after the plan's points.
    page.reload()
    expect(page.locator("#session-plan li")).to_have_count(len(steps) + 1)
    expect(page.locator("#current-name")).to_have_text(added)
    expect(page.locator("#holds li")).to_contain_text("Hold 1: 2 s")

    page.click("#end-session")
    page.click("#confirm-yes")  # "End the session now?"
    expect(page.locator("#session-status")).to_contain_text("Session ended")
    expect(page.locator("#start-session")).to_have_text("Start another session")
    assert api_state(world)["status"] == "ended"
    assert errors == []
    context.close()


@pytest.mark.parametrize("viewport", ["tablet", "phone"])
def test_the_runner_has_no_critical_or_serious_accessibility_violation(
    browser, live_server, world, viewport
):
    """axe-core on the runner before the session and during a hold (its controls then
    enabled), and no element id used twice."""
    from axe_playwright_python.sync_playwright import Axe
    from tests.browser.test_accessibility import DUPLICATE_IDS_JS, blocking

    axe = Axe()
    size = {"tablet": TABLET, "phone": PHONE}[viewport]
    context = watched(browser, live_server, world, size)
    page = context.new_page()
    page.goto(f"{live_server.url}/visits/{world.visit.pk}/session/")
    expect(page.locator("#session-status")).to_have_text("Not started yet.")
    found = blocking(axe.run(page))
    page.click("#start-session")
    page.click("#start-hold")
    expect(page.locator("#release")).to_be_enabled()
    found += blocking(axe.run(page))
    found += [f"duplicate id {i!r}" for i in page.evaluate(DUPLICATE_IDS_JS)]
    page.click("#release")
    expect(page.locator("#queued")).to_have_text("")  # nothing in flight at the teardown
    context.close()
    assert not found, "\n".join(found)


def test_a_refused_tap_says_why_and_the_page_shows_the_servers_state(browser, live_server, world):
    """The session ended on another device: the tablet's next tap is refused with the
    server's reason, dropped from the device's queue, and the page shows the session
    ended, as the server has it."""
    from myomap.audit.log import Context
    from myomap.visits import session_actions

    context = watched(browser, live_server, world, TABLET)
    page = context.new_page()
    page.goto(f"{live_server.url}/visits/{world.visit.pk}/session/")
    page.click("#start-session")
    expect(page.locator("#session-status")).to_have_text("Session running.")
    expect(page.locator("#queued")).to_have_text("")
    # The first point goes to the server just after the start: let it land (a loaded
    # machine may take a moment), so the end comes after both, as on another device.
    for _ in range(200):
        if SessionEvent.objects.filter(kind="go-to-point").exists():
            break
        page.wait_for_timeout(50)
    # The page's reads of the state (every 400 ms) are held back, so that the tap, not a
    # read, is what first meets the ended session (on a slow machine a read came first).
    api = f"**/api/visits/{world.visit.pk}/session"
    page.route(api, lambda r: r.abort() if r.request.method == "GET" else r.continue_())
    page.wait_for_timeout(500)  # a read already on its way has come back
    session_actions.end_session(Context(user=world.alice, via="cli"), world.visit)

    page.click("#next")
    expect(page.locator("#message")).to_contain_text("Not recorded (going to a point)")
    expect(page.locator("#message")).to_have_class("runner-message refused")
    page.unroute(api)  # the page reads the server's state after a refusal
    expect(page.locator("#session-status")).to_contain_text("Session ended")
    expect(page.locator("#queued")).to_have_text("")
    queue_key = f"myomap.session.{world.visit.pk}.queue"
    assert json.loads(page.evaluate(f"localStorage.getItem('{queue_key}')")) == []
    # Stored: the start, the first point (sent on the start) and the end; not the tap.
    kinds = list(SessionEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["start-session", "go-to-point", "end-session"]
    context.close()


def test_without_javascript_the_page_shows_the_plan_and_says_the_runner_needs_it(
    browser, live_server, world, artifacts
):
    context = signed_in(browser, live_server, world.alice, TABLET, javascript=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/visits/{world.visit.pk}/session/")
    expect(page.get_by_text("The session runner needs JavaScript")).to_be_visible()
    expect(page.locator("#runner")).to_be_hidden()
    expect(page.locator("#session-plan li")).to_have_count(world.visit.plan_steps.count())
    expect(page.locator("#session-plan li").first).to_be_visible()
    page.screenshot(path=str(artifacts / "session-runner-no-javascript.png"))
    context.close()

    # With its script, the page no longer says so.
    context = watched(browser, live_server, world, TABLET)
    page = context.new_page()
    page.goto(f"{live_server.url}/visits/{world.visit.pk}/session/")
    expect(page.locator("#runner")).to_be_visible()
    expect(page.get_by_text("The session runner needs JavaScript")).to_be_hidden()
    expect(page.locator("#session-status")).to_have_text("Not started yet.")
    context.close()
