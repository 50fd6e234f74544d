"""The guided session's state machine, one rule at a time: what a therapist's tablet sends,
what is recorded, and the message naming what is wrong when an event is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from myomap.core.kb import load_default
from myomap.core.session.errors import SessionError
from myomap.core.session.events import (
    AddPoint,
    EndSession,
    Event,
    Feedback,
    GoToPoint,
    PainNow,
    ReleaseHold,
    SkipPoint,
    StartHold,
    StartSession,
    Tenderness,
)
from myomap.core.session.record import session_record
from myomap.core.session.rules import session_rules
from myomap.core.session.state import Session, apply, new_session, replay

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PIRI = "piriformis-medial"
QL = "quadratus-lumborum-superficial-cranial"
GMED = "gluteus-medius-posterior"
IC = "ischemic-compression"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def ev(cls: type[Event], eid: str, seconds: float, **fields: Any) -> Event:
    return cls(event_id=eid, at=at(seconds), **fields)


@pytest.fixture(scope="module")
def fresh() -> Session:
    return new_session(session_rules(load_default()), [(PIRI, "right"), (QL, "left")])


@pytest.fixture
def holding(fresh: Session) -> Session:
    """Started, on the right medial piriformis, a moderate ischemic compression from 10 s."""
    session, refused = replay(
        fresh,
        [
            ev(StartSession, "s", 0),
            ev(GoToPoint, "g", 5, trigger_point=PIRI, side="right"),
            ev(StartHold, "h", 10, technique=IC, pressure="moderate"),
        ],
    )
    assert refused == ()
    return session


def refusal(session: Session, event: Event) -> tuple[str, str]:
    with pytest.raises(SessionError) as caught:
        apply(session, event)
    return caught.value.field, caught.value.message


def test_a_hold_records_its_point_technique_seconds_and_stamped_feedback(holding: Session):
    session, refused = replay(
        holding,
        [
            ev(Feedback, "f1", 14.6, kind="too-much"),
            ev(Feedback, "f2", 22, kind="released"),
            ev(ReleaseHold, "r", 35),
        ],
    )
    assert refused == ()
    (hold,) = session_record(session).holds
    assert (hold.trigger_point, hold.side, hold.technique, hold.pressure) == (
        PIRI,
        "right",
        IC,
        "moderate",
    )
    assert (hold.start, hold.end, hold.seconds, hold.ended_by) == (at(10), at(35), 25, "release")
    assert [(s.kind, s.second) for s in hold.feedback] == [("too-much", 4), ("released", 12)]
    assert hold.released


def test_stop_ends_the_hold_at_once(holding: Session):
    session = apply(holding, ev(Feedback, "stop", 18, kind="stop"))
    assert session.active is None
    hold = session_record(session).holds[0]
    assert (hold.end, hold.seconds, hold.ended_by) == (at(18), 8, "stop")
    assert refusal(session, ev(ReleaseHold, "r", 20)) == ("session", "no hold is active to release")


def test_stop_ends_a_hold_even_past_the_techniques_longest_hold(holding: Session):
    session = apply(holding, ev(Feedback, "stop", 10 + 200, kind="stop"))
    assert session.active is None
    assert session_record(session).holds[0].ended_by == "stop"


def test_a_repeated_event_id_is_recorded_once(holding: Session):
    tap = ev(Feedback, "f1", 15, kind="too-much")
    once = apply(holding, tap)
    assert apply(once, tap) is once
    again = apply(once, ev(Feedback, "f1", 16, kind="better"))  # same id, other content
    assert [s.kind for s in again.holds[0].feedback] == ["too-much"]


def test_late_feedback_is_stamped_into_the_hold_it_came_in(holding: Session):
    """A phone offline for a while sends its tap after the hold was released."""
    session, refused = replay(
        holding,
        [
            ev(ReleaseHold, "r", 30),
            ev(StartHold, "h2", 40, technique=IC, pressure="light"),
            ev(Feedback, "late", 20, kind="worse"),
        ],
    )
    assert refused == ()
    first, second = session_record(session).holds
    assert [(s.kind, s.second) for s in first.feedback] == [("worse", 10)]
    assert second.feedback == ()
    assert second.number == 2


def test_feedback_order_of_arrival_does_not_change_the_record(holding: Session):
    taps = [ev(Feedback, f"t{i}", 12 + i, kind="better") for i in range(3)]
    forward, _ = replay(holding, [*taps, ev(ReleaseHold, "r", 30)])
    backward, _ = replay(holding, [ev(ReleaseHold, "r", 30), *reversed(taps)])
    assert session_record(forward) == session_record(backward)


def test_before_and_after_values_skipped_points_and_pain(fresh: Session):
    session, refused = replay(
        fresh,
        [
            ev(StartSession, "s", 0),
            ev(PainNow, "p1", 1, when="start", value=6),
            ev(GoToPoint, "g", 2, trigger_point=PIRI, side="right"),
            ev(Tenderness, "b", 3, when="before", value=7, ppt=2.5),
            ev(Tenderness, "a", 60, when="after", value=3, ppt=4.0),
            ev(SkipPoint, "k", 61, trigger_point=QL, side="left", reason="client declined"),
            ev(PainNow, "p2", 62, when="end", value=3),
            ev(EndSession, "e", 63),
        ],
    )
    assert refused == ()
    record = session_record(session)
    piri, ql = record.points
    assert (piri.before, piri.after) == (
        type(piri.before)(7, 2.5),
        type(piri.before)(3, 4.0),
    )
    assert ql.skipped == "client declined"
    assert (record.pain_start, record.pain_end, record.status) == (6, 3, "ended")
    assert (record.started, record.ended) == (at(0), at(63))


def test_an_unplanned_point_is_added_before_going_to_it(fresh: Session):
    started = apply(fresh, ev(StartSession, "s", 0))
    go = ev(GoToPoint, "g", 1, trigger_point=GMED, side="left")
    assert refusal(started, go) == (
        "trigger_point",
        f"{GMED} (left) is not in the session's plan; add it first",
    )
    added = apply(started, ev(AddPoint, "a", 1, trigger_point=GMED, side="left"))
    session = apply(added, go)
    assert session.current == (GMED, "left")
    assert session_record(session).points[-1].planned is False


REFUSALS = [
    # (events after the hold started at 10 s, the refused event, field, message)
    ([], ev(StartSession, "x", 11), "session", "the session has already started"),
    (
        [],
        ev(StartHold, "x", 11, technique=IC, pressure="light"),
        "session",
        "a hold is already active; release or stop it first",
    ),
    (
        [],
        ev(ReleaseHold, "x", 101),
        "at",
        "the hold would last 91 s, longer than the 90 s ischemic-compression at moderate "
        "pressure allows; release it by then, or stop",
    ),
    (
        [],
        ev(ReleaseHold, "x", 5),
        "at",
        "2026-03-02T09:00:05+00:00 is earlier than the session's last event "
        "(2026-03-02T09:00:10+00:00); only feedback may arrive late",
    ),
    (
        [],
        ev(GoToPoint, "x", 12, trigger_point=QL, side="left"),
        "session",
        "release or stop the hold before going to another point",
    ),
    (
        [],
        ev(EndSession, "x", 12),
        "session",
        "release or stop the hold before ending the session",
    ),
    (
        [ev(ReleaseHold, "r", 20)],
        ev(Feedback, "x", 25, kind="better"),
        "at",
        "no hold was active at 2026-03-02T09:00:25+00:00",
    ),
    (
        [ev(ReleaseHold, "r", 20)],
        ev(StartHold, "x", 25, technique="deep-gliding", pressure="moderate"),
        "technique",
        "deep-gliding is not a timed hold",
    ),
    (
        [ev(ReleaseHold, "r", 20)],
        ev(StartHold, "x", 25, technique="thumb-wrestling", pressure="moderate"),
        "technique",
        "unknown technique 'thumb-wrestling'",
    ),
    (
        [ev(ReleaseHold, "r", 20)],
        ev(StartHold, "x", 25, technique=IC, pressure="crushing"),
        "pressure",
        "pressure is light, moderate, deep",
    ),
    (
        [ev(ReleaseHold, "r", 20)],
        ev(StartHold, "x", 25, technique="muscle-energy-technique", pressure="light"),
        None,
        None,
    ),
    (
        [],
        ev(Tenderness, "x", 12, when="before", value=11),
        "value",
        "tenderness must be a whole number 0-10, not 11",
    ),
    (
        [],
        ev(Tenderness, "x", 12, when="before", value=5, ppt=-1.0),
        "ppt",
        "pressure pain threshold must be 0-20 kg/cm²",
    ),
    (
        [],
        ev(PainNow, "x", 12, when="start", value=-1),
        "value",
        "pain now must be a whole number 0-10, not -1",
    ),
    (
        [],
        ev(AddPoint, "x", 12, trigger_point="nowhere-point", side="left"),
        "trigger_point",
        "unknown trigger point 'nowhere-point'",
    ),
    (
        [],
        ev(AddPoint, "x", 12, trigger_point=QL, side="left"),
        "trigger_point",
        f"{QL} (left) is already in the session",
    ),
    (
        [],
        ev(SkipPoint, "x", 12, trigger_point=QL, side="left", reason="  "),
        "reason",
        f"say why {QL} (left) is skipped",
    ),
    (
        [],
        ev(SkipPoint, "x", 12, trigger_point=PIRI, side="right", reason="too tender"),
        "session",
        "release or stop the hold before skipping its point",
    ),
    (
        [],
        Feedback(event_id="x", at=datetime(2026, 3, 2, 9, 0, 12), kind="better"),
        "at",
        "needs an aware datetime (with a time zone)",
    ),
    (
        [],
        ev(Feedback, "", 12, kind="better"),
        "event_id",
        "an event needs the id made on the device",
    ),
]


@pytest.mark.parametrize(("before", "event", "field", "message"), REFUSALS)
def test_each_refusal_names_what_is_wrong(
    holding: Session, before: list[Event], event: Event, field: str | None, message: str | None
):
    session, refused = replay(holding, before)
    assert refused == ()
    if message is None:  # the muscle energy technique's 10 s hold starts fine
        assert apply(session, event).active is not None
        return
    assert refusal(session, event) == (field, message)
    assert str(SessionError(field or "", message)) == f"{field}: {message}"


def test_a_short_technique_refuses_a_release_past_its_longest_hold(holding: Session):
    session, _ = replay(
        holding,
        [
            ev(ReleaseHold, "r", 20),
            ev(StartHold, "met", 30, technique="muscle-energy-technique", pressure="light"),
        ],
    )
    assert refusal(session, ev(ReleaseHold, "late", 41)) == (
        "at",
        "the hold would last 11 s, longer than the 10 s muscle-energy-technique at light "
        "pressure allows; release it by then, or stop",
    )
    assert apply(session, ev(ReleaseHold, "ok", 40)).active is None


def test_nothing_before_the_start_and_nothing_after_the_end(fresh: Session):
    go = ev(GoToPoint, "g", 1, trigger_point=PIRI, side="right")
    assert refusal(fresh, go) == ("session", "the session has not started; start it first")
    ended, _ = replay(fresh, [ev(StartSession, "s", 0), ev(EndSession, "e", 5)])
    assert refusal(ended, ev(Feedback, "f", 6, kind="stop")) == (
        "session",
        "the session has ended; nothing more can be recorded",
    )
    assert apply(ended, ev(StartSession, "s", 0)) is ended  # its id was seen: once


def test_a_point_bound_event_needs_a_current_point(fresh: Session):
    started = apply(fresh, ev(StartSession, "s", 0))
    assert refusal(started, ev(StartHold, "h", 1, technique=IC, pressure="light")) == (
        "session",
        "no point is chosen; go to a point first",
    )


def test_a_refused_event_changes_nothing(holding: Session):
    session, refused = replay(holding, [ev(ReleaseHold, "x", 500)])
    assert session == holding
    assert [e.field for e in refused] == ["at"]
