"""The shapes of the client's own portal in the API (/api/me/...): what a client's phone
reads and sends. Bounds (pain 0-10, known regions, the outcomes) are the actions' and the
knowledge base's, checked there and answered 422 naming the field."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import StrictInt

from myomap.api.schemas import Input
from myomap.program.actions import MAX_NOTE

ENTRY_ID = "an id made on the phone (a UUID): the same entry sent again is recorded once"


class DoseOut(Schema):
    sets: int
    repetitions: int
    hold_seconds: int
    days_per_week: int


class OwnPointOut(Schema):
    """The client's own trigger point this self-release works on."""

    trigger_point: str
    name: str
    muscle: str
    side: str
    region: str | None = Field(description="the body map region the point is drawn in")


class ExerciseOut(Schema):
    item: int = Field(description="what POST /api/me/log takes as `item`")
    exercise: str
    name: str
    category: str
    picture: str = Field(description="the URL of the exercise's illustration")
    dose: DoseOut
    steps: list[str]
    precautions: list[str]
    why: str
    point: OwnPointOut | None = Field(description="a self-release of one of the client's points")
    today: list[str] = Field(description="what was logged for it today: done, skipped, hurt")
    week: list[str] = Field(description="per day of `days`, the day's best outcome or ''")


class ProgramOut(Schema):
    day: dt.date
    days: list[dt.date]
    streak: int = Field(description="days in a row with an exercise done")
    exercises: list[ExerciseOut]


class LogIn(Input):
    entry_id: str = Field(max_length=64, description=ENTRY_ID)
    item: StrictInt = Field(ge=1, le=2**31 - 1)
    outcome: str = Field(max_length=20, description="done, skipped or hurt")
    pain: StrictInt | None = Field(None, description="optional, 0-10")
    made_at: dt.datetime | None = Field(
        None, description="when the client pressed the button, with its time zone"
    )


class LogOut(Schema):
    id: int
    entry_id: str
    item: int
    exercise: str
    outcome: str
    pain: int | None
    made_at: dt.datetime
    created: bool = Field(description="false: this entry was recorded before, unchanged")


class DiaryIn(Input):
    entry_id: str = Field(max_length=64, description=ENTRY_ID)
    regions: list[str] = Field(
        max_length=100, description="the body map regions tapped (ids of regions.yaml)"
    )
    pain: StrictInt = Field(description="0-10")
    note: str = Field(
        "",
        max_length=2000,
        description=f"what they were doing (optional; up to {MAX_NOTE} characters once runs "
        "of spaces are made one, else 422 naming `note`)",
    )
    made_at: dt.datetime | None = None


class DiaryEntryOut(Schema):
    id: int
    entry_id: str
    region: str
    region_name: str
    pain: int
    note: str
    made_at: dt.datetime


class DiaryOut(Schema):
    entries: list[DiaryEntryOut]


class DiaryCreatedOut(Schema):
    entries: list[DiaryEntryOut]
    created: bool = Field(description="false: this entry was recorded before, unchanged")


class AppointmentOut(Schema):
    starts: dt.datetime = Field(description="in the clinic's time zone")
    ends: dt.datetime
    minutes: int
    therapist: str


class AppointmentsOut(Schema):
    appointments: list[AppointmentOut]


class NoteSummaryOut(Schema):
    visit_id: int
    visit_date: dt.date
    therapist: str
    signed_at: dt.datetime
    worked_on: list[str]
    aftercare: list[str]


class NotesOut(Schema):
    notes: list[NoteSummaryOut] = Field(description="newest visit first; signed notes only")
