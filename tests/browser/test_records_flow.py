"""The main flow in a real browser: sign in, new client, intake with a red flag that blocks,
override with a reason, draw pain, candidates, findings, plan, draft note, sign.

alice (therapist at Lakeside) is tests/personas.py's; Jonas Berg is a new client."""

from __future__ import annotations

import pytest
from browser_kit import PHONE, TABLET, signed_in
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_therapist_walks_a_client_from_intake_to_a_signed_note(
    page, live_server, alice, password, artifacts
):
    page.goto(live_server.url)
    page.fill("#id_username", "alice")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Clients")

    # A new client.
    page.click("text=New client")
    page.fill("#id_given_name", "Jonas")
    page.fill("#id_family_name", "Berg")
    page.fill("#id_date_of_birth", "1971-03-14")
    page.check("#id_treatment_consent")
    page.check("#id_data_consent")
    page.click("button:has-text('Save client')")
    expect(page.locator("h1")).to_have_text("Jonas Berg")

    # Intake: complaint, pain drawn on the body map, and a red flag.
    page.click("text=New intake")
    page.fill("#id_complaint", "Left buttock and low back pain for three weeks.")
    page.click("#region-buttock-upper-left")
    page.click("#region-si-joint-left")
    page.click("#region-lumbar-lower-left")
    expect(page.locator("#selection li")).to_have_count(3)
    page.check("#id_rf_cauda-equina-saddle")
    page.click("button:has-text('Save intake and screen')")
    expect(page.locator(".gate h2")).to_have_text("Red flag — treatment planning is stopped")
    expect(page.locator(".gate .headline")).to_contain_text("emergency")
    expect(page.locator("button:has-text('Start a visit')")).to_have_count(0)
    page.screenshot(path=str(artifacts / "records-red-flag.png"), full_page=True)

    # A too-short reason is refused and says why; a real one opens the gate.
    page.fill("#id_reason", "ok")
    page.click("button:has-text('Override the red flag')")
    expect(page.locator(".field-error")).to_contain_text("at least 20 characters")
    page.fill("#id_reason", "Chronic symptom, assessed by his GP last week; cleared to treat.")
    page.click("button:has-text('Override the red flag')")
    expect(page.locator(".gate h2")).to_contain_text("overridden")

    # The visit: candidates from the drawing, a palpation finding.
    page.click("button:has-text('Start a visit from this intake')")
    expect(page.locator("h1")).to_have_text("Assessment — Jonas Berg")
    first = page.locator(".exam-item").first
    expect(first).to_be_visible()
    point_name = first.locator("strong").inner_text()
    first.locator("input[name=tender]").fill("7")
    first.locator("input[name=referral]").check()
    first.locator("input[name=taut_band]").check()
    first.locator("button:has-text('Save')").click()
    expect(page.locator(".exam-item.examined")).to_have_count(1)
    page.screenshot(path=str(artifacts / "records-assessment.png"), full_page=True)

    # The plan, proposed from the findings: the confirmed point comes first.
    page.click("nav.tabs >> text=2. Plan")
    page.click("button:has-text('Propose a plan from the findings')")
    first_step = page.locator(".plan-form tbody tr").first
    expect(first_step).to_contain_text(point_name)
    # Remove the last step and save: the plan is replaced, never appended to.
    rows = page.locator(".plan-form tbody tr").count()
    page.locator(".plan-form tbody tr").last.locator("input[type=checkbox]").check()
    page.click("button:has-text('Save plan')")
    expect(page.locator(".messages")).to_contain_text(f"Plan saved: {rows - 1} steps")
    expect(page.locator(".plan-form tbody tr")).to_have_count(rows - 1)
    expect(page.locator(".plan-form tbody tr").first).to_contain_text(point_name)

    # The note: drafted from the record, then signed and locked.
    page.click("nav.tabs >> text=4. Note")
    page.click("button:has-text('Draft the note from what was recorded')")
    expect(page.locator("#id_objective")).to_contain_text("tender 7/10")
    expect(page.locator("#id_assessment")).not_to_contain_text("diagnos")
    # Signing asks first: dismissed, nothing is signed; accepted, the note is locked.
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("button:has-text('Sign and lock')")
    expect(page.locator("#id_objective")).to_have_count(1)
    assert asked and asked[0].startswith("Sign and lock version 1?")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Sign and lock')")
    expect(page.locator(".signed-note .badge")).to_have_text("signed")
    expect(page.locator("#id_objective")).to_have_count(0)
    page.screenshot(path=str(artifacts / "records-signed-note.png"), full_page=True)


