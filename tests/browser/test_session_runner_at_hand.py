"""The session runner under a new therapist's hands, on a phone (390x844), a tablet upright
(820x1180) and on its side (1024x768): typing in a measurement field types and runs no
shortcut (only Esc still stops a hold); the point found on the way is found by typing part
of its name; a point tapped in the plan brings its hold controls into view; the pressure
step's cue moves no button; the client's phone dialog fits the screen.

The world is tests/web/records_fixtures.py's (Dan Marlowe's record at Lakeside)."""

from __future__ import annotations

from typing import Any

import pytest
from browser_kit import PHONE, TABLET, signed_in
from playwright.sync_api import expect
from tests.web.records_fixtures import World

from myomap.core.kb import load_default
from myomap.core.notes import point_name
from myomap.core.session.rules import session_rules
from myomap.core.session.steps import hold_steps
from myomap.visits.models import SessionEvent, SessionRun

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_session_yet"),
]

LANDSCAPE = {"width": 1024, "height": 768}
SIZES = {"phone": PHONE, "tablet": TABLET, "landscape": LANDSCAPE}
MIN_TARGET_PX = 44


def opened(browser: Any, live_server: Any, world: World, viewport: dict[str, int]) -> Any:
    """The runner's browser on a touch device of this size: (context, page, script errors)."""
    context = signed_in(browser, live_server, world.alice, viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def start(page: Any, live_server: Any, world: World) -> None:
    page.goto(f"{live_server.url}/visits/{world.visit.pk}/session/")
    page.click("#start-session")
    expect(page.locator("#session-status")).to_have_text("Session running.")
    expect(page.locator("#queued")).to_have_text("")


def in_view(page: Any, selector: str) -> dict[str, float]:
    """The element is wholly inside the viewport and is what a finger at its centre
    touches (not covered, not scrolled away inside a box)."""
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    size = page.viewport_size
    assert box["x"] >= -0.5 and box["y"] >= -0.5, (selector, box)
    assert box["x"] + box["width"] <= size["width"] + 0.5, (selector, box, size)
    assert box["y"] + box["height"] <= size["height"] + 0.5, (selector, box, size)
    hit = page.evaluate(
        "([x, y, s]) => { const e = document.elementFromPoint(x, y);"
        " const want = document.querySelector(s); return !!e && want.contains(e); }",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, selector],
    )
    assert hit, f"{selector} is covered or clipped at its centre"
    return box  # type: ignore[no-any-return]


def closed(page: Any, context: Any, errors: list[str]) -> None:
    """Close the device once every tap it made is stored (none in flight at teardown)."""
    expect(page.locator("#queued")).to_have_text("")
    page.wait_for_timeout(300)
    assert errors == []
    context.close()


