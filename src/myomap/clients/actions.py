"""Named actions on clients and intakes, shared by the web UI, the JSON API and the CLI.
Each runs in one transaction and writes its audit events in it: all or nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client, Intake
from myomap.core import factors as core_factors
from myomap.core import screening as core_screening
from myomap.core.kb import KnowledgeBase, load_default
from myomap.core.medications import match_medications
from myomap.core.referral import InputError, scorer
from myomap.core.referral.inputs import check_drawing
from myomap.records.errors import Invalid
from myomap.records.guards import require_clinic, require_staff

MIN_OVERRIDE_REASON = 20


@dataclass(frozen=True)
class ClientData:
    given_name: str
    family_name: str
    date_of_birth: dt.date
    email: str = ""
    phone: str = ""
    treatment_consent: bool = False
    data_consent: bool = False


@dataclass(frozen=True)
class IntakeData:
    complaint: str
    pain_drawing: Mapping[str, int] = field(default_factory=dict)
    history: str = ""
    medications: str = ""
    red_flag_answers: Mapping[str, bool] = field(default_factory=dict)
    contraindication_answers: Mapping[str, bool] = field(default_factory=dict)
    factor_answers: Mapping[str, bool | int] = field(default_factory=dict)


@transaction.atomic
def create_client(ctx: Context, data: ClientData) -> Client:
    require_staff(ctx)
    if not data.given_name.strip() or not data.family_name.strip():
        raise Invalid("a client needs a given name and a family name", "given_name")
    today = timezone.localdate()
    if data.date_of_birth > today or data.date_of_birth.year < 1900:
        raise Invalid("the date of birth must be a real date in the past", "date_of_birth")
    now = timezone.now()
    client = Client.objects.create(
        clinic_id=ctx.user.clinic_id,
        given_name=data.given_name.strip(),
        family_name=data.family_name.strip(),
        date_of_birth=data.date_of_birth,
        email=data.email.strip(),
        phone=data.phone.strip(),
        treatment_consent_at=now if data.treatment_consent else None,
        data_consent_at=now if data.data_consent else None,
        created_by=ctx.user,
    )
    record(ctx, AuditEvent.Action.CREATE, client, summary="client created")
    return client


def screen_intake(intake: Intake) -> core_screening.Screening:
    """The safety screening of an intake's answers (pure; no write). A red flag resolved
    by a recorded referral or override stays on record but no longer blocks.

    Stored answers are read tolerantly: an id the knowledge base no longer has (a clinic
    may swap its knowledge folder) is skipped, except a red flag answered yes, which keeps
    blocking under its id, so an old record can always be shown and never loses a flag."""
    kb = load_default()
    flags = {k: v for k, v in intake.red_flag_answers.items() if k in kb.red_flags}
    contra = {k: v for k, v in intake.contraindication_answers.items() if k in kb.contraindications}
    result = core_screening.screen(
        kb, flags, contra, match_medications(kb, intake.medications), _reviewed(kb, intake)
    )
    retired = [k for k, v in intake.red_flag_answers.items() if v and k not in kb.red_flags]
    if retired:
        kept = tuple(
            core_screening.RedFlagHit(
                id=k,
                name=f"{k} (no longer in the knowledge base)",
                category="other",
                urgency="urgent",
                question="",
                action="Review this answer with the client: consider referral.",
            )
            for k in retired
        )
        result = dataclasses.replace(result, red_flags=kept + result.red_flags)
    if intake.clearance_note:
        result = result.with_clearance(intake.clearance_note)
    if intake.gate in (Intake.Gate.REFERRED, Intake.Gate.OVERRIDDEN):
        return result.clear(intake.gate_note)
    return result


@transaction.atomic
def record_intake(ctx: Context, client: Client, data: IntakeData) -> Intake:
    """Save the intake; a red flag closes the safety gate until a referral or an override."""
    require_clinic(ctx, client)
    if not data.complaint.strip():
        raise Invalid("say what brings the client in (the presenting complaint)", "complaint")
    try:
        drawing = check_drawing(data.pain_drawing, scorer().model)
    except InputError as exc:
        raise Invalid(str(exc), "pain_drawing") from None
    drawing = {region: intensity for region, intensity in drawing.items() if intensity > 0}
    kb = load_default()
    try:
        result = core_screening.screen(kb, data.red_flag_answers, data.contraindication_answers)
    except ValueError as exc:
        raise Invalid(str(exc), "red_flag_answers") from None
    try:
        core_factors.factor_profile(kb, data.factor_answers)
    except ValueError as exc:
        raise Invalid(str(exc), "factor_answers") from None
    intake = Intake.objects.create(
        client=client,
        recorded_by=ctx.user,
        complaint=data.complaint.strip(),
        pain_drawing=drawing,
        history=data.history.strip(),
        medications=data.medications.strip(),
        red_flag_answers={k: bool(v) for k, v in data.red_flag_answers.items()},
        contraindication_answers={k: bool(v) for k, v in data.contraindication_answers.items()},
        factor_answers=dict(data.factor_answers),
        gate=Intake.Gate.BLOCKED if result.blocked else Intake.Gate.CLEAR,
    )
    record(ctx, AuditEvent.Action.CREATE, intake, summary="intake recorded")
    if result.blocked:
        names = ", ".join(flag.name for flag in result.red_flags)
        record(ctx, AuditEvent.Action.BLOCK, intake, summary=f"red flag: {names}"[:300])
    return intake


def _close_gate_check(intake: Intake) -> None:
    if intake.gate != Intake.Gate.BLOCKED:
        raise Invalid("this intake has no open red flag to resolve", "gate")


def _open_gate(ctx: Context, intake: Intake, gate: str, text: str, action: str) -> Intake:
    """Resolve an open red flag: the gate's new state, the words that justify it, who and
    when, and the audit event, in one transaction (the callers are atomic)."""
    intake.gate, intake.gate_note = gate, text.strip()
    intake.gate_by, intake.gate_at = ctx.user, timezone.now()
    intake.save(update_fields=["gate", "gate_note", "gate_by", "gate_at"])
    record(ctx, action, intake, summary=text.strip())
    return intake


def _blocked_for_update(ctx: Context, intake: Intake) -> Intake:
    require_clinic(ctx, intake.client)
    intake = Intake.objects.select_for_update().get(pk=intake.pk)
    _close_gate_check(intake)
    return intake


@transaction.atomic
def record_referral(ctx: Context, intake: Intake, note: str) -> Intake:
    """The therapist referred the client on (to whom, how, when): the gate opens."""
    intake = _blocked_for_update(ctx, intake)
    if len(note.strip()) < 10:
        raise Invalid("say to whom and how the client was referred", "note")
    return _open_gate(ctx, intake, Intake.Gate.REFERRED, note, AuditEvent.Action.REFERRAL)


@transaction.atomic
def override_red_flag(ctx: Context, intake: Intake, reason: str) -> Intake:
    """Continue despite a red flag, with a written reason that stays on the record."""
    intake = _blocked_for_update(ctx, intake)
    if len(reason.strip()) < MIN_OVERRIDE_REASON:
        raise Invalid(
            "write the reason for overriding the red flag "
            f"(at least {MIN_OVERRIDE_REASON} characters)",
            "reason",
        )
    return _open_gate(ctx, intake, Intake.Gate.OVERRIDDEN, reason, AuditEvent.Action.OVERRIDE)


@transaction.atomic
def record_clearance(ctx: Context, intake: Intake, note: str) -> Intake:
    """The client's doctor cleared treatment despite an ask-doctor condition."""
    require_clinic(ctx, intake.client)
    intake = Intake.objects.select_for_update().get(pk=intake.pk)
    if not screen_intake(intake).needs_clearance:
        raise Invalid("this intake has no condition waiting for a doctor's clearance", "note")
    if len(note.strip()) < 10:
        raise Invalid("say who cleared the treatment and when", "note")
    intake.clearance_note = note.strip()
    intake.clearance_by, intake.clearance_at = ctx.user, timezone.now()
    intake.save(update_fields=["clearance_note", "clearance_by", "clearance_at"])
    record(ctx, AuditEvent.Action.CLEARANCE, intake, summary=note.strip())
    return intake


