"""Who may see and change what: every URL that shows or changes client data (walked from
the URL resolver, so a new one cannot be forgotten) against every persona.

Dan's record belongs to Lakeside. Anonymous visitors are asked to sign in; bob (another
clinic's therapist) and erin (another Lakeside client) get the same 404 as for a record
that does not exist; dan reads his own record but changes nothing; alice (therapist) and
carol (clinic admin) read and change it; only carol reads the audit log. Staff-only
pages refuse client accounts with 403 before looking anything up, so that answer is the
same for every id and reveals nothing either."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pypdf
import pytest
from django.urls import resolve
from records_fixtures import (
    DAN_FAMILY_NAME,
    ENTRIES,
    EXPECTED,
    MISSING_ID,
    NOT_CLIENT_DATA,
    PERSONAS,
    Entry,
    Kind,
    Outcome,
    World,
    build_world,
    last_event_id,
    new_events,
    outcome,
    routes,
    snapshot,
)

from myomap.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world(scored=True)  # with a response, for its void and correct URLs


def _route(entry: Entry, world: World) -> str:
    return str(resolve(entry.url(world.ids).split("?")[0]).route)


def test_every_url_that_shows_or_changes_client_data_is_in_the_matrix(world: World) -> None:
    covered = {_route(entry, world) for entry in ENTRIES}
    missing = [r for r in routes() if r not in covered and r not in NOT_CLIENT_DATA]
    assert not missing, f"add these URLs to ENTRIES in records_fixtures.py: {missing}"
    stale = [r for r in (covered | set(NOT_CLIENT_DATA)) if r not in routes()]
    assert not stale, f"ENTRIES names URLs that no longer exist: {stale}"


def test_every_method_a_url_accepts_is_in_the_matrix(world: World) -> None:
    """A URL's accepted methods come from its own 405 answer (the Allow header)."""
    by_route: dict[str, set[str]] = {}
    example: dict[str, Entry] = {}
    for entry in ENTRIES:
        route = _route(entry, world)
        by_route.setdefault(route, set()).add(entry.method)
        example[route] = entry
    for route, methods in by_route.items():
        entry = example[route]
        url = entry.url(world.ids)
        # Alice is signed in, so a 405 cannot hide behind a sign-in redirect. TRACE: no
        # URL accepts it (PATCH corrects a client).
        response = world.browser_for(url, "alice").generic("TRACE", url)
        assert response.status_code == 405, (route, response.status_code)
        allowed = set(re.split(r",\s*", response["Allow"]))
        assert allowed == methods, f"{route} accepts {sorted(allowed)}, tested {sorted(methods)}"


def test_the_matrix_expects_something_of_every_persona() -> None:
    for kind in Kind:
        assert set(EXPECTED[kind]) == set(PERSONAS), kind


CASES = [
    pytest.param(entry, persona, id=f"{entry} as {persona}")
    for entry in ENTRIES
    for persona in PERSONAS
]


@pytest.mark.parametrize(("entry", "persona"), CASES)
def test_permission_matrix(world: World, entry: Entry, persona: str) -> None:
    expected = EXPECTED[entry.kind][persona]
    before_records, first_event = snapshot(audit=False), last_event_id()

    response = entry.send(world, persona)

    got = outcome(response, api=entry.api)
    assert got == expected, f"{entry} as {persona}: {response.status_code} means {got.value}"

    if persona in ("anonymous", "bob", "erin"):
        assert DAN_FAMILY_NAME.encode() not in response.content, "Dan's name leaked"

    if expected is not Outcome.ALLOWED:
        assert snapshot(audit=False) == before_records, "a refused request changed the record"
        events = new_events(first_event)
        if expected is Outcome.NOT_FOUND and persona in ("bob", "erin"):
            # An attempt on an existing record of another clinic (or client) is audited
            # for the record's clinic, where its admin sees who tried.
            assert [(e.action, e.clinic, e.actor) for e in events] == [
                (AuditEvent.Action.REFUSED, world.lakeside, world.user(persona))
            ], f"{entry} as {persona}: the refused attempt is audited once"
        else:
            assert events == [], "a refused request wrote to the audit log"
        if "{" in entry.path:
            missing = {name: MISSING_ID for name in world.ids}
            first_missing = last_event_id()
            again = entry.send(world, persona, ids=missing)
            assert again.status_code == response.status_code, (
                "the answer tells a record that exists from one that does not"
            )
            assert new_events(first_missing) == [], "a request for no record is not audited"
        return

    if persona in ("alice", "carol", "bob") and entry.is_write:
        assert response.status_code in (200, 201, 204, 302), response.content[:500]
        actions = sorted(e.action for e in new_events(first_event))
        assert actions == sorted(entry.audit), f"{entry} logged {actions}"
    elif entry.method == "GET":
        assert response.status_code == 200