def test_typing_in_a_field_types_and_only_esc_still_stops_the_hold(browser, live_server, world):
    """A space, a digit or an arrow typed in a measurement field goes into the field: it
    starts no hold, taps no feedback (7 is "stop") and moves to no other point. Esc in a
    field still stops a running hold, as the therapist's own stop."""
    context, page, errors = opened(browser, live_server, world, LANDSCAPE)
    start(page, live_server, world)
    name = page.locator("#current-name").inner_text()

    # No hold yet: Space and the arrows in "pain now" start nothing and move nowhere.
    page.locator("#pain-start").click()
    page.keyboard.type("5")
    page.keyboard.press(" ")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#pain-start")).to_have_value("5")
    expect(page.locator("#start-hold")).to_be_enabled()
    expect(page.locator("#current-name")).to_have_text(name)
    # Space in the skip's own reason is a space of the reason.
    page.click("#skip")
    page.locator("#skip-other").click()
    page.keyboard.type("cold hands 2")
    expect(page.locator("#skip-other")).to_have_value("cold hands 2")
    expect(page.locator("#start-hold")).to_be_enabled()
    page.click("#skip")  # closed again, nothing skipped
    # Space on the "point found on the way" summary reached with Tab opens it.
    page.locator("#add-point summary").focus()
    page.keyboard.press(" ")
    expect(page.locator("#add-point")).to_have_attribute("open", "")
    expect(page.locator("#start-hold")).to_be_enabled()
    page.locator("#add-point summary").click()  # closed again

    # During a hold: the digits typed in the tenderness field are the tenderness.
    page.click("#start-hold")
    expect(page.locator("#release")).to_be_enabled()
    page.locator("#tender-before").click()
    for key in ("7", "1", "3", "Backspace", "Backspace", " ", "ArrowRight", "ArrowLeft"):
        page.keyboard.press(key)
    expect(page.locator("#tender-before")).to_have_value("7")
    page.locator("#ppt-before").click()
    page.keyboard.type("4.5")
    expect(page.locator("#ppt-before")).to_have_value("4.5")
    page.wait_for_timeout(300)
    expect(page.locator("#release")).to_be_enabled()  # still holding
    expect(page.locator("#holds li")).to_have_count(1)
    expect(page.locator("#holds li")).not_to_contain_text("—")  # no feedback in it
    expect(page.locator("#current-name")).to_have_text(name)

    # Esc in a field: the hold stops at once, the therapist's stop.
    page.keyboard.press("Escape")
    expect(page.locator("#release")).to_be_disabled()
    expect(page.locator("#timer-note")).to_contain_text("Stopped by you")
    expect(page.locator("#queued")).to_have_text("")
    taps = SessionEvent.objects.filter(kind="feedback")
    assert [(e.fields["kind"], e.fields.get("by")) for e in taps] == [("stop", "therapist")]
    assert SessionEvent.objects.filter(kind="start-hold").count() == 1
    assert SessionEvent.objects.filter(kind="skip-point").count() == 0
    assert SessionEvent.objects.filter(kind="go-to-point").count() == 1  # the first point
    # Leaving a field records what was typed in it: the tenderness, then its threshold.
    page.keyboard.press("Tab")
    expect(page.locator("#ppt-before-said")).to_have_text("Saved ✓")
    tender = SessionEvent.objects.filter(kind="tenderness").order_by("id")
    assert [(e.fields["when"], e.fields["value"], e.fields["ppt"]) for e in tender] == [
        ("before", 7, None),
        ("before", 7, 4.5),
    ]
    closed(page, context, errors)


