"""Named actions of the guided session (docs/session.md): start it, record the device's
events, end it. Each runs in one transaction under the visit's row lock (`actions.lock_visit`),
with its audit event inside; a refusal names the field at fault and saves nothing.

An event is stored as received once the session's state, rebuilt from the run's snapshot
and the events stored after it (`session_queries.replay_run`), accepts it
(`core.session.apply`); the new state is stored as the run's snapshot in the same
transaction (`session_queries.keep_snapshot`). A resent event id is
recorded once: the state already knows it, and should two requests carry it at once the
unique (run, event id) in the database keeps one row; the other answers with the state.
An answer that writes nothing but shows the session is audited as a read."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, field, replace
from typing import Any

from django.db import IntegrityError, transaction

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.core import planning as core_planning
from myomap.core import steps as core_steps
from myomap.core.kb import load_default
from myomap.core.kb.loader import KnowledgeBase
from myomap.core.session import events as ev
from myomap.core.session.errors import SessionError
from myomap.core.session.state import Session, apply
from myomap.records.errors import ActionError, Conflict, Invalid, Locked
from myomap.visits import queries, session_queries
from myomap.visits.actions import lock_visit, planning_screening, record_changed, writable
from myomap.visits.models import SESSION_EVENTS, SessionEvent, SessionRun, Visit, event_fields
from myomap.visits.session_queries import SessionState

# The longest free text an event carries (a skipped point's reason).
TEXT_LIMIT = 500
# How many events one request may carry (a device's queue sent when the network returns).
MAX_EVENTS = 500
# How far ahead of the server's clock (once the tablet's usual offset is taken off) a
# tablet's event time is believed: clocks drift by seconds, not minutes. An event further
# ahead is refused: the session's clock would jump there, and every later event, earlier
# than it, would be refused, so the session could not go on. An engineering choice about
# device clocks, not a clinical number.
TABLET_AHEAD = dt.timedelta(minutes=2)
# Fields that are not text: a whole number (the 0-10 scales) and a number or none (kg/cm²).
WHOLE_NUMBERS = frozenset({"value"})
NUMBERS = frozenset({"ppt"})


@dataclass(frozen=True)
class EventData:
    """One event as a device sends it: the id it made, the kind, its time and the event's
    own fields ({"trigger_point": ..., "side": ...} for "go-to-point")."""

    event_id: str
    kind: str
    at: dt.datetime
    fields: Mapping[str, Any] = field(default_factory=dict)
    # The device's own time, when `at` is that time put on the session's clock (a pad
    # tap): stored with the event, as the phone said it.
    device_at: dt.datetime | None = None


# ----------------------------------------------------------------------------- start
@transaction.atomic
def start_session(ctx: Context, visit: Visit) -> tuple[SessionState, bool]:
    """Start the guided session of a visit through its plan's points, in order; the open
    session when there is one already (a reload, a retried request). Refused while the
    record is signed, the plan is empty or the safety gate does not allow planning (the
    checks of saving a plan). Returns the state and whether it was started now."""
    writable(ctx, visit)
    kb = load_default()
    found = session_queries.open_run(visit)
    if found is not None:
        _shown(ctx, visit, found, "guided session: already started")
        return _state(ctx, found, session_queries.replayed(found, kb), kb), False
    planning_screening(visit)
    planned = [[s.trigger_point, s.side] for s in visit.plan_steps.order_by("order", "id")]
    if not planned:
        raise Invalid("the visit has no plan yet: make the plan before starting a session", "plan")
    start = ev.StartSession(event_id=f"start-{uuid.uuid4().hex}", at=ctx.now)
    try:
        with transaction.atomic():
            run = SessionRun.objects.create(
                visit=visit, started_at=ctx.now, started_by=ctx.user, planned=planned
            )
            session = _apply(session_queries.replayed(run, kb), start, 0, 1)
            row = SessionEvent.from_core(run, _received(start, ctx))
            row.save()
            session_queries.keep_snapshot(run, kb, session_queries.Replayed(session, row.pk))
    except IntegrityError:
        # Another request opened one a moment ago (one open session per visit): take it.
        run = SessionRun.objects.get(visit=visit, ended_at__isnull=True)
        _shown(ctx, visit, run, "guided session: already started")
        return _state(ctx, run, session_queries.replayed(run, kb), kb), False
    what = f"session started: {len(planned)} points"
    record(ctx, AuditEvent.Action.CREATE, run, client=visit.client, summary=what)
    return _state(ctx, run, session, kb), True


# ----------------------------------------------------------------------------- events
@transaction.atomic
def record_events(ctx: Context, visit: Visit, incoming: Sequence[EventData]) -> SessionState:
    """Record the device's events in order, all or none: the first refused one refuses
    the lot, naming its place, id and field. Events already recorded (by id) are skipped;
    when every event was, nothing is written and the state is returned as it is."""
    lock_visit(ctx, visit)
    if len(incoming) > MAX_EVENTS:
        raise Invalid(f"send at most {MAX_EVENTS} events at once", "events")
    run = session_queries.current_run(visit)
    if run is None:
        raise Conflict("no session was started for this visit: start one first", "session")
    kb = load_default()
    return _record(ctx, visit, run, kb, session_queries.replay_run(run, kb), incoming)


def _record(
    ctx: Context,
    visit: Visit,
    run: SessionRun,
    kb: KnowledgeBase,
    before: session_queries.Replayed,
    incoming: Sequence[EventData],
    *,
    pad: bool = False,
) -> SessionState:
    """`record_events` on the run's state `before` these events, under the visit's lock;
    `pad` for the client's pad, whose taps alone are the pad's (`by="pad"`)."""
    session, upto = before.session, before.upto
    stored: list[str] = []
    checked = False
    # The tablet's usual lag behind the server, when it runs behind (one ahead is allowed
    # its lead only up to TABLET_AHEAD, so a run of events cannot walk the bound forward).
    lag = max(session_queries.tablet_offset(run), dt.timedelta(0)) if not pad else None
    for index, data in enumerate(incoming):
        event = _received(_parse(data, index, len(incoming)), ctx)
        if isinstance(event, ev.Feedback) and (event.by == "pad") != pad:
            where = _where(index, count=len(incoming), event_id=data.event_id)
            raise Invalid(
                f"{where}feedback is by the client or the therapist here; "
                "only the client's own phone sends the pad's",
                "fields.by",
            )
        if event.event_id in session.seen:
            continue  # recorded before: once is enough
        if lag is not None and event.at + lag - ctx.now > TABLET_AHEAD:
            ahead = math.floor((event.at + lag - ctx.now).total_seconds())
            where = _where(index, count=len(incoming), event_id=data.event_id)
            raise Invalid(
                f"{where}the time {event.at.isoformat()} is {ahead} s ahead of the server's "
                f"clock (at most {int(TABLET_AHEAD.total_seconds())} s is allowed): check "
                "the tablet's date and time",
                "at",
            )
        if not checked:
            _refuse_when_signed(visit)
            checked = True
        after = _apply(session, event, index, len(incoming))
        _check_safety(kb, visit, session, event, index, len(incoming))
        row = SessionEvent.from_core(run, event, device_at=data.device_at)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            # The same id from another request a moment ago: its row is the record.
            again = session_queries.replay_run(run, kb)
            session, upto = again.session, again.upto
            continue
        session, upto = after, row.pk
        stored.append(data.kind)
    if stored:
        session_queries.keep_snapshot(run, kb, session_queries.Replayed(session, upto))
        _draft_learns(run, "guided session recorded events")
        _close_if_ended(ctx, run, session)
        summary = f"session: {len(stored)} event{'s' if len(stored) != 1 else ''} recorded"
        what = f"{summary} ({', '.join(stored)})"
        record(ctx, AuditEvent.Action.UPDATE, run, client=visit.client, summary=what)
    else:
        _shown(ctx, visit, run, "guided session: its events were recorded before")
    return _state(ctx, run, session, kb)


class TooManyTaps(ActionError):
    """The client's pad tapped faster than session.yaml's `pad_taps` allows."""

    status = 429


@transaction.atomic
def record_pad_tap(ctx: Context, run: SessionRun, tap: EventData) -> SessionState:
    """One tap of the client's pad into its own run (the one its link opens; an ended run
    refuses it): refused, with nothing stored, when the server already received the most
    taps allowed in the window before this one (session.yaml `pad_taps`), counted in the
    server's own receive time; a resent tap is recorded once, never refused.

    The server's time, not the phone's (`device_at`): the phone's is whatever it says, so
    counting in it let a script pass any number of taps by giving them times far apart.
    Taps the phone queued offline arrive together: up to the rule's `most` of them go
    through at once, the rest are refused as a burst would be.

    The client's "stop" while a hold runs is never refused, however fast the taps before
    it came: it ends the hold at once, and a limit must never stand between a client and
    stopping. Stops with no hold running to end are counted like any other tap."""
    visit = run.visit
    lock_visit(ctx, visit)
    run = session_queries.run_again(run)
    run.visit = visit
    kb = load_default()
    before = session_queries.replay_run(run, kb)
    limit = kb.session_rules.pad_taps if kb.session_rules else None
    # Only a stop that ends the hold now running goes past the limit; one with no hold
    # to end is counted like any other tap.
    stopping = (
        tap.kind == "feedback"
        and tap.fields.get("kind") == "stop"
        and before.session.active is not None
    )
    if limit is not None and not stopping and tap.event_id.strip() not in before.session.seen:
        window = dt.timedelta(seconds=limit.per_seconds)
        recent = SessionEvent.objects.filter(
            run=run,
            event_id__startswith=session_queries.PAD_PREFIX,
            received_at__gt=ctx.now - window,
            received_at__lte=ctx.now,
        ).count()
        if recent >= limit.most:
            raise TooManyTaps(
                f"too many taps: at most {limit.most} in {limit.per_seconds} seconds; "
                "this one was not recorded. Wait a moment, then tap again.",
                "kind",
            )
    return _record(ctx, visit, run, kb, before, [tap], pad=True)


# ----------------------------------------------------------------------------- end
@transaction.atomic
def end_session(ctx: Context, visit: Visit) -> SessionState:
    """End the open session now (an active hold must be released or stopped first). A
    session that has already ended is answered as it is."""
    lock_visit(ctx, visit)
    kb = load_default()
    run = session_queries.current_run(visit)
    if run is None:
        raise Conflict("no session was started for this visit", "session")
    session = session_queries.replayed(run, kb)
    if run.ended_at is not None or session.status == "ended":
        _shown(ctx, visit, run, "guided session: already ended")
        return _state(ctx, run, session, kb)
    _refuse_when_signed(visit)
    # Not before the latest device time applied: the end is the session's last event.
    at = max(ctx.now, session.clock) if session.clock is not None else ctx.now
    end = _received(ev.EndSession(event_id=f"end-{uuid.uuid4().hex}", at=at), ctx)
    session = _apply(session, end, 0, 1)
    row = SessionEvent.from_core(run, end)
    row.save()
    session_queries.keep_snapshot(run, kb, session_queries.Replayed(session, row.pk))
    _close_if_ended(ctx, run, session)
    record(ctx, AuditEvent.Action.UPDATE, run, client=visit.client, summary="session ended")
    return _state(ctx, run, session, kb)


# ----------------------------------------------------------------------------- helpers
def _state(ctx: Context, run: SessionRun, session: Session, kb: KnowledgeBase) -> SessionState:
    return session_queries.state_of(run, session, kb, ctx.now)


def _shown(ctx: Context, visit: Visit, run: SessionRun, what: str) -> None:
    """Nothing was written, but the answer shows the session: a read, audited as one."""
    record(ctx, AuditEvent.Action.VIEW, run, client=visit.client, summary=what)


def _received(event: ev.Event, ctx: Context) -> ev.Event:
    return replace(event, received=ctx.now)


def _close_if_ended(ctx: Context, run: SessionRun, session: Session) -> None:
    """Close the run once its session has ended; an unsigned note drafted before then
    learns that the record changed (its draft does not say what the session did yet)."""
    if session.status == "ended" and run.ended_at is None:
        run.ended_at = ctx.now
        run.save(update_fields=["ended_at"])
        draft = queries.latest_version(run.visit)
        if draft is not None and not draft.is_signed:
            record_changed(draft, "guided session ended")


def _draft_learns(run: SessionRun, what: str) -> None:
    """Events recorded while an unsigned draft exists: the draft no longer says all the
    session did. Marked once: a draft already marked keeps its revision (a pad's every tap
    would otherwise turn an open note form stale again and again)."""
    draft = queries.latest_version(run.visit)
    if draft is not None and not draft.is_signed and not draft.record_changed:
        record_changed(draft, what)


def _refuse_when_signed(visit: Visit) -> None:
    if queries.is_signed(visit):
        raise Locked(
            "the visit's note is signed, so its record is read-only: "
            "amend the note to record more of the session",
            "session",
        )


def _where(index: int, count: int, event_id: str) -> str:
    return f"event {index + 1} of {count} ({event_id!r}): " if count > 1 else ""


def _parse(data: EventData, index: int, count: int) -> ev.Event:
    """The core event from what the device sent, each problem naming its field
    (`kind`, `at`, `fields.<name>`)."""
    where = _where(index, count, data.event_id)
    kind = SESSION_EVENTS.get(data.kind)
    if kind is None:
        raise Invalid(
            f"{where}unknown kind {data.kind!r}: one of {', '.join(SESSION_EVENTS)}", "kind"
        )
    if not data.event_id.strip():
        raise Invalid(f"{where}an event needs the id made on the device", "event_id")
    if data.at.tzinfo is None or data.at.utcoffset() is None:
        raise Invalid(f"{where}the time needs its time zone (an offset or Z)", "at")
    own = event_fields(kind)
    names = {f.name for f in own}
    for name in data.fields:
        if name not in names:
            known = ", ".join(sorted(names)) or "none"
            raise Invalid(
                f"{where}{data.kind} has no field {name!r} (its fields: {known})", f"fields.{name}"
            )
    values: dict[str, Any] = {}
    for f in own:
        if f.name not in data.fields:
            if f.default is MISSING:
                raise Invalid(f"{where}{data.kind} needs {f.name}", f"fields.{f.name}")
            continue
        values[f.name] = _value(f.name, data.fields[f.name], where)
    return kind(event_id=data.event_id.strip(), at=data.at, **values)


def _value(name: str, value: Any, where: str) -> Any:
    if name in WHOLE_NUMBERS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"{where}{name} must be a whole number", f"fields.{name}")
        return value
    if name in NUMBERS:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid(f"{where}{name} must be a number or null", f"fields.{name}")
        return float(value)
    if not isinstance(value, str):
        raise Invalid(f"{where}{name} must be text", f"fields.{name}")
    if len(value) > TEXT_LIMIT:
        raise Invalid(f"{where}{name} is longer than {TEXT_LIMIT} characters", f"fields.{name}")
    return value


def _apply(session: Session, event: ev.Event, index: int, count: int) -> Session:
    """`core.session.apply`, its refusal as the action's: 409 once the session has ended,
    else 400, naming the field (an event's own field as `fields.<name>`)."""
    try:
        return apply(session, event)
    except SessionError as exc:
        where = _where(index, count, event.event_id)
        own = {f.name for f in event_fields(type(event))}
        name = f"fields.{exc.field}" if exc.field in own else exc.field
        if session.status == "ended":
            raise Conflict(f"{where}{exc.message}", name) from exc
        raise Invalid(f"{where}{exc.message}", name) from exc


def _check_safety(
    kb: KnowledgeBase, visit: Visit, session: Session, event: ev.Event, index: int, count: int
) -> None:
    """A hold, or an unplanned point, is checked against the safety rules as a plan step
    is: the gate must allow planning, the technique must not be ruled out at the point and
    the pressure not above what the screening allows there."""
    if not isinstance(event, ev.StartHold | ev.AddPoint):
        return
    where = _where(index, count, event.event_id)
    screening = planning_screening(visit)
    if isinstance(event, ev.AddPoint):
        here = core_planning.status_at(kb, screening, event.trigger_point)[0]
        if not any(status.allowed for status in here.values()):
            why = "; ".join(dict.fromkeys(r for s in here.values() for r in s.reasons))
            raise Invalid(
                f"{where}every technique is ruled out at this point ({why})", "fields.trigger_point"
            )
        return
    assert session.current is not None  # `apply` accepted the hold on the current point
    tp, side = session.current
    technique = kb.techniques[event.technique]
    step = core_steps.StepInput(
        tp, side, event.technique, event.pressure, technique.dose.hold_range[0]
    )
    for problem in core_steps.check_steps(kb, [step], screening):
        if problem.field in ("technique", "pressure"):
            raise Invalid(f"{where}{problem.text or problem.message}", f"fields.{problem.field}")
