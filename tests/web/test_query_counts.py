"""No page gets slower as the clinic grows: the number of SQL queries a page makes does
not depend on how many clients, visits, findings or note versions there are.

Every page that shows health data (the table of records_fixtures.py, web and API) is
counted with 2 clients and 2 visits, then again after 10 more clients, 10 more visits
of Dan's, more findings and 10 more note versions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from records_fixtures import ENTRIES, Entry, Kind, World, build_world, record_findings

from myomap.audit.log import Context
from myomap.clients import actions as client_actions
from myomap.clients.models import Client, Intake
from myomap.core.kb import load_default
from myomap.visits import actions as visit_actions
from myomap.visits.models import Visit

pytestmark = pytest.mark.django_db

PAGES = [
    pytest.param(entry, id=str(entry))
    for entry in ENTRIES
    if entry.method == "GET" and entry.health_data
]


def grow(world: World, more: int) -> None:
    """More clients with whole records, more visits and versions on Dan's record."""
    ctx = Context(user=world.alice, via="cli")
    for n in range(more):
        other = client_actions.create_client(
            ctx,
            client_actions.ClientData(
                f"Pat{n}", f"Other{n}", dt.date(1970, 1, 1 + n), "", "", True, True
            ),
        )
        intake = client_actions.record_intake(
            ctx, other, client_actions.IntakeData("Hip pain", {"sacrum": 3})
        )
        visit = visit_actions.start_visit(ctx, other, intake)
        record_findings(ctx, visit)
        visit_actions.draft_note(ctx, visit)
    for _ in range(more):  # Dan comes back, with a different therapist sometimes
        therapist = world.frank if _ % 2 else world.alice
        visit = visit_actions.start_visit(Context(user=therapist), world.client, world.intake)
        record_findings(ctx, visit)
        visit_actions.draft_note(ctx, visit)
    points = [
        tp for tp in load_default().trigger_points if tp not in ("quadratus-lumborum-deep-caudal",)
    ][:more]
    for point in points:
        visit_actions.record_palpation(
            ctx, world.visit, visit_actions.PalpationData(point, "left", tender=2)
        )
    for n in range(more):  # amend and re-sign the signed note: its history grows
        version = visit_actions.amend_note(ctx, world.signed_visit, f"Correction number {n}.")
        visit_actions.sign_note(ctx, world.signed_visit, revision=version.revision)


def count(world: World, entry: Entry) -> tuple[int, list[str]]:
    persona = "carol" if entry.kind is Kind.AUDIT else "alice"
    url = entry.url(world.ids)
    browser = world.browser_for(url, persona)
    assert browser.get(url).status_code == 200  # sign-in and token bookkeeping out of the way
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(url).status_code == 200
    return len(queries), [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("entry", PAGES)
def test_a_pages_query_count_does_not_grow_with_the_clinic(entry: Entry) -> None:
    world = build_world(scored=True)
    small, _ = count(world, entry)
    grow(world, 10)
    large, sql = count(world, entry)
    assert large == small, f"{entry}: {small} queries, then {large}:\n" + "\n".join(sql)


def test_the_grown_clinic_is_really_bigger() -> None:
    world = build_world()
    grow(world, 10)
    assert world.client.visits.count() == 13
    assert world.lakeside.clients.count() == 13
    assert world.signed_visit.note.versions.count() == 11
    assert world.visit.palpations.count() == 11


def more_clients(world: World, count: int, family: str = "Lister") -> None:
    """`count` clients more at Lakeside, each with one intake and `n % 3` visits."""
    made = Client.objects.bulk_create(
        Client(
            clinic=world.lakeside,
            given_name=f"Pat{n:03}",
            family_name=family,
            date_of_birth=dt.date(1970, 1, 1),
            created_by=world.alice,
        )
        for n in range(count)
    )
    for n, client in enumerate(made):
        intake = Intake.objects.create(client=client, recorded_by=world.alice, complaint="Hip")
        for _ in range(n % 3):
            Visit.objects.create(client=client, intake=intake, therapist=world.alice)


LISTS = [
    pytest.param("/clients/", {}, id="client list"),
    pytest.param("/clients/", {"page": "2"}, id="client list page 2"),
    pytest.param("/clients/", {"q": "lis"}, id="client search"),
    pytest.param("/api/clients", {}, id="API client list"),
    pytest.param("/api/clients", {"page": "2", "q": "lister"}, id="API client search page 2"),
]


@pytest.mark.parametrize(("path", "query"), LISTS)
def test_a_lists_query_count_is_the_same_for_5_clients_and_for_60(
    path: str, query: dict[str, str]
) -> None:
    world = build_world()
    browser = world.browser_for(path, "alice")

    def queries() -> tuple[int, str]:
        assert browser.get(path, query).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            response = browser.get(path, query)
        if path.startswith("/api/"):
            return len(captured), str(response.json()["count"])
        total = re.search(r"· (\d+) clients", response.content.decode())
        assert total is not None, "the list shows no total"
        return len(captured), total.group(1)

    more_clients(world, 5)
    small, total = queries()
    assert total == ("5" if "q" in query else "8")  # Lakeside's 3 clients and 5 more
    more_clients(world, 55)
    large, total = queries()
    assert total == ("60" if "q" in query else "63")
    assert large == small