@pytest.mark.parametrize("size", ["phone", "tablet"])
def test_the_point_found_on_the_way_is_found_by_typing_part_of_its_name(
    browser, live_server, world, artifacts, size
):
    """The picker of a point found on the way lists every trigger point of the knowledge
    base; typed into, its search narrows the list to the points whose name, muscle or the
    muscle's other names hold every word typed ("glut med", "QL"), says how many, and says
    so when none does (nothing is then added). It is a finger's size and fits the phone."""
    kb = load_default()
    total = len(kb.trigger_points)
    context, page, errors = opened(browser, live_server, world, SIZES[size])
    start(page, live_server, world)
    page.click("#add-point summary")
    find = page.locator("#add-tp-find")
    expect(find).to_be_visible()
    box = find.bounding_box()
    assert box and box["height"] >= MIN_TARGET_PX
    assert box["x"] + box["width"] <= SIZES[size]["width"]
    expect(page.locator("#add-tp option")).to_have_count(total)
    expect(page.locator("#add-tp-found")).to_have_text(f"{total} trigger points")

    # The points whose name reads as typed come first, the best one chosen.
    find.fill("glut MED")
    medius = sorted(t.name for t in kb.trigger_points.values() if t.muscle == "gluteus-medius")
    options = page.locator("#add-tp option")
    expect(options.first).to_have_text(medius[0])
    shown = options.all_inner_texts()
    assert shown[: len(medius)] == medius and len(shown) < total
    assert all("medi" in name.lower() for name in shown)
    expect(page.locator("#add-tp-found")).to_have_text(f"{len(shown)} of {total} match")
    chosen = page.eval_on_selector("#add-tp", "s => s.options[s.selectedIndex].textContent")
    assert chosen == medius[0]
    page.locator("#add-point").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"session-runner-add-point-find-{size}.png"))
    # The muscle's other name finds it too ("QL" is quadratus lumborum).
    find.fill("ql")
    ql = sorted(t.name for t in kb.trigger_points.values() if t.muscle == "quadratus-lumborum")
    expect(options).to_have_count(len(ql))
    assert options.all_inner_texts() == ql
    # Nothing matches: it says so, and nothing can be added.
    find.fill("zzz")
    expect(page.locator("#add-tp option")).to_have_count(0)
    expect(page.locator("#add-tp-found")).to_contain_text("No trigger point matches “zzz”")
    expect(page.locator("#add-go")).to_be_disabled()
    # Typed with the keyboard: the list narrows at each letter; Enter goes on to the list.
    find.fill("")
    expect(page.locator("#add-tp option")).to_have_count(total)
    find.click()
    page.keyboard.type("piriformis med")
    expect(options).to_have_count(1)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "add-tp"
    expect(page.locator("#add-tp")).to_have_value("piriformis-medial")
    page.select_option("#add-side", "right")
    expect(page.locator("#add-go")).to_be_enabled()
    page.click("#add-go")
    added = point_name(kb, "piriformis-medial", "right")
    expect(page.locator("#current-name")).to_have_text(added)
    expect(page.locator("#session-plan li.added")).to_contain_text("added on the way")
    # The page is back at the added point's hold controls.
    page.wait_for_timeout(200)
    for selector in ("#hold-point" if size == "phone" else "#current-name", "#start-hold"):
        in_view(page, selector)
    expect(page.locator("#queued")).to_have_text("")
    [event] = SessionEvent.objects.filter(kind="add-point")
    assert event.fields == {"trigger_point": "piriformis-medial", "side": "right"}
    closed(page, context, errors)


@pytest.mark.parametrize("size", ["phone", "tablet", "landscape"])
def test_a_point_tapped_in_the_plan_brings_its_hold_controls_into_view(
    browser, live_server, world, artifacts, size
):
    """The plan's list is below the runner: a point tapped there becomes the current one,
    and the page comes back to its name and its Start / Release / Stop (on a phone, where
    the point's card and the hold's do not fit one screen, the hold's card names it)."""
    steps = list(world.visit.plan_steps.all())
    third = point_name(load_default(), steps[2].trigger_point, steps[2].side)
    context, page, errors = opened(browser, live_server, world, SIZES[size])
    start(page, live_server, world)
    item = page.locator("#point-3 .plan-go")
    item.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 0
    item.tap()
    expect(page.locator("#current-name")).to_have_text(third)
    page.wait_for_timeout(200)
    name = "#hold-point" if size == "phone" else "#current-name"
    expect(page.locator(name)).to_contain_text(third)
    for selector in (name, "#start-hold", "#release", "#stop"):
        in_view(page, selector)
    page.screenshot(path=str(artifacts / f"session-runner-plan-tap-{size}.png"))
    # The hold starts from there at once, on the point tapped.
    page.locator("#start-hold").tap()
    expect(page.locator("#release")).to_be_enabled()
    expect(page.locator("#queued")).to_have_text("")
    assert SessionEvent.objects.filter(kind="start-hold").count() == 1
    went = SessionEvent.objects.filter(kind="go-to-point").order_by("id").last()
    assert went is not None and went.fields["trigger_point"] == steps[2].trigger_point
    assert went.fields["side"] == steps[2].side
    page.locator("#release").tap()
    closed(page, context, errors)


# The controls under the therapist's fingers while a hold runs.
UNDER_THE_FINGER = ("#start-hold", "#release", "#stop", "[data-feedback=too-much]")


def boxes(page: Any) -> dict[str, list[float]]:
    """Each control's box on the page (not on the screen: a tap may scroll the page)."""
    return page.evaluate(  # type: ignore[no-any-return]
        """(selectors) => Object.fromEntries(selectors.map((s) => {
          const b = document.querySelector(s).getBoundingClientRect();
          return [s, [b.left + scrollX, b.top + scrollY, b.width, b.height].map(
            (n) => Math.round(n * 10) / 10)];
        }))""",
        list(UNDER_THE_FINGER),
    )


