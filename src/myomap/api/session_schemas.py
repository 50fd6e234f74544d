"""Schemas of the guided session: the events a device sends and the state it gets back
(docs/session.md). An event's own `fields` are checked by the actions against the core's
events (400 naming `fields.<name>`), so the API and the web page refuse the same things."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import AwareDatetime

from myomap.api.schemas import Input
from myomap.core.session.events import FEEDBACK
from myomap.visits.models import SESSION_EVENTS, event_fields
from myomap.visits.session_actions import MAX_EVENTS


def _kinds(schema: dict[str, Any]) -> None:
    """The kinds and each one's fields, written into the OpenAPI description (every kind
    but the start, which is POST /api/visits/{id}/session itself). The actions check the
    kind (400 naming `kind`)."""
    fields = {
        kind: [f.name for f in event_fields(cls)]
        for kind, cls in SESSION_EVENTS.items()
        if kind != "start-session"
    }
    schema["enum"] = list(fields)
    schema["description"] = (
        "the kind of event; its `fields`: "
        + "; ".join(f"{k}: {', '.join(v) or 'none'}" for k, v in fields.items())
        + f". A feedback's `kind` is one of {', '.join(FEEDBACK)}."
    )


class EventIn(Input):
    event_id: str = Field(
        min_length=1, max_length=64, description="made on the device; a resent id is recorded once"
    )
    kind: str = Field(max_length=40, json_schema_extra=_kinds)
    at: AwareDatetime = Field(description="the device's time, with its offset")
    fields: dict[str, Any] = Field(default_factory=dict, max_length=10)


class EventsIn(Input):
    events: list[EventIn] = Field(min_length=1, max_length=MAX_EVENTS)


class MeasureOut(Schema):
    tender: int
    ppt: float | None


class PointOut(Schema):
    trigger_point: str
    side: str
    planned: bool
    before: MeasureOut | None
    after: MeasureOut | None
    skipped: str | None = Field(description="why the point was skipped")


class StampOut(Schema):
    kind: str
    second: int = Field(description="whole seconds into the hold")
    event_id: str
    by: Literal["client", "pad", "therapist"] = Field(
        description="who: the client (told the therapist), the client's own phone (pad), "
        "or the therapist (a stop only)"
    )


class HoldOut(Schema):
    trigger_point: str
    side: str
    number: int = Field(description="the hold's number on its point")
    technique: str
    pressure: str
    start: dt.datetime
    end: dt.datetime | None
    seconds: int | None
    ended_by: Literal["release", "stop"] | None
    stopped_by: Literal["client", "pad", "therapist"] | None = Field(
        description="who stopped it, when it ended by a stop"
    )
    released: bool
    feedback: list[StampOut]


class ActiveHoldOut(Schema):
    trigger_point: str
    side: str
    number: int
    technique: str
    pressure: str
    start: dt.datetime
    seconds: int = Field(description="whole seconds so far, at the server's time")
    longest: int | None = Field(
        description="the most the technique may be held at this hold's pressure, seconds"
    )
    feedback: list[StampOut]


class CurrentOut(Schema):
    trigger_point: str
    side: str
    name: str


class SuggestionOut(Schema):
    trigger_point: str
    side: str
    action: Literal["lighter-pressure", "another-technique"]
    lighter: str | None
    reports: int
    where: Literal["hold", "point"]
    evidence: str
    sources: list[str]


class SessionOut(Schema):
    id: int
    status: Literal["planned", "running", "ended"]
    started_at: dt.datetime = Field(description="the server's time the session was started")
    ended_at: dt.datetime | None
    started_by: str
    started: dt.datetime | None = Field(description="the start, on the session's clock")
    ended: dt.datetime | None
    events: int = Field(description="events recorded")
    pain_start: int | None
    pain_end: int | None
    current: CurrentOut | None
    active_hold: ActiveHoldOut | None
    suggestion: SuggestionOut | None
    points: list[PointOut]
    holds: list[HoldOut]


class SessionStateOut(Schema):
    visit_id: int
    session: SessionOut | None = Field(description="null until a session is started")
