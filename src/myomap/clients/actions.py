"""Named actions on clients and intakes, shared by the web UI, the JSON API and the CLI.
Each runs in one transaction and writes its audit events in it: all or nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent

# The safety gate's actions and the screening live in their own modules; they are named
# here too, so every surface finds the clients' actions in one place.
from myomap.clients.gate import (
    FLAG_CLEARANCE_FIELDS,
    GATE_FIELDS,
    MIN_OVERRIDE_REASON,
    FlagClearanceData,
    override_red_flag,
    reclosed,
    record_clearance,
    record_flag_clearance,
    record_referral,
    review_medication,
)
from myomap.clients.models import (
    CONSENT_HOWS,
    CONSENTS,
    Client,
    ClientRevision,
    Intake,
    IntakeRevision,
)
from myomap.clients.screening import screen_intake
from myomap.core import factors as core_factors
from myomap.core import screening as core_screening
from myomap.core.kb import load_default
from myomap.core.referral import InputError, scorer
from myomap.core.referral.inputs import check_drawing
from myomap.records.errors import Conflict, Invalid
from myomap.records.guards import require_clinic, require_staff

__all__ = [
    "MIN_OVERRIDE_REASON",
    "ClientData",
    "ConsentData",
    "Corrected",
    "FlagClearanceData",
    "IntakeData",
    "create_client",
    "override_red_flag",
    "record_clearance",
    "record_consent",
    "record_flag_clearance",
    "record_intake",
    "record_referral",
    "require_consent",
    "review_medication",
    "screen_intake",
    "update_client",
    "update_intake",
]

MIN_CORRECTION_REASON = 10
MAX_CONSENT_NOTE = 300


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
def create_client(ctx: Context, data: ClientData, *, key: str | None = None) -> Client:
    """Create a client. `key` (an API Idempotency-Key, counted per clinic) makes a retry
    harmless: the same key with the same data returns the client it created, unchanged
    and not audited again; with other data it is a Conflict naming the key."""
    require_staff(ctx)
    key, digest = _keyed(key, data)
    mine = Client.objects.filter(clinic_id=ctx.user.clinic_id)
    if (found := _created_before(mine, key, digest, "client")) is not None:
        return found
    fields = _client_fields(ctx, data) | _consent_fields(ctx, _ticked(data), "written")
    client, new = _create_once(
        mine,
        key,
        digest,
        "client",
        lambda: Client.objects.create(
            clinic_id=ctx.user.clinic_id,
            **fields,
            created_by=ctx.user,
            created_at=ctx.now,
            create_key=key,
            create_digest=digest,
        ),
    )
    if new:
        record(ctx, AuditEvent.Action.CREATE, client, summary="client created")
    return client


@transaction.atomic
def record_intake(
    ctx: Context, client: Client, data: IntakeData, *, key: str | None = None
) -> Intake:
    """Save the intake; a red flag closes the safety gate until a referral or an override.
    `key` (an API Idempotency-Key, counted per client) works as for `create_client`."""
    require_clinic(ctx, client)
    key, digest = _keyed(key, data)
    if (found := _created_before(client.intakes.all(), key, digest, "intake")) is not None:
        return found
    require_consent(client)
    fields, result = _intake_fields(data)
    intake, new = _create_once(
        client.intakes.all(),
        key,
        digest,
        "intake",
        lambda: Intake.objects.create(
            client=client,
            recorded_by=ctx.user,
            recorded_at=ctx.now,
            **fields,
            gate=Intake.Gate.BLOCKED if result.blocked else Intake.Gate.CLEAR,
            create_key=key,
            create_digest=digest,
        ),
    )
    if not new:
        return intake
    record(ctx, AuditEvent.Action.CREATE, intake, summary="intake recorded")
    if result.blocked:
        names = ", ".join(flag.name for flag in result.red_flags)
        record(ctx, AuditEvent.Action.BLOCK, intake, summary=f"red flag: {names}"[:300])
    return intake


# ----------------------------------------------------------------------------- idempotent creates
_Row = TypeVar("_Row", Client, Intake)


def _keyed(key: str | None, data: ClientData | IntakeData) -> tuple[str | None, str]:
    """The key as stored (None when there is none) and the digest of the data sent with it."""
    key = (key or "").strip()[:64] or None
    if key is None:
        return None, ""
    sent = json.dumps(asdict(data), sort_keys=True, default=str)
    return key, hashlib.sha256(sent.encode()).hexdigest()


def _created_before(
    rows: models.QuerySet[_Row], key: str | None, digest: str, what: str
) -> _Row | None:
    """The record among `rows` a request with this key created, if the data is the same."""
    found = None if key is None else rows.filter(create_key=key).first()
    if found is not None and found.create_digest != digest:
        raise Conflict(
            f"the Idempotency-Key {key!r} was used before with different data: send that "
            f"request's data again to get its {what}, or a new key for a new {what}",
            "Idempotency-Key",
        )
    return found


def _create_once(
    rows: models.QuerySet[_Row], key: str | None, digest: str, what: str, create: Callable[[], _Row]
) -> tuple[_Row, bool]:
    """The record `create` makes and True; or, when a request with the same key made one
    a moment ago (sent twice at once), that record and False."""
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        found = _created_before(rows, key, digest, what)
        if found is None:
            raise
        return found, False


# ----------------------------------------------------------------------------- consent
@dataclass(frozen=True)
class ConsentData:
    """Consent given by the client: which (treatment, health data or both), how (a
    signed form or said aloud) and a short note (e.g. "agreed by phone before the visit").
    Who recorded it and when come from the action's context."""

    treatment_consent: bool = False
    data_consent: bool = False
    how: str = "written"
    note: str = ""


