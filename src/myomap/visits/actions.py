"""Named actions on visits: findings, the plan and the note. Shared by web, API and CLI;
each runs in one transaction with its audit events, and stamps its rows with `ctx.now`.

Once the visit's note is signed the visit is read-only: a finding or plan change is
refused until an amendment is started, and then each change is written into the
amendment's `changes`, so the signed history says what changed and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients import queries as client_queries
from myomap.clients.actions import require_consent
from myomap.clients.models import Client, Intake
from myomap.clients.screening import screen_intake
from myomap.core import planning as core_planning
from myomap.core import steps as core_steps
from myomap.core.kb import load_default
from myomap.core.steps import StepInput
from myomap.core.vocab import TEST_RESULTS, TEST_SIDES
from myomap.records.errors import Conflict, GateClosed, Invalid, Locked
from myomap.records.guards import require_clinic
from myomap.visits import queries, recorded, session_queries
from myomap.visits.models import (
    MovementFinding,
    Note,
    NoteVersion,
    PalpationFinding,
    PlanStep,
    Visit,
)

# The edited plan's step: one shape for the web form, the API and the command line.
StepData = StepInput


def _gate(intake: Intake) -> None:
    """A red flag on ANY of the client's intakes stops planning until it is resolved; the
    reason is the one the intake page and the API show (`clients.queries.gate`)."""
    answer = client_queries.gate(intake)
    if not answer.allows_visit:
        raise GateClosed(answer.reason or "the safety gate is closed", "gate")


def lock_visit(ctx: Context, visit: Visit, *, consent: bool = True) -> None:
    """Every write to a visit (findings, plan, note) first locks the visit's row, so two
    writes to one visit queue: a plan saved twice at once is not stored twice, and a
    change cannot slip in while the note is being signed. `consent=False` for a write
    that must not wait for consent (taking an error out of the record)."""
    require_clinic(ctx, visit.client)
    Visit.objects.select_for_update().only("pk").get(pk=visit.pk)
    if consent:
        require_consent(visit.client)


def writable(ctx: Context, visit: Visit) -> NoteVersion | None:
    """Refuse a change to a signed visit; return its unsigned note version, if any, which
    learns of the change (`record_changed`). Read under the visit's lock (`lock_visit`)."""
    lock_visit(ctx, visit)
    latest = queries.latest_version(visit)
    if latest is not None and latest.is_signed:
        raise Locked(
            "the visit's note is signed, so its record is read-only: "
            "amend the note to change it (the amendment records what changed)"
        )
    return latest


def record_changed(draft: NoteVersion | None, what: str) -> None:
    """The record changed under an unsigned note: its text may no longer match (it says so
    until the text is redrafted or saved again); an amendment also lists the change."""
    if draft is None:
        return
    # A new revision: a note form opened before the change can no longer be saved or
    # signed unseen (its revision is stale); the page then shows what changed.
    draft.record_changed = True
    draft.revision += 1
    fields = ["record_changed", "revision"]
    if draft.number > 1:
        draft.changes = [*draft.changes, what]
        fields.append("changes")
    draft.save(update_fields=fields)


@transaction.atomic
def start_visit(ctx: Context, client: Client, intake: Intake, *, key: str | None = None) -> Visit:
    """Start a visit from an intake. `key` (the start form's one-time key, or an API
    Idempotency-Key) makes a repeat harmless: the same key returns the same visit."""
    require_clinic(ctx, client)
    if intake.client_id != client.pk:
        raise Invalid("that intake belongs to another client", "intake")
    require_consent(client)  # an intake from before consent was required starts no visit
    key = (key or "").strip()[:64] or None
    if key is not None:
        # A key counts per intake: the same key on another intake (or clinic) is unrelated.
        found = Visit.objects.filter(intake=intake, start_key=key).first()
        if found is not None:
            return found
    _gate(intake)
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                client=client, intake=intake, therapist=ctx.user, started_at=ctx.now, start_key=key
            )
    except IntegrityError:
        # The same key a moment ago, from a second click: take that visit.
        return Visit.objects.get(intake=intake, start_key=key)
    record(ctx, AuditEvent.Action.CREATE, visit, summary="visit started")
    return visit


