"""Clients, intakes and the safety gate: GET and POST /api/clients..., /api/intakes/..."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.params.functions import Header, Query
from pydantic import AfterValidator

from myomap.api.auth import context, require_staff, user_of
from myomap.api.schemas import (
    ALWAYS,
    ERRORS,
    MAX_PAGE,
    ClearanceIn,
    ClientDetailOut,
    ClientIn,
    ClientOut,
    ClientPage,
    ClientPatchIn,
    ConsentIn,
    FlagClearanceIn,
    IntakeCorrectedOut,
    IntakeCorrectionIn,
    IntakeIn,
    IntakeOut,
    MedicationReviewIn,
    OverrideIn,
    QueryText,
    RecordId,
    ReferralIn,
    VisitSummary,
)
from myomap.audit.log import record
from myomap.audit.models import AuditEvent
from myomap.clients import actions
from myomap.clients import queries as client_queries
from myomap.clients.models import Client, Intake
from myomap.clients.queries import client_for, intake_for
from myomap.core import factors
from myomap.core.kb import load_default
from myomap.core.screening import technique_status
from myomap.records.pages import paginate
from myomap.records.text import check_text
from myomap.visits import actions as visit_actions

PER_PAGE = 50
# A retried create or start sends the same key and gets the same record (64 characters).
IdempotencyKey = Annotated[
    str,
    AfterValidator(check_text),
    Header("", alias="Idempotency-Key", max_length=64, description="any text up to 64 characters"),
]

router = Router(tags=["clients"])


@router.get(
    "/clients",
    response={200: ClientPage, **ALWAYS},
    summary="The clients you may see, 50 a page by family name; `q` finds the names that "
    "start with it, family or given name first, whatever the case or accents "
    "(`smi` finds Smith, `gail fen` Gail Fenwick)",
)
def list_clients(
    request: HttpRequest,
    q: QueryText = "",
    page: int = Query(1, ge=1, le=MAX_PAGE),
) -> dict[str, Any]:
    # the page as plain values of the columns the answer shows: no model instances to build
    rows = client_queries.client_list(user_of(request), q).values(*ClientOut.model_fields)
    shown = paginate(rows, page, per_page=PER_PAGE)
    record(
        context(request),
        AuditEvent.Action.VIEW,
        user_of(request),
        summary=f"client list ({len(shown.rows)})",
    )
    return {"items": shown.rows, "count": shown.count, "page": shown.number, "pages": shown.pages}


@router.post(
    "/clients",
    response={201: ClientOut, **ERRORS},
    summary="Create a client; send an `Idempotency-Key` header to make a retried request "
    "return the same client (409 if the key came with other data)",
)
def create_client(request: HttpRequest, data: ClientIn, key: IdempotencyKey) -> Status[Any]:
    ctx = require_staff(request)
    client = actions.create_client(ctx, actions.ClientData(**data.model_dump()), key=key)
    return Status(201, client)


@router.get(
    "/clients/{client_id}", response={200: ClientDetailOut, **ERRORS}, summary="A client's record"
)
def get_client(request: HttpRequest, client_id: RecordId) -> Client:
    client = _client_detail(client_for(user_of(request), client_id))
    record(context(request), AuditEvent.Action.VIEW, client, summary="client record")
    return client


def _client_detail(client: Client) -> Client:
    """The client with the related rows read once for the response, not once per visit."""
    return (
        Client.objects.select_related("treatment_consent_by", "data_consent_by")
        .prefetch_related("intakes")
        .prefetch_related("visits__therapist")
        .get(pk=client.pk)
    )


@router.patch(
    "/clients/{client_id}",
    response={200: ClientDetailOut, **ERRORS},
    summary="Correct a client's details (the old values are kept as a revision)",
)
def update_client(request: HttpRequest, client_id: RecordId, data: ClientPatchIn) -> Client:
    ctx = require_staff(request)
    client = client_for(ctx.user, client_id)
    given = data.model_dump(exclude_unset=True, exclude={"reason"})
    names = ("given_name", "family_name", "date_of_birth", "email", "phone")
    fields = {name: getattr(client, name) for name in names} | {
        k: v for k, v in given.items() if v is not None
    }
    actions.update_client(ctx, client, actions.ClientData(**fields), data.reason)
    return _client_detail(client)


@router.post(
    "/clients/{client_id}/consent",
    response={200: ClientDetailOut, **ERRORS},
    summary="Record the consent a client gave (written, or verbal: who took it and when)",
)
def record_consent(request: HttpRequest, client_id: RecordId, data: ConsentIn) -> Client:
    ctx = require_staff(request)
    client = actions.record_consent(
        ctx, client_for(ctx.user, client_id), actions.ConsentData(**data.model_dump())
    )
    return _client_detail(client)


@router.post(
    "/clients/{client_id}/intakes",
    response={201: IntakeOut, **ERRORS},
    summary="Record an intake; send an `Idempotency-Key` header to make a retried request "
    "return the same intake (409 if the key came with other data)",
)
def create_intake(
    request: HttpRequest, client_id: RecordId, data: IntakeIn, key: IdempotencyKey
) -> Status[Any]:
    ctx = require_staff(request)
    client = client_for(ctx.user, client_id)
    intake = actions.record_intake(ctx, client, actions.IntakeData(**data.model_dump()), key=key)
    return Status(201, intake_out(intake))


@router.get(
    "/intakes/{intake_id}",
    response={200: IntakeOut, **ERRORS},
    summary="An intake with its safety screening",
)
def get_intake(request: HttpRequest, intake_id: RecordId) -> dict[str, Any]:
    intake = intake_for(user_of(request), intake_id)
    record(context(request), AuditEvent.Action.VIEW, intake, summary="intake and safety screening")
    return intake_out(intake)


@router.put(
    "/intakes/{intake_id}",
    response={200: IntakeCorrectedOut, **ERRORS},
    summary="Correct an intake, with a reason; it is screened again",
)
def update_intake(
    request: HttpRequest, intake_id: RecordId, data: IntakeCorrectionIn
) -> dict[str, Any]:
    ctx = require_staff(request)
    fields = data.model_dump(exclude={"reason"})
    corrected = actions.update_intake(
        ctx, intake_for(ctx.user, intake_id), actions.IntakeData(**fields), data.reason
    )
    return intake_out(corrected.intake) | {"notice": corrected.notice}


@router.post(
    "/intakes/{intake_id}/referral",
    response={200: IntakeOut, **ERRORS},
    summary="Record the referral a red flag called for",
)
def record_referral(request: HttpRequest, intake_id: RecordId, data: ReferralIn) -> dict[str, Any]:
    ctx = require_staff(request)
    intake = actions.record_referral(ctx, intake_for(ctx.user, intake_id), data.note)
    return intake_out(intake)


@router.post(
    "/intakes/{intake_id}/override",
    response={200: IntakeOut, **ERRORS},
    summary="Go on despite a red flag, with a written reason",
)
def override_red_flag(
    request: HttpRequest, intake_id: RecordId, data: OverrideIn
) -> dict[str, Any]:
    ctx = require_staff(request)
    intake = actions.override_red_flag(ctx, intake_for(ctx.user, intake_id), data.reason)
    return intake_out(intake)


@router.post(
    "/intakes/{intake_id}/clearance",
    response={200: IntakeOut, **ERRORS},
    summary="Record the doctor's clearance an ask-doctor condition called for",
)
def record_clearance(
    request: HttpRequest, intake_id: RecordId, data: ClearanceIn
) -> dict[str, Any]:
    ctx = require_staff(request)
    intake = actions.record_clearance(ctx, intake_for(ctx.user, intake_id), data.note)
    return intake_out(intake)


@router.post(
    "/intakes/{intake_id}/visits",
    response={201: VisitSummary, **ERRORS},
    summary="Start a visit (409 while a red flag is unresolved); send an `Idempotency-Key` "
    "header to make a retried request return the same visit",
)
def start_visit(request: HttpRequest, intake_id: RecordId, key: IdempotencyKey) -> Status[Any]:
    ctx = require_staff(request)
    intake = intake_for(ctx.user, intake_id)
    return Status(201, visit_actions.start_visit(ctx, intake.client, intake, key=key))


def gate_out(intake: Intake) -> dict[str, Any]:
    """The safety gate as the API shows it: the same answer the visit actions act on."""
    answer = client_queries.gate(intake)
    clearance = None
    if intake.flag_clearance_on is not None:
        clearance = {
            "cleared_by": intake.flag_clearance_from,
            "cleared_on": intake.flag_clearance_on,
            "said": intake.flag_clearance_note,
            "recorded_by": (
                intake.flag_clearance_by.get_username() if intake.flag_clearance_by else None
            ),
            "recorded_at": intake.flag_clearance_at,
        }
    return {
        "state": intake.gate,
        "state_words": intake.get_gate_display(),
        "allows_visit": answer.allows_visit,
        "allows_planning": answer.allows_planning,
        "why_not": answer.reason,
        "note": intake.gate_note,
        "by": intake.gate_by.get_username() if intake.gate_by else None,
        "at": intake.gate_at,
        "medical_clearance": clearance,
    }


@router.post(
    "/intakes/{intake_id}/red-flag-clearance",
    response={200: IntakeOut, **ERRORS},
    summary="Record the medical clearance an emergency or urgent red flag waits for",
)
def record_flag_clearance(
    request: HttpRequest, intake_id: RecordId, data: FlagClearanceIn
) -> dict[str, Any]:
    ctx = require_staff(request)
    intake = actions.record_flag_clearance(
        ctx, intake_for(ctx.user, intake_id), actions.FlagClearanceData(**data.model_dump())
    )
    return intake_out(intake)


def intake_out(intake: Intake) -> dict[str, Any]:
    kb = load_default()
    screening = actions.screen_intake(intake)
    status = technique_status(kb, screening)
    return {
        "id": intake.pk,
        "client_id": intake.client_id,
        "recorded_at": intake.recorded_at,
        "recorded_by": intake.recorded_by.get_username(),
        "complaint": intake.complaint,
        "pain_drawing": intake.pain_drawing,
        "history": intake.history,
        "medications": intake.medications,
        "red_flag_answers": intake.red_flag_answers,
        "contraindication_answers": intake.contraindication_answers,
        "factor_answers": intake.factor_answers,
        "gate": gate_out(intake),
        "screening": {
            "headline": screening.headline,
            "blocked": screening.blocked,
            "urgency": screening.urgency,
            "postpone": screening.postpone,
            "needs_clearance": screening.needs_clearance,
            "clearance": screening.clearance,
            "red_flags": screening.red_flags,
            "contraindications": screening.contraindications,
            "technique_rules": screening.technique_rules,
            "techniques": [{"technique": tid, **asdict(s)} for tid, s in status.items()],
            "medication_matches": screening.medication_matches,
        },
        "factors": factors.factor_profile(kb, intake.factors),
    }


@router.post(
    "/intakes/{intake_id}/medications",
    response={200: IntakeOut, **ERRORS},
    summary="Record whether the client takes a medicine the medications text names",
)
def review_medication(
    request: HttpRequest, intake_id: RecordId, data: MedicationReviewIn
) -> dict[str, Any]:
    ctx = require_staff(request)
    intake = intake_for(ctx.user, intake_id)
    intake = actions.review_medication(ctx, intake, data.target, data.answer)
    return intake_out(intake)
