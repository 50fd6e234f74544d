"""The run's stored snapshot (docs/session.md): written with each event in the same
transaction, it is the state all the stored events replay to, so a request replays only
the events after it; a snapshot that is behind, missing or made under other rules only
means more events to replay, never another state; a refused event leaves it as it was.

The world is tests/web/records_fixtures.py's: alice treats Dan Marlowe, whose visit's
session is open at its first point."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from records_fixtures import World, build_world

from myomap.core.kb import load_default
from myomap.core.session.state import new_session, replay
from myomap.visits import session_queries
from myomap.visits.models import SessionEvent, SessionRun

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HOLD = {"technique": "ischemic-compression", "pressure": "moderate"}


@pytest.fixture
def world() -> Iterator[World]:
    with time_machine.travel(T0, tick=False):
        yield build_world()


def send(world: World, *events: dict[str, Any]) -> Any:
    return world.api("alice").post(
        f"/api/visits/{world.visit.pk}/session/events",
        json.dumps(list(events)),
        content_type="application/json",
    )


def event(event_id: str, kind: str, seconds: float, /, **fields: Any) -> dict[str, Any]:
    at = (T0 + dt.timedelta(seconds=seconds)).isoformat()
    return {"event_id": event_id, "kind": kind, "at": at, "fields": fields}


def run() -> SessionRun:
    return SessionRun.objects.get(ended_at__isnull=True)


def from_the_first_event(found: SessionRun) -> Any:
    """The state replayed from every stored event, no snapshot used."""
    rules = session_queries.rules_for(load_default())
    start = new_session(rules, [tuple(p) for p in found.planned])  # type: ignore[misc]
    events = [row.to_core() for row in SessionEvent.objects.filter(run=found).order_by("id")]
    session, refused = replay(start, events)
    assert refused == ()
    return session


def read(world: World) -> dict[str, Any]:
    answer = world.api("alice").get(f"/api/visits/{world.visit.pk}/session")
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


HOLDS = [
    event("h1", "start-hold", 10, **HOLD),
    event("f1", "feedback", 14, kind="too-much"),
    event("t1", "tenderness", 15, when="before", value=7),
    event("f2", "feedback", 16, kind="released"),
    event("r1", "release-hold", 30),
    event("h2", "start-hold", 40, **HOLD),
    event("f3", "feedback", 45, kind="stop"),
    event("p1", "pain-now", 50, when="start", value=6),
]


def test_each_write_stores_the_state_of_every_event_so_far(world: World) -> None:
    for sent in HOLDS:
        assert send(world, sent).status_code == 200
        found = run()
        last = SessionEvent.objects.filter(run=found).order_by("id").last()
        assert last is not None and found.state_upto == last.pk
        # Only the events after the snapshot are replayed: none.
        assert session_queries.replay_run(found, load_default()).upto == last.pk
        assert session_queries.replayed(found, load_default()) == from_the_first_event(found)
    shown = read(world)
    assert [h["ended_by"] for h in shown["session"]["holds"]] == ["release", "stop"]
    assert [f["kind"] for f in shown["session"]["holds"][0]["feedback"]] == ["too-much", "released"]


def test_a_missing_or_lagging_snapshot_gives_the_same_state_and_answer(world: World) -> None:
    assert send(world, *HOLDS[:4]).status_code == 200
    behind = run()
    assert send(world, *HOLDS[4:]).status_code == 200
    whole = read(world)
    # The snapshot of four events ago: the four after it are replayed on it.
    SessionRun.objects.filter(pk=behind.pk).update(state=behind.state, state_upto=behind.state_upto)
    assert session_queries.replay_run(run(), load_default()).session == from_the_first_event(run())
    assert read(world) == whole
    # No snapshot at all (a run from before snapshots): every event is replayed.
    SessionRun.objects.filter(pk=behind.pk).update(state=None, state_upto=0)
    assert read(world) == whole
    # Made under other rules (another knowledge folder): not used.
    stale = {**(behind.state or {}), "rules": "other"}
    SessionRun.objects.filter(pk=behind.pk).update(state=stale, state_upto=behind.state_upto)
    assert read(world) == whole
    # The next write stores a whole snapshot again.
    assert send(world, event("p2", "pain-now", 60, when="end", value=3)).status_code == 200
    assert run().state is not None and run().state["rules"] != "other"  # type: ignore[index]
    assert session_queries.replayed(run(), load_default()) == from_the_first_event(run())


def test_a_refused_event_leaves_the_snapshot_as_it_was(world: World) -> None:
    assert send(world, HOLDS[0]).status_code == 200
    before = SessionRun.objects.values("state", "state_upto").get()
    refused = send(world, event("x", "tenderness", 12, when="before", value=11))
    assert refused.status_code == 400
    assert SessionRun.objects.values("state", "state_upto").get() == before
