"""Named actions on visits: findings, the plan and the note. Shared by web, API and CLI;
each runs in one transaction with its audit events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.actions import screen_intake
from myomap.clients.models import Client, Intake
from myomap.core import planning as core_planning
from myomap.core.kb import load_default
from myomap.core.screening import Screening, light_pressure_note
from myomap.records.errors import Conflict, GateClosed, Invalid, Locked
from myomap.records.guards import require_clinic
from myomap.visits import recorded
from myomap.visits.models import (
    MovementFinding,
    Note,
    NoteVersion,
    PalpationFinding,
    PlanStep,
    Visit,
)

POINT_SIDES = core_planning.SIDES
PRESSURES = ("light", "moderate", "deep")
# The documented dose of ischemic compression: steady pressure for 10-30 s.
ISCHEMIC_HOLD = (10, 30)


def _gate(client: Client) -> None:
    """A red flag on ANY of the client's intakes stops planning until it is resolved."""
    if client.has_open_red_flag():
        raise GateClosed(
            "a red flag stops treatment planning: "
            "record a referral or an override with a reason first"
        )


@transaction.atomic
def start_visit(ctx: Context, client: Client, intake: Intake) -> Visit:
    require_clinic(ctx, client)
    if intake.client_id != client.pk:
        raise Invalid("that intake belongs to another client", "intake")
    _gate(client)
    visit = Visit.objects.create(client=client, intake=intake, therapist=ctx.user)
    record(ctx, AuditEvent.Action.CREATE, visit, summary="visit started")
    return visit


@dataclass(frozen=True)
class PalpationData:
    trigger_point: str
    side: str
    tender: int | None = None
    taut_band: bool = False
    referral: bool = False
    twitch: bool = False
    jump: bool = False
    ppt: float | None = None


@transaction.atomic
def record_palpation(ctx: Context, visit: Visit, data: PalpationData) -> PalpationFinding:
    """Record (or replace) what palpating one trigger point on one side found."""
    require_clinic(ctx, visit.client)
    kb = load_default()
    if data.trigger_point not in kb.trigger_points:
        raise Invalid(f"unknown trigger point {data.trigger_point!r}", "trigger_point")
    if data.side not in POINT_SIDES:
        raise Invalid(f"side must be one of {', '.join(POINT_SIDES)}", "side")
    if data.tender is not None and not 0 <= data.tender <= 10:
        raise Invalid("tenderness is a whole number 0-10", "tender")
    if data.ppt is not None and not 0 <= data.ppt <= 20:
        raise Invalid("pressure pain threshold is 0-20 kg/cm²", "ppt")
    finding, created = PalpationFinding.objects.update_or_create(
        visit=visit,
        trigger_point=data.trigger_point,
        side=data.side,
        defaults={
            "tender": data.tender,
            "taut_band": data.taut_band,
            "referral": data.referral,
            "twitch": data.twitch,
            "jump": data.jump,
            "ppt": data.ppt,
            "recorded_at": timezone.now(),
        },
    )
    action = AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE
    record(
        ctx,
        action,
        finding,
        client=visit.client,
        summary=f"palpation {data.trigger_point} {data.side}",
    )
    return finding


@transaction.atomic
def record_movement(
    ctx: Context, visit: Visit, test: str, side: str, result: str, note: str = ""
) -> MovementFinding:
    require_clinic(ctx, visit.client)
    if test not in load_default().exam_tests:
        raise Invalid(f"unknown examination test {test!r}", "test")
    if side not in ("left", "right", ""):
        raise Invalid("side must be left, right or empty", "side")
    if result not in ("positive", "negative"):
        raise Invalid("result must be positive or negative", "result")
    finding, created = MovementFinding.objects.update_or_create(
        visit=visit, test=test, side=side, defaults={"result": result, "note": note.strip()[:300]}
    )
    action = AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE
    record(ctx, action, finding, client=visit.client, summary=f"{test} {side} {result}")
    return finding


