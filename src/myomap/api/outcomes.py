"""Outcomes: GET and POST /api/clients/{id}/outcomes, a client's questionnaire scores."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from myomap.api.auth import context, require_staff, user_of
from myomap.api.outcome_schemas import CorrectionIn, OutcomeIn, OutcomeOut, OutcomesOut, VoidIn
from myomap.api.schemas import ERRORS, RecordId
from myomap.audit.log import record
from myomap.audit.models import AuditEvent
from myomap.clients.queries import client_for
from myomap.outcomes import actions, queries
from myomap.visits.queries import visit_for

router = Router(tags=["outcomes"])


@router.get(
    "/clients/{client_id}/outcomes",
    response={200: OutcomesOut, **ERRORS},
    summary="A client's questionnaire scores, oldest first, and per instrument the change "
    "from the baseline to the latest against the minimal important change, in words",
)
def list_outcomes(request: HttpRequest, client_id: RecordId) -> dict[str, Any]:
    user = user_of(request)
    client = client_for(user, client_id)
    responses = list(
        queries.responses_for(user, client).select_related("entered_by", "replaced_by")
    )
    series = queries.series_for(user, client)
    record(context(request), AuditEvent.Action.VIEW, client, summary="outcomes")
    return {
        "responses": responses,
        "changes": [s.current.change_json() for s in series if s.current and s.change],
        "drawings": [
            {
                "intake_id": d.intake_id,
                "source": d.source,
                "recorded_at": d.recorded_at,
                "painted_share": round(d.painted.share, 4),
                "regions": d.painted.regions,
            }
            for d in queries.drawings_for(user, client)
        ],
    }


@router.post(
    "/clients/{client_id}/outcomes",
    response={201: OutcomeOut, **ERRORS},
    summary="Record a questionnaire's answers; scored before it is stored (400 naming the "
    "item for a missing or out-of-range answer, nothing saved)",
)
def create_outcome(request: HttpRequest, client_id: RecordId, data: OutcomeIn) -> Status[Any]:
    ctx = require_staff(request)
    client = client_for(ctx.user, client_id)
    visit = visit_for(ctx.user, data.visit_id) if data.visit_id is not None else None
    response = actions.record_response(
        ctx,
        client,
        actions.ResponseData(
            data.instrument,
            data.answers,
            activities=data.activities,
            visit=visit,
            taken_at=data.taken_at,
        ),
    )
    return Status(201, response)


def _response(user: Any, client_id: int, response_id: int) -> Any:
    return queries.client_response(user, client_for(user, client_id), response_id)


@router.post(
    "/clients/{client_id}/outcomes/{response_id}/void",
    response={200: OutcomeOut, **ERRORS},
    summary="Void a response entered in error, saying why: kept (and listed as voided), left "
    "out of the changes; 409 when voided already",
)
def void_outcome(
    request: HttpRequest, client_id: RecordId, response_id: RecordId, data: VoidIn
) -> Any:
    ctx = require_staff(request)
    response = _response(ctx.user, client_id, response_id)
    return actions.void_response(ctx, response, data.reason)


@router.post(
    "/clients/{client_id}/outcomes/{response_id}/correct",
    response={201: OutcomeOut, **ERRORS},
    summary="Correct a response: it is voided with the reason and the new answers, scored, "
    "take its place (at the same visit, and when it was answered unless taken_at says)",
)
def correct_outcome(
    request: HttpRequest, client_id: RecordId, response_id: RecordId, data: CorrectionIn
) -> Status[Any]:
    ctx = require_staff(request)
    response = _response(ctx.user, client_id, response_id)
    fixed = actions.correct_response(
        ctx,
        response,
        actions.ResponseData(
            data.instrument, data.answers, activities=data.activities, taken_at=data.taken_at
        ),
        data.reason,
    )
    return Status(201, fixed)
