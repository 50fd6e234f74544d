"""The guided session through the JSON API: a therapist starts it, her tablet sends its
events (one at a time or a queued list), and the stored rows and the state read back show
each hold with its seconds and the client's feedback. A resent event is stored once (also
when two requests carry it at once); bad input is refused naming what is wrong, with
nothing stored; another clinic's therapist finds nothing, a client may not write.

The world is tests/web/records_fixtures.py's: alice (Lakeside's therapist) treats Dan
Marlowe, whose visit has a plan of six points; bob is a therapist at Hilltop, another
clinic; dan is Dan Marlowe's own login."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client as Browser
from records_fixtures import LOW_BACK, World, build_world, record_findings

from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients import actions as client_actions
from myomap.core.kb import load_default
from myomap.visits import actions as visit_actions
from myomap.visits import session_actions, session_queries
from myomap.visits.models import SessionEvent, SessionRun, Visit

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
QL = "quadratus-lumborum-deep-caudal"  # the plan's first point, on the left


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(clock: Any) -> World:
    """The records world, without a guided session: should the shared world start one
    (for the permission tables), it is taken away here with its audit events, so each
    test below starts the session itself and sees only its own rows."""
    world = build_world()
    SessionRun.objects.all().delete()
    AuditEvent.objects.filter(object_type__in=["SessionRun", "SessionEvent"]).delete()
    return world


def url(world: World, rest: str = "", visit: Any = None) -> str:
    return f"/api/visits/{(visit or world.visit).pk}/session{rest}"


def post(http: Browser, path: str, body: Any = None) -> Any:
    return http.post(path, json.dumps(body or {}), content_type="application/json")


def at(seconds: float) -> str:
    return (T0 + dt.timedelta(seconds=seconds)).isoformat()


def event(event_id: str, kind: str, seconds: float, /, **fields: Any) -> dict[str, Any]:
    return {"event_id": event_id, "kind": kind, "at": at(seconds), "fields": fields}


def rows() -> list[tuple[str, str, str, dict[str, Any]]]:
    """Every stored event: (event id, kind, device time, fields), in stored order."""
    return [
        (e.event_id, e.kind, e.at.isoformat(), e.fields)
        for e in SessionEvent.objects.order_by("id")
    ]


def writes() -> list[tuple[str, str, str]]:
    """The audit log's writes (views, refusals and token use left out), oldest first."""
    events = AuditEvent.objects.exclude(
        action__in=[AuditEvent.Action.USE, AuditEvent.Action.VIEW, AuditEvent.Action.REFUSED]
    )
    return list(events.order_by("id").values_list("action", "object_type", "summary"))


def stored() -> dict[str, Any]:
    return {
        "runs": list(SessionRun.objects.order_by("id").values()),
        "events": list(SessionEvent.objects.order_by("id").values()),
        "writes": writes(),
    }


def refused(response: Any, status: int, field: str | None) -> str:
    assert response.status_code == status, response.content[:500]
    assert response.json()["field"] == field, response.json()
    return str(response.json()["detail"])


def started(world: World) -> Browser:
    api = world.api("alice")
    response = post(api, url(world))
    assert response.status_code == 201, response.content[:500]
    return api


THE_RUN = [
    event("e1", "go-to-point", 10, trigger_point=QL, side="left"),
    event("e2", "tenderness", 20, when="before", value=7),
    event("e3", "start-hold", 30, technique="ischemic-compression", pressure="moderate"),
    event("e4", "feedback", 35, kind="too-much"),
    event("e5", "release-hold", 55),
    event("e6", "tenderness", 60, when="after", value=3, ppt=4.5),
]