# ----------------------------------------------------------------------------- medications
def _reviewed(kb: KnowledgeBase, intake: Intake) -> dict[str, bool]:
    """The therapist's answers about the medicines the medications text names, read
    tolerantly (ids the knowledge base no longer has, and malformed rows, are skipped)."""
    known = set(kb.contraindications) | set(kb.red_flags)
    review = intake.medication_review if isinstance(intake.medication_review, dict) else {}
    return {
        target: row["answer"]
        for target, row in review.items()
        if target in known and isinstance(row, dict) and isinstance(row.get("answer"), bool)
    }


@transaction.atomic
def review_medication(ctx: Context, intake: Intake, target_id: str, answer: bool) -> Intake:
    """The therapist asked the client about a medicine the medications text names.

    `target_id` is the contraindication or red flag the medicine points to. For a
    contraindication, yes makes it apply as if its box were ticked and no drops it. For a
    red flag, yes records it as a yes answer, which closes the safety gate as any red flag
    does (until a referral or an override); no leaves it unasked. A yes already on the
    intake (a ticked box, a red flag recorded) cannot be taken back here."""
    require_clinic(ctx, intake.client)
    intake = Intake.objects.select_for_update().get(pk=intake.pk)
    if not isinstance(answer, bool):
        raise Invalid("answer yes (the client takes it) or no (they do not)", "answer")
    kb = load_default()
    matches = {m.target.id: m for m in match_medications(kb, intake.medications)}
    match = matches.get(target_id)
    if match is None:
        named = ", ".join(matches) or "nothing"
        raise Invalid(
            f"the medications text names no medicine for {target_id!r} (it names: {named})",
            "target",
        )
    flag = match.target.kind == "red-flag"
    answers = intake.red_flag_answers if flag else intake.contraindication_answers
    if answers.get(target_id) is True:
        raise Invalid(
            f"the intake already records '{match.target.name}' as yes, and that stays",
            "target",
        )
    intake.medication_review = {
        **(intake.medication_review if isinstance(intake.medication_review, dict) else {}),
        target_id: {"answer": answer, "by": ctx.user.pk, "at": timezone.now().isoformat()},
    }
    fields = ["medication_review"]
    blocks = flag and answer
    if blocks:
        # A confirmed red flag is a yes answer like any other: the gate closes again even
        # if an earlier referral or override resolved other flags.
        intake.red_flag_answers = {**intake.red_flag_answers, target_id: True}
        intake.gate = Intake.Gate.BLOCKED
        fields += ["red_flag_answers", "gate"]
    intake.save(update_fields=fields)
    said = "takes it" if answer else "does not take it"
    words = ", ".join(match.words)
    record(
        ctx,
        AuditEvent.Action.UPDATE,
        intake,
        summary=f"medication review: {words} ({match.target.name}): the client {said}"[:300],
    )
    if blocks:
        record(ctx, AuditEvent.Action.BLOCK, intake, summary=f"red flag: {match.target.name}"[:300])
    return intake
