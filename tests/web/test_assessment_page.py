"""The assessment page has one palpation form, in the row being examined; every other
candidate row links to it (the page's script moves it in place, the link works without).
Recording through it, its refusals and the 'already recorded' state read as before, and
the page's size and queries do not grow with the candidates and findings."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from records_fixtures import World, build_world

from myomap.audit.log import Context
from myomap.clients import actions as client_actions
from myomap.visits import actions as visit_actions
from myomap.visits import recorded
from myomap.visits.models import PalpationFinding, Visit

pytestmark = pytest.mark.django_db

FORM = '<form method="post" action="/visits/{}/palpation/" class="palpation-form"'
# Most of the front and back of the body hurts: the widest list of candidates.
WIDESPREAD = (
    "lumbar",
    "buttock",
    "hip",
    "thigh",
    "shoulder",
    "neck",
    "knee",
    "calf",
)


@pytest.fixture
def world() -> World:
    return build_world()


def rows(page: str) -> dict[str, str]:
    """Each candidate row's HTML by its id (trigger point and side)."""
    found = re.findall(r'<li id="([\w-]+)" class="exam-item[^"]*">(.*?)</li>', page, re.S)
    return dict(found)


def widespread_visit(world: World) -> Visit:
    from myomap.core.kb import load_default

    ctx = Context(user=world.alice, via="cli")
    drawing = {r: 6 for r in load_default().regions if any(k in r for k in WIDESPREAD)}
    intake = client_actions.record_intake(
        ctx, world.client, client_actions.IntakeData("Pain nearly everywhere", drawing)
    )
    return visit_actions.start_visit(ctx, world.client, intake)


def test_the_page_renders_one_palpation_form_however_many_candidates(world: World) -> None:
    visit = widespread_visit(world)
    page = world.web("alice").get(f"/visits/{visit.pk}/").content.decode()
    shown = rows(page)
    assert len(shown) == len(recorded.explanation(visit).candidates) == 10
    assert page.count(FORM.format(visit.pk)) == 1
    assert page.count('name="tender"') == 1 and page.count("csrfmiddlewaretoken") <= 4
    # The form opens on the first candidate, nothing being examined yet; the others link.
    first, *others = shown
    assert FORM.format(visit.pk) in shown[first]
    assert all(">Record a finding<" in shown[key] for key in others)
    assert f'href="?point={others[0].rsplit("-", 1)[0]}&amp;side=' in shown[others[0]]
    # The page beside its drawing stays small: no form per row.
    drawing = page[page.index("<svg") : page.index("</svg>")]
    assert len(page) - len(drawing) < 25_000, len(page) - len(drawing)


def test_a_rows_link_opens_the_form_there_with_what_was_recorded(world: World) -> None:
    visit = world.visit  # quadratus-lumborum-deep-caudal left: tender 6, taut band, referral
    url = f"/visits/{visit.pk}/?point=quadratus-lumborum-deep-caudal&side=left"
    page = world.web("alice").get(url).content.decode()
    row = rows(page)["quadratus-lumborum-deep-caudal-left"]
    assert FORM.format(visit.pk) in row and page.count(FORM.format(visit.pk)) == 1
    assert 'name="tender" value="6"' in row
    assert re.search(r'name="taut_band"[^>]*checked', row)
    assert re.search(r'name="referral"[^>]*checked', row)
    assert not re.search(r'name="twitch"[^>]*checked', row)
    assert "Examined: tender 6/10, taut band, referral reproduced" in row


def test_when_every_row_is_examined_the_form_waits_for_a_link(world: World) -> None:
    visit = world.visit
    ctx = Context(user=world.alice, via="cli")
    for c in recorded.explanation(visit).candidates:
        visit_actions.record_palpation(
            ctx, visit, visit_actions.PalpationData(c.trigger_point, c.side, tender=1)
        )
    page = world.web("alice").get(f"/visits/{visit.pk}/").content.decode()
    assert all("Change this finding" in row for row in rows(page).values())
    assert page.count(FORM.format(visit.pk)) == 1
    assert '<div class="exam-item" id="palpation-holder" hidden>' in page