# ----------------------------------------------------------------------------- a whole run
def test_a_session_started_runs_through_its_events_and_shows_each_hold(
    world: World, clock: Any
) -> None:
    api = world.api("alice")
    response = post(api, url(world))
    assert response.status_code == 201, response.content[:500]
    session = response.json()["session"]
    assert session["status"] == "running"
    assert session["started_by"] == "alice"
    assert [(p["trigger_point"], p["side"], p["planned"]) for p in session["points"]] == [
        (s.trigger_point, s.side, True) for s in world.visit.plan_steps.order_by("order")
    ]
    run = SessionRun.objects.get()
    assert (run.visit, run.started_by, run.started_at, run.ended_at) == (
        world.visit,
        world.alice,
        T0,
        None,
    )

    for sent in THE_RUN[:4]:
        response = post(api, url(world, "/events"), sent)
        assert response.status_code == 200, response.content[:500]

    # 12 s into the hold, the state shows it active, with the "too much" at second 5.
    clock.move_to(T0 + dt.timedelta(seconds=42))
    state = api.get(url(world)).json()["session"]
    assert state["current"] == {
        "trigger_point": QL,
        "side": "left",
        "name": state["current"]["name"],
    }
    assert state["current"]["name"].startswith("Left quadratus lumborum")
    active = state["active_hold"]
    assert (active["technique"], active["pressure"], active["seconds"], active["longest"]) == (
        "ischemic-compression",
        "moderate",
        12,
        90,
    )
    assert [(f["kind"], f["second"]) for f in active["feedback"]] == [("too-much", 5)]

    for sent in THE_RUN[4:]:
        assert post(api, url(world, "/events"), sent).status_code == 200
    clock.move_to(T0 + dt.timedelta(seconds=70))
    response = post(api, url(world, "/end"))
    assert response.status_code == 200, response.content[:500]

    # The stored rows: the start, each event as received, the end.
    stored_rows = rows()
    assert stored_rows[0][1] == "start-session"
    # Each event's fields as the core event holds them: a tenderness without an
    # algometer reading has its ppt as null.
    no_ppt = {"ppt": None}
    assert stored_rows[1:-1] == [
        ("e1", "go-to-point", at(10), {"trigger_point": QL, "side": "left"}),
        ("e2", "tenderness", at(20), {"when": "before", "value": 7} | no_ppt),
        ("e3", "start-hold", at(30), {"technique": "ischemic-compression", "pressure": "moderate"}),
        ("e4", "feedback", at(35), {"kind": "too-much", "by": "client"}),
        ("e5", "release-hold", at(55), {}),
        ("e6", "tenderness", at(60), {"when": "after", "value": 3, "ppt": 4.5}),
    ]
    assert stored_rows[-1][1:3] == ("end-session", at(70))
    assert all(e.received_at >= T0 for e in SessionEvent.objects.all())
    run.refresh_from_db()
    assert run.ended_at == T0 + dt.timedelta(seconds=70)

    # Read back: the hold with its seconds and feedback, before and after values.
    state = api.get(url(world)).json()["session"]
    assert state["status"] == "ended"
    assert state["active_hold"] is None
    assert state["current"] is None
    assert state["events"] == len(THE_RUN) + 2
    (hold,) = state["holds"]
    assert hold == {
        "trigger_point": QL,
        "side": "left",
        "number": 1,
        "technique": "ischemic-compression",
        "pressure": "moderate",
        "start": "2026-03-02T09:00:30Z",
        "end": "2026-03-02T09:00:55Z",
        "seconds": 25,
        "ended_by": "release",
        "stopped_by": None,
        "released": False,
        "feedback": [{"kind": "too-much", "second": 5, "event_id": "e4", "by": "client"}],
    }
    point = state["points"][0]
    assert (point["before"], point["after"]) == (
        {"tender": 7, "ppt": None},
        {"tender": 3, "ppt": 4.5},
    )
    assert [w[2] for w in writes() if w[1] == "SessionRun"] == [
        "session started: 6 points",
        "session: 1 event recorded (go-to-point)",
        "session: 1 event recorded (tenderness)",
        "session: 1 event recorded (start-hold)",
        "session: 1 event recorded (feedback)",
        "session: 1 event recorded (release-hold)",
        "session: 1 event recorded (tenderness)",
        "session ended",
    ]


def test_a_queued_list_is_recorded_in_order_and_a_second_too_much_suggests_lighter(
    world: World,
) -> None:
    api = started(world)
    queue = [
        *THE_RUN[:4],
        event("e4b", "feedback", 40, kind="too-much"),
        event("e5", "feedback", 45, kind="stop"),
    ]
    response = post(api, url(world, "/events"), queue)
    assert response.status_code == 200, response.content[:500]
    state = response.json()["session"]
    (hold,) = state["holds"]
    assert (hold["ended_by"], hold["seconds"]) == ("stop", 15)
    assert [f["kind"] for f in hold["feedback"]] == ["too-much", "too-much", "stop"]
    # A second "too much" within one hold: the knowledge base's rule suggests lighter.
    suggestion = state["suggestion"]
    assert (suggestion["action"], suggestion["lighter"], suggestion["where"]) == (
        "lighter-pressure",
        "light",
        "hold",
    )
    assert suggestion["sources"]
    assert [r[0] for r in rows()[1:]] == ["e1", "e2", "e3", "e4", "e4b", "e5"]
    assert [w[2] for w in writes() if w[1] == "SessionRun"][-1] == (
        "session: 6 events recorded "
        "(go-to-point, tenderness, start-hold, feedback, feedback, feedback)"
    )


