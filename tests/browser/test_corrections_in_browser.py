"""Correcting an intake in a real browser: the body map opens with the drawing as it was,
a region added on it is saved, and the intake page then shows the change and its history."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_therapist_corrects_the_pain_drawing_of_an_intake(page, sign_in, alice, password):  # type: ignore[no-untyped-def]
    from myomap.audit.log import Context
    from myomap.clients import actions
    from myomap.clients.models import Intake

    ctx = Context(user=alice, via="cli")
    client = actions.create_client(
        ctx, actions.ClientData("Jonas", "Berg", dt.date(1971, 3, 14), "", "", True, True)
    )
    intake = actions.record_intake(
        ctx,
        client,
        actions.IntakeData(
            complaint="Left buttock pain",
            pain_drawing={"buttock-upper-left": 6, "si-joint-left": 4},
        ),
    )

    sign_in(page, f"/clients/intakes/{intake.pk}/", "Intake — Jonas Berg")
    page.click("a:has-text('Edit')")
    expect(page.locator("h1")).to_have_text("Correct the intake — Jonas Berg")
    expect(page.locator("#selection li")).to_have_count(2)  # read from the hidden field
    page.click("#region-lumbar-lower-left")
    expect(page.locator("#selection li")).to_have_count(3)
    page.fill("#id_reason", "The client also points to the low back.")
    page.click("button:has-text('Save the correction and screen again')")
    expect(page.locator("h1")).to_have_text("Intake — Jonas Berg")
    expect(page.locator("#changes")).to_contain_text("The client also points to the low back.")

    stored = Intake.objects.get(pk=intake.pk)
    assert stored.pain_drawing["buttock-upper-left"] == 6
    assert stored.pain_drawing["si-joint-left"] == 4
    assert "lumbar-lower-left" in stored.pain_drawing
    assert stored.revisions.get().previous == {
        "pain_drawing": {"buttock-upper-left": 6, "si-joint-left": 4}
    }
