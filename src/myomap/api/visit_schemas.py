"""Schemas for visits: findings, candidates, the plan and the note."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from myomap.api.schemas import FactorOut, Flag, Input, Revision, ids_of
from myomap.core.steps import MAX_STEPS
from myomap.core.vocab import PPT_RANGE, TENDER_SCALE, PointSide, Pressure, TestResult, TestSide

# Bounds that depend on the technique (hold seconds, repetitions) and every safety rule
# are checked by the core (`core.steps.check_steps`) through the actions: a problem there
# is a 400 naming the step and the field, the same words the web form shows.


class PalpationIn(Input):
    trigger_point: str = Field(
        description="trigger point id from the knowledge base",
        json_schema_extra=ids_of(lambda kb: kb.trigger_points),
    )
    side: PointSide
    tender: int | None = Field(
        None, ge=TENDER_SCALE[0], le=TENDER_SCALE[1], description="0 (not tender) to 10"
    )
    taut_band: Flag = False
    referral: Flag = Field(False, description="compression reproduces the familiar pain")
    twitch: Flag = False
    jump: Flag = False
    ppt: float | None = Field(
        None, ge=PPT_RANGE[0], le=PPT_RANGE[1], description="pressure pain threshold, kg/cm²"
    )


class PalpationOut(Schema):
    id: int
    trigger_point: str
    side: str
    tender: int | None
    taut_band: bool
    referral: bool
    twitch: bool
    jump: bool
    ppt: float | None
    recorded_at: dt.datetime


class MovementIn(Input):
    test: str = Field(
        description="examination test id from the knowledge base",
        json_schema_extra=ids_of(lambda kb: kb.exam_tests),
    )
    side: TestSide = ""
    result: TestResult
    note: str = Field("", max_length=300)


class MovementOut(Schema):
    id: int
    test: str
    side: str
    result: str
    note: str
    recorded_at: dt.datetime


class FindingWeight(Schema):
    finding: str
    weight: float = Field(description="log-likelihood ratio the finding adds")


class CandidateOut(Schema):
    muscle: str
    muscle_name: str
    trigger_point: str
    trigger_point_name: str
    side: str
    score: float
    explains: list[str]
    unexplained: list[str]
    findings: list[FindingWeight]


class CoverOut(Schema):
    muscle: str
    muscle_name: str
    side: str
    explains: list[str]


class StepIn(Input):
    trigger_point: str = Field(json_schema_extra=ids_of(lambda kb: kb.trigger_points))
    side: PointSide
    technique: str = Field(json_schema_extra=ids_of(lambda kb: kb.techniques))
    pressure: Pressure
    hold_seconds: int = Field(description="the technique's documented range applies")
    repetitions: int = Field(1, description="the technique's documented range applies")
    reason: str = Field("", max_length=2000)


class StepOut(Schema):
    order: int
    trigger_point: str
    side: str
    technique: str
    pressure: str
    hold_seconds: int
    repetitions: int
    reason: str
    modifications: list[str]


class PlanIn(Input):
    steps: list[StepIn] = Field(max_length=MAX_STEPS)


class ExcludedOut(Schema):
    trigger_point: str
    side: str
    why: str


class PlanOut(Schema):
    steps: list[StepOut]
    excluded: list[ExcludedOut] = Field(default_factory=list)
    blocked_reason: str | None = None


class VisitOut(Schema):
    id: int
    client_id: int
    intake_id: int
    therapist: str
    started_at: dt.datetime
    gate: str
    allows_planning: bool = Field(description="the same answer as the intake's gate")
    why_not: str | None = Field(description="why planning waits, in words")
    signed: bool = Field(description="the note is signed: findings and plan are read-only")
    palpation: list[PalpationOut]
    movement: list[MovementOut]
    candidates: list[CandidateOut]
    cover: list[CoverOut]
    unexplained: list[str]
    message: str | None
    factors: list[FactorOut]
    plan: list[StepOut]


class NoteVersionOut(Schema):
    number: int
    revision: int
    subjective: str
    objective: str
    assessment: str
    plan: str
    amendment_reason: str
    author: str
    created_at: dt.datetime
    updated_at: dt.datetime
    signed: bool
    signed_at: dt.datetime | None
    signed_by: str | None
    changes: list[str] = Field(
        description="for an amendment: what changed in the visit's record while it was open"
    )

    @staticmethod
    def resolve_author(obj: object) -> str:
        return str(obj.author.get_username())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_signed(obj: object) -> bool:
        return getattr(obj, "signed_at", None) is not None

    @staticmethod
    def resolve_signed_by(obj: object) -> str | None:
        by = getattr(obj, "signed_by", None)
        return by.get_username() if by is not None else None


class NoteOut(Schema):
    current: NoteVersionOut | None
    history: list[NoteVersionOut]


class NoteIn(Input):
    revision: Revision = Field(
        description="the revision you read; a newer one means a conflict (409)"
    )
    subjective: str = Field(max_length=20000)
    objective: str = Field(max_length=20000)
    assessment: str = Field(max_length=20000)
    plan: str = Field(max_length=20000)


class SignIn(Input):
    revision: Revision = Field(description="the revision you read and are signing")


class AmendIn(Input):
    reason: str = Field(min_length=1, max_length=5000, description="why the signed note changes")
