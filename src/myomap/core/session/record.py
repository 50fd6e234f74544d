"""The record of a session, built from its state: what the visit, the API and the note
show. Seconds are whole seconds (rounded down), never negative."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from myomap.core.session.state import Measure, Session, Stamp


@dataclass(frozen=True)
class HoldRecord:
    trigger_point: str
    side: str
    number: int  # the hold's number on its point
    technique: str
    pressure: str
    start: datetime
    end: datetime | None  # None while the hold is still active
    seconds: int | None
    ended_by: str | None  # "release" or "stop"; None while active
    feedback: tuple[Stamp, ...]
    # Who stopped it (a stop only): "therapist", "client" (told the therapist) or "pad"
    # (the client's own phone).
    stopped_by: str | None = None

    @property
    def released(self) -> bool:
        """The point released during this hold (the "released" tap)."""
        return any(s.kind == "released" for s in self.feedback)


@dataclass(frozen=True)
class PointRecord:
    trigger_point: str
    side: str
    planned: bool
    before: Measure | None
    after: Measure | None
    skipped: str | None  # why, when the point was skipped


@dataclass(frozen=True)
class SessionRecord:
    status: str
    started: datetime | None
    ended: datetime | None
    pain_start: int | None
    pain_end: int | None
    points: tuple[PointRecord, ...]
    holds: tuple[HoldRecord, ...]

    def holds_on(self, trigger_point: str, side: str) -> tuple[HoldRecord, ...]:
        return tuple(h for h in self.holds if (h.trigger_point, h.side) == (trigger_point, side))


def session_record(session: Session) -> SessionRecord:
    holds = tuple(
        HoldRecord(
            trigger_point=h.trigger_point,
            side=h.side,
            number=h.number,
            technique=h.technique,
            pressure=h.pressure,
            start=h.start,
            end=h.end,
            seconds=None if h.end is None else math.floor((h.end - h.start).total_seconds()),
            ended_by=h.ended_by,
            feedback=h.feedback,
            stopped_by=h.stopped_by,
        )
        for h in session.holds
    )
    points = tuple(
        PointRecord(p.trigger_point, p.side, p.planned, p.before, p.after, p.skipped)
        for p in session.points
    )
    return SessionRecord(
        status=session.status,
        started=session.started,
        ended=session.ended,
        pain_start=session.pain_start,
        pain_end=session.pain_end,
        points=points,
        holds=holds,
    )
