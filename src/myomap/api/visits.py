"""Visits: findings beside the candidates to examine, and the treatment plan."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from myomap.api.auth import context, require_staff, user_of
from myomap.api.schemas import ERRORS, RecordId
from myomap.api.visit_schemas import (
    MovementIn,
    MovementOut,
    PalpationIn,
    PalpationOut,
    PlanIn,
    PlanOut,
    VisitOut,
)
from myomap.audit.log import record
from myomap.audit.models import AuditEvent
from myomap.visits import actions, queries, recorded
from myomap.visits.models import MovementFinding, PalpationFinding, Visit
from myomap.visits.queries import visit_for

router = Router(tags=["visits"])


def _visit(request: HttpRequest, visit_id: int) -> Visit:
    """The visit if this user may see it (else 404), with its findings and plan read once."""
    visit = visit_for(user_of(request), visit_id)
    return (
        Visit.objects.select_related("client", "intake", "therapist")
        .prefetch_related("palpations", "movements", "plan_steps")
        .get(pk=visit.pk)
    )


@router.get(
    "/visits/{visit_id}",
    response={200: VisitOut, **ERRORS},
    summary="A visit: findings, candidates to examine, plan",
)
def get_visit(request: HttpRequest, visit_id: RecordId) -> dict[str, Any]:
    visit = _visit(request, visit_id)
    record(context(request), AuditEvent.Action.VIEW, visit, summary="assessment")
    explanation = recorded.explanation(visit)
    waits = queries.planning_waits(visit)
    return {
        "id": visit.pk,
        "client_id": visit.client_id,
        "intake_id": visit.intake_id,
        "therapist": visit.therapist.get_username(),
        "started_at": visit.started_at,
        "gate": visit.intake.gate,
        "allows_planning": waits is None,
        "why_not": waits,
        "signed": queries.is_signed(visit),
        "palpation": list(visit.palpations.all()),
        "movement": list(visit.movements.all()),
        "candidates": [
            {
                "muscle": c.muscle,
                "muscle_name": c.muscle_name,
                "trigger_point": c.trigger_point,
                "trigger_point_name": c.trigger_point_name,
                "side": c.side,
                "score": c.score,
                "explains": [region for region, _kind in c.zone_of],
                "unexplained": c.unexplained,
                "findings": [{"finding": f, "weight": w} for f, w in c.findings],
            }
            for c in explanation.candidates
        ],
        "cover": explanation.cover,
        "unexplained": explanation.unexplained,
        "message": explanation.message,
        "factors": recorded.factor_profile(visit),
        "plan": list(visit.plan_steps.all()),
    }


@router.post(
    "/visits/{visit_id}/palpation",
    response={200: PalpationOut, **ERRORS},
    summary="Record (or replace) one palpation finding",
)
def record_palpation(
    request: HttpRequest, visit_id: RecordId, data: PalpationIn
) -> PalpationFinding:
    ctx = require_staff(request)
    visit = visit_for(ctx.user, visit_id)
    return actions.record_palpation(ctx, visit, actions.PalpationData(**data.model_dump()))


@router.post(
    "/visits/{visit_id}/movement",
    response={200: MovementOut, **ERRORS},
    summary="Record (or replace) one posture or movement test result",
)
def record_movement(request: HttpRequest, visit_id: RecordId, data: MovementIn) -> MovementFinding:
    ctx = require_staff(request)
    visit = visit_for(ctx.user, visit_id)
    return actions.record_movement(ctx, visit, data.test, data.side, data.result, data.note)


@router.post(
    "/visits/{visit_id}/plan/propose",
    response={200: PlanOut, **ERRORS},
    summary="Replace the plan with one proposed from the findings and the screening",
)
def propose_plan(request: HttpRequest, visit_id: RecordId) -> dict[str, Any]:
    ctx = require_staff(request)
    visit = visit_for(ctx.user, visit_id)
    plan = actions.propose_plan(ctx, visit)
    return {
        "steps": plan.steps,
        "excluded": [
            {"trigger_point": tp, "side": side, "why": why} for tp, side, why in plan.excluded
        ],
        "blocked_reason": plan.blocked_reason,
    }


@router.put(
    "/visits/{visit_id}/plan",
    response={200: PlanOut, **ERRORS},
    summary="Save the therapist's edited plan (ruled-out techniques are refused)",
)
def save_plan(request: HttpRequest, visit_id: RecordId, data: PlanIn) -> Status[Any]:
    ctx = require_staff(request)
    visit = visit_for(ctx.user, visit_id)
    steps = actions.save_plan(ctx, visit, [actions.StepData(**s.model_dump()) for s in data.steps])
    return Status(200, {"steps": steps})


@router.delete(
    "/visits/{visit_id}",
    response={204: None, **ERRORS},
    summary="Delete a visit started by mistake (only an empty one: 400 otherwise)",
)
def delete_visit(request: HttpRequest, visit_id: RecordId) -> Status[None]:
    ctx = require_staff(request)
    actions.delete_visit(ctx, visit_for(ctx.user, visit_id))
    return Status(204, None)
