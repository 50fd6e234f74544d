"""The guided session of a visit (docs/session.md), for the clinic's therapists: start it,
send the device's events (one, or a queued list), read its state, end it. The state is
rebuilt on every request from the run's stored snapshot and the events after it, so any
web process may answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Body, Router, Status
from ninja.renderers import JSONRenderer

from myomap.api.auth import require_staff
from myomap.api.schemas import ERRORS, RecordId
from myomap.api.session_schemas import EventIn, SessionStateOut
from myomap.audit.log import record_read_once
from myomap.core.kb import load_default
from myomap.core.session.state import Measure, Stamp
from myomap.visits import session_actions, session_queries
from myomap.visits.queries import visit_for
from myomap.visits.session_queries import SessionState

router = Router(tags=["sessions"])
# The API's renderer (django-ninja's JSON, the API sets no other).
RENDERER = JSONRenderer()
# A person's reads of one session, by one way in, are audited once in this time.
READ_AUDITED_EVERY = dt.timedelta(minutes=1)


@router.post(
    "/visits/{visit_id}/session",
    response={200: SessionStateOut, 201: SessionStateOut, **ERRORS},
    summary="Start the guided session through the plan's points (201); the open session "
    "when there is one (200). 400 without a plan; 409 when the note is signed or the safety "
    "gate does not allow planning",
)
def start_session(request: HttpRequest, visit_id: RecordId, response: HttpResponse) -> HttpResponse:
    ctx = require_staff(request)
    visit = visit_for(ctx.user, visit_id)
    state, started = session_actions.start_session(ctx, visit)
    return _answer(request, response, 201 if started else 200, visit_id, state)


@router.post(
    "/visits/{visit_id}/session/events",
    response={200: SessionStateOut, **ERRORS},
    summary="Record one event, or a list in order (all or none); a resent `event_id` is "
    "recorded once. 400 names what is wrong (`kind`, `at`, `fields.<name>`, `session`); 409 "
    "once the session has ended",
)
def record_events(
    request: HttpRequest,
    visit_id: RecordId,
    data: Body[EventIn | list[EventIn]],
    response: HttpResponse,
) -> HttpResponse:
    ctx = require_staff(request)
    visit = visit_for(ctx.user, visit_id)
    events = data if isinstance(data, list) else [data]
    incoming = [session_actions.EventData(e.event_id, e.kind, e.at, dict(e.fields)) for e in events]
    state = session_actions.record_events(ctx, visit, incoming)
    return _answer(request, response, 200, visit_id, state)


@router.get(
    "/visits/{visit_id}/session",
    response={200: SessionStateOut, 304: None, **ERRORS},
    summary="The session's state: the current point, the active hold with its seconds so far, "
    "every hold with its feedback, before and after values, the suggestion (null: none yet). "
    "Its ETag changes with every event, the session's end and the plan saved again: sent "
    "back as If-None-Match, an unchanged session is answered 304 with no body",
)
def get_session(
    request: HttpRequest, visit_id: RecordId, response: HttpResponse
) -> Status[Any] | HttpResponse:
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
    return _answer(request, response, 200, visit_id, state)


@router.post(
    "/visits/{visit_id}/session/end",
    response={200: SessionStateOut, **ERRORS},
    summary="End the session now (400 while a hold is active); an ended session as it is",
)
def end_session(request: HttpRequest, visit_id: RecordId, response: HttpResponse) -> HttpResponse:
    ctx = require_staff(request)
    visit = visit_for(ctx.user, visit_id)
    state = session_actions.end_session(ctx, visit)
    return _answer(request, response, 200, visit_id, state)


def _answer(
    request: HttpRequest, response: HttpResponse, status: int, visit_id: int, state: Any
) -> HttpResponse:
    """The state as `SessionStateOut` says, written out directly: `_out` gives plain data
    in the schema's shape, rendered as django-ninja renders a validated answer (its
    encoder), without validating the same shape again on every read; the session's events
    grow with the session, and that validation cost more than the rest of a read.
    tests/web/test_session_answer.py pins the two byte for byte."""
    response.status_code = status
    response.content = RENDERER.render(request, _out(visit_id, state), response_status=status)
    return response


def _out(visit_id: int, state: SessionState | None) -> dict[str, Any]:
    """The answer as plain data, keys in `SessionStateOut`'s order."""
    if state is None:
        return {"visit_id": visit_id, "session": None}
    run, rec, active = state.run, state.record, state.active
    hold = active.hold if active is not None else None
    current, advice = state.current, state.suggestion
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
            "current": None
            if current is None
            else {
                "trigger_point": current.trigger_point,
                "side": current.side,
                "name": current.name,
            },
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
                "feedback": _stamps(hold.feedback),
            },
            "suggestion": None
            if advice is None
            else {
                "trigger_point": advice.trigger_point,
                "side": advice.side,
                "action": advice.action,
                "lighter": advice.lighter,
                "reports": advice.reports,
                "where": advice.where,
                "evidence": advice.evidence,
                "sources": list(advice.sources),
            },
            "points": [
                {
                    "trigger_point": p.trigger_point,
                    "side": p.side,
                    "planned": p.planned,
                    "before": _measure(p.before),
                    "after": _measure(p.after),
                    "skipped": p.skipped,
                }
                for p in rec.points
            ],
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
                    "stopped_by": h.stopped_by,
                    "released": h.released,
                    "feedback": _stamps(h.feedback),
                }
                for h in rec.holds
            ],
        },
    }


def _stamps(stamps: tuple[Stamp, ...]) -> list[dict[str, Any]]:
    return [
        {"kind": s.kind, "second": s.second, "event_id": s.event_id, "by": s.by} for s in stamps
    ]


def _measure(m: Measure | None) -> dict[str, Any] | None:
    return None if m is None else {"tender": m.tender, "ppt": m.ppt}
