"""Every list is read through an index in its order, and the name search through the
search keys' indexes, on SQLite and on PostgreSQL alike: the database's own query plan
(EXPLAIN) names the index and sorts nothing, so a page stays as fast with 10,000 clients
as with 10. Alice is Lakeside's therapist and Carol its clinic admin (personas).

The tables here are small, and PostgreSQL's planner would rightly read a small table
whole and sort it; the test turns that off (`enable_seqscan`, `enable_sort`) to ask
whether an index serves the query at all, which is what a large clinic's planner then
chooses (as EXPLAIN shows on 10,000 clients)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from myomap.accounts.models import User
from myomap.audit.models import AuditEvent
from myomap.audit.queries import events_for
from myomap.clients import queries
from myomap.clients.models import Client, Intake
from myomap.records.pages import paginate
from myomap.visits.models import Visit

pytestmark = pytest.mark.django_db

FAMILY = ("Smith", "Jones", "Brown", "Taylor", "Wilson", "Evans", "Thomas", "Walker")
GIVEN = ("Anna", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jon")


@pytest.fixture
def clinic(alice: User, carol: User) -> list[Client]:
    """Four hundred Lakeside clients of many names, with visits and audit events."""
    clients = Client.objects.bulk_create(
        Client(
            clinic=alice.clinic,
            given_name=f"{GIVEN[n % 10]}{n}",
            family_name=f"{FAMILY[n % 8]}{n}",
            date_of_birth=dt.date(1970, 1, 1),
            created_by=alice,
        )
        for n in range(400)
    )
    for client in clients[:5]:
        intake = Intake.objects.create(client=client, recorded_by=alice, complaint="Neck")
        Visit.objects.create(client=client, intake=intake, therapist=alice)
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            clinic=alice.clinic,
            actor=alice,
            actor_name="alice",
            client=clients[n % 40],
            action="view" if n % 2 else "update",
            object_type="client",
            at=now - dt.timedelta(minutes=n),
        )
        for n in range(200)
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for plan in ("seqscan", "sort", "incremental_sort"):
                cursor.execute(f"SET LOCAL enable_{plan} = off")
        cursor.execute("ANALYZE")
    return clients


def plans(read: Callable[[], object]) -> list[str]:
    """The query plan of each query `read` makes, as the database explains it."""
    with CaptureQueriesContext(connection) as captured:
        read()
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    found = []
    for query in captured.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute(explain + query["sql"])
            found.append("\n".join(str(row[-1]) for row in cursor.fetchall()))
    return found


def sorts(plan: str) -> bool:
    return "TEMP B-TREE FOR ORDER BY" in plan or "Sort" in plan


def reads_whole(plan: str, table: str) -> bool:
    return f"SCAN {table}" in plan.replace(" USING", "\n") or f"Seq Scan on {table}" in plan


def test_a_page_of_the_client_list_is_read_from_its_index_in_order(
    alice: User, clinic: list[Client]
) -> None:
    count, rows, visits = plans(
        lambda: queries.with_visits(paginate(queries.client_list_rows(alice), 2, per_page=10).rows)
    )
    assert "client_list_order" in rows and not sorts(rows)
    assert not reads_whole(count, "clients_client")
    # the visit counts of the page: through the visits' index by client, not every visit
    assert "visits_visit" in visits and not reads_whole(visits, "visits_visit")


@pytest.mark.parametrize("query", ["smi", "ann", "smith40 an"])
def test_the_name_search_is_read_from_the_search_keys_indexes(
    alice: User, clinic: list[Client], query: str
) -> None:
    count, rows, _ = plans(
        lambda: queries.with_visits(
            paginate(queries.client_list_rows(alice, query), 1, per_page=10).rows
        )
    )
    assert "client_list_order" in count and "client_given_key" in count, count
    assert not reads_whole(count, "clients_client")
    assert not reads_whole(rows, "clients_client")


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({}, "audit_list"),
        ({"action": "update"}, "audit_list_of_action"),
        ("client", "audit_list_of_client"),
    ],
)
def test_a_page_of_the_audit_log_is_read_from_its_index_in_order(
    carol: User, clinic: list[Client], filters: object, index: str
) -> None:
    given = {"client": clinic[3].pk} if filters == "client" else filters
    count, rows = plans(lambda: paginate(events_for(carol, **given), 2, per_page=10))  # type: ignore[arg-type]
    assert index in rows and not sorts(rows), rows
    assert not reads_whole(count, "audit_auditevent")
    assert not reads_whole(rows, "audit_auditevent")


def test_a_clients_visits_are_read_newest_first_from_their_index(
    alice: User, clinic: list[Client]
) -> None:
    (plan,) = plans(lambda: list(clinic[0].visits.all()))
    assert "visits_of_client" in plan and not sorts(plan), plan