def test_a_client_sees_only_themselves_in_the_api_client_list(world: World) -> None:
    items = world.api("dan").get("/api/clients").json()["items"]
    assert [c["family_name"] for c in items] == [DAN_FAMILY_NAME]
    items = world.api("erin").get("/api/clients").json()["items"]
    assert [c["family_name"] for c in items] == ["Ashdown"]
    assert world.api("bob").get("/api/clients").json()["count"] == 0


def test_dan_reads_his_own_record_on_the_web_pages(world: World) -> None:
    dan = world.web("dan")
    page = dan.get(f"/clients/{world.client.pk}/").content.decode()
    assert DAN_FAMILY_NAME in page and "Low back pain after gardening" in page
    note = dan.get(f"/visits/{world.signed_visit.pk}/note/").content.decode()
    assert "signed" in note
    # Reading is all he can do: the staff buttons are not on his pages.
    assert "Amend (starts a new version)" not in note and "New intake" not in page


def test_the_audit_log_shows_carol_only_her_own_clinics_events(world: World) -> None:
    from myomap.audit.log import Context
    from myomap.clients import actions
    from myomap.clients.actions import ClientData

    hilltop_client = actions.create_client(
        Context(user=world.bob), ClientData("Hugo", "Hilltopper", dt.date(1970, 1, 1))
    )
    page = world.web("carol").get("/audit/").content.decode()
    assert DAN_FAMILY_NAME in page and "Hilltopper" not in page
    items = world.api("carol").get("/api/audit").json()["items"]
    assert hilltop_client.pk not in {e["client_id"] for e in items}


# ----------------------------------------------------------------------------- content rules
DRAFT_WORDS = "Words-only-in-an-unsigned-draft"
READS = [e for e in ENTRIES if e.method == "GET" and e.kind is Kind.RECORD_READ]


def _with_unsigned_text(world: World) -> None:
    """A draft on one visit and an unsigned amendment on the signed one, both holding
    words nobody but staff may read."""
    from myomap.audit.log import Context
    from myomap.visits import actions
    from myomap.visits import queries as visit_queries

    amendment = actions.amend_note(
        Context(user=world.alice), world.signed_visit, "Adding what the client said at the door."
    )
    for version in (visit_queries.latest_version(world.visit), amendment):
        assert version is not None and not version.is_signed
        version.subjective = f"{DRAFT_WORDS} {version.subjective}"
        version.save()


def shown_text(response: Any) -> str:
    """What the reader sees: a page's text, or the text drawn in a PDF."""
    if response.get("Content-Type") == "application/pdf":
        reader = pypdf.PdfReader(io.BytesIO(response.content))
        return "\n".join(page.extract_text() for page in reader.pages)
    text: str = response.content.decode()
    return text


@pytest.mark.parametrize("entry", READS, ids=str)
def test_a_client_never_reads_a_draft_on_the_web_or_through_the_api(
    world: World, entry: Entry
) -> None:
    _with_unsigned_text(world)
    swapped = world.ids | {"visit": world.signed_visit.pk, "signed_visit": world.visit.pk}
    for ids in (world.ids, swapped):
        response = entry.send(world, "dan", ids=ids)
        assert response.status_code == 200
        assert DRAFT_WORDS not in shown_text(response), f"{entry} showed dan a draft"


def test_staff_read_the_drafts_a_client_may_not(world: World) -> None:
    """The content rule above is not vacuous: the words are on the note pages for staff."""
    _with_unsigned_text(world)
    for path in (f"/visits/{world.visit.pk}/note/", f"/api/visits/{world.signed_visit.pk}/note"):
        response = world.browser_for(path, "alice").get(path)
        assert DRAFT_WORDS in response.content.decode(), path


def test_the_clinic_admin_sees_another_clinics_attempt_on_a_record(world: World) -> None:
    assert world.web("bob").get(f"/clients/{world.client.pk}/").status_code == 404
    assert world.api("bob").get(f"/api/visits/{world.visit.pk}").status_code == 404
    page = world.web("carol").get("/audit/", {"action": "refused"}).content.decode()
    assert page.count("bob") >= 2 and "Refused access" in page
    items = world.api("carol").get("/api/audit", {"action": "refused"}).json()["items"]
    assert {(e["actor"], e["via"]) for e in items} == {("bob", "web"), ("bob", "api")}
    # Bob's own clinic's log says nothing about Lakeside's records.
    assert not AuditEvent.objects.filter(clinic=world.bob.clinic, action="refused").exists()


def test_odd_query_strings_on_the_web_lists_are_no_server_error(world: World) -> None:
    assert world.web("alice").get("/clients/", {"q": "Mar\x00lowe"}).status_code == 200
    page = world.web("carol").get("/audit/", {"client": "9" * 25}).content.decode()
    # no such client: said so, with the way back to the whole log
    assert f"There is no client {'9' * 25} at your clinic." in page
    assert "Show all clients" in page