@pytest.mark.parametrize("size", ["phone", "tablet", "landscape"])
def test_the_pressure_steps_cue_moves_no_button(browser, live_server, world, artifacts, size):
    """The timer's line changes through a stepped hold ("Holding…", each pressure step,
    the planned seconds up, how it ended): the hold buttons and the feedback stay where
    they were before the hold, to the pixel."""
    first = world.visit.plan_steps.first()
    assert first is not None
    stepped = hold_steps(load_default(), first.technique, first.hold_seconds)
    assert stepped is not None and len(stepped.seconds) == 2
    two, three = stepped.seconds
    context, page, errors = opened(browser, live_server, world, SIZES[size])
    page.clock.install()
    start(page, live_server, world)
    note = page.locator("#timer-note")
    expect(note).to_have_text("")
    before = boxes(page)

    page.click("#start-hold")
    expect(page.locator("#release")).to_be_enabled()
    expect(note).to_have_text("Holding…")
    assert boxes(page) == before
    page.clock.run_for(two * 1000 + 500)
    expect(note).to_contain_text("Pressure step 2 of 3")
    page.screenshot(path=str(artifacts / f"session-runner-step-cue-{size}.png"))
    assert boxes(page) == before, "the step's cue moved a button"
    page.clock.run_for((three - two) * 1000)
    expect(note).to_contain_text("Pressure step 3 of 3")
    assert boxes(page) == before
    page.clock.run_for((first.hold_seconds - three) * 1000)
    expect(note).to_contain_text(f"planned {first.hold_seconds} s are up")
    assert boxes(page) == before
    page.click("#stop")
    expect(note).to_contain_text("Stopped by you after")
    assert boxes(page) == before
    expect(page.locator("#queued")).to_have_text("")
    [stop] = SessionEvent.objects.filter(kind="feedback")
    assert stop.fields == {"kind": "stop", "by": "therapist"}
    closed(page, context, errors)


@pytest.mark.parametrize("size", ["landscape", "phone", "tablet"])
def test_the_clients_phone_dialog_fits_the_screen(browser, live_server, world, artifacts, size):
    """The dialog of the client's phone link (its QR code, the short link, the warning that
    a localhost link cannot be reached) fits the screen: the whole QR code, big enough to
    scan, and the Close button are on it without scrolling, on a tablet on its side too."""
    context, page, errors = opened(browser, live_server, world, SIZES[size])
    start(page, live_server, world)
    page.click("#pad-open")
    dialog = page.locator("#pad-dialog")
    expect(dialog).to_be_visible()
    qr = page.locator("#pad-dialog-qr")
    expect(qr).to_be_visible()
    page.wait_for_function("document.getElementById('pad-dialog-qr').complete")
    expect(dialog).to_contain_text("a phone cannot open it")  # the longest dialog
    page.screenshot(path=str(artifacts / f"session-runner-pad-dialog-{size}.png"))
    in_view(page, "#pad-dialog")
    box = in_view(page, "#pad-dialog-qr")
    assert min(box["width"], box["height"]) >= 150, box  # a phone's camera reads it
    assert abs(box["width"] - box["height"]) < 1  # square, not squashed
    close = in_view(page, "#pad-close")
    assert close["height"] >= MIN_TARGET_PX
    page.locator("#pad-close").tap()
    expect(dialog).to_be_hidden()
    expect(page.locator("#session-status")).to_have_text("Session running.")
    closed(page, context, errors)


EVERY_BUTTON = (
    "#start-hold",
    "#release",
    "#stop",
    "[data-feedback=too-much]",
    "[data-feedback=worse]",
    "[data-feedback=stop]",
)


