"""A session's state as plain JSON data, and back: the snapshot the Django layer stores
with each run, so a request replays only the events recorded after it (docs/session.md).

`load(rules, dump(session)) == session` for every state `apply` can reach, and a
snapshot taken after any prefix of the events, with the rest replayed on it, is the state
the whole list replays to (tests/core/test_session_snapshot.py). Times are stored in UTC
with their microseconds, as the database gives them back. The rules are not stored: they
come from the knowledge base, and `fingerprint(rules)` tells a snapshot made under other
rules (a clinic swapped its knowledge folder), which is then replayed from the start.

    >>> from myomap.core.session.state import Rules, new_session
    >>> longest = {"ischemic-compression": {"moderate": 90, "deep": 60}}
    >>> rules = Rules(longest_hold=longest, trigger_points=frozenset({"tp"}))
    >>> fresh = new_session(rules, [("tp", "left")])
    >>> load(rules, dump(fresh)) == fresh
    True
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any, cast

from myomap.core.session.events import FeedbackBy, FeedbackKind
from myomap.core.session.state import (
    EndedBy,
    Hold,
    Measure,
    PointState,
    Rules,
    Session,
    Stamp,
    Status,
)

# Bumped when the shape below changes, or what an event does to the state (3: a stop's
# end is capped): an older snapshot is then replayed from the start.
VERSION = 3


def fingerprint(rules: Rules) -> str:
    """A short tag of the rules a snapshot was made under."""
    longest = sorted(
        (technique, None if by is None else sorted(by.items()))
        for technique, by in rules.longest_hold.items()
    )
    text = repr((VERSION, longest, sorted(rules.trigger_points))).encode()
    return hashlib.sha256(text).hexdigest()[:16]


def dump(session: Session) -> dict[str, Any]:
    """The session as JSON-ready data (no rules)."""
    return {
        "points": [
            [p.trigger_point, p.side, p.planned, _measure(p.before), _measure(p.after), p.skipped]
            for p in session.points
        ],
        "status": session.status,
        "started": _time(session.started),
        "ended": _time(session.ended),
        "clock": _time(session.clock),
        "current": list(session.current) if session.current is not None else None,
        "holds": [
            [
                h.number,
                h.trigger_point,
                h.side,
                h.technique,
                h.pressure,
                _time(h.start),
                _time(h.end),
                h.ended_by,
                [[s.kind, s.second, s.event_id, s.by] for s in h.feedback],
                h.stopped_by,
            ]
            for h in session.holds
        ],
        "pain_start": session.pain_start,
        "pain_end": session.pain_end,
        "seen": sorted(session.seen),
    }


def load(rules: Rules, data: Mapping[str, Any]) -> Session:
    """The session `dump` wrote, under `rules`."""
    current = data["current"]
    return Session(
        rules=rules,
        points=tuple(
            PointState(tp, side, planned, _unmeasure(before), _unmeasure(after), skipped)
            for tp, side, planned, before, after, skipped in data["points"]
        ),
        status=cast(Status, data["status"]),
        started=_untime(data["started"]),
        ended=_untime(data["ended"]),
        clock=_untime(data["clock"]),
        current=(current[0], current[1]) if current is not None else None,
        holds=tuple(
            Hold(
                number,
                tp,
                side,
                technique,
                pressure,
                start=_at(start),
                end=_untime(end),
                ended_by=cast(EndedBy | None, ended_by),
                feedback=tuple(
                    Stamp(cast(FeedbackKind, kind), second, event_id, cast(FeedbackBy, by))
                    for kind, second, event_id, by in feedback
                ),
                stopped_by=cast(FeedbackBy | None, stopped_by),
            )
            for (
                number,
                tp,
                side,
                technique,
                pressure,
                start,
                end,
                ended_by,
                feedback,
                stopped_by,
            ) in data["holds"]
        ),
        pain_start=data["pain_start"],
        pain_end=data["pain_end"],
        seen=frozenset(data["seen"]),
    )


def _measure(m: Measure | None) -> list[Any] | None:
    return None if m is None else [m.tender, m.ppt]


def _unmeasure(data: list[Any] | None) -> Measure | None:
    return None if data is None else Measure(data[0], data[1])


def _time(at: dt.datetime | None) -> str | None:
    return None if at is None else at.astimezone(dt.UTC).isoformat()


def _untime(text: str | None) -> dt.datetime | None:
    return None if text is None else _at(text)


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)
