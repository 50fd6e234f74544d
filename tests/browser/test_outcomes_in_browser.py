"""Outcomes in a real browser: the therapist enters an RMDQ at the intake visit, as the
visit page says is due, and again at a later visit; the client's record shows the change
in words, the plot with the minimal important change shaded and the table, on a desktop
screen and on a phone.

alice (therapist at Lakeside) and Dan Marlowe are tests/personas.py's."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from myomap.audit.log import Context
from myomap.clients import actions as client_actions
from myomap.outcomes.models import QuestionnaireResponse, ScheduleRule
from myomap.visits import actions as visit_actions
from personas import DAN_BORN, DAN_FAMILY_NAME

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _dan_with_two_visits(alice):  # type: ignore[no-untyped-def]
    ctx = Context(user=alice, via="cli")
    dan = client_actions.create_client(
        ctx,
        client_actions.ClientData(
            "Dan", DAN_FAMILY_NAME, DAN_BORN, treatment_consent=True, data_consent=True
        ),
    )
    intake = client_actions.record_intake(
        ctx, dan, client_actions.IntakeData("Low back pain after gardening", {"sacrum": 4})
    )
    first = visit_actions.start_visit(ctx, dan, intake)
    later = visit_actions.start_visit(
        Context(user=alice, now=first.started_at + dt.timedelta(minutes=1)), dan, intake
    )
    ScheduleRule.objects.create(
        clinic_id=alice.clinic_id, instrument="rmdq", at_intake=True, every_nth=2
    )
    return dan, first, later


def _enter_rmdq(page, ticked: int) -> None:  # type: ignore[no-untyped-def]
    expect(page.locator("h1")).to_contain_text("Roland-Morris Disability Questionnaire")
    expect(page.locator("#licence-notice")).to_contain_text("not in its own words")
    for n in range(1, ticked + 1):
        page.check(f"input[name=s{n}]")
    page.click("button:has-text('Save RMDQ')")


def test_a_therapist_enters_an_rmdq_twice_and_the_record_shows_the_change(
    page, browser, live_server, alice, password, artifacts
):
    dan, first, later = _dan_with_two_visits(alice)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{live_server.url}/visits/{first.pk}/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text(f"Assessment — Dan {DAN_FAMILY_NAME}")

    # The intake visit: RMDQ is due at intake; a missing tick is no error (not ticked = 0).
    due = page.locator("#outcomes-due")
    expect(due).to_contain_text("RMDQ — at intake (the first visit after the intake)")
    due.screenshot(path=str(artifacts / "outcomes-due.png"))
    due.locator("a", has_text="RMDQ").first.click()
    page.screenshot(path=str(artifacts / "outcomes-rmdq-entry.png"))
    _enter_rmdq(page, 14)
    expect(page.locator(".messages")).to_contain_text("RMDQ 14 recorded.")
    expect(page.locator("#outcomes-due")).to_contain_text("done RMDQ 14")

    # The later visit (the client's second): due every 2 visits.
    page.goto(f"{live_server.url}/visits/{later.pk}/")
    expect(page.locator("#outcomes-due")).to_contain_text("every 2 visits (this is visit 2)")
    page.locator("#outcomes-due a", has_text="RMDQ").first.click()
    _enter_rmdq(page, 8)
    expect(page.locator(".messages")).to_contain_text("RMDQ 8 recorded.")
    assert list(
        QuestionnaireResponse.objects.order_by("taken_at").values_list("total", "visit_id")
    ) == [(14.0, first.pk), (8.0, later.pk)]

    # The client's record: the change in words, the plot, the table.
    page.click(f"p.crumbs >> text=Dan {DAN_FAMILY_NAME}")
    expect(page.locator("h1")).to_have_text(f"Dan {DAN_FAMILY_NAME}")
    rmdq = page.locator("#outcome-rmdq")
    expect(rmdq.locator(".outcome-change")).to_have_text(
        "RMDQ 14 → 8: improved by more than the minimal important change "
        "(6 points, 43%: past the 5 points and the 30%)."
    )
    plot = rmdq.locator("svg.outcome-plot")
    expect(plot).to_be_visible()
    expect(plot.locator("circle.point")).to_have_count(2)
    expect(plot.locator("rect.mcid-band")).to_have_count(1)
    expect(rmdq.locator("table tbody tr")).to_have_count(2)
    expect(rmdq.locator("table tbody tr").nth(1)).to_contain_text("8")
    rmdq.screenshot(path=str(artifacts / "outcomes-record.png"))
    box = plot.bounding_box()
    assert box is not None and box["width"] >= 300

    # On a phone: the plot fills the width without a sideways scroll, the table below it.
    phone = browser.new_context(viewport=PHONE, storage_state=page.context.storage_state())
    small = phone.new_page()
    small.goto(f"{live_server.url}/clients/{dan.pk}/#outcomes")
    small_plot = small.locator("#outcome-rmdq svg.outcome-plot")
    expect(small_plot).to_be_visible()
    box = small_plot.bounding_box()
    assert box is not None and 250 <= box["width"] <= PHONE["width"]
    # the axis labels as the phone draws them: the font scaled with the plot, 13 px or more
    sizes = small_plot.evaluate(
        """(svg) => [...svg.querySelectorAll('text')].map((t) =>
            parseFloat(getComputedStyle(t).fontSize) * svg.getBoundingClientRect().width
            / svg.viewBox.baseVal.width)"""
    )
    assert sizes and min(sizes) >= 13, sizes
    assert small.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    table = small.locator("#outcome-rmdq table").bounding_box()
    assert table is not None and table["y"] >= box["y"] + box["height"] - 1
    small.locator("#outcome-rmdq").screenshot(path=str(artifacts / "outcomes-record-phone.png"))
    phone.close()
    assert refused == []


OUTCOME_PAGES = {
    "a client with scores": "/clients/{client}/",
    "the assessment page with what is due": "/visits/{visit}/",
    "the RMDQ entry": "/clients/{client}/outcomes/rmdq/",
    "the ODI entry": "/clients/{client}/outcomes/odi/",
    "the PSFS entry": "/clients/{client}/outcomes/psfs/",
    "the STarT Back entry": "/clients/{client}/outcomes/startback/",
    "the NPRS entry": "/clients/{client}/outcomes/nprs/",
    "the schedule": "/accounts/clinic/outcomes/schedule/",
    "the report": "/accounts/clinic/outcomes/report/",
}


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_the_outcome_pages_have_no_critical_or_serious_violations(
    browser, live_server, carol, viewport
):
    from axe_playwright_python.sync_playwright import Axe
    from django.test import Client as DjangoClient
    from tests.browser.test_accessibility import DUPLICATE_IDS_JS, VIEWPORTS, blocking

    from myomap.outcomes import actions

    dan, first, later = _dan_with_two_visits(carol)
    for visit, ticked in ((first, 14), (later, 8)):
        actions.record_response(
            Context(user=carol),
            dan,
            actions.ResponseData("rmdq", [1] * ticked + [0] * (24 - ticked), visit=visit),
        )
    ids = {"client": dan.pk, "visit": first.pk}
    session = DjangoClient()
    session.force_login(carol)
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    context.add_cookies(
        [{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    axe, found = Axe(), {}
    for name, path in OUTCOME_PAGES.items():
        response = page.goto(live_server.url + path.format(**ids))
        assert response.status == 200, (name, response.status)
        problems = blocking(axe.run(page))
        problems += [f"duplicate id {i!r}" for i in page.evaluate(DUPLICATE_IDS_JS)]
        if problems:
            found[name] = problems
    context.close()
    assert not found, "\n".join(f"{name}:\n  " + "\n  ".join(p) for name, p in found.items())


def test_on_a_phone_the_odi_table_with_its_band_and_times_fits_without_a_sideways_scroll(
    browser, live_server, alice
):
    """Two ODI scores on one day: each row has its time and its band ('moderate
    disability'); the five columns fit the card on a 390 px phone, the day on one line."""
    from django.test import Client as DjangoClient

    from myomap.outcomes import actions

    dan, first, later = _dan_with_two_visits(alice)
    for visit, answers in ((first, [3, 2, 1, 2, 2, 1, 2, None, 2, 1]), (later, [1] * 10)):
        actions.record_response(
            Context(user=alice), dan, actions.ResponseData("odi", answers, visit=visit)
        )
    assert QuestionnaireResponse.objects.filter(client=dan, instrument="odi").count() == 2
    session = DjangoClient()
    session.force_login(alice)
    context = browser.new_context(viewport=PHONE)
    context.add_cookies(
        [{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url}]
    )
    phone = context.new_page()
    phone.goto(f"{live_server.url}/clients/{dan.pk}/#outcomes")
    odi = phone.locator("#outcome-odi")
    expect(odi.locator("table tbody tr").first).to_contain_text("moderate disability")
    expect(odi.locator("table tbody tr").first).to_contain_text(":")  # its time: two in a day
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    table, card = odi.locator("table").bounding_box(), odi.bounding_box()
    assert table is not None and card is not None
    assert table["x"] + table["width"] <= card["x"] + card["width"] + 0.5
    day = odi.locator("table tbody tr .outcome-day").first
    assert day.evaluate("(e) => e.getClientRects().length") == 1  # '4 Dec 2026,' on one line
    context.close()
