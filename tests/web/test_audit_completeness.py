"""The audit log misses nothing: every page and API answer that shows health data leaves
exactly one `view` event (who, which client, the path, the address); every change leaves
its events in the same transaction as the change; a refused change leaves neither.

The URLs come from the table of records_fixtures.py, which test_permissions.py checks
against the URL resolver, so a new page is audited or a test fails."""

from __future__ import annotations

from typing import Any

import pytest
from records_fixtures import (
    AMEND,
    ENTRIES,
    IP,
    NEW_CLIENT,
    PALPATION,
    STEP,
    Entry,
    Kind,
    World,
    build_world,
    last_event_id,
    new_events,
    snapshot,
)

from myomap.audit import log as audit_log
from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.visits import actions as visit_actions
from myomap.visits.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world(scored=True)  # with a response, for its void and correct URLs


READS = [
    pytest.param(entry, persona, id=f"{entry} by {persona}")
    for entry in ENTRIES
    if entry.method == "GET" and entry.health_data
    for persona in (
        ("carol",)
        if entry.kind is Kind.AUDIT
        else ("alice", "dan")
        if entry.kind is Kind.RECORD_READ
        else ("alice",)
    )
]
WRITES = [pytest.param(entry, id=str(entry)) for entry in ENTRIES if entry.is_write]


def test_the_tables_cover_reads_and_writes_of_web_and_api() -> None:
    assert {e.values[0].api for e in READS} == {True, False}
    assert {e.values[0].api for e in WRITES} == {True, False}
    assert len(READS) >= 16 and len(WRITES) >= 24


@pytest.mark.parametrize(("entry", "persona"), READS)
def test_every_read_of_health_data_leaves_exactly_one_view_event(
    world: World, entry: Entry, persona: str
) -> None:
    first = last_event_id()
    response = entry.send(world, persona)
    assert response.status_code == 200

    events = new_events(first)
    assert len(events) == 1, [(e.action, e.summary) for e in events]
    event = events[0]
    about_a_client = entry.kind in (Kind.RECORD_READ, Kind.STAFF_READ)
    assert event.action == AuditEvent.Action.VIEW
    assert event.actor == world.user(persona) and event.actor_name == persona
    assert event.client == (owner(world, entry) if about_a_client else None)
    assert event.clinic == world.lakeside
    assert event.path == entry.url(world.ids)
    assert event.ip == IP
    assert event.via == ("api" if entry.api else "web")


def test_filtering_the_audit_log_by_a_client_is_logged_as_a_read_of_their_record(
    world: World,
) -> None:
    first = last_event_id()
    assert world.web("carol").get("/audit/", {"client": world.client.pk}).status_code == 200
    assert world.api("carol").get("/api/audit", {"client": world.client.pk}).status_code == 200
    events = new_events(first)
    assert [(e.client, e.via) for e in events] == [(world.client, "web"), (world.client, "api")]
    assert all(f"client {world.client.pk}" in e.summary for e in events)


@pytest.mark.parametrize("entry", WRITES)
def test_every_change_leaves_its_events(world: World, entry: Entry) -> None:
    first = last_event_id()
    path = entry.url(world.ids)  # before the change: a redraft bumps the revision in it
    response = entry.send(world, "alice")
    assert response.status_code in (200, 201, 204, 302), response.content[:500]

    events = new_events(first)
    assert sorted(e.action for e in events) == sorted(entry.audit)
    client = owner(world, entry)
    if entry.kind is Kind.CREATE:
        client = Client.objects.get(family_name=NEW_CLIENT["family_name"])
    for event in events:
        assert event.actor == world.alice
        assert event.client == client and event.client_label == str(client)
        assert event.clinic == world.lakeside
        assert event.path == path
        assert event.ip == IP
        assert event.via == ("api" if entry.api else "web")


