"""Shared API schemas: the strict input base, errors, and the client and intake shapes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    StrictBool,
    StrictInt,
    field_validator,
)

from myomap.clients.models import ConsentHow
from myomap.core import factors
from myomap.core.kb import KnowledgeBase, load_default
from myomap.core.referral import scorer
from myomap.records.text import TEXT_PATTERN, check_text, shorten

# Ids are bigint columns and revisions int columns: a larger number is refused (422), not
# sent to the database (where it overflows).
MAX_ID = 2**63 - 1
MAX_REVISION = 2**31 - 1
MAX_PAGE = 2**31 - 1
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
Revision = Annotated[int, Field(ge=1, le=MAX_REVISION)]


def _iso_day(value: object) -> object:
    """A date is written YYYY-MM-DD: a number is not taken as seconds since 1970."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-":
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


# Strict types: `"yes"` or `1` is not a yes, `0` is not a date.
Day = Annotated[dt.date, BeforeValidator(_iso_day)]
Flag = StrictBool
# One string of a query: the same characters refused as in a request body.
QueryText = Annotated[str, Field(max_length=100), AfterValidator(check_text)]


def ids_of(
    ids: Callable[[KnowledgeBase], Iterable[str]], *, keys: bool = False
) -> Callable[[dict[str, Any]], None]:
    """The knowledge base's ids a field takes (or, with `keys`, a dict's keys), written into
    the OpenAPI description when it is built, so a client generating requests from it sends
    known ids. The actions still check them (400 naming the field)."""

    def document(schema: dict[str, Any]) -> None:
        known = {"enum": sorted(ids(load_default()))}
        if keys:
            schema["propertyNames"] = known
        else:
            schema.update(known)

    return document


def _document_text(schema: dict[str, Any], _model: type) -> None:
    """Write the refused characters into the OpenAPI description of every string field."""
    for prop in schema.get("properties", {}).values():
        for one in [prop, *prop.get("anyOf", [])]:
            if one.get("type") == "string" and not {"enum", "const", "format"} & one.keys():
                one.setdefault("pattern", TEXT_PATTERN)


