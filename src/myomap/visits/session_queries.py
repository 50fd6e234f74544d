"""Reads of a visit's guided session (docs/session.md): its state, rebuilt by
`core.session.replay` from the stored events (from the run's stored snapshot on, so only
the events after it), never kept in a process's memory, and what
the therapist's screen and the API show of it: the record, the current point, the active
hold with its seconds so far (at the moment passed in), and the repeated-discomfort
suggestion. The caller looked the visit up through `queries.visit_for`."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import F

from myomap.core.kb.loader import KnowledgeBase
from myomap.core.notes import point_name
from myomap.core.session import snapshot
from myomap.core.session.record import SessionRecord, session_record
from myomap.core.session.rules import session_rules
from myomap.core.session.state import Hold, Rules, Session, new_session, replay
from myomap.core.session.suggest import Suggestion, suggestion
from myomap.records.prepared import Prepared
from myomap.visits.models import PlanStep, SessionEvent, SessionRun, Visit, reads_drafts

# The rules are built once per knowledge base (once per process, in practice), with the
# fingerprint a snapshot made under them carries.
_RULES: dict[int, tuple[KnowledgeBase, Rules, str]] = {}


def _rules(kb: KnowledgeBase) -> tuple[KnowledgeBase, Rules, str]:
    found = _RULES.get(id(kb))
    if found is None or found[0] is not kb:
        rules = session_rules(kb)
        found = (kb, rules, snapshot.fingerprint(rules))
        _RULES[id(kb)] = found
    return found


def rules_for(kb: KnowledgeBase) -> Rules:
    return _rules(kb)[1]


# The session's reads on every tap and read, compiled once (records.prepared).
_OPEN_RUN = Prepared(
    lambda visit: SessionRun.objects.filter(visit=visit, ended_at__isnull=True).order_by("id")[:1],
    1,
)
_CURRENT_RUN = Prepared(
    lambda visit: (
        SessionRun.objects.filter(visit=visit)
        .select_related("started_by")
        .order_by(F("ended_at").desc(nulls_first=True), "-started_at", "-id")[:1]
    ),
    1,
)
_RUN = Prepared(lambda run: SessionRun.objects.select_related("started_by").filter(pk=run), 1)
_EVENTS_AFTER = Prepared(
    lambda run, upto: SessionEvent.objects.filter(run=run, id__gt=upto).order_by("id"), 2
)


def open_run(visit: Visit) -> SessionRun | None:
    """The visit's session that has not ended, if any (at most one)."""
    found = _OPEN_RUN.rows(visit.pk)
    return found[0] if found else None


def current_run(visit: Visit) -> SessionRun | None:
    """The open session, else the latest one that ended, else None."""
    found = _CURRENT_RUN.rows(visit.pk)
    return found[0] if found else None


def runs_of(visit: Visit) -> list[SessionRun]:
    """Every session run of the visit, in the order they started (the note covers them all)."""
    return list(SessionRun.objects.filter(visit=visit).order_by("started_at", "id"))


def run_again(run: SessionRun) -> SessionRun:
    """The run as stored now (read again under the visit's lock), with its starter."""
    return _RUN.rows(run.pk)[0]


def session_revision(user: Any, visit_id: int) -> str | None:
    """A tag that changes whenever the session's state as `session_for` gives it may
    change: its run, each event recorded, its end, the visit's plan saved again (its steps
    are replaced, with new ids). None when this user sees no session of this visit (not
    staff of its clinic, no such visit, none started): the caller then reads the visit as
    usual, with its 404 and audit.

    One plain statement, the visit checked against the user's clinic in it, so a screen
    that reads the session several times a second (the runner, following the client's
    taps) is answered "nothing new" without building the visit or replaying the events."""
    if not reads_drafts(user) or getattr(user, "clinic_id", None) is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_REVISION_SQL, [visit_id, user.clinic_id])
        row = cursor.fetchone()
    return None if row is None else ".".join(str(v) for v in row)


def _revision_sql() -> str:
    visit, run = Visit._meta.db_table, SessionRun._meta.db_table
    event, step = SessionEvent._meta.db_table, PlanStep._meta.db_table
    client = Visit._meta.get_field("client").related_model._meta.db_table  # type: ignore[union-attr]
    # The open run first, else the latest ended (as `current_run` orders them).
    return f"""
        SELECT r.id, r.ended_at,
               (SELECT COUNT(*) FROM {event} e WHERE e.run_id = r.id),
               (SELECT MAX(e.id) FROM {event} e WHERE e.run_id = r.id),
               (SELECT COUNT(*) FROM {step} s WHERE s.visit_id = v.id),
               (SELECT MAX(s.id) FROM {step} s WHERE s.visit_id = v.id)
        FROM {visit} v
        JOIN {client} c ON c.id = v.client_id
        JOIN {run} r ON r.visit_id = v.id
        WHERE v.id = %s AND c.clinic_id = %s
        ORDER BY CASE WHEN r.ended_at IS NULL THEN 0 ELSE 1 END, r.ended_at DESC,
                 r.started_at DESC, r.id DESC
        LIMIT 1"""


