"""The clinic's questionnaire schedule (a clinic admin's setting), what the visit page
says is due, and the clinic's outcome report as a page and as CSV.

The people are tests/personas.py's (`build_world`): carol is Lakeside's clinic admin,
alice a therapist there; Dan Marlowe has three visits (`visit`, `signed_visit`,
`empty_visit`, in that order) from one intake; bob works at Hilltop."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io

import pytest
from records_fixtures import World, build_world, last_event_id, new_events

from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.outcomes import actions
from myomap.outcomes.models import ScheduleRule

pytestmark = pytest.mark.django_db

SCHEDULE = "/accounts/clinic/outcomes/schedule/"
REPORT = "/accounts/clinic/outcomes/report/"
CSV = "/accounts/clinic/outcomes/report.csv"
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def world() -> World:
    return build_world()


def test_carol_sets_the_schedule_and_sees_it_saved(world: World) -> None:
    browser = world.web("carol")
    first = last_event_id()
    form = {"rmdq-at_intake": "on", "rmdq-every_nth": "3", "nprs-every_visit": "on"}
    form |= {"odi-at_discharge": "on"}

    answer = browser.post(SCHEDULE, form)

    assert answer.status_code == 302
    rules = {
        r.instrument: (r.at_intake, r.every_visit, r.every_nth, r.at_discharge)
        for r in ScheduleRule.objects.filter(clinic=world.lakeside)
    }
    assert rules == {
        "nprs": (False, True, None, False),
        "rmdq": (True, False, 3, False),
        "odi": (False, False, None, True),
    }
    [event] = new_events(first)
    assert event.action == AuditEvent.Action.UPDATE and event.actor == world.carol
    assert "RMDQ at intake, every 3rd visit" in event.summary
    page = html.unescape(browser.get(SCHEDULE).content.decode())
    assert "The clinic's questionnaire schedule is saved." in page
    assert 'name="rmdq-every_nth" value="3"' in page


def test_a_bad_every_nth_is_refused_and_nothing_changes(world: World) -> None:
    ScheduleRule.objects.create(clinic=world.lakeside, instrument="nprs", every_visit=True)
    answer = world.web("carol").post(SCHEDULE, {"rmdq-every_nth": "1"})
    assert answer.status_code == 400
    assert "RMDQ: every n-th visit must be 2 or more" in answer.content.decode()
    assert list(ScheduleRule.objects.values_list("instrument", flat=True)) == ["nprs"]


def test_only_a_clinic_admin_sets_the_schedule(world: World) -> None:
    assert world.web("alice").get(SCHEDULE).status_code == 403
    assert world.web("alice").post(SCHEDULE, {"rmdq-at_intake": "on"}).status_code == 403
    assert world.web("dan").get(REPORT).status_code == 403
    assert ScheduleRule.objects.count() == 0


def test_the_visit_page_shows_what_is_due_and_what_is_done(world: World) -> None:
    ScheduleRule.objects.create(clinic=world.lakeside, instrument="rmdq", at_intake=True)
    ScheduleRule.objects.create(clinic=world.lakeside, instrument="nprs", every_visit=True)
    ScheduleRule.objects.create(clinic=world.lakeside, instrument="peg", every_nth=2)
    ScheduleRule.objects.create(clinic=world.bob.clinic, instrument="odi", every_visit=True)
    browser = world.web("alice")

    first = browser.get(f"/visits/{world.visit.pk}/").content.decode()
    second = browser.get(f"/visits/{world.signed_visit.pk}/").content.decode()

    assert "RMDQ</a> — at intake (the first visit after the intake)" in first
    assert "NPRS</a> — every visit" in first and "PEG</a>" not in first.split("Enter at")[0]
    assert "RMDQ</a> — at intake" not in second
    assert "PEG</a> — every 2 visits (this is visit 2)" in second
    assert "ODI</a> —" not in first  # Hilltop's schedule
    entry = f"/clients/{world.client.pk}/outcomes/nprs/?visit={world.visit.pk}"
    assert f'href="{entry}"' in first

    browser.post(entry.split("?")[0], {"pain": "6", "visit": str(world.visit.pk)})
    again = browser.get(f"/visits/{world.visit.pk}/").content.decode()
    assert '<span class="badge">done</span> NPRS 6 — every visit' in again


def test_nothing_due_without_a_schedule(world: World) -> None:
    page = world.web("alice").get(f"/visits/{world.visit.pk}/").content.decode()
    assert "Nothing is due by the clinic's schedule." in page


def _scores(world: World, client, *answers: list[int]) -> None:  # type: ignore[no-untyped-def]
    for n, given in enumerate(answers):
        ctx = Context(user=world.alice, now=NOW + dt.timedelta(days=7 * n))
        actions.record_response(ctx, client, actions.ResponseData("rmdq", given))


def test_the_report_counts_clients_improving_by_the_minimal_important_change(
    world: World,
) -> None:
    _scores(world, world.client, [1] * 14 + [0] * 10, [1] * 8 + [0] * 16)  # 14 -> 8
    _scores(world, world.red_intake.client, [1] * 10 + [0] * 14, [1] * 9 + [0] * 15)  # 10 -> 9
    browser = world.web("carol")
    first = last_event_id()

    page = browser.get(REPORT).content.decode()

    assert "minimal important change: 5 points or 30%" in page
    # the baseline is the current episode's first score, as on each record
    assert "in their current episode of care: how many improved from the episode's first" in page
    row = page.split("<strong>RMDQ</strong>")[1].split("</tr>")[0]
    # the count kept on one line beside its share
    assert '50% <span class="report-count">(1 of 2)</span>' in row
    assert "PEG" in page and "no threshold set" in page
    # a screen reader's caption claims no "important" change for the PSFS's detectable one
    caption = page.split('<caption class="visually-hidden">')[1].split("</caption>")[0]
    assert caption == (
        "Clients improving by at least the smallest change that counts"
        " (each questionnaire's threshold), per questionnaire"
    )
    assert "minimal detectable change: 2 points" in page.split("<strong>PSFS</strong>")[1]
    [event] = new_events(first)
    assert (event.action, event.summary) == (AuditEvent.Action.VIEW, "outcome report")

    answer = browser.get(CSV)
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    rmdq = next(r for r in rows if r["instrument"] == "rmdq")
    assert (rmdq["clients_with_two_scores"], rmdq["improved"], rmdq["improved_share"]) == (
        "2",
        "1",
        "0.500",
    )
    assert next(r for r in rows if r["instrument"] == "peg")["improved"] == ""
    thresholds = {r["instrument"]: r["threshold"] for r in rows}
    assert thresholds["rmdq"] == "minimal important change: 5 points or 30%"
    assert (thresholds["psfs"], thresholds["peg"]) == (
        "minimal detectable change: 2 points",
        "none set",
    )


def test_the_report_judges_a_change_as_the_record_does_from_the_unrounded_scores(
    world: World,
) -> None:
    # ODI with section 10 blank: 10/45 = 22.2 (22.22...) -> 7/45 = 15.6 (15.55...), exactly
    # 30% lower: the record says it reaches the minimal important change, and so must the
    # report (from the rounded 22.2 -> 15.6 it would be 29.7%, short of it)
    for n, given in enumerate(
        ([2, 1, 1, 1, 1, 1, 1, 1, 1, None], [1, 1, 1, 1, 1, 1, 1, 0, 0, None])
    ):
        ctx = Context(user=world.alice, now=NOW + dt.timedelta(days=7 * n))
        actions.record_response(ctx, world.client, actions.ResponseData("odi", given))
    browser = world.web("carol")

    record = html.unescape(browser.get(f"/clients/{world.client.pk}/").content.decode())
    assert "ODI 22.2 → 15.6: improved by the minimal important change (6.6 points, 30%" in record
    page = browser.get(REPORT).content.decode()
    row = page.split("<strong>ODI</strong>")[1].split("</tr>")[0]
    assert '100% <span class="report-count">(1 of 1)</span>' in row
    rows = list(csv.DictReader(io.StringIO(browser.get(CSV).content.decode())))
    odi = next(r for r in rows if r["instrument"] == "odi")
    assert (odi["clients_with_two_scores"], odi["improved"], odi["worse"]) == ("1", "1", "0")


def test_the_reports_share_is_rounded_half_up_as_every_percent_of_a_change() -> None:
    from myomap.core.kb import load_default
    from myomap.outcomes.queries import ReportRow

    rmdq = load_default().instruments["rmdq"]
    # 1 of 8 is 12.5%: 13%, not the 12% of rounding half to even; 5 of 8, 63%
    assert [ReportRow(rmdq, 8, n, 0).percent for n in (1, 5, 0)] == ["13%", "63%", "0%"]
    assert ReportRow(load_default().instruments["peg"], 3, None, None).percent == "—"


def test_another_clinics_report_counts_none_of_lakesides_clients(world: World) -> None:
    _scores(world, world.client, [1] * 14 + [0] * 10, [1] * 8 + [0] * 16)
    from myomap.accounts.models import User

    User.objects.filter(pk=world.bob.pk).update(role=User.Role.ADMIN)
    rows = list(csv.DictReader(io.StringIO(world.web("bob").get(CSV).content.decode())))
    assert {r["clients_with_two_scores"] for r in rows} == {"0"}


def test_the_clinic_page_links_to_the_schedule_and_the_report(world: World) -> None:
    page = world.web("carol").get("/accounts/clinic/").content.decode()
    assert f'href="{SCHEDULE}"' in page and f'href="{REPORT}"' in page


def test_a_score_entered_on_the_record_on_the_visits_day_counts_as_done(world: World) -> None:
    ScheduleRule.objects.create(clinic=world.lakeside, instrument="rmdq", at_intake=True)
    browser = world.web("alice")
    assert "RMDQ</a> — at intake" in browser.get(f"/visits/{world.visit.pk}/").content.decode()
    browser.post(f"/clients/{world.client.pk}/outcomes/rmdq/", {f"s{n}": "on" for n in range(1, 8)})
    page = browser.get(f"/visits/{world.visit.pk}/").content.decode()
    assert "RMDQ</a> — at intake" not in page
    assert "done</span> RMDQ" in page and "(entered on the record that day)" in page


def test_at_discharge_only_is_a_reminder_not_a_due_badge_at_every_visit(world: World) -> None:
    ScheduleRule.objects.create(clinic=world.lakeside, instrument="odi", at_discharge=True)
    page = world.web("alice").get(f"/visits/{world.visit.pk}/").content.decode()
    section = page.split('id="outcomes-due"')[1].split("</section>")[0]
    assert "If this visit ends the course of care:</span>" in section
    assert '<span class="badge warn">due</span>' not in section
