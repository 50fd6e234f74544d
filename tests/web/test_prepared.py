"""Reads compiled once (myomap.records.prepared) answer exactly as the querysets they
are built from: the same rows, the same related records, the same visibility, on SQLite
and PostgreSQL alike. Personas: Alice is Lakeside's therapist, Bob Hilltop's, Dan a
Lakeside client (tests/personas.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from records_fixtures import World, build_world

from myomap.clients import queries as client_queries
from myomap.clients.models import ClientRevision
from myomap.records.prepared import Prepared, Staff, staff_clinic
from myomap.visits import queries as visit_queries
from myomap.visits.models import NoteVersion, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def fields(record: Model | None) -> dict[str, Any]:
    if record is None:
        return {}
    return {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields}


def test_a_visit_read_prepared_is_the_visit_with_its_client_intake_and_therapist(
    world: World,
) -> None:
    for visit in (world.visit, world.signed_visit, world.empty_visit):
        prepared = visit_queries.visit_for(world.alice, visit.pk)
        plain = Visit.objects.select_related("client", "intake", "therapist").get(pk=visit.pk)
        assert fields(prepared) == fields(plain)
        assert fields(prepared.client) == fields(plain.client)
        assert fields(prepared.intake) == fields(plain.intake)
        assert prepared.therapist.get_username() == "alice"
        assert prepared.client.family_name == world.client.family_name


def test_another_clinic_and_a_missing_visit_are_still_refused(world: World) -> None:
    with pytest.raises(Http404):
        visit_queries.visit_for(world.bob, world.visit.pk)
    with pytest.raises(Http404):
        visit_queries.visit_for(world.alice, 10**9)
    # a client reads through the plain querysets: Dan sees his own visit, drafts hidden
    assert visit_queries.visit_for(world.dan, world.visit.pk) == world.visit
    assert [v.is_signed for v in visit_queries.versions_for(world.dan, world.signed_visit)] == [
        True
    ]
    assert visit_queries.versions_for(world.dan, world.visit) == []


def test_note_versions_read_prepared_are_every_version_in_order_with_their_people(
    world: World,
) -> None:
    for visit in (world.visit, world.signed_visit, world.empty_visit):
        prepared = visit_queries.versions_for(world.alice, visit)
        plain = list(
            NoteVersion.objects.filter(note__visit=visit)
            .select_related("author", "signed_by")
            .order_by("number")
        )
        assert [fields(v) for v in prepared] == [fields(v) for v in plain]
        assert [fields(v.signed_by) for v in prepared] == [fields(v.signed_by) for v in plain]
        latest = visit_queries.latest_version(visit)
        assert fields(latest) == fields(plain[-1] if plain else None)
    assert visit_queries.versions_for(world.bob, world.signed_visit) == []


def test_the_client_record_reads_are_the_plain_ones(world: World) -> None:
    client = client_queries.client_for(world.alice, world.client.pk)
    assert fields(client) == fields(type(client).objects.get(pk=world.client.pk))
    assert client.treatment_consent_by is not None
    lists = client_queries.client_record(client)
    assert [fields(i) for i in lists.intakes] == [fields(i) for i in client.intakes.all()]
    plain_visits = list(client.visits.select_related("therapist", "note"))
    assert [fields(v) for v in lists.visits] == [fields(v) for v in plain_visits]
    assert [v.therapist.get_username() for v in lists.visits] == ["alice"] * 3
    assert [hasattr(v, "note") for v in lists.visits] == [hasattr(v, "note") for v in plain_visits]
    assert all(record.client is client for record in (*lists.intakes, *lists.visits))
    assert [fields(c) for c in lists.changes] == [
        fields(c) for c in ClientRevision.objects.filter(client=client).order_by("-changed_at")
    ]
    with pytest.raises(Http404):
        client_queries.client_for(world.bob, world.client.pk)


def test_a_prepared_read_refuses_an_argument_that_is_not_one_parameter(world: World) -> None:
    twice = Prepared(lambda pk: Visit.objects.filter(pk=pk, client_id=pk), 1)
    with pytest.raises(ValueError, match="argument 0 is not one parameter"):
        twice.rows(world.visit.pk)
    unused = Prepared(lambda pk, clinic: Visit.objects.filter(pk=pk), 2)
    with pytest.raises(ValueError, match="argument 1 is not one parameter"):
        unused.rows(world.visit.pk, 1)
    with pytest.raises(TypeError, match="expected 2 numbers, got 1"):
        Prepared(lambda pk, clinic: Visit.objects.filter(pk=pk, client__clinic_id=clinic), 2).rows(
            1
        )


def test_only_staff_reads_are_prepared(world: World) -> None:
    assert staff_clinic(world.alice) == world.lakeside.pk
    assert staff_clinic(world.dan) is None
    assert staff_clinic(Staff(clinic_id=3)) == 3


def test_a_visits_findings_are_read_once_and_are_its_findings(world: World) -> None:
    visit = visit_queries.visit_for(world.alice, world.visit.pk)
    plain = Visit.objects.get(pk=world.visit.pk)
    visit_queries.load_findings(visit)
    with CaptureQueriesContext(connection) as asked:
        palpations, movements = list(visit.palpations.all()), list(visit.movements.all())
        assert all(p.visit is visit for p in palpations)
    assert len(asked.captured_queries) == 0
    assert palpations and [fields(p) for p in palpations] == [
        fields(p) for p in plain.palpations.all()
    ]
    assert movements and [fields(m) for m in movements] == [
        fields(m) for m in plain.movements.all()
    ]