def require_consent(client: Client) -> None:
    """Health data is recorded only for a client who consented to treatment and to the
    recording of their health data (in writing, or aloud with who took it and when).
    Read from the database, not from the caller's copy, which may predate the consent."""
    stored = Client.objects.only("treatment_consent_at", "data_consent_at").get(pk=client.pk)
    missing = stored.missing_consents
    if missing:
        words = " and ".join(f"{CONSENTS[name]} consent" for name in missing)
        raise Invalid(
            f"record the client's {words} first (written or verbal, on the client's page)",
            missing[0],
        )


@transaction.atomic
def record_consent(ctx: Context, client: Client, data: ConsentData) -> Client:
    """Record the consent the client gave. Recording a consent again (renewed, or verbal
    consent confirmed in writing) replaces it; the earlier record is kept as a revision."""
    require_clinic(ctx, client)
    given = [name for name in CONSENTS if getattr(data, name)]
    if not given:
        raise Invalid(
            "tick the consent the client gave: treatment, health data or both", "treatment_consent"
        )
    if data.how not in CONSENT_HOWS:
        raise Invalid("say how consent was given: written or verbal", "how")
    if len(data.note.strip()) > MAX_CONSENT_NOTE:
        raise Invalid(f"keep the note short (at most {MAX_CONSENT_NOTE} characters)", "note")
    client = Client.objects.select_for_update().get(pk=client.pk)
    changed = _consent_fields(ctx, given, data.how, data.note)
    _save_client_change(ctx, client, changed, data.note.strip() or "consent recorded")
    words = ", ".join(CONSENTS[name] for name in given)
    record(ctx, AuditEvent.Action.UPDATE, client, summary=f"consent recorded: {words} ({data.how})")
    return client


def _ticked(data: ClientData) -> list[str]:
    return [name for name in CONSENTS if getattr(data, name)]


def _consent_fields(ctx: Context, kinds: list[str], how: str, note: str = "") -> dict[str, object]:
    fields: dict[str, object] = {}
    for name in kinds:
        fields |= {
            f"{name}_at": ctx.now,
            f"{name}_by": ctx.user,
            f"{name}_how": how,
            f"{name}_note": note.strip(),
        }
    return fields


# ----------------------------------------------------------------------------- corrections
def _client_fields(ctx: Context, data: ClientData) -> dict[str, object]:
    """The checked identity and contact fields of a client, for a create or an update."""
    if not data.given_name.strip() or not data.family_name.strip():
        raise Invalid("a client needs a given name and a family name", "given_name")
    today = timezone.localdate(ctx.now)
    if data.date_of_birth > today or data.date_of_birth.year < 1900:
        raise Invalid("the date of birth must be a real date in the past", "date_of_birth")
    return {
        "given_name": data.given_name.strip(),
        "family_name": data.family_name.strip(),
        "date_of_birth": data.date_of_birth,
        "email": data.email.strip(),
        "phone": data.phone.strip(),
    }


def _intake_fields(data: IntakeData) -> tuple[dict[str, object], core_screening.Screening]:
    """The checked fields of an intake and their screening, for a record or a correction."""
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
    fields: dict[str, object] = {
        "complaint": data.complaint.strip(),
        "pain_drawing": drawing,
        "history": data.history.strip(),
        "medications": data.medications.strip(),
        "red_flag_answers": {k: bool(v) for k, v in data.red_flag_answers.items()},
        "contraindication_answers": {k: bool(v) for k, v in data.contraindication_answers.items()},
        "factor_answers": dict(data.factor_answers),
    }
    return fields, result


def _stored(value: object) -> object:
    """A field's value as the revision's JSON keeps it."""
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    if hasattr(value, "get_username"):
        return value.get_username()
    return value


def _differences(record_: object, fields: dict[str, object]) -> dict[str, object]:
    """The fields whose value changes. An answer set changes only if an answer does: a
    question answered "no" is the same as one left out."""

    def meaning(value: object) -> object:
        return {k: v for k, v in value.items() if v} if isinstance(value, dict) else value

    return {
        name: value
        for name, value in fields.items()
        if meaning(getattr(record_, name)) != meaning(value)
    }


