"""The clinic's data pages (/accounts/clinic/data/): carol, Lakeside's clinic admin,
downloads the whole clinic's FHIR Bundle and one client's, the CSV export as one .zip,
sets the clinic's retention minimum and erases a client on request, through the same
functions as `myomap export` and `myomap erase`. Only a clinic admin may (a therapist
gets 403); another clinic's client is a 404. The world is records_fixtures.py's: Dan
Marlowe's record with a signed note, Erin Ashdown's with none, Gail Fenwick's."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.urls import resolve
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from records_fixtures import (
    ADMIN_ENTRIES,
    ADMIN_PREFIX,
    DAN_FAMILY_NAME,
    EXPECTED,
    MISSING_ID,
    PERSONAS,
    Entry,
    Outcome,
    World,
    build_world,
    last_event_id,
    new_events,
    outcome,
    routes,
    snapshot,
)

from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients import actions as client_actions
from myomap.clients.models import Client
from myomap.erasure.actions import REDACTED
from myomap.erasure.models import Erasure, Retention
from myomap.interop import fhir_export, gather, ops
from myomap.visits.models import Visit
from personas import ERIN_FAMILY_NAME, GAIL_FAMILY_NAME

pytestmark = pytest.mark.django_db
DATA = "/accounts/clinic/data/"
ASKED = {"requested_by": "the client, by letter", "requested_on": "2026-01-05"}


@pytest.fixture
def world() -> World:
    return build_world()


def _body(response: object) -> bytes:
    streaming = getattr(response, "streaming_content", None)
    return b"".join(streaming) if streaming is not None else response.content  # type: ignore[attr-defined]


def _follow(browser: Any, response: Any) -> str:
    """The page a change goes back to, with its message, in the same browser."""
    assert response.status_code == 302, response.content[:500]
    return str(browser.get(response["Location"]).content.decode())


# ----------------------------------------------------------------------------- who may
def _route(entry: Entry, world: World) -> str:
    return str(resolve(entry.url(world.ids)).route)


def test_every_data_page_and_method_is_in_the_admin_table(world: World) -> None:
    by_route: dict[str, set[str]] = {}
    for entry in ADMIN_ENTRIES:
        by_route.setdefault(_route(entry, world), set()).add(entry.method)
    assert sorted(by_route) == routes((ADMIN_PREFIX,))
    for entry in ADMIN_ENTRIES:
        url = entry.url(world.ids)
        answer = world.web("carol").generic("TRACE", url)
        assert answer.status_code == 405, url
        assert set(re.split(r",\s*", answer["Allow"])) == by_route[_route(entry, world)]


@pytest.mark.parametrize(
    ("entry", "persona"),
    [pytest.param(e, p, id=f"{e} as {p}") for e in ADMIN_ENTRIES for p in PERSONAS],
)
def test_only_the_clinic_admin_sees_or_changes_the_clinics_data(
    world: World, entry: Entry, persona: str
) -> None:
    before, first = snapshot(audit=False), last_event_id()
    response = entry.send(world, persona)
    got = outcome(response, api=False)
    assert got == EXPECTED[entry.kind][persona], f"{entry} as {persona}: {response.status_code}"
    if got is not Outcome.ALLOWED:
        if persona in ("anonymous", "bob", "erin"):
            assert DAN_FAMILY_NAME.encode() not in response.content
        assert snapshot(audit=False) == before
        assert new_events(first) == []
        if "{" in entry.path:  # the same answer for a record that does not exist
            missing = {name: MISSING_ID for name in world.ids}
            assert entry.send(world, persona, ids=missing).status_code == response.status_code
        return
    if entry.is_write:
        assert response.status_code == 302, response.content[:500]
        assert sorted(e.action for e in new_events(first)) == sorted(entry.audit)
    else:
        assert response.status_code == 200
        _body(response)  # a download is read to its end


def test_another_clinics_client_is_a_404_for_every_data_page(world: World) -> None:
    hilltop = client_actions.create_client(
        Context(user=world.bob),
        client_actions.ClientData("Hugo", "Hilltopper", dt.date(1970, 1, 1)),
    )
    carol = world.web("carol")
    for path in (f"clients/{hilltop.pk}/fhir.json", f"clients/{hilltop.pk}/erase/"):
        assert carol.get(DATA + path).status_code == 404
    answer = carol.post(DATA + f"clients/{hilltop.pk}/erase/confirm/", ASKED)
    assert answer.status_code == 404
    assert Client.objects.filter(pk=hilltop.pk).exists() and not Erasure.objects.exists()


def test_the_clinic_page_links_to_the_data_page_for_an_admin(world: World) -> None:
    page = world.web("carol").get("/accounts/clinic/").content.decode()
    assert DATA in page
    assert world.web("alice").get(DATA).status_code == 403


# ----------------------------------------------------------------------------- FHIR
def test_the_whole_clinic_downloads_as_one_fhir_bundle_audited_per_client(world: World) -> None:
    first = last_event_id()
    response = world.web("carol").get(DATA + "clinic.fhir.json")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/fhir+json"
    name = response["Content-Disposition"].split('filename="')[1].rstrip('"')
    assert name.startswith("lakeside-") and name.endswith(".fhir.json")
    assert DAN_FAMILY_NAME not in name

    bundle = Bundle.model_validate_json(_body(response))  # the models read it back
    assert bundle.type == "collection"
    kinds = [e.resource.get_resource_type() for e in bundle.entry or []]
    families = sorted(
        e.resource.name[0].family
        for e in bundle.entry or []
        if e.resource.get_resource_type() == "Patient"
    )
    assert families == sorted([DAN_FAMILY_NAME, ERIN_FAMILY_NAME, GAIL_FAMILY_NAME])
    assert {"Encounter", "Composition", "Provenance", "ConceptMap", "AuditEvent"} <= set(kinds)

    events = new_events(first)
    assert sorted(e.client.family_name for e in events) == families  # type: ignore[union-attr]
    assert {(e.action, e.actor, e.via) for e in events} == {
        (AuditEvent.Action.EXPORT, world.carol, "web")
    }
    assert all(name in e.summary for e in events)


def test_the_streamed_bundle_is_the_commands_bundle(world: World) -> None:
    """`fhir_export.stream` (the download) writes the same Bundle as `collection` (the
    command line's `myomap export fhir`), one entry at a time."""
    now = timezone.now()
    rows = list(gather.every(world.carol, None))
    streamed = json.loads(b"".join(fhir_export.stream(rows, now, world.carol)))
    built = json.loads(fhir_export.collection(rows, now, world.carol).model_dump_json())
    assert streamed == built


def test_one_clients_bundle_holds_only_them(world: World) -> None:
    first = last_event_id()
    response = world.web("carol").get(DATA + f"clients/{world.client.pk}/fhir.json")
    assert response.status_code == 200
    assert f"client-{world.client.pk}-" in response["Content-Disposition"]
    bundle = Bundle.model_validate_json(_body(response))
    patients = [
        e.resource for e in bundle.entry or [] if e.resource.get_resource_type() == "Patient"
    ]
    assert [p.name[0].family for p in patients] == [DAN_FAMILY_NAME]
    [event] = new_events(first)
    assert (event.action, event.client, event.actor) == (
        AuditEvent.Action.EXPORT,
        world.client,
        world.carol,
    )


def test_the_page_finds_a_client_by_the_start_of_their_name(world: World) -> None:
    page = world.web("carol").get(DATA, {"q": "marl"}).content.decode()
    assert DAN_FAMILY_NAME in page and ERIN_FAMILY_NAME not in page
    assert f"clients/{world.client.pk}/fhir.json" in page
    assert f"clients/{world.client.pk}/erase/" in page
    empty = world.web("carol").get(DATA, {"q": "zzz"}).content.decode()
    assert "No client\u2019s name starts with \u201czzz\u201d" in empty


# ----------------------------------------------------------------------------- CSV
def test_the_csv_zip_holds_the_commands_files_and_data_dictionary(
    world: World, tmp_path: Path
) -> None:
    first = last_event_id()
    response = world.web("carol").get(DATA + "clinic-csv.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    # streamed: the log has the export before the first byte is sent
    assert len([e for e in new_events(first) if e.via == "web"]) == 3
    archive = zipfile.ZipFile(io.BytesIO(_body(response)))
    folder = response["Content-Disposition"].split('filename="')[1].removesuffix('.zip"')
    names = sorted(n.removeprefix(folder + "/") for n in archive.namelist())

    # The same files, byte for byte, as `myomap export csv` writes for the same records.
    ops.export_csv(Context(user=world.carol, via="cli"), tmp_path / "out")
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == written
    for name in written:
        assert archive.read(f"{folder}/{name}") == (tmp_path / "out" / name).read_bytes()

    clients = list(csv.DictReader(io.StringIO(archive.read(f"{folder}/clients.csv").decode())))
    assert sorted(c["family_name"] for c in clients) == sorted(
        [DAN_FAMILY_NAME, ERIN_FAMILY_NAME, GAIL_FAMILY_NAME]
    )
    dictionary = list(csv.DictReader(io.StringIO(archive.read(f"{folder}/README.csv").decode())))
    assert {"clients.csv", "visits.csv", "outcomes.csv"} <= {row["file"] for row in dictionary}
    web = [e for e in new_events(first) if e.via == "web"]
    assert len(web) == 3 and {e.action for e in web} == {AuditEvent.Action.EXPORT}


# ----------------------------------------------------------------------------- erasure
def test_retention_is_set_on_the_page_and_a_young_signed_note_is_refused_with_its_date(
    world: World,
) -> None:
    carol = world.web("carol")
    page = carol.get(DATA + f"clients/{world.client.pk}/erase/").content.decode()
    assert "cannot be erased yet" in page and "legal minimum" in page
    assert "Erase the record" not in page

    page = _follow(carol, carol.post(DATA + "retention/", {"years": "10"}))
    assert Retention.objects.get(clinic=world.lakeside).signed_record_years == 10
    assert "Signed records are kept 10 years before erasure." in page
    assert "<strong>10 years</strong>" in page

    signed = world.signed_visit.note.versions.get(signed_at__isnull=False).signed_at
    allowed = f"{signed.replace(year=signed.year + 10):%Y-%m-%d}"
    page = carol.get(DATA + f"clients/{world.client.pk}/erase/").content.decode()
    assert f"it may be erased from {allowed}" in page

    before = snapshot(audit=False)
    answer = carol.post(DATA + f"clients/{world.client.pk}/erase/confirm/", ASKED)
    assert (
        answer.status_code == 400 and f"it may be erased from {allowed}" in answer.content.decode()
    )
    assert snapshot(audit=False) == before and not Erasure.objects.exists()


def test_bad_input_is_named_and_nothing_is_erased(world: World) -> None:
    carol = world.web("carol")
    path = DATA + f"clients/{world.erin_client.pk}/erase/confirm/"
    before = snapshot(audit=False)
    answer = carol.post(path, {"requested_by": "", "requested_on": "2026-01-05"})
    assert answer.status_code == 400 and "This field is required" in answer.content.decode()
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    answer = carol.post(path, ASKED | {"requested_on": future})
    assert answer.status_code == 400
    assert "the request cannot be dated in the future" in answer.content.decode()
    answer = carol.post(DATA + "retention/", {"years": "500"})
    assert answer.status_code == 400 and "less than or equal to 100" in answer.content.decode()
    assert snapshot(audit=False) == before and not Erasure.objects.exists()


def test_the_admin_sees_what_goes_and_erases_a_client_audited(world: World) -> None:
    carol = world.web("carol")
    carol.post(DATA + "retention/", {"years": "0"})  # the signed note may go
    client, pk = world.client, world.client.pk
    events_before = AuditEvent.objects.filter(client=client).count()
    visits = Visit.objects.filter(client=client).count()

    first = last_event_id()
    page = carol.get(DATA + f"clients/{pk}/erase/").content.decode()
    [viewed] = new_events(first)
    assert (viewed.action, viewed.client, viewed.summary) == (
        AuditEvent.Action.VIEW,
        client,
        "erasure: what would go",
    )
    assert "What goes" in page and f"Visits: {visits}" in page
    assert f"its {events_before + 1} events about this client, redacted" in page
    assert Client.objects.filter(pk=pk).exists()  # the page's dry run changed nothing

    first = last_event_id()
    page = _follow(carol, carol.post(DATA + f"clients/{pk}/erase/confirm/", ASKED))
    erasure = Erasure.objects.get()
    assert (erasure.client_number, erasure.requested_by, erasure.erased_by) == (
        pk,
        "the client, by letter",
        world.carol,
    )
    assert erasure.events_redacted == events_before + 1
    assert erasure.rows_deleted["visits.Visit"] == visits
    assert not Client.objects.filter(pk=pk).exists() and not Visit.objects.filter(client_id=pk)
    assert f"Client {pk} is erased" in page and "the client, by letter" in page
    assert DAN_FAMILY_NAME not in page

    [done] = new_events(first)
    assert (done.action, done.actor, done.via) == (AuditEvent.Action.DELETE, world.carol, "web")
    assert done.summary == f"client {pk} erased on request"
    redacted = AuditEvent.objects.filter(client_id=pk)
    assert redacted.count() == 0  # the client's row is gone: the events keep no link
    assert AuditEvent.objects.filter(summary=REDACTED).count() == events_before + 1


# ----------------------------------------------------------------------------- the client's
DRAFT_WORDS = "Words-only-in-an-unsigned-draft"


def test_a_client_downloads_their_own_record_and_signed_notes(world: World) -> None:
    version = world.visit.note.versions.get()  # the draft nobody but staff may read
    version.subjective = f"{DRAFT_WORDS} {version.subjective}"
    version.save()
    dan = world.web("dan")
    first = last_event_id()
    page = dan.get("/me/data/").content.decode()
    assert "/me/data/fhir.json" in page
    assert f"/visits/{world.signed_visit.pk}/note.pdf" in page
    assert f"/visits/{world.visit.pk}/note.pdf" not in page  # a draft is no note of his
    [viewed] = new_events(first)
    assert (viewed.action, viewed.client, viewed.via) == (
        AuditEvent.Action.VIEW,
        world.client,
        "web",
    )

    first = last_event_id()
    response = dan.get("/me/data/fhir.json")
    assert response.status_code == 200
    body = _body(response)
    bundle = Bundle.model_validate_json(body)
    patients = [
        e.resource for e in bundle.entry or [] if e.resource.get_resource_type() == "Patient"
    ]
    assert [p.name[0].family for p in patients] == [DAN_FAMILY_NAME]
    assert DRAFT_WORDS.encode() not in body and ERIN_FAMILY_NAME.encode() not in body
    assert any(e.resource.get_resource_type() == "Composition" for e in bundle.entry or [])
    [exported] = new_events(first)
    assert (exported.action, exported.actor, exported.client) == (
        AuditEvent.Action.EXPORT,
        world.dan,
        world.client,
    )
    assert dan.get(f"/visits/{world.signed_visit.pk}/note.pdf").status_code in (200, 503)


def test_only_a_client_has_their_own_data_page(world: World) -> None:
    erin = _body(world.web("erin").get("/me/data/fhir.json"))
    assert ERIN_FAMILY_NAME.encode() in erin and DAN_FAMILY_NAME.encode() not in erin
    for persona in ("alice", "carol", "bob"):
        for path in ("/me/data/", "/me/data/fhir.json"):
            assert world.web(persona).get(path).status_code == 403, (persona, path)
    answer = world.web("anonymous").get("/me/data/fhir.json")
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
