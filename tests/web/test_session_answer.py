"""The session's JSON answer is written out directly (`api.sessions._answer`), without
django-ninja validating the same shape on every read: it must be, byte for byte, what the
validated answer (`SessionStateOut`, rendered by the API's renderer) would be, for a state
with every part filled in, from the start to the end of a session.

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

from myomap.api.api import api
from myomap.api.session_schemas import SessionStateOut

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
QL = "quadratus-lumborum-deep-caudal"
HOLD = {"technique": "ischemic-compression", "pressure": "moderate"}


@pytest.fixture
def world() -> Iterator[World]:
    with time_machine.travel(T0, tick=False) as traveller:
        world = build_world()
        traveller.move_to(T0 + dt.timedelta(seconds=200))  # the answers' "now"
        yield world


def event(event_id: str, kind: str, seconds: float, /, **fields: Any) -> dict[str, Any]:
    at = (T0 + dt.timedelta(seconds=seconds, microseconds=123456)).isoformat()
    return {"event_id": event_id, "kind": kind, "at": at, "fields": fields}


STEPS = [
    [event("pain", "pain-now", 1, when="start", value=6)],
    [event("t1", "tenderness", 2, when="before", value=7, ppt=3.25)],
    [event("h1", "start-hold", 3, **HOLD), event("f1", "feedback", 5, kind="too-much")],
    [event("f2", "feedback", 7, kind="too-much")],  # the suggestion: a lighter pressure
    [event("f3", "feedback", 8, kind="released"), event("r1", "release-hold", 20)],
    [event("t2", "tenderness", 21, when="after", value=3)],
    [event("add", "add-point", 22, trigger_point="piriformis-medial", side="right")],
    [event("skip", "skip-point", 23, trigger_point=QL, side="left", reason="tender")],
    [event("go", "go-to-point", 24, trigger_point="piriformis-medial", side="right")],
    [event("h2", "start-hold", 25, **HOLD), event("f4", "feedback", 26, kind="stop")],
    [event("end", "pain-now", 27, when="end", value=2)],
]


def validated(answer: Any) -> bytes:
    """The same answer through django-ninja's validation and its renderer."""
    data = json.loads(answer.content)
    checked = SessionStateOut.model_validate(data).model_dump()
    return api.renderer.render(None, checked, response_status=answer.status_code).encode()  # type: ignore[arg-type, no-any-return]


def same_as_validated(answer: Any) -> None:
    assert answer.status_code in (200, 201), answer.content[:300]
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    assert answer.content == validated(answer)


def test_every_answer_is_the_validated_answer_byte_for_byte(world: World) -> None:
    http = world.api("alice")
    base = f"/api/visits/{world.visit.pk}/session"
    same_as_validated(http.post(base, "{}", content_type="application/json"))  # the open one
    advice = []
    for events in STEPS:
        sent = http.post(base + "/events", json.dumps(events), content_type="application/json")
        same_as_validated(sent)
        same_as_validated(http.get(base))
        advice.append(sent.json()["session"]["suggestion"])
    assert advice[3] is not None and advice[3]["action"] == "lighter-pressure"
    assert advice[3]["sources"] and advice[3]["where"] == "hold"
    shown = http.get(base).json()["session"]
    assert shown["points"][0]["before"] == {"tender": 7, "ppt": 3.25}
    assert [p["planned"] for p in shown["points"]][-1] is False
    assert shown["holds"][0]["start"] == "2026-03-02T09:00:03.123Z"
    assert [h["ended_by"] for h in shown["holds"]] == ["release", "stop"]
    ended = http.post(base + "/end", "{}", content_type="application/json")
    same_as_validated(ended)
    assert ended.json()["session"]["status"] == "ended"
    # A visit without a session answers `null`, also written out.
    other = world.api("alice").get(f"/api/visits/{world.empty_visit.pk}/session")
    same_as_validated(other)
    assert other.json() == {"visit_id": world.empty_visit.pk, "session": None}


def test_an_active_hold_is_written_out_with_its_seconds_so_far(world: World) -> None:
    http = world.api("alice")
    base = f"/api/visits/{world.visit.pk}/session"
    hold = [event("h", "start-hold", 150, **HOLD), event("f", "feedback", 151, kind="better")]
    sent = http.post(base + "/events", json.dumps(hold), content_type="application/json")
    same_as_validated(sent)
    active = sent.json()["session"]["active_hold"]
    assert active["seconds"] == 49 and active["longest"] == 90
    assert active["feedback"] == [{"kind": "better", "second": 1, "event_id": "f", "by": "client"}]