# ----------------------------------------------------------------------------- once only
def test_the_same_event_id_sent_twice_is_stored_once(world: World) -> None:
    api = started(world)
    first = post(api, url(world, "/events"), THE_RUN[0])
    audited = len(writes())
    again = post(api, url(world, "/events"), THE_RUN[0] | {"at": at(11)})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert [r[0] for r in rows()[1:]] == ["e1"]
    assert len(writes()) == audited  # nothing new: no write audited, but a read
    shown = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).order_by("id").last()
    assert shown is not None
    assert (shown.object_type, shown.client, shown.summary) == (
        "SessionRun",
        world.client,
        "guided session: its events were recorded before",
    )
    # In a list with a new one, the known one is skipped and the new one stored.
    both = post(api, url(world, "/events"), [THE_RUN[0], THE_RUN[1]])
    assert both.status_code == 200
    assert [r[0] for r in rows()[1:]] == ["e1", "e2"]
    assert both.json()["session"]["points"][0]["before"] == {"tender": 7, "ppt": None}


def test_the_same_event_id_from_two_requests_at_once_is_stored_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second request rebuilt the state before the first had stored the event (as
    two processes may): its insert hits the unique (run, event id) and it answers with
    the state that holds the first's row."""
    api = started(world)
    run = SessionRun.objects.get()
    from myomap.core.kb import load_default

    stale = session_queries.replay_run(run, load_default())
    assert post(api, url(world, "/events"), THE_RUN[0]).status_code == 200
    real = session_queries.replay_run
    misses = iter([True])
    monkeypatch.setattr(
        session_queries,
        "replay_run",
        lambda *args: stale if next(misses, False) else real(*args),
    )
    response = post(api, url(world, "/events"), THE_RUN[0])
    assert response.status_code == 200, response.content[:500]
    assert [r[0] for r in rows()[1:]] == ["e1"]
    assert response.json()["session"]["current"]["trigger_point"] == QL


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("sent", "field", "words"),
    [
        (event("x", "go-to-point", 10, trigger_point="no-such-point", side="left"),
         "fields.trigger_point", "unknown trigger point 'no-such-point'"),
        (event("x", "dance", 10), "kind", "unknown kind 'dance'"),
        (event("x", "go-to-point", 10, trigger_point=QL, side="up"), "fields.side", "side"),
        (event("x", "go-to-point", 10, trigger_point=QL), "fields.side", "needs side"),
        (event("x", "go-to-point", 10, trigger_point=QL, side="left", colour="red"),
         "fields.colour", "no field 'colour'"),
        (event("x", "pain-now", 10, when="start", value="7"), "fields.value", "whole number"),
        (event("x", "pain-now", 10, when="start", value=11), "fields.value", "0-10"),
        (event("x", "feedback", 10, kind="too-much"), "at", "no hold was active"),
        (event("x", "release-hold", 10), "session", "no hold is active"),
        (event("x", "start-hold", 10, technique="ischemic-compression", pressure="deep"),
         "session", "go to a point first"),
        ([THE_RUN[0], event("y", "tenderness", 20, when="before", value=11)],
         "fields.value", "event 2 of 2 ('y')"),
    ],
    ids=["unknown point", "unknown kind", "unknown side", "missing field", "extra field",
         "text for a number", "off the scale", "feedback outside a hold", "nothing to release",
         "no point chosen", "a list is all or nothing"],
)  # fmt: skip
def test_bad_input_is_refused_naming_what_is_wrong_and_nothing_is_stored(
    world: World, sent: Any, field: str, words: str
) -> None:
    api = started(world)
    before = stored()
    assert words in refused(post(api, url(world, "/events"), sent), 400, field)
    assert stored() == before
    assert api.get(url(world)).json()["session"]["events"] == 1  # the start only