def _save_client_change(
    ctx: Context, client: Client, changed: dict[str, object], reason: str
) -> ClientRevision:
    previous = {name: _stored(getattr(client, name)) for name in changed}
    for name, value in changed.items():
        setattr(client, name, value)
    client.save(update_fields=list(changed))
    return ClientRevision.objects.create(
        client=client,
        previous=previous,
        changed={name: _stored(value) for name, value in changed.items()},
        reason=reason.strip(),
        changed_by=ctx.user,
        changed_at=ctx.now,
    )


@transaction.atomic
def update_client(ctx: Context, client: Client, data: ClientData, reason: str = "") -> Client:
    """Correct a client's name, birth date or contact details; the old values are kept as
    a revision. A consent ticked in `data` that is not yet on record is recorded as
    written consent (as when the client was created); an unticked one is left as it is:
    a correction does not withdraw consent."""
    require_clinic(ctx, client)
    client = Client.objects.select_for_update().get(pk=client.pk)
    fields = _client_fields(ctx, data)
    new_consents = [name for name in _ticked(data) if name in client.missing_consents]
    changed = _differences(client, fields) | _consent_fields(ctx, new_consents, "written")
    if not changed:
        raise Invalid("nothing to correct: the details are as recorded", None)
    _save_client_change(ctx, client, changed, reason)
    summary = f"client corrected: {', '.join(changed)}" + (
        f" ({reason.strip()})" if reason.strip() else ""
    )
    record(ctx, AuditEvent.Action.UPDATE, client, summary=summary)
    return client


@dataclass(frozen=True)
class Corrected:
    """A corrected intake, and what its new screening did to the safety gate (or "")."""

    intake: Intake
    notice: str = ""


CLEARANCE_FIELDS = ("clearance_note", "clearance_by", "clearance_at")


@transaction.atomic
def update_intake(ctx: Context, intake: Intake, data: IntakeData, reason: str) -> Corrected:
    """Correct an intake (complaint, pain drawing, history, medications, answers), with a
    reason; the old values are kept as a revision, and the intake is screened again.

    A red flag newly answered yes closes the gate, as when the intake was recorded (a
    referral or override on record covered the earlier answers, not this one). A red flag
    corrected to no does not reopen a closed gate: the therapist still records a referral
    or an override. A new ask-doctor condition needs a new doctor's clearance."""
    require_clinic(ctx, intake.client)
    if len(reason.strip()) < MIN_CORRECTION_REASON:
        raise Invalid(
            f"say why the intake is corrected (at least {MIN_CORRECTION_REASON} characters)",
            "reason",
        )
    fields, result = _intake_fields(data)
    intake = Intake.objects.select_for_update().get(pk=intake.pk)
    changed = _differences(intake, fields)
    if not changed:
        raise Invalid("nothing to correct: the intake is as recorded", None)
    notices = []
    old_flags = {k for k, v in intake.red_flag_answers.items() if v}
    new_flags = {k for k, v in data.red_flag_answers.items() if v}
    newly_flagged = [hit for hit in result.red_flags if hit.id not in old_flags]
    if newly_flagged and intake.gate != Intake.Gate.BLOCKED:
        changed |= {k: v for k, v in reclosed().items() if getattr(intake, k) != v}
    if newly_flagged:
        notices.append(
            "A red flag is now answered yes: treatment planning is stopped until a referral "
            "or an override with a reason is recorded."
        )
    elif old_flags - new_flags and intake.gate in Intake.CLOSED:
        notices.append(
            "The red flag answers changed, but the safety gate stays closed: record a "
            "referral, or an override saying why, to go on."
        )
    old_conditions = {k for k, v in intake.contraindication_answers.items() if v}
    new_doctor = [
        hit
        for hit in result.contraindications
        if hit.id not in old_conditions and hit.level == "ask-doctor"
    ]
    if new_doctor and intake.clearance_note:
        changed |= dict(zip(CLEARANCE_FIELDS, ("", None, None), strict=True))
        notices.append(
            "A new condition needs the doctor's clearance: the earlier clearance no longer "
            "covers the intake; record the doctor's answer again."
        )
    previous = {name: _stored(getattr(intake, name)) for name in changed}
    for name, value in changed.items():
        setattr(intake, name, value)
    intake.save(update_fields=list(changed))
    IntakeRevision.objects.create(
        intake=intake,
        previous=previous,
        changed={name: _stored(value) for name, value in changed.items()},
        reason=reason.strip(),
        changed_by=ctx.user,
        changed_at=ctx.now,
    )
    gate_fields = (*GATE_FIELDS, *FLAG_CLEARANCE_FIELDS, *CLEARANCE_FIELDS)
    fields_named = ", ".join(name for name in changed if name not in gate_fields)
    record(
        ctx,
        AuditEvent.Action.UPDATE,
        intake,
        summary=f"intake corrected: {fields_named}: {reason.strip()}"[:300],
    )
    if newly_flagged:
        names = ", ".join(flag.name for flag in newly_flagged)
        record(ctx, AuditEvent.Action.BLOCK, intake, summary=f"red flag: {names}"[:300])
    return Corrected(intake, " ".join(notices))