def screen_boxes(page: Any) -> dict[str, list[float]]:
    """Each hold and feedback button's box on the screen and on the page."""
    return page.evaluate(  # type: ignore[no-any-return]
        """(selectors) => Object.fromEntries(selectors.map((s) => {
          const b = document.querySelector(s).getBoundingClientRect();
          return [s, [b.left, b.top, b.width, b.height, b.top + scrollY].map(
            (n) => Math.round(n * 10) / 10)];
        }))""",
        list(EVERY_BUTTON),
    )


@pytest.mark.parametrize("size", ["tablet", "landscape", "phone"])
def test_the_suggestion_moves_no_button_mid_hold(browser, live_server, world, artifacts, size):
    """Two "too much" in one hold bring the suggestion (a lighter pressure): the hold
    buttons and the feedback buttons stay where they were, on the screen and on the page,
    so a tap aimed at "Client said stop" still lands on it."""
    context, page, errors = opened(browser, live_server, world, SIZES[size])
    page.clock.install()
    start(page, live_server, world)
    page.click("#start-hold")
    expect(page.locator("#release")).to_be_enabled()
    page.clock.run_for(2000)
    page.click("[data-feedback=too-much]")
    page.clock.run_for(1000)
    before = screen_boxes(page)
    page.click("[data-feedback=too-much]")
    suggestion = page.locator("#suggestion")
    expect(suggestion).to_be_visible()
    expect(suggestion).to_contain_text("lighter pressure")
    page.screenshot(path=str(artifacts / f"session-runner-suggestion-{size}.png"))
    assert screen_boxes(page) == before, "the suggestion moved a button"
    page.locator("[data-feedback=stop]").scroll_into_view_if_needed()
    stop = page.locator("[data-feedback=stop]").bounding_box()
    assert stop is not None
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('button')?.dataset.feedback",
        [stop["x"] + stop["width"] / 2, stop["y"] + stop["height"] / 2],
    )
    assert hit == "stop"
    expect(page.locator("#queued")).to_have_text("")
    kinds = [e.fields["kind"] for e in SessionEvent.objects.filter(kind="feedback")]
    assert kinds == ["too-much", "too-much"]
    closed(page, context, errors)


def test_a_point_found_on_the_way_needs_a_side_and_its_limit_follows_its_pressure(
    browser, live_server, world, artifacts
):
    """The side of a point found on the way starts unchosen: "Add it" without one says to
    choose it and adds nothing. The added point's longest hold is the knowledge base's for
    the technique at the pressure chosen (moderate and deep differ), not the shortest at
    any pressure."""
    rules = session_rules(load_default())
    limits = rules.longest_hold["ischemic-compression"]
    assert limits is not None and limits["moderate"] != limits["deep"]
    context, page, errors = opened(browser, live_server, world, TABLET)
    start(page, live_server, world)
    page.click("#add-point summary")
    expect(page.locator("#add-side")).to_have_value("")
    page.locator("#add-tp-find").fill("piriformis med")
    expect(page.locator("#add-tp")).to_have_value("piriformis-medial")
    page.select_option("#add-technique", "ischemic-compression")
    page.click("#add-go")
    expect(page.locator("#message")).to_have_text(
        "Choose the side of the point to add: left, right, bilateral or midline."
    )
    expect(page.locator("#session-plan li.added")).to_have_count(0)
    assert page.evaluate("document.activeElement.id") == "add-side"

    page.select_option("#add-side", "right")
    page.select_option("#add-pressure", "moderate")
    page.click("#add-go")
    expect(page.locator("#current-name")).to_have_text(
        point_name(load_default(), "piriformis-medial", "right")
    )
    expect(page.locator("#current-pressure")).to_have_text("moderate")
    expect(page.locator("#current-hold")).to_contain_text(f"at most {limits['moderate']} s")
    page.screenshot(path=str(artifacts / "session-runner-added-point-limit.png"))

    page.click("#add-point summary")
    page.locator("#add-tp-find").fill("piriformis med")
    page.select_option("#add-side", "left")
    page.select_option("#add-technique", "ischemic-compression")
    page.select_option("#add-pressure", "deep")
    page.click("#add-go")
    expect(page.locator("#current-pressure")).to_have_text("deep")
    expect(page.locator("#current-hold")).to_contain_text(f"at most {limits['deep']} s")
    expect(page.locator("#queued")).to_have_text("")
    events = SessionEvent.objects.filter(kind="add-point").order_by("id")
    assert [e.fields["side"] for e in events] == ["right", "left"]
    closed(page, context, errors)