def test_a_hold_past_the_techniques_limit_is_refused_and_the_hold_goes_on(
    world: World, clock: Any
) -> None:
    api = started(world)
    assert post(api, url(world, "/events"), THE_RUN[:3]).status_code == 200
    before = stored()
    clock.move_to(T0 + dt.timedelta(seconds=30 + 95))
    late = event("late", "release-hold", 30 + 95)
    detail = refused(post(api, url(world, "/events"), late), 400, "at")
    assert "95 s, longer than the 90 s ischemic-compression at moderate pressure allows" in detail
    assert stored() == before
    # Releasing within the limit is recorded; a stop is never refused.
    assert post(api, url(world, "/events"), event("ok", "release-hold", 30 + 90)).status_code == 200
    assert [h["seconds"] for h in api.get(url(world)).json()["session"]["holds"]] == [90]


def test_a_deep_hold_of_70_s_is_refused_and_a_moderate_one_is_recorded(
    world: World, clock: Any
) -> None:
    """Ischemic compression may be held 90 s at moderate pressure but only 60 s at deep
    (session.yaml, Hou 2002: the firmer pressure for the shorter time). The state the
    runner reads gives each hold the limit at its own pressure."""
    api = started(world)
    deep = event("d", "start-hold", 30, technique="ischemic-compression", pressure="deep")
    assert post(api, url(world, "/events"), [THE_RUN[0], THE_RUN[1], deep]).status_code == 200
    clock.move_to(T0 + dt.timedelta(seconds=40))
    active = api.get(url(world)).json()["session"]["active_hold"]
    assert (active["pressure"], active["longest"]) == ("deep", 60)
    before = stored()
    clock.move_to(T0 + dt.timedelta(seconds=30 + 70))
    detail = refused(post(api, url(world, "/events"), event("r1", "release-hold", 100)), 400, "at")
    assert detail == (
        "the hold would last 70 s, longer than the 60 s ischemic-compression at deep "
        "pressure allows; release it by then, or stop"
    )
    assert stored() == before
    # Released at its 60 s, the deep hold is recorded; then a moderate one runs 70 s.
    assert post(api, url(world, "/events"), event("r2", "release-hold", 90)).status_code == 200
    moderate = event("m", "start-hold", 100, technique="ischemic-compression", pressure="moderate")
    assert post(api, url(world, "/events"), moderate).status_code == 200
    clock.move_to(T0 + dt.timedelta(seconds=110))
    active = api.get(url(world)).json()["session"]["active_hold"]
    assert (active["pressure"], active["longest"]) == ("moderate", 90)
    clock.move_to(T0 + dt.timedelta(seconds=170))
    answer = post(api, url(world, "/events"), event("r3", "release-hold", 170))
    assert answer.status_code == 200, answer.content[:500]
    holds = api.get(url(world)).json()["session"]["holds"]
    assert [(h["pressure"], h["seconds"], h["ended_by"]) for h in holds] == [
        ("deep", 60, "release"),
        ("moderate", 70, "release"),
    ]
    # The refused release left no row; the others are stored once each, in order.
    assert [r[0] for r in rows()][1:] == ["e1", "e2", "d", "r2", "m", "r3"]  # after the start


def test_an_event_a_year_ahead_is_refused_and_the_session_goes_on(world: World) -> None:
    """A tablet whose clock says next year: its event would move the session's clock a
    year on, and every later event, earlier than it, would be refused. Refused instead,
    naming the time; nothing is stored, and the session goes on and ends."""
    api = started(world)
    assert post(api, url(world, "/events"), THE_RUN[:1]).status_code == 200
    before = stored()
    wrong = event("next-year", "tenderness", 366 * 24 * 3600, when="before", value=7)
    detail = refused(post(api, url(world, "/events"), wrong), 400, "at")
    assert "ahead of the server's clock" in detail and "check the tablet's date" in detail
    assert stored() == before
    # Within a minute of the server's clock the tablet's events are recorded as before.
    assert post(api, url(world, "/events"), THE_RUN[1:3]).status_code == 200
    assert post(api, url(world, "/events"), event("r", "release-hold", 40)).status_code == 200
    ended = post(api, url(world, "/end"))
    assert ended.status_code == 200 and ended.json()["session"]["status"] == "ended"
    assert SessionRun.objects.get(visit=world.visit).ended_at is not None


