"""The questionnaire entry pages and the client record's Outcomes section: what the
therapist enters is stored with its score and shown, in words, in a plot and in a table;
a refused entry names the item and stores nothing; another clinic sees none of it.

The people are tests/personas.py's (`build_world`): Dan Marlowe's record at Lakeside,
alice his therapist, dan himself, bob at Hilltop."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape

import pypdf
import pytest
from django.utils import timezone
from records_fixtures import World, build_world, last_event_id, new_events

from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.outcomes import actions
from myomap.outcomes.models import QuestionnaireResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def _plain(html: str) -> str:
    """A table's cells without the span that keeps a date's day on one line."""
    return re.sub(r'<span class="outcome-day">([^<]*)</span>', r"\1", html)


def entry_url(world: World, instrument: str) -> str:
    return f"/clients/{world.client.pk}/outcomes/{instrument}/"


def rmdq_form(ticked: int, visit: int | None = None) -> dict[str, str]:
    form = {f"s{n}": "on" for n in range(1, ticked + 1)}
    return form | ({"visit": str(visit)} if visit else {})


@pytest.mark.parametrize("instrument", ["nprs", "rmdq", "odi", "psfs", "startback", "peg"])
def test_every_instrument_has_an_entry_page(world: World, instrument: str) -> None:
    page = world.web("alice").get(entry_url(world, instrument))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="{"s1" if instrument == "rmdq" else ""}' in html or "name=" in html
    if instrument in ("odi", "startback", "rmdq"):
        assert "not in its own words" in html
    better = "higher is better" if instrument == "psfs" else "higher is worse"
    assert f"{better}." in html.split('class="lead"')[1].split("</p>")[0]


def test_the_odi_page_asks_for_section_scores(world: World) -> None:
    html = world.web("alice").get(entry_url(world, "odi")).content.decode()
    assert "1. Pain intensity" in html and "10. Travelling" in html
    notice = re.search(r'id="licence-notice">.*?</div>', html, re.S)
    assert notice is not None  # said once, from its licence terms
    assert notice.group().count("0 for the first statement ... 5 for the last") == 1
    assert "first statement" not in notice.group().split("5 for the last")[1]
    assert 'name="section-8"' in html
    # how many may be blank is said once, in the ODI's word, not beside each section
    assert '<p class="hint" id="blank-hint">Up to 2 sections may be left blank.</p>' in html
    assert "(may be left blank)" not in html


def test_the_rmdq_page_has_24_statements_to_tick(world: World) -> None:
    html = world.web("alice").get(entry_url(world, "rmdq")).content.decode()
    assert len(re.findall(r'type="checkbox" name="s\d+"', html)) == 24


def test_an_rmdq_entered_from_the_record_is_stored_and_shown(world: World) -> None:
    browser = world.web("alice")
    first = last_event_id()

    answer = browser.post(entry_url(world, "rmdq"), rmdq_form(14))

    assert answer.status_code == 302
    assert answer["Location"] == f"/clients/{world.client.pk}/"
    stored = QuestionnaireResponse.objects.get()
    assert (stored.instrument, stored.total, stored.visit) == ("rmdq", 14.0, None)
    assert stored.answers == [1] * 14 + [0] * 10
    assert [e.action for e in new_events(first)] == [AuditEvent.Action.CREATE]
    page = browser.get(f"/clients/{world.client.pk}/").content.decode()
    # the message is at the top of the record, where the page opens, above its heading
    assert "RMDQ 14 recorded." in page.split("<h1")[0]
    assert "RMDQ 14 on " in page and "the baseline; a second score shows the change" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="outcome-plot"' in page


def test_a_second_rmdq_at_a_visit_shows_the_change_plot_and_table(world: World) -> None:
    browser = world.web("alice")
    browser.post(entry_url(world, "rmdq"), rmdq_form(14))

    answer = browser.post(entry_url(world, "rmdq"), rmdq_form(8, world.visit.pk))

    assert answer["Location"] == f"/visits/{world.visit.pk}/"
    later = QuestionnaireResponse.objects.order_by("pk").last()
    assert later is not None and (later.total, later.visit) == (8.0, world.visit)
    page = browser.get(f"/clients/{world.client.pk}/").content.decode()
    assert (
        "RMDQ 14 → 8: improved by more than the minimal important change "
        "(6 points, 43%: past the 5 points and the 30%)." in page
    )
    plot = re.search(r'<svg[^>]*class="outcome-plot".*?</svg>', page, re.S)
    assert plot is not None
    assert plot.group().count('class="point"') == 2
    assert 'class="mcid-band"' in plot.group()
    assert "Shaded: 9.8 to 19, within the minimal important change of the baseline" in page
    table = re.search(r'<table class="table outcome-table">.*?</table>', page, re.S)
    assert table is not None
    cells = re.findall(r"<td>([^<]*)</td>", _plain(table.group()))
    assert [cells[1], cells[2], cells[4]] == ["14", "in the clinic", "8"]
    assert f'href="/visits/{world.visit.pk}/">at a visit' in table.group()


def test_a_missing_answer_is_refused_naming_the_item_and_nothing_is_saved(world: World) -> None:
    first = last_event_id()
    answer = world.web("alice").post(entry_url(world, "peg"), {"pain": "5", "activity": "3"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "PEG item 2 (Interference with enjoyment of life): an answer is required" in html
    assert QuestionnaireResponse.objects.count() == 0
    assert new_events(first) == []


def test_an_out_of_range_odi_section_is_refused(world: World) -> None:
    form = {f"section-{n}": "2" for n in range(1, 11)} | {"section-4": "6"}
    answer = world.web("alice").post(entry_url(world, "odi"), form)
    assert answer.status_code == 400
    said = "ODI section 4 (Walking): 6 is not an answer (it takes 0 to 5)"
    assert said in answer.content.decode()
    assert QuestionnaireResponse.objects.count() == 0


def test_an_odi_with_a_blank_section_is_scored(world: World) -> None:
    values = [3, 2, 1, 2, 2, 1, 2, None, 2, 1]
    form = {f"section-{n}": str(v) for n, v in enumerate(values, 1) if v is not None}
    world.web("alice").post(entry_url(world, "odi"), form)
    stored = QuestionnaireResponse.objects.get()
    assert (stored.total, stored.band) == (35.6, "moderate disability")


def test_psfs_activities_are_kept_in_the_clients_words(world: World) -> None:
    form = {
        "activity-1-activity": "Gardening",
        "activity-1": "3",
        "activity-2-activity": "Lifting my son",
        "activity-2": "5",
        "activity-3-activity": "Running",
        "activity-3": "4",
    }
    world.web("alice").post(entry_url(world, "psfs"), form)
    stored = QuestionnaireResponse.objects.get()
    assert stored.total == 4.0
    assert stored.activities[:3] == ["Gardening", "Lifting my son", "Running"]


def test_a_psfs_change_is_the_change_of_the_unrounded_means_on_the_page_api_and_pdf(
    world: World,
) -> None:
    names = ["Gardening", "Stairs", "Lifting my son"]
    for ratings in ([3, 3, 4], [6, 6, 6]):  # a mean of 3.33..., shown 3.3; then 6
        data = actions.ResponseData("psfs", ratings, activities=names)
        actions.record_response(Context(user=world.alice), world.client, data)
    assert [r.total for r in QuestionnaireResponse.objects.all()] == [3.3, 6.0]
    # 2.67 points of 3.33 is 80%; from the rounded 3.3 it would read 82%
    said = "PSFS 3.3 → 6: improved by more than the minimal detectable change (2.7 points, 80%"
    page = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert said in page and "82%" not in page
    [psfs] = world.api("alice").get(f"/api/clients/{world.client.pk}/outcomes").json()["changes"]
    assert (psfs["absolute"], psfs["percent"]) == (2.7, 80.0) and psfs["sentence"].startswith(said)
    pdf = world.web("alice").get(f"/clients/{world.client.pk}/outcomes/report.pdf").content
    text = " ".join(
        " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).split()
    )
    assert "(2.7 points, 80%" in text and "82%" not in text
    # the shaded band is named as the knowledge base names the PSFS's threshold
    shaded = "Shaded: 1.3 to 5.3, within the minimal detectable change of the baseline"
    assert shaded in page and shaded in text


def test_the_plots_band_is_measured_from_the_unrounded_baseline_as_the_change_is(
    world: World,
) -> None:
    # ODI 10/45 = 22.2 (22.22...) -> 7/45 = 15.6 (15.55...): exactly 30% better, which the
    # sentence says reaches the threshold; the band's lower edge is that 30%, 15.6 (from
    # the rounded 22.2 it was 15.5, and the score 15.6 sat inside it)
    for n, given in enumerate(
        ([2, 1, 1, 1, 1, 1, 1, 1, 1, None], [1, 1, 1, 1, 1, 1, 1, 0, 0, None])
    ):
        ctx = Context(user=world.alice, now=timezone.now() - dt.timedelta(days=7 - 7 * n))
        actions.record_response(ctx, world.client, actions.ResponseData("odi", given))
    page = unescape(world.web("alice").get(f"/clients/{world.client.pk}/").content.decode())
    assert "ODI 22.2 → 15.6: improved by the minimal important change (6.6 points, 30%" in page
    assert "Shaded: 15.6 to 32.2, within the minimal important change of the baseline" in page


def test_two_scores_of_one_day_are_one_date_under_the_plot_and_timed_in_the_table(
    world: World,
) -> None:
    morning = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    for at, pain in ((morning, 7), (morning.replace(hour=16), 5)):
        data = actions.ResponseData("nprs", [pain], taken_at=at)
        actions.record_response(Context(user=world.alice), world.client, data)
    page = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    plot = re.search(r'<svg[^>]*class="outcome-plot".*?</svg>', page, re.S)
    assert plot is not None and plot.group().count('class="point"') == 2
    label = f"{morning.day} {morning:%b}"
    assert re.findall(r'fill="#1f2937">([^<]+)</text>', plot.group()) == [label]
    table = re.search(r'<table class="table outcome-table">.*?</table>', page, re.S)
    assert table is not None
    when = f"{morning.day} {morning:%b %Y}"
    # the day kept on one line, its time free to go below it on a phone
    day = f'<span class="outcome-day">{when},</span>'
    assert f"<td>{day} 09:00</td>" in table.group() and f"<td>{day} 16:00</td>" in table.group()


def test_a_long_series_shows_its_baseline_and_latest_beside_the_plot_and_all_below(
    world: World,
) -> None:
    start = timezone.now() - dt.timedelta(days=40)
    for n in range(12):
        data = actions.ResponseData("nprs", [8 - n // 2], taken_at=start + dt.timedelta(days=3 * n))
        actions.record_response(Context(user=world.alice), world.client, data)
    page = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    recent = re.search(r'<div class="outcome-recent">.*?</table>', page, re.S)
    assert recent is not None
    assert "The baseline and the latest 5 of 12 scores:" in recent.group()
    scores = re.findall(r"<tr><td>[^<]+</td><td>(\d+)</td>", _plain(recent.group()))
    assert scores == ["8", "5", "4", "4", "3", "3"]
    every = re.search(r'<details class="outcome-all">.*?</details>', page, re.S)
    assert every is not None and "All 12 scores of this episode" in every.group()
    assert len(re.findall(r"<tr><td>", every.group())) == 12


def test_psfs_form_asks_for_3_to_5_rated_activities_and_names_every_unnamed_one(
    world: World,
) -> None:
    browser = world.web("alice")
    form = browser.get(entry_url(world, "psfs")).content.decode()
    assert "3 to 5 activities, each named in the client's words and rated" in form
    assert "(optional)" not in form and "Rating of activity 1</label>" in form
    answer = browser.post(
        entry_url(world, "psfs"), {"activity-1": "3", "activity-2": "5", "activity-3": "4"}
    )
    page = answer.content.decode()
    assert "PSFS activities 1, 2 and 3: name the activity the client rated for each" in page
    assert QuestionnaireResponse.objects.count() == 0  # nothing saved


def test_startback_risk_is_stored_and_shown(world: World) -> None:
    form = {f"item-{n}": v for n, v in enumerate(["0", "0", "0", "0", "1", "1", "1", "0", "4"], 1)}
    world.web("alice").post(entry_url(world, "startback"), form)
    stored = QuestionnaireResponse.objects.get()
    assert (stored.total, stored.band) == (4.0, "high")
    page = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert '<th scope="col">Risk</th>' in page and "<td>high</td>" in page


def test_another_clinic_and_the_client_cannot_enter_or_see_scores(world: World) -> None:
    world.web("alice").post(entry_url(world, "nprs"), {"pain": "6"})
    assert world.web("bob").get(entry_url(world, "nprs")).status_code == 404
    assert world.web("bob").post(entry_url(world, "nprs"), {"pain": "2"}).status_code == 404
    assert world.web("dan").post(entry_url(world, "nprs"), {"pain": "2"}).status_code == 403
    assert QuestionnaireResponse.objects.count() == 1
    # Dan reads his own scores on his record, without the links to enter more.
    page = world.web("dan").get(f"/clients/{world.client.pk}/").content.decode()
    assert "NPRS 6 on " in page and "Enter a questionnaire" not in page


def test_a_visit_of_another_client_is_not_found(world: World) -> None:
    gail = world.red_intake.client
    url = f"/clients/{gail.pk}/outcomes/nprs/?visit={world.visit.pk}"
    assert world.web("alice").get(url).status_code == 404


def test_an_unknown_instrument_is_not_found(world: World) -> None:
    assert world.web("alice").get(entry_url(world, "sf36")).status_code == 404


def _count(browser, path: str) -> int:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert browser.get(path).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(path).status_code == 200
    return len(queries)


def test_the_record_and_visit_pages_query_count_does_not_grow_with_the_scores(
    world: World,
) -> None:
    from myomap.outcomes.models import ScheduleRule

    ScheduleRule.objects.create(clinic=world.lakeside, instrument="rmdq", every_visit=True)
    ScheduleRule.objects.create(clinic=world.lakeside, instrument="nprs", at_intake=True)
    browser = world.web("alice")
    browser.post(entry_url(world, "rmdq"), rmdq_form(14, world.visit.pk))
    record, visit = f"/clients/{world.client.pk}/", f"/visits/{world.visit.pk}/"
    small = (_count(browser, record), _count(browser, visit))
    for n in range(10):
        browser.post(entry_url(world, "rmdq"), rmdq_form(n, world.signed_visit.pk))
        browser.post(
            entry_url(world, ("nprs", "peg")[n % 2]),
            {"pain": "5", "enjoyment": "4", "activity": "3"},
        )
    assert QuestionnaireResponse.objects.count() == 21
    assert (_count(browser, record), _count(browser, visit)) == small


def test_the_record_shows_the_pain_drawing_area_over_the_intakes(world: World) -> None:
    import datetime as dt

    from myomap.audit.log import Context
    from myomap.clients import actions as client_actions
    from myomap.clients.models import Intake

    # Dan's two intakes from the world (the low back, 3 regions each), then a smaller one.
    later = Intake.objects.filter(client=world.client).order_by("recorded_at").last()
    assert later is not None
    client_actions.record_intake(
        Context(user=world.alice, now=later.recorded_at + dt.timedelta(days=14)),
        world.client,
        client_actions.IntakeData("Low back pain, easing", pain_drawing={"sacrum": 2}),
    )
    page = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert "Pain drawing area" in page
    assert "Painted area 1.7% → 0.7% of the figure (3 regions → 1 region)" in page
    table = re.search(r'id="outcome-drawing".*?</table>', page, re.S)
    assert table is not None
    assert re.findall(r"<td>([\d.]+%)</td><td>(\d+)</td>", table.group()) == [
        ("1.7%", "3"),
        ("1.7%", "3"),
        ("0.7%", "1"),
    ]
    assert (
        "Painted area" not in world.web("bob").get(f"/clients/{world.client.pk}/").content.decode()
    )


def test_each_day_of_the_pain_diary_is_a_drawing_beside_the_intakes(world: World) -> None:
    import datetime as dt
    import uuid

    from myomap.audit.log import Context
    from myomap.program import actions as program_actions

    latest = max(i.recorded_at for i in world.client.intakes.all())
    day_one = latest + dt.timedelta(days=3)
    for hour, region, pain in ((9, "lumbar-upper-left", 4), (15, "lumbar-upper-left", 6)):
        program_actions.record_diary(
            Context(user=world.dan, now=day_one.replace(hour=hour)),
            entry_id=uuid.uuid4(),
            region=region,
            pain=pain,
        )
    day_two = day_one + dt.timedelta(days=4)
    program_actions.record_diary(
        Context(user=world.dan, now=day_two), entry_id=uuid.uuid4(), region="sacrum", pain=0
    )  # no pain: nothing painted that day
    page = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    table = re.search(r'id="outcome-drawing".*?</table>', page, re.S)
    assert table is not None
    assert table.group().count("(pain diary)") == 1 and table.group().count("(intake)") == 2
    assert "Painted area 1.7% → 0.5% of the figure (3 regions → 1 region)" in page
    body = world.api("alice").get(f"/api/clients/{world.client.pk}/outcomes").json()
    assert [d["source"] for d in body["drawings"]] == ["intake", "intake", "diary"]
    assert body["drawings"][-1]["intake_id"] is None and body["drawings"][-1]["regions"] == 1


def test_a_paper_form_from_an_earlier_day_is_dated_that_day(world: World) -> None:
    import datetime as dt

    from django.utils import timezone

    earlier = timezone.localdate() - dt.timedelta(days=6)
    form = rmdq_form(9) | {"taken_on": earlier.isoformat()}
    assert world.web("alice").post(entry_url(world, "rmdq"), form).status_code == 302
    stored = QuestionnaireResponse.objects.get()
    assert timezone.localdate(stored.taken_at) == earlier
    page = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert f"{earlier.day} {earlier:%b %Y}" in page
    future = rmdq_form(9) | {"taken_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat()}
    answer = world.web("alice").post(entry_url(world, "rmdq"), future)
    assert answer.status_code == 400 and "answered in the future" in answer.content.decode()
    # said beside the day it is about, not only above the form
    day_field = re.search(
        r'<div class="field has-error">\s*<label for="id_taken_on">.*?</div>',
        answer.content.decode(),
        re.S,
    )
    assert day_field is not None and "answered in the future" in day_field.group()
    assert QuestionnaireResponse.objects.count() == 1
