"""Outcomes: GET and POST /api/clients/{id}/outcomes, a client's questionnaire scores."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from myomap.api.auth import context, require_staff, user_of
from myomap.api.outcome_schemas import OutcomeIn, OutcomeOut, OutcomesOut
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
    responses = list(queries.responses_for(user, client).select_related("entered_by"))
    series = queries.series_for(user, client)
    record(context(request), AuditEvent.Action.VIEW, client, summary="outcomes")
    return {
        "responses": responses,
        "changes": [s.change.as_json() for s in series if s.change is not None],
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
