"""Properties of the guided session over random event sequences: times that go back,
holds past their limit, unknown points, taps between holds and repeated ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from myomap.core.kb import load_default
from myomap.core.session.errors import SessionError
from myomap.core.session.events import (
    FEEDBACK,
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

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PLANNED = [("piriformis-medial", "right"), ("quadratus-lumborum-superficial-cranial", "left")]
POINTS = [*PLANNED, ("gluteus-medius-posterior", "left"), ("nowhere-point", "left")]
TECHNIQUES = ["ischemic-compression"] * 4 + ["muscle-energy-technique", "deep-gliding", "made-up"]
FRESH = new_session(session_rules(load_default()), PLANNED)

points = st.sampled_from([*PLANNED, *PLANNED, *PLANNED, *POINTS])


@st.composite
def event_list(draw: st.DrawFn) -> list[Event]:
    """Mostly forward in time, sometimes back (late taps, clock skew), with holds."""
    tp, side = draw(points)
    events: list[Event] = [
        StartSession(event_id="start", at=T0),
        GoToPoint(event_id="go", at=T0, trigger_point=tp, side=side),  # type: ignore[arg-type]
    ]
    now = 0.0
    for index in range(draw(st.integers(0, 40))):
        now = max(0.0, now + draw(st.floats(-5, 25, allow_nan=False)))
        base = {"event_id": f"e{index}", "at": T0 + timedelta(seconds=now)}
        kind = draw(st.sampled_from("gghhhhffffffrrrrttppskae"))
        event: Event
        if kind == "g":
            tp, side = draw(points)
            event = GoToPoint(**base, trigger_point=tp, side=side)  # type: ignore[arg-type]
        elif kind == "h":
            technique = draw(st.sampled_from(TECHNIQUES))
            pressure = draw(st.sampled_from(["light", "moderate", "deep"]))
            event = StartHold(**base, technique=technique, pressure=pressure)  # type: ignore[arg-type]
        elif kind == "f":
            by = draw(st.sampled_from(["client", "pad", "therapist"]))
            event = Feedback(**base, kind=draw(st.sampled_from(FEEDBACK)), by=by)  # type: ignore[arg-type]
        elif kind == "r":
            event = ReleaseHold(**base)  # type: ignore[arg-type]
        elif kind == "t":
            value = draw(st.integers(-1, 11))
            when = draw(st.sampled_from(["before", "after"]))
            event = Tenderness(**base, when=when, value=value)  # type: ignore[arg-type]
        elif kind == "p":
            when = draw(st.sampled_from(["start", "end"]))
            event = PainNow(**base, when=when, value=draw(st.integers(0, 10)))  # type: ignore[arg-type]
        elif kind == "s":
            tp, side = draw(points)
            event = SkipPoint(**base, trigger_point=tp, side=side, reason="declined")  # type: ignore[arg-type]
        elif kind == "a":
            tp, side = draw(points)
            event = AddPoint(**base, trigger_point=tp, side=side)  # type: ignore[arg-type]
        elif draw(st.integers(0, 3)) == 0:
            event = EndSession(**base)  # type: ignore[arg-type]
        else:
            event = ReleaseHold(**base)  # type: ignore[arg-type]
        events.append(event)
    return events


def steps(events: list[Event]) -> list[tuple[Session, Event, Session | SessionError]]:
    session, out = FRESH, []
    for event in events:
        try:
            after: Session | SessionError = apply(session, event)
        except SessionError as exc:
            after = exc
        out.append((session, event, after))
        if isinstance(after, Session):
            session = after
    return out


@SETTINGS
@given(event_list())
def test_at_most_one_hold_is_active_and_only_the_last(events: list[Event]):
    for _, _, after in steps(events):
        if isinstance(after, Session):
            active = [h for h in after.holds if h.active]
            assert len(active) <= 1
            assert not active or active[0] is after.holds[-1]


@SETTINGS
@given(event_list())
def test_no_negative_durations_and_no_hold_past_its_limit_unless_stopped(events: list[Event]):
    session, _ = replay(FRESH, events)
    rules = session.rules
    for hold in session_record(session).holds:
        assert hold.end is None or hold.end >= hold.start
        assert hold.seconds is None or hold.seconds >= 0
        assert all(s.second >= 0 for s in hold.feedback)
        assert all(hold.seconds is None or s.second <= hold.seconds for s in hold.feedback)
        if hold.ended_by == "release":
            limit = rules.longest(hold.technique, hold.pressure) or 0
            assert hold.seconds is not None and hold.seconds <= limit


@SETTINGS
@given(event_list())
def test_stop_always_ends_the_active_hold(events: list[Event]):
    for before, event, after in steps(events):
        active = before.active
        stop = isinstance(event, Feedback) and event.kind == "stop"
        if (
            stop
            and active is not None
            and event.at >= active.start
            and event.event_id not in before.seen
        ):
            assert isinstance(after, Session), after
            assert after.active is None
            assert after.holds[-1].ended_by == "stop"
            assert after.holds[-1].stopped_by == event.by  # who stopped it is kept
            assert after.holds[-1].start == active.start


@SETTINGS
@given(event_list(), st.data())
def test_replaying_the_same_events_with_repeated_ids_gives_the_same_record(
    events: list[Event], data: st.DataObject
):
    first, refused = replay(FRESH, events)
    again, refused_again = replay(FRESH, events)
    assert session_record(first) == session_record(again)
    assert [str(e) for e in refused] == [str(e) for e in refused_again]
    # A device resends an event right away (no answer came), or an accepted one later on.
    accepted = {id(e) for before, e, after in steps(events) if isinstance(after, Session)}
    resent: list[Event] = []
    for index, event in enumerate(events):
        resent.append(event)
        if data.draw(st.booleans()):
            resent.append(event)
        if events[:index] and data.draw(st.integers(0, 3)) == 0:
            earlier = data.draw(st.sampled_from(events[:index]))
            if id(earlier) in accepted:
                resent.append(earlier)
    with_repeats, _ = replay(FRESH, resent)
    assert session_record(with_repeats) == session_record(first)