def test_a_stop_an_hour_after_the_start_records_the_longest_allowed_hold(
    world: World, clock: Any
) -> None:
    """A stop that comes an hour after the hold began (the hold was never released) ends
    it at the technique's longest hold, 90 s for ischemic compression, not at 3,570 s."""
    api = started(world)
    assert post(api, url(world, "/events"), THE_RUN[:3]).status_code == 200
    clock.move_to(T0 + dt.timedelta(hours=1))
    stop = event("stop", "feedback", 3600, kind="stop", by="therapist")
    answer = post(api, url(world, "/events"), stop)
    assert answer.status_code == 200, answer.content[:500]
    holds = api.get(url(world)).json()["session"]["holds"]
    assert [(h["seconds"], h["ended_by"]) for h in holds] == [(90, "stop")]
    session = session_queries.replayed(SessionRun.objects.get(visit=world.visit), load_default())
    assert session.holds[0].end == T0 + dt.timedelta(seconds=30 + 90)
    assert rows()[-1][:3] == ("stop", "feedback", at(3600))  # stored as the tablet sent it


def test_a_technique_that_is_not_a_timed_hold_starts_no_hold(world: World) -> None:
    api = started(world)
    post(api, url(world, "/events"), THE_RUN[0])
    before = stored()
    stroke = event("s", "start-hold", 30, technique="no-such-technique", pressure="light")
    assert "unknown technique" in refused(post(api, url(world, "/events"), stroke), 400,
                                          "fields.technique")  # fmt: skip
    assert stored() == before


def test_an_event_after_the_end_is_a_conflict_and_is_not_stored(world: World) -> None:
    api = started(world)
    post(api, url(world, "/events"), THE_RUN[0])
    assert post(api, url(world, "/end")).status_code == 200
    before = stored()
    after = event("after", "go-to-point", 120, trigger_point=QL, side="left")
    assert "the session has ended" in refused(post(api, url(world, "/events"), after), 409,
                                              "session")  # fmt: skip
    assert stored() == before
    # Ending again, or resending a recorded event, answers with the ended session.
    assert post(api, url(world, "/end")).json()["session"]["status"] == "ended"
    assert post(api, url(world, "/events"), THE_RUN[0]).status_code == 200
    assert stored() == before


def test_a_naive_device_time_is_refused(world: World) -> None:
    api = started(world)
    before = stored()
    naive = event("n", "go-to-point", 10, trigger_point=QL, side="left") | {
        "at": "2026-03-02T09:00:10"
    }
    response = post(api, url(world, "/events"), naive)
    assert response.status_code == 422
    assert stored() == before


# ----------------------------------------------------------------------------- starting
def test_starting_twice_gives_the_open_session(world: World) -> None:
    api = started(world)
    again = post(api, url(world))
    assert again.status_code == 200
    assert again.json()["session"]["id"] == SessionRun.objects.get().pk
    assert SessionRun.objects.count() == 1
    assert [w[2] for w in writes() if w[1] == "SessionRun"] == ["session started: 6 points"]
    shown = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).order_by("id").last()
    assert shown is not None and shown.summary == "guided session: already started"


def test_a_session_needs_a_plan_an_unsigned_record_and_an_open_gate(world: World) -> None:
    api = world.api("alice")
    before = stored()
    no_plan = post(api, url(world, visit=world.empty_visit))
    assert "no plan" in refused(no_plan, 400, "plan")
    signed = post(api, url(world, visit=world.signed_visit))
    assert refused(signed, 409, None).startswith("the visit's note is signed")
    # The ask-doctor intake waits for the doctor's clearance: planning, so the session, waits.
    waiting = visit_actions.start_visit(Context(user=world.alice), world.client, world.ask_intake)
    before = stored()
    assert "doctor" in refused(post(api, url(world, visit=waiting)), 409, "gate")
    assert stored() == before
    assert api.get(url(world)).json() == {"visit_id": world.visit.pk, "session": None}


# ----------------------------------------------------------------------------- who
def test_another_clinics_therapist_finds_nothing_and_changes_nothing(world: World) -> None:
    api = started(world)
    post(api, url(world, "/events"), THE_RUN[0])
    before = stored()
    bob = world.api("bob")
    for response in (
        post(bob, url(world)),
        post(bob, url(world, "/events"), THE_RUN[1]),
        bob.get(url(world)),
        post(bob, url(world, "/end")),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "not found", "field": None}
    assert stored() == before
    refusals = AuditEvent.objects.filter(action=AuditEvent.Action.REFUSED, actor=world.bob)
    assert refusals.count() == 4
    assert {e.clinic_id for e in refusals} == {world.lakeside.pk}


