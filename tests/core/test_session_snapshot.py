"""The session's snapshot (`core.session.snapshot`): what the Django layer stores with
each run so a request replays only the events after it. Over random event sequences (the
property tests' own), a snapshot after any prefix with the rest replayed on it is the state
the whole list replays to, the same refusals included, and the snapshot survives JSON."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from test_session_properties import FRESH, SETTINGS, event_list

from myomap.core.kb import load_default
from myomap.core.session import snapshot
from myomap.core.session.events import Event, Feedback, GoToPoint, StartHold, StartSession
from myomap.core.session.record import session_record
from myomap.core.session.rules import session_rules
from myomap.core.session.state import Session, replay


def through_json(session: Session) -> Session:
    return snapshot.load(session.rules, json.loads(json.dumps(snapshot.dump(session))))


@SETTINGS
@given(event_list(), st.data())
def test_a_snapshot_and_the_events_after_it_replay_to_the_whole_replay(
    events: list[Event], data: st.DataObject
):
    whole, refused = replay(FRESH, events)
    cut = data.draw(st.integers(0, len(events)))
    head, head_refused = replay(FRESH, events[:cut])
    tail, tail_refused = replay(through_json(head), events[cut:])
    assert tail == whole
    assert session_record(tail) == session_record(whole)
    assert [str(e) for e in (*head_refused, *tail_refused)] == [str(e) for e in refused]


@SETTINGS
@given(event_list())
def test_every_state_on_the_way_comes_back_from_its_snapshot_unchanged(events: list[Event]):
    session = FRESH
    for event in events:
        session, _ = replay(session, [event])
        assert through_json(session) == session
        assert snapshot.dump(through_json(session)) == snapshot.dump(session)


def test_times_come_back_as_the_same_instants_in_utc_with_their_microseconds() -> None:
    two = timezone(timedelta(hours=2))
    t0 = datetime(2026, 3, 2, 11, 0, 0, 123456, tzinfo=two)
    tp, side = FRESH.points[0].point
    session, refused = replay(
        FRESH,
        [
            StartSession(event_id="s", at=t0),
            GoToPoint(event_id="g", at=t0, trigger_point=tp, side=side),  # type: ignore[arg-type]
            StartHold(event_id="h", at=t0, technique="ischemic-compression", pressure="moderate"),
            Feedback(event_id="f", at=t0 + timedelta(seconds=3.5), kind="too-much"),
        ],
    )
    assert refused == ()
    back = through_json(session)
    assert back == session
    hold = back.holds[0]
    assert hold.start.utcoffset() == timedelta(0) and hold.start.microsecond == 123456
    assert hold.start == t0 and hold.feedback[0].second == 3


def test_the_fingerprint_changes_with_the_rules() -> None:
    rules = session_rules(load_default())
    other = type(rules)(
        # A deep hold of ischemic compression allowed 90 s instead of 60 s.
        longest_hold={
            **rules.longest_hold,
            "ischemic-compression": {"light": 90, "moderate": 90, "deep": 90},
        },
        trigger_points=rules.trigger_points,
    )
    assert snapshot.fingerprint(rules) == snapshot.fingerprint(session_rules(load_default()))
    assert snapshot.fingerprint(other) != snapshot.fingerprint(rules)