_REVISION_SQL = _revision_sql()


def run_revision(run: SessionRun) -> str:
    """A tag that changes with every event recorded in the run and with its end: what the
    client's pad shows (the current point, a hold or not, the end) is made of these, so a
    pad sending it back (If-None-Match) is answered 304 while nothing changed."""
    found = SessionEvent.objects.filter(run=run).aggregate(
        n=models.Count("id"), last=models.Max("id")
    )
    count, last = found["n"], found["last"] or 0
    return f"{run.pk}.{count}.{last}.{run.ended_at.timestamp() if run.ended_at else 0}"


@dataclass(frozen=True)
class Replayed:
    """A run's state, and the id of the last stored event it reflects (0: none)."""

    session: Session
    upto: int


def replay_run(run: SessionRun, kb: KnowledgeBase) -> Replayed:
    """The session's state from its stored events, in their stored order: from the run's
    snapshot (`run.state`, as of its event `state_upto`) when it was made under these
    rules, replaying only the events stored after it; else from the first event. A
    snapshot older than the run's events (another request wrote since `run` was read) only
    means more events to replay. A planned point the knowledge base no longer has (a
    clinic may swap its knowledge folder) is left out.

    An ended run keeps a snapshot of this format whatever the rules are now, as long as
    the knowledge base still has its points: what was recorded under the rules of its day
    stays the record (a later, shorter longest hold must not refuse, on replay, a release
    that was accepted then, and with it the session's end)."""
    _, rules, tag = _rules(kb)
    saved = run.state
    if (
        isinstance(saved, dict)
        and "session" in saved
        and (saved.get("rules") == tag or _kept_after_its_end(run, saved, rules))
    ):
        session, upto = snapshot.load(rules, saved["session"]), run.state_upto
    else:
        planned = [(tp, side) for tp, side in run.planned if tp in rules.trigger_points]
        session, upto = new_session(rules, planned), 0
    rows = _EVENTS_AFTER.rows(run.pk, upto)
    session, _refused = replay(session, (row.to_core() for row in rows))
    return Replayed(session, rows[-1].pk if rows else upto)


def _kept_after_its_end(run: SessionRun, saved: dict[str, Any], rules: Rules) -> bool:
    if run.ended_at is None or saved.get("version") != snapshot.VERSION:
        return False
    points = saved["session"].get("points", []) if isinstance(saved["session"], dict) else []
    return all(p[0] in rules.trigger_points for p in points)


def replayed(run: SessionRun, kb: KnowledgeBase) -> Session:
    """The session's state (`replay_run`)."""
    return replay_run(run, kb).session


def keep_snapshot(run: SessionRun, kb: KnowledgeBase, state: Replayed) -> None:
    """Store `state` as the run's snapshot; called in the transaction that stored its
    events, under the visit's lock, so the snapshot is never ahead of the stored events."""
    tag = _rules(kb)[2]
    run.state = {"rules": tag, "version": snapshot.VERSION, "session": snapshot.dump(state.session)}
    run.state_upto = state.upto
    SessionRun.objects.filter(pk=run.pk).update(state=run.state, state_upto=run.state_upto)


@dataclass(frozen=True)
class CurrentPoint:
    trigger_point: str
    side: str
    name: str


@dataclass(frozen=True)
class ActiveHold:
    hold: Hold
    seconds: int  # whole seconds so far, never negative
    longest: int | None  # the most the technique may be held at the hold's pressure, s


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
        active = ActiveHold(hold, so_far, session.rules.longest(hold.technique, hold.pressure))
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
    """How far the session's clock (the tablet's) is behind the server's: the smallest
    receive time minus device time among the tablet's own events (zero before any).

    Each such difference is the clocks' skew plus how long the event took to arrive; an
    event that waited in the tablet's offline queue arrived late by the whole wait, so the
    latest event's difference would be the queueing delay, not the skew. The smallest is
    the skew plus the quickest delivery. The server-made start (and end) are on the
    server's own clock and tell nothing of the tablet's; the pad's taps are the phone's."""
    found = (
        SessionEvent.objects.filter(run=run)
        .exclude(event_id__startswith=PAD_PREFIX)
        .exclude(kind__in=("start-session", "end-session"))
        .aggregate(
            skew=models.Min(
                models.ExpressionWrapper(
                    F("received_at") - F("at"), output_field=models.DurationField()
                )
            )
        )["skew"]
    )
    return found if found is not None else dt.timedelta(0)
