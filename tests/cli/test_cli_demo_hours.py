"""`myomap demo`: the demo therapist works Monday to Friday, 09:00-17:00 on the clinic's
clock, so the demo calendar offers times to book; a second run, or hours the therapist
changed since, are left alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as Browser

from myomap.accounts.models import Clinic, User
from myomap.appointments import queries
from myomap.appointments.models import WeeklyHours
from myomap.cli.main import main
from myomap.web.demo import CLINIC_NAME, DEMO_THERAPIST

pytestmark = pytest.mark.django_db

WORKDAY = [(dt.time(9), dt.time(17))]


def demo_browser() -> Browser:
    browser = Browser()
    assert browser.login(username=DEMO_THERAPIST.username, password=DEMO_THERAPIST.password)
    return browser


def week_of(therapist: User) -> dict[int, list[tuple[dt.time, dt.time]]]:
    found: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for h in WeeklyHours.objects.filter(therapist=therapist):
        found.setdefault(h.weekday, []).append((h.starts, h.ends))
    return found


def test_the_demo_therapist_works_weekdays_nine_to_five_and_can_be_booked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo"]) == 0
    therapist = User.objects.get(username=DEMO_THERAPIST.username)
    assert week_of(therapist) == {day: WORKDAY for day in range(5)}
    page = demo_browser().get("/appointments/hours/").content.decode()
    assert "09:00" in page and "17:00" in page
    zone = Clinic.objects.get(name=CLINIC_NAME).zone
    now = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)  # a Sunday
    monday, saturday = dt.date(2026, 3, 2), dt.date(2026, 3, 7)
    starts = queries.open_starts(therapist, monday, zone, 60, now)
    assert starts and starts[0].astimezone(zone).time() == dt.time(9)
    assert starts[-1].astimezone(zone).time() == dt.time(16)
    assert queries.open_starts(therapist, saturday, zone, 60, now) == []


def test_a_second_run_keeps_the_hours_the_therapist_set(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo"]) == 0
    therapist = User.objects.get(username=DEMO_THERAPIST.username)
    WeeklyHours.objects.filter(therapist=therapist, weekday=4).delete()
    assert main(["demo"]) == 0
    assert "The demo data is there already" in capsys.readouterr().out
    assert sorted(week_of(therapist)) == [0, 1, 2, 3]