def test_a_client_may_neither_run_nor_read_the_session(world: World) -> None:
    api = started(world)
    post(api, url(world, "/events"), THE_RUN[0])
    before = stored()
    dan = world.api("dan")
    for response in (
        post(dan, url(world)),
        post(dan, url(world, "/events"), THE_RUN[1]),
        dan.get(url(world)),
        post(dan, url(world, "/end")),
    ):
        assert response.status_code == 403
        assert "therapist" in response.json()["detail"]
    assert stored() == before


def test_a_signed_in_therapist_uses_the_same_endpoints(world: World) -> None:
    web = world.web("alice")
    assert post(web, url(world)).status_code == 201
    assert post(web, url(world, "/events"), THE_RUN[0]).status_code == 200
    assert web.get(url(world)).json()["session"]["current"]["trigger_point"] == QL


# ----------------------------------------------------------------------------- at once
def _at_once(*work: Any) -> list[Any]:
    """Run each callable in its own thread and database connection, started together."""
    start = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(i: int, job: Any) -> None:
        try:
            start.wait()
            results[i] = job()
        except Exception as exc:  # an error is a result here, asserted by the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(work)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


OVERLAPPING = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writer at a time"
)


@OVERLAPPING
@pytest.mark.django_db(transaction=True)
def test_two_starts_and_one_event_sent_four_times_at_once_are_stored_once(world: World) -> None:
    ctx = Context(user=world.alice, via="api", now=T0)
    visit = Visit.objects.get(pk=world.visit.pk)
    starts = _at_once(*[lambda: session_actions.start_session(ctx, visit)] * 2)
    assert not [r for r in starts if isinstance(r, Exception)], starts
    assert sorted(new for _state, new in starts) == [False, True]
    assert SessionRun.objects.count() == 1

    sent = session_actions.EventData("e1", "go-to-point", T0, {"trigger_point": QL, "side": "left"})
    results = _at_once(*[lambda: session_actions.record_events(ctx, visit, [sent])] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert {r.session.current for r in results} == {(QL, "left")}
    assert [r[0] for r in rows()] == [rows()[0][0], "e1"]
    assert [w[2] for w in writes() if w[1] == "SessionRun"] == [
        "session started: 6 points",
        "session: 1 event recorded (go-to-point)",
    ]


def test_a_hold_is_checked_against_the_screening_as_a_plan_step_is(world: World) -> None:
    """A bleeding disorder rules ischemic compression out: the plan holds none, and a hold
    of it in the session is refused as the plan editor would refuse it."""
    ctx = Context(user=world.alice)
    intake = client_actions.record_intake(
        ctx,
        world.client,
        client_actions.IntakeData(
            complaint="Low back pain again",
            pain_drawing=LOW_BACK,
            contraindication_answers={"bleeding-disorder": True},
        ),
    )
    visit = visit_actions.start_visit(ctx, world.client, intake)
    record_findings(ctx, visit)
    visit_actions.propose_plan(ctx, visit)
    step = visit.plan_steps.order_by("order").first()
    assert step is not None and step.technique != "ischemic-compression"
    api = world.api("alice")
    assert post(api, url(world, visit=visit)).status_code == 201
    go = event("g", "go-to-point", 10, trigger_point=step.trigger_point, side=step.side)
    assert post(api, url(world, "/events", visit=visit), go).status_code == 200
    before = stored()
    ruled_out = event("h", "start-hold", 20, technique="ischemic-compression", pressure="light")
    detail = refused(post(api, url(world, "/events", visit=visit), ruled_out), 400,
                     "fields.technique")  # fmt: skip
    assert "ruled out here" in detail and "leeding" in detail
    assert stored() == before
    planned = event("h", "start-hold", 20, technique=step.technique, pressure=step.pressure)
    response = post(api, url(world, "/events", visit=visit), planned)
    assert response.status_code == 200, response.content[:500]
    assert response.json()["session"]["active_hold"]["technique"] == step.technique


def test_an_unplanned_point_is_added_and_a_planned_one_skipped_with_its_reason(
    world: World,
) -> None:
    api = started(world)
    found = "quadratus-lumborum-deep-cranial"
    planned = {(s.trigger_point, s.side) for s in world.visit.plan_steps.all()}
    assert (found, "left") not in planned
    queue = [
        event("a", "add-point", 10, trigger_point=found, side="left"),
        event("b", "go-to-point", 20, trigger_point=found, side="left"),
        event("c", "skip-point", 30, trigger_point=QL, side="left", reason="Too tender today"),
    ]
    state = post(api, url(world, "/events"), queue).json()["session"]
    points = {(p["trigger_point"], p["side"]): p for p in state["points"]}
    assert points[(found, "left")]["planned"] is False
    assert points[(QL, "left")]["skipped"] == "Too tender today"
    assert state["current"]["trigger_point"] == found
    assert [r[1] for r in rows()[1:]] == ["add-point", "go-to-point", "skip-point"]


def test_the_session_does_not_end_while_a_hold_is_active(world: World) -> None:
    api = started(world)
    post(api, url(world, "/events"), THE_RUN[:3])
    before = stored()
    detail = refused(post(api, url(world, "/end")), 400, "session")
    assert "release or stop the hold" in detail
    assert stored() == before
    assert SessionRun.objects.get().ended_at is None


# ----------------------------------------------------------------------------- read again
def test_a_read_of_an_unchanged_session_is_answered_not_modified(world: World) -> None:
    """The runner reads the session several times a second to follow the client's taps:
    sent back its ETag, an unchanged session is a 304 with no body; a tap, the end, or
    the plan saved again gives a new tag and the new state."""
    api = started(world)
    first = api.get(url(world))
    tag = first["ETag"]
    assert first.status_code == 200 and tag
    again = api.get(url(world), HTTP_IF_NONE_MATCH=tag)
    assert (again.status_code, again.content) == (304, b"")
    assert again["ETag"] == tag

    assert post(api, url(world, "/events"), THE_RUN[:3]).status_code == 200
    after_tap = api.get(url(world), HTTP_IF_NONE_MATCH=tag)
    assert after_tap.status_code == 200 and after_tap["ETag"] != tag
    assert after_tap.json()["session"]["active_hold"]["trigger_point"] == QL
    tag = after_tap["ETag"]
    assert api.get(url(world), HTTP_IF_NONE_MATCH=tag).status_code == 304

    # the plan saved again (its steps replaced) is a new state too
    steps = [
        visit_actions.StepData(
            s.trigger_point, s.side, s.technique, s.pressure, s.hold_seconds, s.repetitions
        )
        for s in world.visit.plan_steps.order_by("order")
    ]
    visit_actions.save_plan(Context(user=world.alice), world.visit, steps)
    assert api.get(url(world), HTTP_IF_NONE_MATCH=tag).status_code == 200

    # another clinic's therapist gets no tag and no state, whatever they send
    other = world.api("bob").get(url(world), HTTP_IF_NONE_MATCH=tag)
    assert other.status_code == 404 and "ETag" not in other


def test_an_ended_session_keeps_its_record_when_the_rules_later_change(
    world: World, clock: Any, monkeypatch: Any
) -> None:
    """A moderate hold of 80 s was within the rules when it was recorded; the knowledge
    base later allows only 60 s. The ended session still shows that hold and its end,
    on the API and to the note, instead of refusing them on replay."""
    from dataclasses import replace

    api = started(world)
    hold = event("h", "start-hold", 30, technique="ischemic-compression", pressure="moderate")
    assert post(api, url(world, "/events"), [THE_RUN[0], hold]).status_code == 200
    clock.move_to(T0 + dt.timedelta(seconds=110))
    assert post(api, url(world, "/events"), event("r", "release-hold", 110)).status_code == 200
    session_actions.end_session(Context(user=world.alice), world.visit)
    before = api.get(url(world)).json()["session"]

    kb, rules, _ = session_queries._rules(load_default())
    stricter = replace(
        rules, longest_hold={**rules.longest_hold, "ischemic-compression": {"moderate": 60}}
    )
    monkeypatch.setattr(session_queries, "_rules", lambda _kb: (kb, stricter, "stricter"))
    after = api.get(url(world)).json()["session"]
    assert after["status"] == "ended"
    assert [(h["seconds"], h["ended_by"]) for h in after["holds"]] == [(80, "release")]
    assert after["holds"] == before["holds"]