def test_a_double_tap_on_start_session_does_not_end_it(browser, live_server, world):
    """ "End session" does not show where "Start session" was: a double tap's second tap
    lands elsewhere (at most the client's phone dialog opens), never on "End the session
    now?"; a tap on "End session" asks as before."""
    context, page, errors = opened(browser, live_server, world, TABLET)
    page.goto(f"{live_server.url}/visits/{world.visit.pk}/session/")
    box = page.locator("#start-session").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    expect(page.locator("#end-session")).to_be_visible()
    page.wait_for_timeout(150)
    page.mouse.click(x, y)  # the double tap's second tap, now on "End session"
    expect(page.locator("#session-status")).to_have_text("Session running.")
    page.wait_for_timeout(200)
    expect(page.locator("#confirm-dialog")).not_to_be_visible()
    end = page.locator("#end-session").bounding_box()
    assert end is not None
    assert not (
        end["x"] <= x <= end["x"] + end["width"] and end["y"] <= y <= end["y"] + end["height"]
    )
    if page.locator("#pad-dialog").is_visible():
        page.click("#pad-close")
    page.click("#end-session")
    expect(page.locator("#confirm-dialog")).to_be_visible()
    page.click("#confirm-no")
    expect(page.locator("#queued")).to_have_text("")
    assert SessionRun.objects.get(visit=world.visit).ended_at is None
    closed(page, context, errors)


@pytest.mark.parametrize("size", ["phone", "tablet"])
def test_a_skipped_point_says_so_and_shows_the_next(browser, live_server, world, artifacts, size):
    """Skipping a point says which and why in the status line, and the page comes back to
    the next point's name."""
    kb = load_default()
    first, second = list(world.visit.plan_steps.all()[:2])
    context, page, errors = opened(browser, live_server, world, SIZES[size])
    start(page, live_server, world)
    page.click("#skip")
    page.click("[data-skip-reason='not tender today']")
    skipped = point_name(kb, first.trigger_point, first.side)
    expect(page.locator("#message")).to_have_text(f"Skipped {skipped}: not tender today.")
    expect(page.locator("#current-name")).to_have_text(
        point_name(kb, second.trigger_point, second.side)
    )
    page.wait_for_timeout(200)
    page.screenshot(path=str(artifacts / f"session-runner-skipped-{size}.png"))
    in_view(page, "#hold-point" if size == "phone" else "#current-name")
    if size == "phone":
        expect(page.locator("#hold-point")).to_contain_text(
            point_name(kb, second.trigger_point, second.side)
        )
    expect(page.locator("#queued")).to_have_text("")
    [event] = SessionEvent.objects.filter(kind="skip-point")
    assert event.fields["reason"] == "not tender today"
    closed(page, context, errors)


@pytest.mark.parametrize("size", ["phone", "tablet", "landscape"])
def test_pain_now_saved_moves_nothing(browser, live_server, world, artifacts, size):
    """ "Saved ✓" beside pain now at the start keeps its room: the runner below does not
    drop."""
    context, page, errors = opened(browser, live_server, world, SIZES[size])
    start(page, live_server, world)
    before = boxes(page)
    top = page.evaluate("document.querySelector('#current').getBoundingClientRect().top + scrollY")
    page.fill("#pain-start", "6")
    page.locator("#pain-start").blur()
    expect(page.locator("#pain-start-said")).to_contain_text("Saved")
    assert boxes(page) == before
    after = page.evaluate(
        "document.querySelector('#current').getBoundingClientRect().top + scrollY"
    )
    assert after == top
    page.screenshot(path=str(artifacts / f"session-runner-pain-saved-{size}.png"))
    expect(page.locator("#queued")).to_have_text("")
    closed(page, context, errors)