@transaction.atomic
def propose_plan(ctx: Context, visit: Visit) -> core_planning.Plan:
    """Replace the visit's plan with one proposed from the findings and the screening."""
    require_clinic(ctx, visit.client)
    _gate(visit.client)
    kb = load_default()
    plan = core_planning.propose_plan(
        kb,
        candidates=recorded.candidates(visit),
        palpation=recorded.palpation(visit),
        screening=screen_intake(visit.intake),
    )
    visit.plan_steps.all().delete()
    PlanStep.objects.bulk_create(
        PlanStep(
            visit=visit,
            order=step.order,
            trigger_point=step.trigger_point,
            side=step.side,
            technique=step.technique,
            pressure=step.pressure,
            hold_seconds=step.hold_seconds,
            repetitions=step.repetitions,
            reason=step.reason,
            modifications=list(step.modifications),
        )
        for step in plan.steps
    )
    record(ctx, AuditEvent.Action.UPDATE, visit, summary=f"plan proposed: {len(plan.steps)} steps")
    return plan


@dataclass(frozen=True)
class StepData:
    trigger_point: str
    side: str
    technique: str
    pressure: str
    hold_seconds: int
    repetitions: int = 1
    reason: str = ""


@transaction.atomic
def save_plan(ctx: Context, visit: Visit, steps: Sequence[StepData]) -> list[PlanStep]:
    """Save the therapist's edited plan. Techniques the screening rules out, pressure above
    what it allows, unknown points or sides and doses outside the documented range are
    refused; each step's safety notes are recomputed, never taken from the form."""
    require_clinic(ctx, visit.client)
    _gate(visit.client)
    kb = load_default()
    screening = screen_intake(visit.intake)
    light_only = light_pressure_note(screening)
    notes = [
        _check_step(kb, f"step {number}", step, screening, light_only)
        for number, step in enumerate(steps, start=1)
    ]
    saved = PlanStep.objects.bulk_create(
        PlanStep(
            visit=visit,
            order=n + 1,
            trigger_point=s.trigger_point,
            side=s.side,
            technique=s.technique,
            pressure=s.pressure,
            hold_seconds=s.hold_seconds,
            repetitions=s.repetitions,
            reason=s.reason,
            modifications=list(notes[n]),
        )
        for n, s in enumerate(steps)
    )
    record(ctx, AuditEvent.Action.UPDATE, visit, summary=f"plan saved: {len(saved)} steps")
    return saved


def _check_step(
    kb: Any, where: str, step: StepData, screening: Screening, light_only: str | None
) -> tuple[str, ...]:
    """Refuse a step the screening does not allow; return the safety notes it carries."""
    if step.trigger_point not in kb.trigger_points:
        raise Invalid(f"{where}: unknown trigger point {step.trigger_point!r}", "trigger_point")
    if step.side not in POINT_SIDES:
        raise Invalid(f"{where}: side must be one of {', '.join(POINT_SIDES)}", "side")
    if step.technique not in kb.techniques:
        raise Invalid(f"{where}: unknown technique {step.technique!r}", "technique")
    # The same rules as the proposal, at this point's location (local conditions included).
    here = core_planning.status_at(kb, screening, step.trigger_point)
    status = here[0][step.technique]
    if not status.allowed:
        why = "; ".join(status.reasons)
        name = kb.techniques[step.technique].name
        raise Invalid(f"{where}: {name} is ruled out here ({why})", "technique")
    if step.pressure not in PRESSURES:
        raise Invalid(f"{where}: pressure must be light, moderate or deep", "pressure")
    if light_only and step.pressure != "light":
        raise Invalid(f"{where}: {light_only}", "pressure")
    low, high = ISCHEMIC_HOLD if step.technique == "ischemic-compression" else (0, 120)
    if not low <= step.hold_seconds <= high:
        raise Invalid(f"{where}: hold time must be {low}-{high} seconds", "hold_seconds")
    if not 1 <= step.repetitions <= 10:
        raise Invalid(f"{where}: repetitions must be 1-10", "repetitions")
    return core_planning.safety_notes(screening, here, step.technique)


# ----------------------------------------------------------------------------- notes
def current_version(visit: Visit) -> NoteVersion | None:
    note = Note.objects.filter(visit=visit).first()
    return note.versions.order_by("-number").first() if note else None


def _locked_note(visit: Visit, *, create: bool = False) -> Note | None:
    """The visit's note, its row locked so concurrent drafts and amendments queue."""
    note = Note.objects.select_for_update().filter(visit=visit).first()
    if note is None and create:
        try:
            with transaction.atomic():
                Note.objects.create(visit=visit)
        except IntegrityError:
            pass  # someone created it a moment ago: take theirs
        note = Note.objects.select_for_update().get(visit=visit)
    return note


