"""Reads of a visit's guided session (docs/session.md): its state, always rebuilt by
`core.session.replay` from the stored events, never kept in a process's memory, and what
the therapist's screen and the API show of it: the record, the current point, the active
hold with its seconds so far (at the moment passed in), and the repeated-discomfort
suggestion. The caller looked the visit up through `queries.visit_for`."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Max

from myomap.core.kb.loader import KnowledgeBase
from myomap.core.notes import point_name
from myomap.core.session.record import SessionRecord, session_record
from myomap.core.session.rules import session_rules
from myomap.core.session.state import Hold, Rules, Session, new_session, replay
from myomap.core.session.suggest import Suggestion, suggestion
from myomap.visits.models import SessionEvent, SessionRun, Visit, reads_drafts

# The rules are built once per knowledge base (once per process, in practice).
_RULES: dict[int, tuple[KnowledgeBase, Rules]] = {}


def rules_for(kb: KnowledgeBase) -> Rules:
    found = _RULES.get(id(kb))
    if found is None or found[0] is not kb:
        found = (kb, session_rules(kb))
        _RULES[id(kb)] = found
    return found[1]


def open_run(visit: Visit) -> SessionRun | None:
    """The visit's session that has not ended, if any (at most one)."""
    return SessionRun.objects.filter(visit=visit, ended_at__isnull=True).first()


def current_run(visit: Visit) -> SessionRun | None:
    """The open session, else the latest one that ended, else None."""
    return (
        SessionRun.objects.filter(visit=visit)
        .select_related("started_by")
        .order_by(F("ended_at").desc(nulls_first=True), "-started_at", "-id")
        .first()
    )


def session_revision(user: Any, visit: Visit) -> str | None:
    """A tag that changes whenever the session's state as `session_for` gives it may
    change: its run, each event recorded, its end, the visit's plan saved again. One
    query, so a screen that reads the session every fraction of a second (the runner,
    following the client's taps) is answered "nothing new" without rebuilding the state.
    None when this user sees no session (the state then says so itself)."""
    if not reads_drafts(user):
        return None
    row = (
        SessionRun.objects.filter(visit=visit)
        .order_by(F("ended_at").desc(nulls_first=True), "-started_at", "-id")
        .annotate(event_count=Count("events"), last_event=Max("events__id"))
        .values_list("id", "ended_at", "event_count", "last_event")
        .first()
    )
    if row is None:
        return None
    run_id, ended_at, events, last_event = row
    steps = visit.plan_steps.aggregate(n=Count("id"), last=Max("id"))
    ended = ended_at.timestamp() if ended_at is not None else 0
    return f"{run_id}.{events}.{last_event or 0}.{ended}.{steps['n']}.{steps['last'] or 0}"


def replayed(run: SessionRun, kb: KnowledgeBase) -> Session:
    """The session's state from its stored events, in their stored order. A planned point
    the knowledge base no longer has (a clinic may swap its knowledge folder) is left out."""
    rules = rules_for(kb)
    start = new_session(
        rules, [(tp, side) for tp, side in run.planned if tp in rules.trigger_points]
    )
    session, _refused = replay(start, (row.to_core() for row in run.events.order_by("id")))
    return session


@dataclass(frozen=True)
class CurrentPoint:
    trigger_point: str
    side: str
    name: str


@dataclass(frozen=True)
class ActiveHold:
    hold: Hold
    seconds: int  # whole seconds so far, never negative
    longest: int | None  # the most the technique may be held, seconds


@dataclass(frozen=True)
class SessionState:
    """A session as the therapist's screen and the API show it."""

    run: SessionRun
    session: Session
    record: SessionRecord
    current: CurrentPoint | None
    active: ActiveHold | None
    suggestion: Suggestion | None
    events: int


def state_of(
    run: SessionRun, session: Session, kb: KnowledgeBase, now: dt.datetime
) -> SessionState:
    """What is shown of `session` (the state of `run`) at the moment `now`."""
    current = None
    if session.current is not None:
        tp, side = session.current
        name = point_name(kb, tp, side) if tp in kb.trigger_points else tp
        current = CurrentPoint(tp, side, name)
    active = None
    hold = session.active
    if hold is not None:
        so_far = max(0, math.floor((now - hold.start).total_seconds()))
        active = ActiveHold(hold, so_far, session.rules.longest_hold.get(hold.technique))
    rule = kb.session_rules.repeated_discomfort if kb.session_rules else None
    return SessionState(
        run=run,
        session=session,
        record=session_record(session),
        current=current,
        active=active,
        suggestion=suggestion(session, rule),
        events=len(session.seen),
    )


def session_for(
    user: Any, visit: Visit, kb: KnowledgeBase, now: dt.datetime
) -> SessionState | None:
    """The visit's session as this user may see it, or None when there is none. Only staff
    see a session: a client reads what was done in the signed note."""
    if not reads_drafts(user):
        return None
    run = current_run(visit)
    if run is None:
        return None
    return state_of(run, replayed(run, kb), kb, now)


# The prefix of the event ids of the client's feedback pad (visits.pad_views).
PAD_PREFIX = "pad:"


def tablet_offset(run: SessionRun) -> dt.timedelta:
    """How far the session's clock (the tablet's) is behind the server's: the latest event
    not from the pad, its receive time minus its device time (zero before any)."""
    latest = (
        SessionEvent.objects.filter(run=run)
        .exclude(event_id__startswith=PAD_PREFIX)
        .order_by("-id")
        .values_list("received_at", "at")
        .first()
    )
    return latest[0] - latest[1] if latest is not None else dt.timedelta(0)
