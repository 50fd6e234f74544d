"""Named actions on an intake's safety gate: a referral, a medical clearance of a red
flag, an override with a reason, a doctor's clearance of an ask-doctor condition, and the
therapist's review of the medicines the medications text names. Each runs in one
transaction with its audit events; `now` comes from the action context."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.models import Intake
from myomap.clients.screening import screen_intake
from myomap.core import screening as core_screening
from myomap.core.kb import load_default
from myomap.core.medications import match_medications
from myomap.records.errors import Invalid
from myomap.records.guards import require_clinic

MIN_OVERRIDE_REASON = 20
GATE_FIELDS = ("gate", "gate_note", "gate_by", "gate_at")
FLAG_CLEARANCE_FIELDS = (
    "flag_clearance_from",
    "flag_clearance_on",
    "flag_clearance_note",
    "flag_clearance_by",
    "flag_clearance_at",
)


def reclosed() -> dict[str, object]:
    """The gate's fields when a new red flag closes it again: blocked, and no referral or
    clearance on it (those were about the earlier flags; the audit log and the intake's
    revisions keep them)."""
    return {
        "gate": Intake.Gate.BLOCKED,
        **dict.fromkeys(("gate_note", "flag_clearance_from", "flag_clearance_note"), ""),
        **dict.fromkeys(("gate_by", "gate_at", "flag_clearance_on", "flag_clearance_by"), None),
        "flag_clearance_at": None,
    }


def _open_gate(ctx: Context, intake: Intake, gate: str, text: str, action: str) -> Intake:
    """Move the gate on: its new state, the words that justify it, who and when, and the
    audit event, in one transaction (the callers are atomic)."""
    intake.gate, intake.gate_note = gate, text.strip()
    intake.gate_by, intake.gate_at = ctx.user, ctx.now
    intake.save(update_fields=["gate", "gate_note", "gate_by", "gate_at"])
    record(ctx, action, intake, summary=text.strip())
    return intake


def _closed_for_update(ctx: Context, intake: Intake, *states: str) -> Intake:
    require_clinic(ctx, intake.client)
    intake = Intake.objects.select_for_update().get(pk=intake.pk)
    if intake.gate not in (states or Intake.CLOSED):
        raise Invalid("this intake has no open red flag to resolve", "gate")
    return intake


@transaction.atomic
def record_referral(ctx: Context, intake: Intake, note: str) -> Intake:
    """The therapist referred the client on (to whom, how, when). A routine red flag's
    gate opens; an emergency or urgent one still stops treatment, waiting for a medical
    clearance (`record_flag_clearance`) or an override with a reason."""
    intake = _closed_for_update(ctx, intake, Intake.Gate.BLOCKED)
    if len(note.strip()) < 10:
        raise Invalid("say to whom and how the client was referred", "note")
    urgency = screen_intake(intake).urgency
    gate = (
        Intake.Gate.REFERRED
        if core_screening.referral_opens_gate(urgency)
        else Intake.Gate.AWAITING
    )
    return _open_gate(ctx, intake, gate, note, AuditEvent.Action.REFERRAL)


@dataclass(frozen=True)
class FlagClearanceData:
    """A clinician's clearance to treat after an emergency or urgent red flag."""

    cleared_by: str  # who cleared: "Dr Patel, St Mary's emergency department"
    cleared_on: dt.date  # when they said it
    said: str  # what they said: "MRI normal, no cauda equina; massage is fine"


@transaction.atomic
def record_flag_clearance(ctx: Context, intake: Intake, data: FlagClearanceData) -> Intake:
    """Record the medical clearance an emergency or urgent red flag waits for: the gate
    opens, and the clearance stays on the intake, in the screening and in the note."""
    intake = _closed_for_update(ctx, intake)
    if len(data.cleared_by.strip()) < 3:
        raise Invalid("say who cleared the treatment (name and role or service)", "cleared_by")
    if data.cleared_on > timezone.localdate(ctx.now):
        raise Invalid("the clearance date cannot be in the future", "cleared_on")
    if data.cleared_on < intake.recorded_at.date():
        raise Invalid("the clearance date is before the intake was recorded", "cleared_on")
    if len(data.said.strip()) < 10:
        raise Invalid("write what the clinician said (their findings and advice)", "said")
    intake.flag_clearance_from = data.cleared_by.strip()[:200]
    intake.flag_clearance_on = data.cleared_on
    intake.flag_clearance_note = data.said.strip()
    intake.flag_clearance_by, intake.flag_clearance_at = ctx.user, ctx.now
    if intake.gate == Intake.Gate.BLOCKED:
        intake.gate_note = "(no referral recorded before the clearance)"
    intake.gate, intake.gate_by, intake.gate_at = Intake.Gate.CLEARED, ctx.user, ctx.now
    intake.save(
        update_fields=[
            "flag_clearance_from",
            "flag_clearance_on",
            "flag_clearance_note",
            "flag_clearance_by",
            "flag_clearance_at",
            "gate",
            "gate_note",
            "gate_by",
            "gate_at",
        ]
    )
    summary = f"red flag cleared by {intake.flag_clearance_from}: {intake.flag_clearance_note}"
    record(ctx, AuditEvent.Action.CLEARANCE, intake, summary=summary[:300])
    return intake


@transaction.atomic
def override_red_flag(ctx: Context, intake: Intake, reason: str) -> Intake:
    """Continue despite a red flag, with a written reason that stays on the record."""
    intake = _closed_for_update(ctx, intake)
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
    intake.clearance_by, intake.clearance_at = ctx.user, ctx.now
    intake.save(update_fields=["clearance_note", "clearance_by", "clearance_at"])
    record(ctx, AuditEvent.Action.CLEARANCE, intake, summary=note.strip())
    return intake


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
        target_id: {"answer": answer, "by": ctx.user.pk, "at": ctx.now.isoformat()},
    }
    fields = ["medication_review"]
    blocks = flag and answer
    if blocks:
        # A confirmed red flag is a yes answer like any other: the gate closes again even
        # if an earlier referral or override resolved other flags.
        intake.red_flag_answers = {**intake.red_flag_answers, target_id: True}
        for name, value in reclosed().items():
            setattr(intake, name, value)
        fields += ["red_flag_answers", *reclosed()]
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