def _walk_text(value: object) -> None:
    if isinstance(value, str):
        check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk_text(key)
            _walk_text(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _walk_text(item)


class Input(Schema):
    """Every request body: unknown fields are an error, not silently dropped, and no string
    (a dict's keys included) holds a control character or NUL: tabs and line breaks only."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_document_text)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        _walk_text(value)
        return value


class ErrorOut(Schema):
    detail: str
    field: str | None = None


class Problem(Schema):
    loc: list[str | int] = Field(description="where: body, query or path, then the field")
    msg: str
    type: str


class InvalidOut(Schema):
    detail: list[Problem]


# The answers any endpoint may give: no or wrong credentials; input that does not fit the
# schema. For the OpenAPI description.
ALWAYS: dict[int, Any] = {401: ErrorOut, 422: InvalidOut}
# ... and those every object endpoint may give.
ERRORS: dict[int, Any] = ALWAYS | {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# ----------------------------------------------------------------------------- clients
BORN = "YYYY-MM-DD, from 1900-01-01 to today (400 otherwise)"


class ClientIn(Input):
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: Day = Field(description=BORN)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    treatment_consent: Flag = False
    data_consent: Flag = False

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return _checked_email(value)


def _checked_email(value: str) -> str:
    if value.strip():
        try:
            validate_email(value.strip())
        except ValidationError:
            raise ValueError("not a valid e-mail address") from None
    return value


class ClientOut(Schema):
    id: int
    given_name: str
    family_name: str
    date_of_birth: dt.date
    email: str
    phone: str
    treatment_consent_at: dt.datetime | None
    data_consent_at: dt.datetime | None
    created_at: dt.datetime


class ClientPage(Schema):
    items: list[ClientOut]
    count: int
    page: int
    pages: int


class IntakeSummary(Schema):
    id: int
    recorded_at: dt.datetime
    complaint: str
    gate: str


class VisitSummary(Schema):
    id: int
    client_id: int
    intake_id: int
    therapist: str
    started_at: dt.datetime

    @staticmethod
    def resolve_therapist(obj: object) -> str:
        therapist = getattr(obj, "therapist", None)
        return therapist.get_username() if therapist is not None else ""


class ConsentRecordOut(Schema):
    given: bool
    at: dt.datetime | None
    by: str | None
    how: str
    note: str


class ConsentOut(Schema):
    treatment: ConsentRecordOut
    data: ConsentRecordOut


class ClientDetailOut(ClientOut):
    consent: ConsentOut
    intakes: list[IntakeSummary]
    visits: list[VisitSummary]

    @staticmethod
    def resolve_consent(obj: Any) -> dict[str, Any]:
        def one(name: str) -> dict[str, Any]:
            by = getattr(obj, f"{name}_consent_by")
            return {
                "given": getattr(obj, f"{name}_consent_at") is not None,
                "at": getattr(obj, f"{name}_consent_at"),
                "by": by.get_username() if by is not None else None,
                "how": getattr(obj, f"{name}_consent_how"),
                "note": getattr(obj, f"{name}_consent_note"),
            }

        return {"treatment": one("treatment"), "data": one("data")}


class ClientPatchIn(Input):
    """The fields to correct; those left out keep their value."""

    given_name: str | None = Field(None, min_length=1, max_length=100)
    family_name: str | None = Field(None, min_length=1, max_length=100)
    date_of_birth: Day | None = Field(None, description=BORN)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    reason: str = Field("", max_length=300, description="why the details are corrected")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return _checked_email(value) if value is not None else None


class ConsentIn(Input):
    treatment_consent: Flag = False
    data_consent: Flag = False
    how: ConsentHow = Field(description="written (a signed form) or verbal (said aloud)")
    note: str = Field("", max_length=300, description="e.g. how and where it was given")


# ----------------------------------------------------------------------------- intakes
def _drawing(schema: dict[str, Any]) -> None:
    ids_of(lambda _kb: scorer().model.regions, keys=True)(schema)
    schema["additionalProperties"] = {"type": "integer", "minimum": 0, "maximum": 10}


class IntakeIn(Input):
    complaint: str = Field(min_length=1, max_length=5000)
    pain_drawing: dict[str, int] = Field(
        default_factory=dict,
        description="body-map region id -> intensity 0..10",
        json_schema_extra=_drawing,
    )
    history: str = Field("", max_length=10000)
    medications: str = Field("", max_length=5000)
    red_flag_answers: dict[str, Flag] = Field(
        default_factory=dict,
        description="red flag id -> yes/no",
        json_schema_extra=ids_of(lambda kb: kb.red_flags, keys=True),
    )
    contraindication_answers: dict[str, Flag] = Field(
        default_factory=dict,
        description="contraindication id -> yes/no",
        json_schema_extra=ids_of(lambda kb: kb.contraindications, keys=True),
    )
    factor_answers: dict[str, Flag | StrictInt] = Field(
        default_factory=dict,
        description="intake question id -> yes/no or 0..3",
        json_schema_extra=ids_of(lambda kb: (q.id for q in factors.questions(kb)), keys=True),
    )

    @field_validator("pain_drawing")
    @classmethod
    def _intensities(cls, drawing: dict[str, int]) -> dict[str, int]:
        wrong = sorted(region for region, value in drawing.items() if not 0 <= value <= 10)
        if wrong:
            raise ValueError(f"intensity must be 0-10 (regions: {shorten(', '.join(wrong))})")
        return drawing


class IntakeCorrectionIn(IntakeIn):
    """The whole corrected intake (send every field: one left out is emptied) and why."""

    reason: str = Field(min_length=1, max_length=2000, description="why the intake is corrected")


class ReferralIn(Input):
    note: str = Field(
        min_length=1, max_length=5000, description="to whom and how the client was referred"
    )


class ClearanceIn(Input):
    note: str = Field(
        min_length=1, max_length=5000, description="who cleared the treatment, when, any limits"
    )


class FlagClearanceIn(Input):
    cleared_by: str = Field(
        min_length=1, max_length=200, description="who cleared: name and role or service"
    )
    cleared_on: Day = Field(
        description="the day they cleared the treatment, YYYY-MM-DD: from the intake's day "
        "to today (400 otherwise)"
    )
    said: str = Field(min_length=1, max_length=5000, description="what they said")


class OverrideIn(Input):
    reason: str = Field(
        min_length=1, max_length=5000, description="why treatment goes on despite the red flag"
    )


class RedFlagOut(Schema):
    id: str
    name: str
    category: str
    urgency: str
    question: str
    action: str


class ContraindicationOut(Schema):
    id: str
    name: str
    level: str
    question: str
    note: str | None


class TechniqueRuleOut(Schema):
    technique: str
    technique_name: str
    effect: str
    how: str | None
    because_id: str
    because_name: str
    level: str
    local_only: bool


class TechniqueStatusOut(Schema):
    technique: str
    allowed: bool
    modifications: list[str]
    reasons: list[str]


class MedicationMatchOut(Schema):
    drug_class: str
    class_name: str
    plain: str
    words: list[str]
    target_kind: str = Field(description="contraindication or red-flag")
    target_id: str
    target_name: str
    answer: bool | None = Field(description="the therapist's review; null: not asked yet")
    question: str


class MedicationReviewIn(Input):
    target: str = Field(
        min_length=1, max_length=100, description="the contraindication or red flag id"
    )
    answer: Flag = Field(description="true: the client takes it; false: they do not")


class ScreeningOut(Schema):
    headline: str
    blocked: bool
    urgency: str | None
    postpone: bool
    needs_clearance: bool
    clearance: str | None
    red_flags: list[RedFlagOut]
    contraindications: list[ContraindicationOut]
    technique_rules: list[TechniqueRuleOut]
    techniques: list[TechniqueStatusOut]
    medication_matches: list[MedicationMatchOut] = Field(
        description="medicines the medications text names, to confirm with the client"
    )


class MedicalClearanceOut(Schema):
    cleared_by: str
    cleared_on: dt.date
    said: str
    recorded_by: str | None
    recorded_at: dt.datetime | None


class GateOut(Schema):
    state: str = Field(description="clear, blocked, awaiting, referred, cleared or overridden")
    state_words: str
    allows_visit: bool = Field(
        description="a visit may start: no red flag open on any of the client's intakes"
    )
    allows_planning: bool = Field(
        description="a plan may be made: as allows_visit, and no doctor's clearance awaited"
    )
    why_not: str | None = Field(description="why planning is stopped, in words")
    note: str = Field(description="the referral made, or the override's reason")
    by: str | None
    at: dt.datetime | None
    medical_clearance: MedicalClearanceOut | None


class FactorOut(Schema):
    factor: str
    name: str
    level: str
    points: float
    reasons: list[str]


class IntakeOut(Schema):
    id: int
    client_id: int
    recorded_at: dt.datetime
    recorded_by: str
    complaint: str
    pain_drawing: dict[str, int]
    history: str
    medications: str
    red_flag_answers: dict[str, bool]
    contraindication_answers: dict[str, bool]
    factor_answers: dict[str, bool | int]
    gate: GateOut
    screening: ScreeningOut
    factors: list[FactorOut]


class IntakeCorrectedOut(IntakeOut):
    notice: str = Field(description="what the new screening did to the safety gate, if anything")