def test_the_record_pages_fit_a_phone_screen(browser, live_server, db):
    from myomap.visits.models import Visit
    from myomap.web.demo import DEMO_THERAPIST, ensure_demo_data

    ensure_demo_data()
    visit = Visit.objects.first()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", DEMO_THERAPIST.username)
    page.fill("#id_password", DEMO_THERAPIST.password)
    page.click("button[type=submit]")
    for path in (
        "/clients/",
        f"/clients/{visit.client_id}/",
        f"/clients/intakes/{visit.intake_id}/",
        f"/visits/{visit.pk}/",
        f"/visits/{visit.pk}/plan/",
        f"/visits/{visit.pk}/note/",
    ):
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
    context.close()


@pytest.mark.parametrize("device", ["phone", "tablet"])
def test_the_one_palpation_form_opens_on_the_row_tapped_and_records_it(
    browser, live_server, artifacts, device
):
    from tests.web.records_fixtures import build_world

    from myomap.visits.models import PalpationFinding

    world = build_world()
    viewport = {"phone": PHONE, "tablet": TABLET}
    context = signed_in(browser, live_server, world.alice, viewport[device])
    page = context.new_page()
    page.goto(f"{live_server.url}/visits/{world.visit.pk}/")
    expect(page.locator("form.palpation-form")).to_have_count(1)
    page.screenshot(path=str(artifacts / f"assessment-{device}.png"), full_page=True)

    # Quadratus lumborum (left) was recorded: its link opens the form filled with it.
    recorded = page.locator("#quadratus-lumborum-deep-caudal-left")
    recorded.get_by_role("link", name="Change this finding").tap()
    expect(recorded.locator("form.palpation-form")).to_be_visible()
    expect(recorded.get_by_label("Tender 0-10")).to_have_value("6")
    expect(recorded.get_by_label("taut band")).to_be_checked()
    expect(recorded.get_by_label("twitch")).not_to_be_checked()
    expect(page.locator("form.palpation-form")).to_have_count(1)

    # Another row, not examined: the form moves there, empty, and records that point.
    row = page.locator(".exam-item:not(.examined)").first
    point, side = row.get_attribute("id").rsplit("-", 1)
    row.get_by_role("link", name="Record a finding").tap()
    expect(row.get_by_label("Tender 0-10")).to_be_focused()
    expect(row.get_by_label("Tender 0-10")).to_have_value("")
    expect(row.get_by_label("taut band")).not_to_be_checked()
    expect(recorded.get_by_role("link", name="Change this finding")).to_be_visible()
    row.get_by_label("Tender 0-10").fill("5")
    row.get_by_label("twitch").check()
    row.screenshot(path=str(artifacts / f"assessment-palpation-open-{device}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[device]["width"]
    row.get_by_role("button", name="Save").tap()

    saved = page.locator(f"[id='{point}-{side}']")
    expect(saved).to_contain_text("Examined: tender 5/10, local twitch response")
    found = PalpationFinding.objects.get(visit=world.visit, trigger_point=point, side=side)
    assert (found.tender, found.twitch, found.taut_band) == (5, True, False)

    # A bad value, typed in the moved form: the page names the field and keeps the text.
    saved.get_by_role("link", name="Change this finding").tap()
    saved.get_by_label("Tender 0-10").fill("12")
    saved.get_by_role("button", name="Save").tap()
    expect(page.locator(".error[role=alert]")).to_contain_text("Tender (0-10)")
    expect(saved.get_by_label("Tender 0-10")).to_have_value("12")
    found.refresh_from_db()
    assert found.tender == 5
    context.close()