@transaction.atomic
def delete_visit(ctx: Context, visit: Visit) -> None:
    """Delete a visit started by mistake. Only an empty one: nothing recorded, no note."""
    require_clinic(ctx, visit.client)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if not queries.is_empty(visit):
        raise Conflict(
            "only an empty visit can be deleted: this one has findings, a plan or a note",
            "visit",
        )
    record(
        ctx,
        AuditEvent.Action.DELETE,
        visit,
        summary=f"empty visit of {visit.started_at:%Y-%m-%d %H:%M} deleted",
    )
    visit.delete()


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
    draft = writable(ctx, visit)
    kb = load_default()
    problems = core_steps.check_palpation(kb, data.trigger_point, data.side, data.tender, data.ppt)
    if problems:
        raise Invalid("; ".join(m for _, m in problems), problems[0][0])
    earlier = PalpationFinding.objects.filter(
        visit=visit, trigger_point=data.trigger_point, side=data.side
    ).first()
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
            "recorded_at": ctx.now,
        },
    )
    action = AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE
    name = f"{kb.trigger_points[data.trigger_point].name} ({data.side})"
    record(ctx, action, finding, client=visit.client, summary=f"palpation of {name}")
    if draft is not None:
        after = ", ".join(recorded.palpation_of(finding).signs) or "no signs"
        before = ", ".join(recorded.palpation_of(earlier).signs) if earlier else "not examined"
        record_changed(draft, f"Palpation of {name}: {before or 'no signs'} → {after}")
    return finding


@transaction.atomic
def record_movement(
    ctx: Context, visit: Visit, test: str, side: str, result: str, note: str = ""
) -> MovementFinding:
    draft = writable(ctx, visit)
    if test not in load_default().exam_tests:
        raise Invalid(f"unknown examination test {test!r}", "test")
    if side not in TEST_SIDES:
        raise Invalid("side must be left, right or empty", "side")
    if result not in TEST_RESULTS:
        raise Invalid("result must be positive or negative", "result")
    finding, created = MovementFinding.objects.update_or_create(
        visit=visit,
        test=test,
        side=side,
        defaults={"result": result, "note": note.strip()[:300], "recorded_at": ctx.now},
    )
    action = AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE
    what = f"{test} {side} {result}".replace("  ", " ")
    record(ctx, action, finding, client=visit.client, summary=what)
    on = f" ({side})" if side else ""
    name = load_default().exam_tests[test].name
    record_changed(draft, f"{name}{on}: {result}" + (f" ({finding.note})" if finding.note else ""))
    return finding


def _replace_plan(visit: Visit, checked: Sequence[core_steps.CheckedStep]) -> list[PlanStep]:
    """The one way a plan is stored: the old steps go, the new ones are numbered 1..n."""
    visit.plan_steps.all().delete()
    return PlanStep.objects.bulk_create(
        PlanStep.from_core(visit, order, step) for order, step in enumerate(checked, start=1)
    )


def planning_screening(visit: Visit) -> Any:
    """The screening planning works from; refused while the gate is closed or a doctor's
    clearance is awaited, saying why."""
    # The client's intakes are locked while the plan is made, so a red flag recorded on
    # one of them at the same moment waits for this write (or this write sees it).
    list(Intake.objects.select_for_update().filter(client_id=visit.client_id).only("pk"))
    refusal = queries.planning_waits(visit)
    if refusal is not None:
        raise GateClosed(refusal, "gate")
    return screen_intake(visit.intake)


@transaction.atomic
def propose_plan(ctx: Context, visit: Visit) -> core_planning.Plan:
    """Replace the visit's plan with one proposed from the findings and the screening."""
    draft = writable(ctx, visit)
    screening = planning_screening(visit)
    kb = load_default()
    plan = core_planning.propose_plan(
        kb,
        candidates=recorded.candidates(visit),
        palpation=recorded.palpation(visit),
        screening=screening,
    )
    inputs = [core_steps.from_proposal(step) for step in plan.steps]
    _replace_plan(visit, core_steps.checked(kb, inputs, screening))
    visit.plan_excluded = [list(e) for e in plan.excluded]
    visit.save(update_fields=["plan_excluded"])
    what = f"plan proposed: {len(plan.steps)} steps"
    record(ctx, AuditEvent.Action.UPDATE, visit, summary=what)
    record_changed(draft, f"Plan proposed again from the findings: {len(plan.steps)} steps")
    return plan


@transaction.atomic
def save_plan(ctx: Context, visit: Visit, steps: Sequence[StepInput]) -> list[PlanStep]:
    """Save the therapist's edited plan in place of the old one. Techniques the screening
    rules out, pressure above what it allows, unknown points or sides and doses outside the
    documented range are refused, every problem at once; each step's safety notes are
    recomputed, never taken from the input."""
    draft = writable(ctx, visit)
    screening = planning_screening(visit)
    kb = load_default()
    problems = core_steps.check_steps(kb, steps, screening)
    if problems:
        raise Invalid(
            "; ".join(p.message for p in problems),
            problems[0].field,
            [(p.index, p.field, p.text or p.message) for p in problems],
        )
    saved = _replace_plan(visit, core_steps.checked(kb, steps, screening))
    kept = {(s.trigger_point, s.side) for s in steps}
    visit.plan_excluded = [e for e in visit.plan_excluded if (e[0], e[1]) not in kept]
    visit.save(update_fields=["plan_excluded"])
    what = f"plan saved: {len(saved)} steps"
    record(ctx, AuditEvent.Action.UPDATE, visit, summary=what)
    record_changed(draft, f"Plan edited: {len(saved)} steps")
    return saved