@pytest.mark.parametrize("entry", WRITES)
def test_a_change_whose_audit_event_cannot_be_written_is_not_saved(
    world: World, entry: Entry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The change and its events are one transaction: no event, no change."""
    before = snapshot()

    def audit_store_down(**fields: Any) -> int:
        raise RuntimeError("the audit log could not be written")

    monkeypatch.setattr(audit_log, "insert_event", audit_store_down)
    with pytest.raises(RuntimeError, match="audit log could not be written"):
        entry.send(world, "alice")
    monkeypatch.undo()
    assert snapshot() == before


def owner(world: World, entry: Entry) -> Client:
    """The client whose record the entry reads or changes."""
    return world.red_intake.client if "{red_intake}" in entry.path else world.client


def _blocked_visit(world: World) -> Visit:
    """A visit whose intake now has an open red flag (as if the flag was found later)."""
    client = world.red_intake.client
    return Visit.objects.create(client=client, intake=world.red_intake, therapist=world.alice)


def _note(world: World, **fields: Any) -> dict[str, Any]:
    return {
        "revision": world.revision(),
        "subjective": "",
        "objective": "",
        "assessment": "",
        "plan": "",
    } | fields


RUINED_STEP = STEP | {"technique": "no-such-technique"}


def refused(what: str, method: str, path: str, body: Any, status: int) -> Any:
    """A change that must be refused with `status`, leaving everything as it was."""
    return pytest.param(what, method, path, body, status, id=f"{method} {path}: {what}")


FAILURES = [
    refused(
        "a birth date in the future",
        "POST",
        "/clients/new/",
        NEW_CLIENT | {"date_of_birth": "2999-01-01"},
        200,
    ),
    refused(
        "an intake with an unknown region",
        "POST",
        "/clients/{client}/intake/new/",
        {"complaint": "Back", "pain_drawing": '{"elbow-of-nowhere": 4}'},
        200,
    ),
    refused(
        "a referral that says nothing",
        "POST",
        "/clients/intakes/{red_intake}/referral/",
        {"note": "GP"},
        400,
    ),
    refused(
        "an override without a real reason",
        "POST",
        "/clients/intakes/{red_intake}/override/",
        {"reason": "fine"},
        400,
    ),
    refused(
        "a referral where no red flag is open",
        "POST",
        "/clients/intakes/{intake}/referral/",
        {"note": "Sent to the GP with a letter."},
        400,
    ),
    refused("a visit while a red flag is open", "POST", "/visits/start/{red_intake}/", None, 302),
    refused(
        "an unknown trigger point",
        "POST",
        "/visits/{visit}/palpation/",
        PALPATION | {"trigger_point": "nope"},
        400,
    ),
    refused(
        "tenderness of 11", "POST", "/visits/{visit}/palpation/", PALPATION | {"tender": "11"}, 400
    ),
    refused(
        "an unknown movement test",
        "POST",
        "/visits/{visit}/movement/",
        {"test": "nope", "result": "positive"},
        400,
    ),
    refused(
        "a plan with an unknown technique",
        "POST",
        "/visits/{visit}/plan/save/",
        {"count": "1"} | {f"{k}-0": str(v) for k, v in RUINED_STEP.items()},
        400,
    ),
    refused(
        "a plan with a hold of one hour",
        "POST",
        "/visits/{visit}/plan/save/",
        {"count": "1"} | {f"{k}-0": str(v) for k, v in (STEP | {"hold_seconds": 3600}).items()},
        400,
    ),
    refused(
        "a plan while a red flag is open",
        "POST",
        "/visits/{blocked_visit}/plan/propose/",
        None,
        409,
    ),
    refused("redrafting a signed note", "POST", "/visits/{signed_visit}/note/draft/", None, 409),
    refused(
        "saving over someone else's save",
        "POST",
        "/visits/{visit}/note/save/",
        lambda w: _note(w, revision=w.revision() - 1, subjective="Mine") | {"save": ""},
        409,
    ),
    refused(
        "editing a signed note",
        "POST",
        "/visits/{signed_visit}/note/save/",
        lambda w: (
            _note(w, revision=w.revision(w.signed_visit), subjective="Changed") | {"save": ""}
        ),
        409,
    ),
    refused(
        "signing an empty note",
        "POST",
        "/visits/{visit}/note/save/",
        lambda w: _note(w) | {"sign": ""},
        400,
    ),
    refused(
        "an amendment without a reason",
        "POST",
        "/visits/{signed_visit}/note/amend/",
        {"reason": "typo"},
        400,
    ),
    refused(
        "amending a note that is not signed", "POST", "/visits/{visit}/note/amend/", AMEND, 400
    ),
    # ---- the same through the API
    refused(
        "a birth date in the future",
        "POST",
        "/api/clients",
        NEW_CLIENT | {"date_of_birth": "2999-01-01"},
        400,
    ),
    refused(
        "an intake with an unknown region",
        "POST",
        "/api/clients/{client}/intakes",
        {"complaint": "Back", "pain_drawing": {"elbow-of-nowhere": 4}},
        400,
    ),
    refused(
        "an intake with an unknown red flag",
        "POST",
        "/api/clients/{client}/intakes",
        {"complaint": "Back", "red_flag_answers": {"no-such-flag": True}},
        400,
    ),
    refused(
        "a referral that says nothing",
        "POST",
        "/api/intakes/{red_intake}/referral",
        {"note": "GP"},
        400,
    ),
    refused(
        "an override without a real reason",
        "POST",
        "/api/intakes/{red_intake}/override",
        {"reason": "fine"},
        400,
    ),
    refused(
        "a visit while a red flag is open", "POST", "/api/intakes/{red_intake}/visits", None, 409
    ),
    refused(
        "an unknown trigger point",
        "POST",
        "/api/visits/{visit}/palpation",
        PALPATION | {"trigger_point": "nope"},
        400,
    ),
    refused(
        "an unknown movement test",
        "POST",
        "/api/visits/{visit}/movement",
        {"test": "nope", "result": "positive"},
        400,
    ),
    refused(
        "a plan with an unknown technique",
        "PUT",
        "/api/visits/{visit}/plan",
        {"steps": [STEP, RUINED_STEP]},
        400,
    ),
    refused(
        "a plan while a red flag is open",
        "POST",
        "/api/visits/{blocked_visit}/plan/propose",
        None,
        409,
    ),
    refused("redrafting a signed note", "POST", "/api/visits/{signed_visit}/note/draft", None, 409),
    refused(
        "saving over someone else's save",
        "PUT",
        "/api/visits/{visit}/note",
        lambda w: _note(w, revision=w.revision() - 1, subjective="Mine"),
        409,
    ),
    refused(
        "signing a note that changed since it was read",
        "POST",
        "/api/visits/{visit}/note/sign",
        lambda w: {"revision": w.revision() - 1},
        409,
    ),
    refused("signing an empty note", "POST", "/api/visits/{visit}/note/sign", None, 400),
    refused(
        "amending a note that is not signed", "POST", "/api/visits/{visit}/note/amend", AMEND, 400
    ),
]


@pytest.mark.parametrize(
    ("what", "method", "path", "body", "status"),
    FAILURES,
)
def test_a_refused_change_saves_nothing_and_logs_only_the_page_it_shows(
    world: World, what: str, method: str, path: str, body: Any, status: int
) -> None:
    ids = world.ids | {"blocked_visit": _blocked_visit(world).pk}
    if what == "signing an empty note" and path.startswith("/api/"):
        # The draft is emptied first (a save of its own); then the signature is refused.
        empty = _note(world)
        visit_actions.save_note(Context(user=world.alice), world.visit, **empty)
        body = {"revision": world.revision()}
    entry = Entry(method, path, Kind.RECORD_WRITE, body)
    before = snapshot(audit=False)
    first = last_event_id()

    response = entry.send(world, "alice", ids=ids)

    assert response.status_code == status, response.content[:500]
    if response.status_code == 302:
        assert response["Location"] == f"/clients/intakes/{world.red_intake.pk}/"
    assert snapshot(audit=False) == before, f"{what}: something was saved"
    # No write is logged; a web page that shows the record again is logged as a read.
    shows_the_record = not entry.api and response.status_code in (400, 409)
    events = [e.action for e in new_events(first)]
    assert events == (["view"] if shows_the_record else []), f"{what}: {events}"
