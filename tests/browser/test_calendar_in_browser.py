"""The calendar on a tablet and the check-in on a phone, in a real browser: the therapist
books a free time from her day (the booking form filled from it), sees it on the day and
the week, and the page fits the tablet's width; the client opens the e-mailed check-in
link on a phone and answers it by taps.

alice (therapist at Lakeside) and Dan Marlowe are tests/personas.py's."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from browser_kit import PHONE, TABLET
from django.utils import timezone
from playwright.sync_api import expect

from myomap.accounts.models import Clinic
from myomap.aftercare import actions as aftercare
from myomap.aftercare.models import CheckIn
from myomap.appointments import actions
from myomap.appointments.models import Appointment
from myomap.audit.log import Context
from myomap.clients import actions as client_actions
from myomap.visits import actions as visit_actions
from personas import DAN_BORN, DAN_FAMILY_NAME

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _dan(alice):  # type: ignore[no-untyped-def]
    ctx = Context(user=alice, via="cli")
    return ctx, client_actions.create_client(
        ctx,
        client_actions.ClientData(
            "Dan",
            DAN_FAMILY_NAME,
            DAN_BORN,
            email="dan@example.org",
            treatment_consent=True,
            data_consent=True,
        ),
    )


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_therapist_books_a_free_time_on_a_tablet_and_sees_it_on_her_day_and_week(
    browser, live_server, alice, password, artifacts
):
    Clinic.objects.filter(pk=alice.clinic_id).update(time_zone="Europe/London")
    ctx, _ = _dan(alice)
    actions.set_weekly_hours(ctx, alice, [(d, dt.time(9), dt.time(17)) for d in range(7)])
    day = timezone.now().astimezone(Clinic.objects.get(pk=alice.clinic_id).zone).date()
    day += dt.timedelta(days=2)
    context = browser.new_context(viewport=TABLET, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/appointments/day/{day.isoformat()}/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Alice Moss, ")
    expect(page.locator(".calendar-day")).to_contain_text("No appointments.")
    assert _fits(page)
    page.screenshot(path=str(artifacts / "calendar-day-tablet.png"), full_page=True)

    page.click(".calendar-free a:text-is('10:00')")
    expect(page.locator("h1")).to_have_text("Book an appointment")
    expect(page.locator("#id_time")).to_have_value("10:00")
    page.select_option("#id_client", label=f"Dan {DAN_FAMILY_NAME}")
    page.click("button:has-text('Book')")
    expect(page.locator(".messages")).to_contain_text("The appointment is booked.")
    expect(page.locator("#appointment-state")).to_have_text("Booked")
    stored = Appointment.objects.get()
    assert stored.starts_at.astimezone(stored.clinic.zone).time() == dt.time(10)

    page.goto(f"{live_server.url}/appointments/day/{day.isoformat()}/")
    expect(page.locator(".calendar-day")).to_contain_text(
        f"10:00\N{EN DASH}11:00 Dan {DAN_FAMILY_NAME}"
    )
    expect(page.locator(".calendar-free")).not_to_contain_text("10:15")
    page.click("a:text-is('Week')")
    expect(page.locator(".calendar-week")).to_contain_text(f"Dan {DAN_FAMILY_NAME}")
    assert _fits(page)
    page.screenshot(path=str(artifacts / "calendar-week-tablet.png"), full_page=True)
    context.close()


def test_the_client_answers_the_check_in_from_the_e_mailed_link_on_a_phone(
    browser, live_server, alice, mail_folder, artifacts
):
    ctx, dan = _dan(alice)
    intake = client_actions.record_intake(
        ctx, dan, client_actions.IntakeData("Low back pain", {"sacrum": 4})
    )
    visit = visit_actions.start_visit(ctx, dan, intake)
    check_in = aftercare.ask_for_check_in(visit, timezone.now() - dt.timedelta(days=1))
    assert check_in is not None
    aftercare.send_check_in(CheckIn.objects.get(pk=check_in.pk), timezone.now())
    text = next(mail_folder.glob("*.log")).read_text()
    path = re.search(r"http://localhost:8000(/aftercare/check-in/\S+/)", text)
    assert path is not None

    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}{path.group(1)}")
    expect(page.locator("h1")).to_have_text("How are you after your session, Dan?")
    assert _fits(page)
    for name, value in (
        ("soreness", "3"),
        ("fading", "yes"),
        ("pain_now", "2"),
        ("new_numbness", "no"),
        ("new_weakness", "no"),
        ("bladder_or_bowel", "no"),
    ):
        page.locator(f'input[name="{name}"][value="{value}"]').tap()
    page.screenshot(path=str(artifacts / "check-in-phone.png"), full_page=True)
    page.click("button:has-text('Send')")
    expect(page.locator("h1")).to_have_text("Thank you")
    stored = CheckIn.objects.get()
    assert (stored.soreness, stored.fading, stored.pain_now) == (3, True, 2)
    page.goto(f"{live_server.url}{path.group(1)}")
    expect(page.locator("#why")).to_contain_text("a link works once")
    context.close()


def test_the_client_books_the_suggested_time_on_a_phone_and_the_calendar_shows_it(
    browser, live_server, alice, artifacts
):
    from browser_kit import signed_in

    from myomap.aftercare import links, relief

    Clinic.objects.filter(pk=alice.clinic_id).update(time_zone="Europe/London")
    zone = Clinic.objects.get(pk=alice.clinic_id).zone
    ctx, dan = _dan(alice)
    actions.set_weekly_hours(ctx, alice, [(d, dt.time(9), dt.time(17)) for d in range(7)])
    intake = client_actions.record_intake(
        ctx, dan, client_actions.IntakeData("Low back pain", {"sacrum": 4})
    )
    visit = visit_actions.start_visit(ctx, dan, intake)
    now = timezone.now()
    session_at = now - dt.timedelta(days=4)
    check = relief.ask(visit, session_at, 4, now)
    link = f"/aftercare/relief/{links.issue(check, relief.SALT, now)}/"
    suggested = (session_at + dt.timedelta(days=7)).astimezone(zone).date()  # the usual day 7

    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}{link}")
    expect(page.locator("h1").first).to_have_text("Dan, is the pain back?")
    page.locator('input[name="back"][value="no"]').tap()
    page.locator('input[name="pain_now"][value="1"]').tap()
    page.click("button:has-text('Send')")
    expect(page.locator("h1").first).to_have_text("Thank you")
    expect(page.locator("#rebooking-words")).to_contain_text(
        f"We suggest your next session on {suggested:%A} {suggested.day} {suggested:%b}, "
        "day 7 after this one: no relief measured yet (it usually lasts 4-14 days)"
    )
    assert _fits(page)
    page.screenshot(path=str(artifacts / "rebooking-phone.png"), full_page=True)
    page.locator("#rebooking-offer button:has-text('Book 09:00')").tap()
    expect(page.locator("h1").first).to_have_text("You are booked")
    expect(page.locator("#booked")).to_contain_text("at 09:00 with Alice Moss at Lakeside")
    stored = Appointment.objects.get(client=dan)
    assert stored.booked_via == "check-in"
    assert stored.starts_at.astimezone(zone) == dt.datetime.combine(
        suggested, dt.time(9), tzinfo=zone
    )
    context.close()

    tablet = signed_in(browser, live_server, alice, TABLET, mobile=False)
    page = tablet.new_page()
    page.goto(f"{live_server.url}/appointments/day/{suggested.isoformat()}/")
    expect(page.locator(".calendar-day")).to_contain_text(
        f"09:00\N{EN DASH}10:00 Dan {DAN_FAMILY_NAME} Booked · booked by the client"
    )
    tablet.close()
