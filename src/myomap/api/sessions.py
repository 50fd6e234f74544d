"""The guided session of a visit (docs/session.md), for the clinic's therapists: start it,
send the device's events (one, or a queued list), read its state, end it. The state is
rebuilt from the stored events on every request, so any web process may answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Body, Router, Status

from myomap.api.auth import require_staff
from myomap.api.schemas import ERRORS, RecordId
from myomap.api.session_schemas import EventIn, SessionStateOut
from myomap.audit.log import record_read_once
from myomap.core.kb import load_default
from myomap.visits import session_actions, session_queries
from myomap.visits.queries import visit_for
from myomap.visits.session_queries import SessionState

router = Router(tags=["sessions"])
# A person's reads of one session, by one way in, are audited once in this time.
READ_AUDITED_EVERY = dt.timedelta(minutes=1)


@router.post(
    "/visits/{visit_id}/session",
    response={200: SessionStateOut, 201: SessionStateOut, **ERRORS},
    summary="Start the guided session through the plan's points (201); the open session "
    "when there is one (200). 400 without a plan; 409 when the note is signed or the safety "
    "gate does not allow planning",
)
def start_session(request: HttpRequest, visit_id: RecordId) -> Status[Any]:
    ctx = require_staff(request)
    visit = visit_for(ctx.user, visit_id)
    state, started = session_actions.start_session(ctx, visit)
    return Status(201 if started else 200, _out(visit_id, state))


@router.post(
    "/visits/{visit_id}/session/events",
    response={200: SessionStateOut, **ERRORS},
    summary="Record one event, or a list in order (all or none); a resent `event_id` is "
    "recorded once. 400 names what is wrong (`kind`, `at`, `fields.<name>`, `session`); 409 "
    "once the session has ended",
)
def record_events(
    request: HttpRequest, visit_id: RecordId, data: Body[EventIn | list[EventIn]]
) -> dict[str, Any]:
    ctx = require_staff(request)
    visit = visit_for(ctx.user, visit_id)
    events = data if isinstance(data, list) else [data]
    incoming = [session_actions.EventData(e.event_id, e.kind, e.at, dict(e.fields)) for e in events]
    return _out(visit_id, session_actions.record_events(ctx, visit, incoming))


@router.get(
    "/visits/{visit_id}/session",
    response={200: SessionStateOut, 304: None, **ERRORS},
    summary="The session's state: the current point, the active hold with its seconds so far, "
    "every hold with its feedback, before and after values, the suggestion (null: none yet). "
    "Its ETag changes with every event, the session's end and the plan saved again: sent "
    "back as If-None-Match, an unchanged session is answered 304 with no body",
)
def get_session(request: HttpRequest, visit_id: RecordId, response: HttpResponse) -> Status[Any]:
    ctx = require_staff(request)
    revision = session_queries.session_revision(ctx.user, visit_id)
    tag = f'"{revision}"' if revision is not None else None
    if tag is not None:
        response["ETag"] = tag
        if request.headers.get("If-None-Match") == tag:
            return Status(304, None)
    visit = visit_for(ctx.user, visit_id)
    state = session_queries.session_for(ctx.user, visit, load_default(), ctx.now)
    # The runner reads this every second while a session is open: one read a minute.
    record_read_once(ctx, visit, summary="guided session", within=READ_AUDITED_EVERY)
    return Status(200, _out(visit_id, state))


@router.post(
    "/visits/{visit_id}/session/end",
    response={200: SessionStateOut, **ERRORS},
    summary="End the session now (400 while a hold is active); an ended session as it is",
)
def end_session(request: HttpRequest, visit_id: RecordId) -> dict[str, Any]:
    ctx = require_staff(request)
    visit = visit_for(ctx.user, visit_id)
    return _out(visit_id, session_actions.end_session(ctx, visit))


def _out(visit_id: int, state: SessionState | None) -> dict[str, Any]:
    if state is None:
        return {"visit_id": visit_id, "session": None}
    run, rec, active = state.run, state.record, state.active
    hold = active.hold if active is not None else None
    return {
        "visit_id": visit_id,
        "session": {
            "id": run.pk,
            "status": rec.status,
            "started_at": run.started_at,
            "ended_at": run.ended_at,
            "started_by": run.started_by.get_username(),
            "started": rec.started,
            "ended": rec.ended,
            "events": state.events,
            "pain_start": rec.pain_start,
            "pain_end": rec.pain_end,
            "current": state.current,
            "active_hold": None
            if hold is None or active is None
            else {
                "trigger_point": hold.trigger_point,
                "side": hold.side,
                "number": hold.number,
                "technique": hold.technique,
                "pressure": hold.pressure,
                "start": hold.start,
                "seconds": active.seconds,
                "longest": active.longest,
                "feedback": list(hold.feedback),
            },
            "suggestion": state.suggestion,
            "points": list(rec.points),
            "holds": [
                {
                    "trigger_point": h.trigger_point,
                    "side": h.side,
                    "number": h.number,
                    "technique": h.technique,
                    "pressure": h.pressure,
                    "start": h.start,
                    "end": h.end,
                    "seconds": h.seconds,
                    "ended_by": h.ended_by,
                    "released": h.released,
                    "feedback": list(h.feedback),
                }
                for h in rec.holds
            ],
        },
    }