@transaction.atomic
def draft_note(ctx: Context, visit: Visit, *, revision: int | None = None) -> NoteVersion:
    """Write the SOAP draft from what was recorded. Replacing an existing unsigned draft
    needs the `revision` the person is looking at, so hand edits made since are never
    overwritten silently; a signed note is never touched (amend it instead)."""
    require_clinic(ctx, visit.client)
    note = _locked_note(visit, create=True)
    assert note is not None
    version = note.versions.order_by("-number").first()
    if version is not None and version.is_signed:
        raise Locked("the note is signed: amend it to change it")
    if version is not None and revision is None:
        raise Invalid(
            "to redraft an existing draft, give the revision you are replacing", "revision"
        )
    if version is not None and version.revision != revision:
        raise Conflict(
            "the draft was changed since you opened it: reload to see the changes before "
            "redrafting it from the record"
        )
    soap = recorded.soap(visit)
    fields: dict[str, Any] = {
        "subjective": soap.subjective,
        "objective": soap.objective,
        "assessment": soap.assessment,
        "plan": soap.plan,
    }
    if version is None:
        version = NoteVersion.objects.create(note=note, number=1, author=ctx.user, **fields)
        record(ctx, AuditEvent.Action.CREATE, version, summary="note drafted")
    else:
        for name, value in fields.items():
            setattr(version, name, value)
        version.revision += 1
        version.updated_at = timezone.now()
        version.save()
        record(ctx, AuditEvent.Action.UPDATE, version, summary="note redrafted from the record")
    return version


@transaction.atomic
def save_note(
    ctx: Context,
    visit: Visit,
    *,
    revision: int,
    subjective: str,
    objective: str,
    assessment: str,
    plan: str,
) -> NoteVersion:
    """Save edits to the draft, unless someone saved since `revision` was read."""
    require_clinic(ctx, visit.client)
    version = _open_version(visit)
    if version.revision != revision:
        raise Conflict(
            "someone else saved this note since you opened it: reload to see their changes, "
            "then make yours again"
        )
    version.subjective, version.objective = subjective, objective
    version.assessment, version.plan = assessment, plan
    version.revision += 1
    version.updated_at = timezone.now()
    version.author = ctx.user
    version.save()
    record(ctx, AuditEvent.Action.UPDATE, version, summary=f"note version {version.number} edited")
    return version


@transaction.atomic
def sign_note(ctx: Context, visit: Visit, *, revision: int) -> NoteVersion:
    require_clinic(ctx, visit.client)
    version = _open_version(visit)
    if version.revision != revision:
        raise Conflict("the note changed since you read it: reload and check it before signing")
    if not any(
        getattr(version, f).strip() for f in ("subjective", "objective", "assessment", "plan")
    ):
        raise Invalid("an empty note cannot be signed", "subjective")
    version.signed_at, version.signed_by = timezone.now(), ctx.user
    version.save(update_fields=["signed_at", "signed_by"])
    record(ctx, AuditEvent.Action.SIGN, version, summary=f"note version {version.number} signed")
    return version


@transaction.atomic
def amend_note(ctx: Context, visit: Visit, reason: str) -> NoteVersion:
    """Start a new version of a signed note; the signed one stays readable in the history."""
    require_clinic(ctx, visit.client)
    note = _locked_note(visit)
    latest = note.versions.order_by("-number").first() if note else None
    if latest is None or not latest.is_signed:
        raise Invalid("only a signed note can be amended; edit the draft instead", "reason")
    if len(reason.strip()) < 10:
        raise Invalid("say why the note is being amended", "reason")
    version = NoteVersion.objects.create(
        note=latest.note,
        number=latest.number + 1,
        author=ctx.user,
        subjective=latest.subjective,
        objective=latest.objective,
        assessment=latest.assessment,
        plan=latest.plan,
        amendment_reason=reason.strip(),
    )
    record(ctx, AuditEvent.Action.AMEND, version, summary=reason.strip())
    return version


def _open_version(visit: Visit) -> NoteVersion:
    note = _locked_note(visit)
    if note is None:
        raise Invalid("there is no note yet: draft it first", "note")
    version = note.versions.order_by("-number").first()
    if version is None:
        raise Invalid("there is no note yet: draft it first", "note")
    if version.is_signed:
        raise Locked("the note is signed and locked: amend it to change it")
    return version
