"""Correcting and voiding a score in a real browser: the therapist enters NPRS scores at two
visits and one on the record by mistake, corrects a mistyped one (its visit and time kept)
and voids the mistake with a reason; the client's record then counts the correction, lists
the voided scores with their reasons, and leaves them out of the change and the plot. On a
phone and a tablet (screenshots under test-artifacts/).

alice (therapist at Lakeside) and Dan Marlowe are tests/personas.py's."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.browser.test_outcomes_in_browser import _dan_with_two_visits

from myomap.outcomes.models import QuestionnaireResponse
from personas import DAN_FAMILY_NAME

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 820, "height": 1180}}
MISTYPED = "Typed 5 for the 4 the client wrote on the paper form."
WRONG = "Entered on Dan's record; it is another client's."


def _enter_nprs(page, pain: int) -> None:  # type: ignore[no-untyped-def]
    expect(page.locator("h1")).to_contain_text("Numeric Pain Rating Scale")
    page.select_option("select[name=pain]", str(pain))
    page.click("button:has-text('Save NPRS')")
    expect(page.locator(".messages")).to_contain_text(f"NPRS {pain} recorded.")


def _open_response(page, base: str, dan_pk: int, score: int, day: str):  # type: ignore[no-untyped-def]
    page.goto(f"{base}/clients/{dan_pk}/#outcomes")
    page.locator("#outcome-nprs table a", has_text="Correct or void").filter(
        has=page.locator(f"text=NPRS {score} of {day}")
    ).click()
    expect(page.locator("h1")).to_contain_text(f"Numeric Pain Rating Scale of {day}")


@pytest.mark.parametrize("size", ["phone", "tablet"])
def test_a_therapist_corrects_one_score_and_voids_another(
    browser, live_server, alice, password, artifacts, size
):
    dan, first, later = _dan_with_two_visits(alice)
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/clients/{dan.pk}/outcomes/nprs/?visit={first.pk}")
    page.fill("#id_username", "alice")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    _enter_nprs(page, 7)
    page.goto(f"{base}/clients/{dan.pk}/outcomes/nprs/?visit={later.pk}")
    _enter_nprs(page, 5)
    page.goto(f"{base}/clients/{dan.pk}/outcomes/nprs/")
    _enter_nprs(page, 9)  # on the record, for the wrong client
    baseline, mistyped, wrong = QuestionnaireResponse.objects.order_by("pk")
    assert [(r.total, r.visit_id) for r in (baseline, mistyped, wrong)] == [
        (7.0, first.pk),
        (5.0, later.pk),
        (9.0, None),
    ]
    page.goto(f"{base}/clients/{dan.pk}/#outcomes")
    expect(page.locator("#outcome-nprs .outcome-change")).to_contain_text("NPRS 7 → 9")
    day = f"{mistyped.taken_at.day} {mistyped.taken_at:%b %Y}"

    # Correct the mistyped 5: the form opens with the answer entered
    _open_response(page, base, dan.pk, 5, day)
    expect(page.locator("p.lead")).to_contain_text("entered by Alice Moss")
    page.click("text=Correct the answers…")
    expect(page.locator("select[name=pain]")).to_have_value("5")
    page.select_option("select[name=pain]", "4")
    page.fill("textarea[name=reason], input[name=reason]", MISTYPED)
    page.screenshot(path=str(artifacts / f"outcomes-correct-{size}.png"), full_page=True)
    page.click("button:has-text('Save the correction')")
    expect(page.locator(".messages")).to_contain_text("NPRS 4")
    mistyped.refresh_from_db()
    fixed = QuestionnaireResponse.objects.get(replaces=mistyped)
    assert (mistyped.void_reason, mistyped.voided_by) == (MISTYPED, alice)
    assert (fixed.total, fixed.visit_id, fixed.taken_at) == (4.0, later.pk, mistyped.taken_at)
    assert fixed.voided_at is None

    # Void the wrong 9 with a reason: Void is the form's filled button, Cancel is not
    _open_response(page, base, dan.pk, 9, day)
    void = page.locator("form.void-form button[type=submit]")
    cancel = page.locator("form.void-form a", has_text="Cancel")
    expect(void).to_have_text("Void this NPRS")
    colours = page.evaluate(
        "([v, c]) => [v, c].map((e) => getComputedStyle(e).backgroundColor)",
        [void.element_handle(), cancel.element_handle()],
    )
    assert colours[0] == "rgb(180, 35, 24)", colours  # the danger colour, filled
    assert colours[1] == "rgb(255, 255, 255)", colours  # outlined on the card
    page.fill("textarea[name=reason], input[name=reason]", WRONG)
    page.locator("form.void-form").screenshot(path=str(artifacts / f"outcomes-void-{size}.png"))
    void.click()
    expect(page.locator(".messages")).to_contain_text("voided")
    wrong.refresh_from_db()
    assert (wrong.void_reason, wrong.voided_by, wrong.total) == (WRONG, alice, 9.0)

    # The record: the change from 7 to the corrected 4; the plot of those two; both voided
    # scores listed with their reasons
    expect(page.locator("h1")).to_have_text(f"Dan {DAN_FAMILY_NAME}")
    nprs = page.locator("#outcome-nprs")
    expect(nprs.locator(".outcome-change")).to_have_text(
        "NPRS 7 → 4: improved by more than the minimal important change "
        "(3 points, 43%: past the 2 points and the 30%)."
    )
    expect(nprs.locator("svg.outcome-plot circle.point")).to_have_count(2)
    expect(nprs.locator("svg.outcome-plot circle.point title").last).to_contain_text(": 4")
    rows = nprs.locator("table.outcome-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("4")
    voided = nprs.locator(".outcome-voided li")
    expect(voided).to_have_count(2)
    expect(voided.filter(has_text="NPRS 5")).to_contain_text(MISTYPED.rstrip("."))
    expect(voided.filter(has_text="NPRS 5")).to_contain_text("corrected")
    expect(voided.filter(has_text="NPRS 9")).to_contain_text(WRONG.rstrip("."))
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    nprs.screenshot(path=str(artifacts / f"outcomes-corrected-record-{size}.png"))
    assert list(
        QuestionnaireResponse.objects.in_use().order_by("taken_at").values_list("total", flat=True)
    ) == [7.0, 4.0]
    context.close()
