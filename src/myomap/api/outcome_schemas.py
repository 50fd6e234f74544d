"""Schemas for outcomes: a questionnaire response in and out, and the change from a
client's baseline to their latest score per instrument."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AwareDatetime, StrictInt

from myomap.api.schemas import Input, RecordId, ids_of

# Whether the answers can be scored (the item's range, required items, how many may be
# blank) is the core's to say, through the action: a 400 naming the item, the same
# words the web form shows. Here only their shape: whole numbers or null, in item order.
Answer = Annotated[StrictInt, Field(ge=-1000, le=1000)] | None
MAX_ITEMS = 50


class _Answered(Input):
    instrument: str = Field(
        description="instrument id from the knowledge base",
        json_schema_extra=ids_of(lambda kb: kb.instruments),
    )
    answers: list[Answer] = Field(
        max_length=MAX_ITEMS,
        description="one answer per item in item order (null: unanswered); "
        "RMDQ 24 of 0/1, ODI 10 sections 0-5, ...",
    )
    activities: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="PSFS: the activities in the client's own words, one per item",
    )
    taken_at: AwareDatetime | None = Field(
        None, description="when it was answered (with a time zone); now if not given"
    )


class OutcomeIn(_Answered):
    visit_id: RecordId | None = Field(None, description="the visit it was taken at")


class VoidIn(Input):
    reason: str = Field(
        max_length=300,
        description="why it is voided (at least 10 characters): kept with the response",
    )


class CorrectionIn(_Answered):
    """The corrected answers; taken at the voided response's visit, and when it was
    answered unless `taken_at` says otherwise."""

    reason: str = Field(
        max_length=300,
        description="why it is corrected (at least 10 characters): kept with the voided one",
    )


class OutcomeOut(Schema):
    id: int
    client_id: int
    visit_id: int | None
    instrument: str
    answers: list[int | None]
    activities: list[str]
    score: float = Field(alias="total")
    subscales: dict[str, float]
    band: str | None
    taken_at: dt.datetime
    entered_by: str | None = Field(
        description="the staff member who entered it; null when a client reads their own"
    )
    entered_at: dt.datetime
    via: str
    voided: bool = Field(
        description="voided as entered in error: kept, left out of the changes and plots"
    )
    voided_at: dt.datetime | None
    void_reason: str | None
    replaces_id: int | None = Field(description="the voided response this one corrects")
    replaced_by_id: int | None = Field(description="the response that corrects this one")

    @staticmethod
    def resolve_band(obj: Any) -> str | None:
        return obj.band or None

    @staticmethod
    def resolve_voided(obj: Any) -> bool:
        return obj.voided_at is not None

    @staticmethod
    def resolve_void_reason(obj: Any) -> str | None:
        return obj.void_reason or None

    @staticmethod
    def resolve_replaced_by_id(obj: Any) -> int | None:
        found = getattr(obj, "replaced_by", None)
        return found.pk if found is not None else None

    @staticmethod
    def resolve_entered_by(obj: Any, context: Any) -> str | None:
        """Staff see who entered a score; a client reading their own sees no account names."""
        request = (context or {}).get("request")
        staff = getattr(getattr(request, "user", None), "is_staff_member", False)
        return str(obj.entered_by.get_username()) if staff and obj.entered_by else None


class ChangeOut(Schema):
    instrument: str
    baseline: float
    latest: float
    absolute: float
    percent: float | None
    direction: str
    passes: bool | None = Field(
        description="improved by at least the minimal important (or detectable) change; "
        "null when the instrument has none"
    )
    reaches_threshold: bool | None = Field(
        description="moved by at least that change, either way (a worsening beyond it is "
        "direction worse with this true); null when the instrument has none"
    )
    band_before: str | None
    band_after: str | None
    sentence: str


class DrawingOut(Schema):
    intake_id: int | None = Field(description="the intake drawn at; null for a pain-diary day")
    source: Literal["intake", "diary"]
    recorded_at: dt.datetime
    painted_share: float = Field(
        description="the painted regions' share of the body map's figure (front and back), 0-1"
    )
    regions: int


class OutcomesOut(Schema):
    responses: list[OutcomeOut] = Field(description="oldest first, the voided ones marked")
    changes: list[ChangeOut] = Field(
        description="per instrument with at least two scores in use in the current episode of "
        "care (a new intake begins one): its baseline (first) to its latest"
    )
    drawings: list[DrawingOut] = Field(
        description="each intake's pain drawing and each pain-diary day's, oldest first"
    )
