"""Who stopped a hold, and a visit with two sessions, as the record and the note say them.

The therapist's own Stop (the red button, Esc), the client telling the therapist to stop
(the tablet's "Stop" feedback) and the client's own phone are stored apart (the feedback's
`by`), shown apart in the API's answer (`stopped_by`), and written apart in the note; the
tablet cannot claim to be the client's phone. After a second session of the visit, the
note's draft still says what the first one did.

The world is tests/web/records_fixtures.py's: alice (Lakeside's therapist) treats Dan
Marlowe, whose visit has a plan; its first point is the left deep caudal quadratus
lumborum."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client as Browser
from records_fixtures import World, build_world

from myomap.audit.log import Context
from myomap.visits import actions as visit_actions
from myomap.visits import pad_tokens, session_actions
from myomap.visits.models import SessionEvent, SessionRun

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
QL = "quadratus-lumborum-deep-caudal"
IC = {"technique": "ischemic-compression", "pressure": "moderate"}


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(clock: Any) -> World:
    world = build_world()
    SessionRun.objects.all().delete()  # the shared world's session: each test its own
    return world


def event(event_id: str, kind: str, seconds: float, /, **fields: Any) -> dict[str, Any]:
    at = (T0 + dt.timedelta(seconds=seconds)).isoformat()
    return {"event_id": event_id, "kind": kind, "at": at, "fields": fields}


def post(http: Browser, path: str, body: Any = None) -> Any:
    return http.post(path, json.dumps(body or {}), content_type="application/json")


def test_the_therapist_the_client_and_the_clients_phone_stop_holds_and_the_note_tells_them_apart(
    world: World, clock: Any
) -> None:
    api = world.api("alice")
    path = f"/api/visits/{world.visit.pk}/session"
    assert post(api, path).status_code == 201
    events = [
        event("e1", "go-to-point", 1, trigger_point=QL, side="left"),
        event("e2", "start-hold", 5, **IC),
        event("e3", "feedback", 15, kind="stop", by="therapist"),  # the red Stop, or Esc
        event("e4", "start-hold", 20, **IC),
        event("e5", "feedback", 32, kind="stop"),  # "Stop": the client said so
        event("e6", "start-hold", 40, **IC),
    ]
    answer = post(api, f"{path}/events", events)
    assert answer.status_code == 200, answer.content[:400]
    # the client taps Stop on their own phone
    clock.move_to(T0 + dt.timedelta(seconds=47))
    run = SessionRun.objects.get(visit=world.visit)
    token = pad_tokens.make_token(run, world.alice)
    now = (T0 + dt.timedelta(seconds=47)).isoformat()
    phone = Browser(enforce_csrf_checks=True)
    tapped = phone.post(
        f"/pad/{token}/events",
        json.dumps({"id": "p1", "kind": "stop", "at": now, "sent": now}),
        content_type="application/json",
    )
    assert tapped.status_code == 200, tapped.content[:400]

    stored = [
        (e.event_id, e.fields.get("by"))
        for e in SessionEvent.objects.filter(run=run, kind="feedback").order_by("id")
    ]
    assert stored == [("e3", "therapist"), ("e5", "client"), ("pad:p1", "pad")]
    shown = api.get(path).json()["session"]["holds"]
    assert [h["stopped_by"] for h in shown] == ["therapist", "client", "pad"]
    assert [h["feedback"][0]["by"] for h in shown] == ["therapist", "client", "pad"]

    clock.move_to(T0 + dt.timedelta(seconds=60))
    ctx = Context(user=world.alice, via="web", now=T0 + dt.timedelta(seconds=60))
    session_actions.end_session(ctx, world.visit)
    objective = visit_actions.draft_note(ctx, world.visit, revision=world.revision()).objective
    assert (
        "stopped by the therapist on the first, stopped at the client's request on the "
        "second, stopped by the client on their phone on the third" in objective
    )
    assert "stopped by the client on the first" not in objective


def test_the_tablet_cannot_send_a_tap_as_the_clients_phone(world: World) -> None:
    api = world.api("alice")
    path = f"/api/visits/{world.visit.pk}/session"
    assert post(api, path).status_code == 201
    before = SessionEvent.objects.count()
    events = [
        event("e1", "go-to-point", 1, trigger_point=QL, side="left"),
        event("e2", "start-hold", 5, **IC),
        event("e3", "feedback", 8, kind="too-much", by="pad"),
    ]
    answer = post(api, f"{path}/events", events)
    assert answer.status_code == 400
    assert answer.json()["field"] == "fields.by"
    assert "client's own phone" in answer.json()["detail"]
    assert SessionEvent.objects.count() == before  # all or nothing
    own = event("e3", "feedback", 8, kind="better", by="therapist")
    wrong = post(api, f"{path}/events", [*events[:2], own])
    assert wrong.status_code == 400 and wrong.json()["field"] == "fields.by"
    assert SessionEvent.objects.count() == before


def test_a_second_session_does_not_hide_the_first_in_the_note(world: World, clock: Any) -> None:
    ctx = Context(user=world.alice, via="web", now=T0 + dt.timedelta(seconds=120))
    session_actions.start_session(ctx, world.visit)
    first = [
        ("p0", "pain-now", 1, {"when": "start", "value": 6}),
        ("e1", "go-to-point", 10, {"trigger_point": QL, "side": "left"}),
        ("e2", "tenderness", 20, {"when": "before", "value": 7}),
        ("e3", "start-hold", 30, IC),
        ("e4", "release-hold", 55, {}),
        ("e5", "tenderness", 60, {"when": "after", "value": 3}),
        ("p1", "pain-now", 100, {"when": "end", "value": 3}),
    ]
    session_actions.record_events(
        ctx,
        world.visit,
        [session_actions.EventData(i, k, T0 + dt.timedelta(seconds=s), f) for i, k, s, f in first],
    )
    session_actions.end_session(ctx, world.visit)
    later = T0 + dt.timedelta(seconds=600)
    clock.move_to(later)
    ctx2 = Context(user=world.alice, via="web", now=later)
    session_actions.start_session(ctx2, world.visit)
    second = [
        ("f1", "go-to-point", 610, {"trigger_point": QL, "side": "left"}),
        ("f2", "start-hold", 620, IC),
        ("f3", "release-hold", 710, {}),
    ]
    session_actions.record_events(
        ctx2,
        world.visit,
        [session_actions.EventData(i, k, T0 + dt.timedelta(seconds=s), f) for i, k, s, f in second],
    )
    clock.move_to(later + dt.timedelta(seconds=200))
    ctx3 = Context(user=world.alice, via="web", now=later + dt.timedelta(seconds=200))
    session_actions.end_session(ctx3, world.visit)
    assert SessionRun.objects.filter(visit=world.visit).count() == 2

    version = visit_actions.draft_note(ctx3, world.visit, revision=world.revision())
    done = version.objective.split("Treated in the session:")[1]
    assert "Session 1 of 2:" in done and "Session 2 of 2:" in done
    first_part, second_part = done.split("Session 2 of 2:")
    assert "1 hold of 25 s" in first_part and "tenderness 7 → 3" in first_part
    assert "1 hold of 90 s" in second_part
    assert "Session 1 of 2: Pain now 6/10 at the start" in version.assessment
    page = world.web("alice").get(f"/visits/{world.visit.pk}/note/").content.decode()
    assert "Session 1 of 2:" in page and "tenderness 7 → 3" in page
