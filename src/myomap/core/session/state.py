"""The session's state machine: `apply(session, event)` returns the new session or raises
`SessionError` naming what is wrong; the session before is never changed.

Rules (docs/session.md):

- A repeated `event_id` is recorded once: the event is ignored, even after the end.
- Nothing but `StartSession` before the start; nothing after `EndSession`.
- Events are applied in the order they arrive. The device time `at` must be aware and
  may not go back before the latest time seen, except for feedback: a late tap (queued
  on a device while offline) is stamped into the hold its time falls in, active or
  finished; a tap whose time falls in no hold is refused. A hold's feedback is kept in
  order of (second, event id), so taps arriving in any order give the same record; a
  tap later than every event so far moves the clock on like any event.
- At most one hold is active. "stop" ends the active hold at once (`ended_by="stop"`),
  whenever it comes; any other event that would make the hold longer than its
  technique allows at its pressure is refused, so a release must come at or before the
  limit.
- Holds, tenderness and feedback apply to the current point (`GoToPoint`); the point
  must be planned or added with `AddPoint` first.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

from myomap.core.session.errors import SessionError
from myomap.core.session.events import (
    FEEDBACK,
    FEEDBACK_BY,
    AddPoint,
    EndSession,
    Event,
    Feedback,
    FeedbackBy,
    FeedbackKind,
    GoToPoint,
    PainNow,
    ReleaseHold,
    SkipPoint,
    StartHold,
    StartSession,
    Tenderness,
)
from myomap.core.vocab import POINT_SIDES, PPT_RANGE, PRESSURES, TENDER_SCALE

Status = Literal["planned", "running", "ended"]
EndedBy = Literal["release", "stop"]
Point = tuple[str, str]  # (trigger point id, side)
FEEDBACK_KINDS = frozenset(FEEDBACK)


@dataclass(frozen=True)
class Rules:
    """What the session checks against, taken from the knowledge base once
    (`rules.session_rules`): each technique's longest hold in seconds at each pressure
    (None: not a timed hold, so no hold starts) and the trigger points that exist."""

    longest_hold: Mapping[str, Mapping[str, int] | None]
    trigger_points: frozenset[str]

    def longest(self, technique: str, pressure: str) -> int | None:
        """The most a hold of `technique` at `pressure` may last, in seconds; None when
        the technique is unknown or not a timed hold, or the pressure unknown."""
        by_pressure = self.longest_hold.get(technique)
        return None if by_pressure is None else by_pressure.get(pressure)


@dataclass(frozen=True)
class Stamp:
    """One tap during a hold, `second` whole seconds after the hold started, and who it
    came from (`events.FeedbackBy`)."""

    kind: FeedbackKind
    second: int
    event_id: str
    by: FeedbackBy = "client"


@dataclass(frozen=True)
class Hold:
    number: int  # 1, 2, ... on its point
    trigger_point: str
    side: str
    technique: str
    pressure: str
    start: datetime
    end: datetime | None = None
    ended_by: EndedBy | None = None
    feedback: tuple[Stamp, ...] = ()
    # Who stopped it, when it ended by a stop: the therapist, the client telling the
    # therapist, or the client on their own phone (`events.FeedbackBy`).
    stopped_by: FeedbackBy | None = None

    @property
    def point(self) -> Point:
        return (self.trigger_point, self.side)

    @property
    def active(self) -> bool:
        return self.end is None

    def covers(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at <= self.end)


@dataclass(frozen=True)
class Measure:
    tender: int
    ppt: float | None = None


@dataclass(frozen=True)
class PointState:
    trigger_point: str
    side: str
    planned: bool = True
    before: Measure | None = None
    after: Measure | None = None
    skipped: str | None = None  # the reason, while the point is skipped

    @property
    def point(self) -> Point:
        return (self.trigger_point, self.side)


@dataclass(frozen=True)
class Session:
    rules: Rules = field(repr=False)
    points: tuple[PointState, ...]
    status: Status = "planned"
    started: datetime | None = None
    ended: datetime | None = None
    clock: datetime | None = None  # the latest device time applied
    current: Point | None = None
    holds: tuple[Hold, ...] = ()
    pain_start: int | None = None
    pain_end: int | None = None
    seen: frozenset[str] = frozenset()

    @property
    def active(self) -> Hold | None:
        """The hold in progress, if any (only ever the last one)."""
        return self.holds[-1] if self.holds and self.holds[-1].active else None

    def point(self, key: Point) -> PointState | None:
        return next((p for p in self.points if p.point == key), None)


def new_session(rules: Rules, planned: Iterable[Point]) -> Session:
    """A session not yet started, with its planned points in order (duplicates once)."""
    points = tuple(PointState(tp, side) for tp, side in dict.fromkeys(planned))
    for p in points:
        _check_point(rules, p.trigger_point, p.side)
    return Session(rules=rules, points=points)


def replay(session: Session, events: Iterable[Event]) -> tuple[Session, tuple[SessionError, ...]]:
    """Apply events in order; refused ones are skipped and returned with the final state."""
    refused: list[SessionError] = []
    for event in events:
        try:
            session = apply(session, event)
        except SessionError as exc:
            refused.append(exc)
    return session, tuple(refused)


def apply(session: Session, event: Event) -> Session:
    """The session after `event`; raises SessionError naming what is wrong."""
    if not isinstance(event, Event):
        raise SessionError("event", f"not a session event: {type(event).__name__}")
    if not event.event_id:
        raise SessionError("event_id", "an event needs the id made on the device")
    if event.event_id in session.seen:
        return session
    _aware(event.at, "at")
    if event.received is not None:
        _aware(event.received, "received")
    if session.status == "ended":
        raise SessionError("session", "the session has ended; nothing more can be recorded")
    if isinstance(event, StartSession):
        if session.status != "planned":
            raise SessionError("session", "the session has already started")
        return _seen(replace(session, status="running", started=event.at), event)
    if session.status == "planned":
        raise SessionError("session", "the session has not started; start it first")
    if isinstance(event, Feedback):
        return _seen(_feedback(session, event), event)
    clock = session.clock
    if clock is not None and event.at < clock:
        raise SessionError(
            "at",
            f"{event.at.isoformat()} is earlier than the session's last event "
            f"({clock.isoformat()}); only feedback may arrive late",
        )
    active = session.active
    if active is not None:
        _within_limit(session, active, event.at)
    after = _apply(session, event, active)
    return _seen(replace(after, clock=event.at), event)


def _apply(session: Session, event: Event, active: Hold | None) -> Session:
    if isinstance(event, PainNow):
        _scale(event.value, "value", "pain now")
        if event.when == "start":
            return replace(session, pain_start=event.value)
        if event.when == "end":
            return replace(session, pain_end=event.value)
        raise SessionError("when", f"pain is recorded at the start or end, not {event.when!r}")
    if isinstance(event, AddPoint):
        _check_point(session.rules, event.trigger_point, event.side)
        key = _key(event.trigger_point, event.side)
        if session.point(key) is not None:
            raise SessionError("trigger_point", f"{_say(key)} is already in the session")
        added = PointState(event.trigger_point, event.side, planned=False)
        return replace(session, points=(*session.points, added))
    if isinstance(event, SkipPoint):
        key = _key(event.trigger_point, event.side)
        _known(session, key)
        if not event.reason.strip():
            raise SessionError("reason", f"say why {_say(key)} is skipped")
        if active is not None and active.point == key:
            raise SessionError("session", "release or stop the hold before skipping its point")
        current = None if session.current == key else session.current
        return _update(replace(session, current=current), key, skipped=event.reason.strip())
    if isinstance(event, GoToPoint):
        key = _key(event.trigger_point, event.side)
        _known(session, key)
        if active is not None:
            raise SessionError("session", "release or stop the hold before going to another point")
        return _update(replace(session, current=key), key, skipped=None)
    if isinstance(event, Tenderness):
        key = _current(session)
        _scale(event.value, "value", "tenderness")
        if event.ppt is not None and not PPT_RANGE[0] <= event.ppt <= PPT_RANGE[1]:
            low, high = PPT_RANGE
            raise SessionError("ppt", f"pressure pain threshold must be {low:g}-{high:g} kg/cm²")
        if event.when not in ("before", "after"):
            raise SessionError("when", f"tenderness is before or after, not {event.when!r}")
        measure = Measure(event.value, event.ppt)
        if event.when == "before":
            return _update(session, key, before=measure)
        return _update(session, key, after=measure)
    if isinstance(event, StartHold):
        key = _current(session)
        if active is not None:
            raise SessionError("session", "a hold is already active; release or stop it first")
        techniques = session.rules.longest_hold
        if event.technique not in techniques:
            raise SessionError("technique", f"unknown technique {event.technique!r}")
        if techniques[event.technique] is None:
            raise SessionError("technique", f"{event.technique} is not a timed hold")
        if event.pressure not in PRESSURES:
            raise SessionError("pressure", f"pressure is {', '.join(PRESSURES)}")
        number = 1 + sum(1 for h in session.holds if h.point == key)
        hold = Hold(number, *key, event.technique, event.pressure, start=event.at)
        return replace(session, holds=(*session.holds, hold))
    if isinstance(event, ReleaseHold):
        if active is None:
            raise SessionError("session", "no hold is active to release")
        return _end(session, active, event.at, "release")
    if isinstance(event, EndSession):
        if active is not None:
            raise SessionError("session", "release or stop the hold before ending the session")
        return replace(session, status="ended", ended=event.at, current=None)
    raise SessionError("event", f"not a session event: {type(event).__name__}")


def _feedback(session: Session, event: Feedback) -> Session:
    if event.kind not in FEEDBACK_KINDS:
        raise SessionError("kind", f"unknown feedback {event.kind!r}")
    if event.by not in FEEDBACK_BY:
        raise SessionError("by", f"feedback is by {', '.join(FEEDBACK_BY)}, not {event.by!r}")
    if event.by == "therapist" and event.kind != "stop":
        raise SessionError(
            "by", "only a stop is the therapist's own; other feedback is what the client said"
        )
    at = event.at
    # The latest hold first: a tap at the instant one hold ends and the next starts
    # belongs to the next one.
    index = next(
        (i for i in reversed(range(len(session.holds))) if session.holds[i].covers(at)), None
    )
    if index is None:
        raise SessionError("at", f"no hold was active at {at.isoformat()}")
    hold = session.holds[index]
    if hold.active and event.kind != "stop":
        _within_limit(session, hold, at)
    stops = event.kind == "stop" and hold.active
    if stops:
        # The hold ends when the stop is applied, never before its own time; never later
        # than the stop was received, nor than the longest hold its technique allows at its
        # pressure (a stop an hour late records the longest allowed hold, not an hour's).
        end = max(at, session.clock) if session.clock is not None else at
        end = _stop_end(session, hold, end, event.received)
        at = end  # the stop is stamped at the end it gives the hold
    second = math.floor((at - hold.start).total_seconds())
    stamps = sorted(
        (*hold.feedback, Stamp(event.kind, second, event.event_id, event.by)),
        key=lambda s: (s.second, s.event_id),
    )
    hold = replace(hold, feedback=tuple(stamps))
    holds = (*session.holds[:index], hold, *session.holds[index + 1 :])
    session = replace(session, holds=holds)
    if stops:
        clock = max(at, session.clock) if session.clock is not None else at
        return replace(_end(session, hold, at, "stop", event.by), clock=clock)
    if session.clock is None or at > session.clock:
        session = replace(session, clock=at)
    return session


def _end(
    session: Session, hold: Hold, at: datetime, how: EndedBy, by: FeedbackBy | None = None
) -> Session:
    if at < hold.start:
        raise SessionError("at", "a hold cannot end before it started")
    ended = replace(hold, end=at, ended_by=how, stopped_by=by if how == "stop" else None)
    return replace(session, holds=(*session.holds[:-1], ended))


def _stop_end(session: Session, hold: Hold, end: datetime, received: datetime | None) -> datetime:
    # The receive time is the server's clock, the session's is the tablet's: when the
    # tablet runs ahead so far that the hold "started" after the stop arrived, the two do
    # not compare, and only the longest hold bounds the end.
    if received is not None and received >= hold.start:
        end = min(end, received)
    longest = session.rules.longest(hold.technique, hold.pressure)
    if longest:
        end = min(end, hold.start + timedelta(seconds=longest))
    # Not before the feedback it already holds (a hold's stamps lie within it).
    latest = max((s.second for s in hold.feedback), default=0)
    return max(end, hold.start + timedelta(seconds=latest))


def _within_limit(session: Session, hold: Hold, at: datetime) -> None:
    longest = session.rules.longest(hold.technique, hold.pressure) or 0
    if at - hold.start > timedelta(seconds=longest):
        lasted = math.floor((at - hold.start).total_seconds())
        raise SessionError(
            "at",
            f"the hold would last {lasted} s, longer than the {longest} s {hold.technique} "
            f"at {hold.pressure} pressure allows; release it by then, or stop",
        )


def _seen(session: Session, event: Event) -> Session:
    return replace(session, seen=session.seen | {event.event_id})


def _update(session: Session, key: Point, **changes: object) -> Session:
    points = tuple(replace(p, **changes) if p.point == key else p for p in session.points)  # type: ignore[arg-type]
    return replace(session, points=points)


def _key(trigger_point: str, side: str) -> Point:
    return (trigger_point, side)


def _current(session: Session) -> Point:
    if session.current is None:
        raise SessionError("session", "no point is chosen; go to a point first")
    return session.current


def _known(session: Session, key: Point) -> None:
    _check_point(session.rules, *key)
    if session.point(key) is None:
        raise SessionError(
            "trigger_point", f"{_say(key)} is not in the session's plan; add it first"
        )


def _check_point(rules: Rules, trigger_point: str, side: str) -> None:
    if trigger_point not in rules.trigger_points:
        raise SessionError("trigger_point", f"unknown trigger point {trigger_point!r}")
    if side not in POINT_SIDES:
        raise SessionError("side", f"side is {', '.join(POINT_SIDES)}, not {side!r}")


def _scale(value: int, name: str, what: str) -> None:
    low, high = TENDER_SCALE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SessionError(name, f"{what} must be a whole number {low}-{high}, not {value!r}")


def _aware(at: datetime, name: str) -> None:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise SessionError(name, "needs an aware datetime (with a time zone)")


def _say(key: Point) -> str:
    return f"{key[0]} ({key[1]})"
