"""The FHIR import on the Data page as carol (Lakeside's clinic admin) uses it, on a phone
and on a tablet: she chooses the FHIR specification's example Bundle, checks it, reads
what would happen resource by resource, imports it, and the page says what was created;
the client is then in the clinic's list. Screenshots in test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest
from browser_kit import PHONE, TABLET, signed_in
from playwright.sync_api import expect
from tests.web.interop_fixtures import spec_examples

from myomap.clients.models import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["phone", "tablet"])
def test_the_admin_checks_a_bundle_reads_the_report_and_imports_it(
    browser: Any, live_server: Any, world: Any, artifacts: Any, size: str
) -> None:
    viewport = {"phone": PHONE, "tablet": TABLET}[size]
    context = signed_in(browser, live_server, world.carol, viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/clinic/data/#fhir-import")
    section = page.locator("#fhir-import")
    section.get_by_label("FHIR Bundle (.json)").set_input_files(
        files=[
            {
                "name": "examples.json",
                "mimeType": "application/json",
                "buffer": spec_examples().encode(),
            }
        ]
    )
    section.get_by_role("button", name="Check the file").click()

    expect(section.get_by_role("heading", name="Checked: examples.json")).to_be_visible()
    expect(section).to_contain_text("Would import: 1 new, 0 already here (matched), 1 not imported")
    row = section.locator("tbody tr", has_text="Patient (entry 1)")
    expect(row).to_contain_text("new: would be created")
    expect(row).to_contain_text("client Pieter van de Heuvel")
    assert not Client.objects.filter(family_name="van de Heuvel").exists()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the report scrolls sideways ({width}px)"
    page.screenshot(path=str(artifacts / f"clinic-data-import-checked-{size}.png"), full_page=True)

    section.get_by_role("button", name="Import examples.json").click()
    expect(page.get_by_text("Imported: 1 created, 0 matched by identifier.")).to_be_visible()
    expect(page.locator("#fhir-import h3")).to_have_count(0)  # the check is done with
    assert Client.objects.filter(family_name="van de Heuvel", clinic=world.carol.clinic).exists()
    page.screenshot(path=str(artifacts / f"clinic-data-import-done-{size}.png"))
    context.close()