# ----------------------------------------------------------------------------- notes
def _locked_note(ctx: Context, visit: Visit, *, create: bool = False) -> Note | None:
    """The visit's note, its row locked so concurrent drafts and amendments queue."""
    note = Note.objects.select_for_update().filter(visit=visit).first()
    if note is None and create:
        try:
            with transaction.atomic():
                Note.objects.create(visit=visit, created_at=ctx.now)
        except IntegrityError:
            pass  # someone created it a moment ago: take theirs
        note = Note.objects.select_for_update().get(visit=visit)
    return note


@transaction.atomic
def draft_note(ctx: Context, visit: Visit, *, revision: int | None = None) -> NoteVersion:
    """Write the SOAP draft from what was recorded. Replacing an existing unsigned draft
    needs the `revision` the person is looking at, so hand edits made since are never
    overwritten silently; a signed note is never touched (amend it instead)."""
    lock_visit(ctx, visit)
    note = _locked_note(ctx, visit, create=True)
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
        version = NoteVersion.objects.create(
            note=note, number=1, author=ctx.user, created_at=ctx.now, updated_at=ctx.now, **fields
        )
        record(ctx, AuditEvent.Action.CREATE, version, summary="note drafted")
    else:
        for name, value in fields.items():
            setattr(version, name, value)
        version.revision += 1
        version.updated_at = ctx.now
        version.record_changed = False
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
    lock_visit(ctx, visit)
    version = _open_version(ctx, visit)
    if version.revision != revision:
        if version.record_changed:
            raise Conflict(
                "the visit's record changed since you opened this note: your text is kept "
                "below; check it against the record (or redraft it), then save again"
            )
        raise Conflict(
            "someone else saved this note since you opened it: reload to see their changes, "
            "then make yours again"
        )
    version.subjective, version.objective = subjective, objective
    version.assessment, version.plan = assessment, plan
    version.revision += 1
    version.updated_at = ctx.now
    version.author = ctx.user
    version.record_changed = False  # the person saved the text as they see it
    version.save()
    record(ctx, AuditEvent.Action.UPDATE, version, summary=f"note version {version.number} edited")
    return version


@transaction.atomic
def sign_note(ctx: Context, visit: Visit, *, revision: int) -> NoteVersion:
    lock_visit(ctx, visit)
    version = _open_version(ctx, visit)
    if version.revision != revision:
        raise Conflict("the note changed since you read it: reload and check it before signing")
    if not any(
        getattr(version, f).strip() for f in ("subjective", "objective", "assessment", "plan")
    ):
        raise Invalid("an empty note cannot be signed", "subjective")
    if session_queries.open_run(visit) is not None:
        # The running session still writes the record: a note signed now would miss what
        # it does next, and lock the record so the session could never end.
        raise Conflict(
            "a guided session of this visit is still running: end the session first, "
            "then sign the note",
            "session",
        )
    if version.record_changed:
        raise Conflict(
            "the visit's record changed since this text was written: redraft it from the "
            "record, or check the text and save it, then sign",
            "revision",
        )
    version.signed_at, version.signed_by = ctx.now, ctx.user
    version.save(update_fields=["signed_at", "signed_by"])
    record(ctx, AuditEvent.Action.SIGN, version, summary=f"note version {version.number} signed")
    return version


@transaction.atomic
def amend_note(ctx: Context, visit: Visit, reason: str) -> NoteVersion:
    """Start a new version of a signed note; the signed one stays readable in the history."""
    lock_visit(ctx, visit)
    note = _locked_note(ctx, visit)
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
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    record(ctx, AuditEvent.Action.AMEND, version, summary=reason.strip())
    return version


def _open_version(ctx: Context, visit: Visit) -> NoteVersion:
    note = _locked_note(ctx, visit)
    if note is None:
        raise Invalid("there is no note yet: draft it first", "note")
    version = note.versions.order_by("-number").first()
    if version is None:
        raise Invalid("there is no note yet: draft it first", "note")
    if version.is_signed:
        raise Locked("the note is signed and locked: amend it to change it")
    return version