def test_recording_through_the_form_stores_the_finding_and_the_page_shows_it(
    world: World,
) -> None:
    visit = widespread_visit(world)
    web = world.web("alice")
    second = recorded.explanation(visit).candidates[1]
    key = f"{second.trigger_point}-{second.side}"
    page = web.get(f"/visits/{visit.pk}/?point={second.trigger_point}&side={second.side}")
    assert FORM.format(visit.pk) in rows(page.content.decode())[key]

    response = web.post(
        f"/visits/{visit.pk}/palpation/",
        {
            "trigger_point": second.trigger_point,
            "side": second.side,
            "tender": "7",
            "referral": "on",
            "ppt": "2.5",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#{key}")
    stored = PalpationFinding.objects.get(visit=visit)
    assert (stored.trigger_point, stored.side, stored.tender, stored.referral) == (
        second.trigger_point,
        second.side,
        7,
        True,
    )
    assert (stored.taut_band, float(stored.ppt or 0)) == (False, 2.5)
    after = web.get(response["Location"]).content.decode()
    row = rows(after)[key]
    assert 'class="exam-item examined"' in after
    assert "Examined: tender 7/10, referral reproduced, pressure pain threshold 2.5" in row
    assert "Change this finding" in row


def test_a_bad_value_names_the_field_and_keeps_what_was_typed_in_its_row(world: World) -> None:
    visit = widespread_visit(world)
    third = recorded.explanation(visit).candidates[2]
    key = f"{third.trigger_point}-{third.side}"
    response = world.web("alice").post(
        f"/visits/{visit.pk}/palpation/",
        {
            "trigger_point": third.trigger_point,
            "side": third.side,
            "tender": "14",
            "twitch": "on",
            "ppt": "3.5",
        },
    )
    assert response.status_code == 400
    assert not PalpationFinding.objects.filter(visit=visit).exists()
    page = response.content.decode()
    assert f'Not saved: <a href="#{key}">{third.trigger_point_name} ({third.side})</a>' in page
    row = rows(page)[key]
    assert FORM.format(visit.pk) in row and page.count(FORM.format(visit.pk)) == 1
    assert "Tender (0-10): Ensure this value is less than or equal to 10." in row
    assert 'value="14"' in row and 'value="3.5"' in row
    assert re.search(r'name="twitch"[^>]*checked', row)


def test_the_pages_queries_and_size_do_not_grow_with_candidates_and_findings(
    world: World,
) -> None:
    visit = widespread_visit(world)
    web = world.web("alice")
    url = f"/visits/{visit.pk}/"

    def measure() -> tuple[int, int]:
        web.get(url)
        with CaptureQueriesContext(connection) as queries:
            page = web.get(url).content.decode()
        return len(queries), page.count(FORM.format(visit.pk))

    # One finding first: an empty visit asks a little more (is anything recorded at all?).
    ctx = Context(user=world.alice, via="cli")
    candidates = recorded.explanation(visit, top=None).candidates
    visit_actions.record_palpation(
        ctx, visit, visit_actions.PalpationData(candidates[0].trigger_point, "left", tender=3)
    )
    before = measure()
    for c in candidates[1:31]:
        visit_actions.record_palpation(
            ctx, visit, visit_actions.PalpationData(c.trigger_point, c.side, tender=3)
        )
    for side in ("left", "right"):
        visit_actions.record_movement(ctx, visit, "prone-hip-extension", side, "positive")
    assert visit.palpations.count() == 31
    assert measure() == before
    assert before[1] == 1


def test_a_refused_movement_test_keeps_what_was_typed_and_the_next_page_starts_blank(
    world: World,
) -> None:
    web = world.web("alice")
    url = f"/visits/{world.visit.pk}/"
    before = world.visit.movements.count()
    refused = web.post(
        f"{url}movement/",
        {"test": "prone-hip-extension", "side": "right", "result": "", "note": "Fires late"},
    )
    assert refused.status_code == 400 and world.visit.movements.count() == before
    page = refused.content.decode()
    assert "Result: This field is required." in page and 'value="Fires late"' in page
    assert '<option value="right" selected>' in page
    again = web.get(url).content.decode()
    assert "Fires late" not in again and "This field is required." not in again
    assert '<option value="right" selected>' not in again


def test_the_plan_page_without_a_plan_says_what_to_do_next(world: World) -> None:
    """Before any finding: record findings; after one: propose a plan from them."""
    visit = world.empty_visit
    browser = world.web("alice")
    page = browser.get(f"/visits/{visit.pk}/plan/").content.decode()
    assert "No plan yet. Record findings on the" in page
    assert "Findings are recorded" not in page
    visit_actions.record_palpation(
        Context(user=world.alice, via="web"),
        visit,
        visit_actions.PalpationData("quadratus-lumborum-deep-caudal", "left", tender=6),
    )
    page = browser.get(f"/visits/{visit.pk}/plan/").content.decode()
    assert "Findings are recorded: propose a plan from them" in page
    assert "Propose a plan from the findings" in page
