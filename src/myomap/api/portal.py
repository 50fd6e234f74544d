"""The client's own portal in the API: GET /api/me/program, POST /api/me/log, GET and
POST /api/me/diary, GET /api/me/appointments, GET /api/me/notes (who the credentials
belong to is GET /api/me, for everyone).

Only a client signed in to their own record (a token of theirs, or their session) may
use these: staff get 403, as a client gets 403 on the staff's writes. Reads go through
the apps' queries and are audited as on the web portal; writes are the web portal's own
actions (`program.actions.log_exercise`, `record_diary_regions`). A refusal of the input
(an unknown region, pain outside 0-10, an unknown outcome) is 422 naming the field,
nothing saved."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Status

from myomap.api.auth import context
from myomap.api.portal_schemas import (
    AppointmentsOut,
    DiaryCreatedOut,
    DiaryIn,
    DiaryOut,
    LogIn,
    LogOut,
    NotesOut,
    ProgramOut,
)
from myomap.api.schemas import ERRORS, ErrorOut, InvalidOut
from myomap.appointments import queries as appointment_queries
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.core import program as core
from myomap.core.kb import load_default
from myomap.program import actions, queries
from myomap.program.models import DiaryEntry
from myomap.records.errors import Forbidden, Invalid

router = Router(tags=["portal"])
# A write's 422 is the action's refusal naming its field, or the schema's list of problems.
WRITE_ERRORS: dict[int, Any] = ERRORS | {422: ErrorOut | InvalidOut}


def _own(request: HttpRequest) -> tuple[Context, Client]:
    """The signed-in client's own record; 403 for staff (`actions.own_client`)."""
    ctx = context(request)
    try:
        return ctx, actions.own_client(ctx)
    except Forbidden:
        raise Forbidden("only a client, signed in to their own portal, may use /api/me") from None


def _refused(exc: Invalid) -> Status[Any]:
    return Status(422, {"detail": exc.message, "field": exc.field})


@router.get(
    "/me/program",
    response={200: ProgramOut, **ERRORS},
    summary="Today's exercises of the client's home program: dose, steps, precautions, the "
    "client's own points for self-release, today's log and the week",
)
def program(request: HttpRequest) -> dict[str, Any]:
    ctx, client = _own(request)
    rows, days = queries.rows(ctx.user, client, ctx.now)
    exercises = []
    for row in rows:
        item, ex = row.item, row.exercise
        point = queries.own_point(item.trigger_point, item.side) if item.trigger_point else None
        exercises.append(
            {
                "item": item.pk,
                "exercise": ex.id,
                "name": ex.name,
                "category": ex.category,
                "picture": reverse("reference:illustration", args=[ex.id]),
                "dose": {name: getattr(item, name) for name in core.DOSE_FIELDS},
                "steps": list(ex.steps),
                "precautions": list(row.precautions),
                "why": item.why,
                "point": point,
                "today": [e.outcome for e in row.today],
                "week": row.week,
            }
        )
    found = queries.program_of(ctx.user, client)
    record(ctx, AuditEvent.Action.VIEW, found or client, summary="portal: today's program")
    return {
        "day": days[-1],
        "days": days,
        "streak": queries.streak(ctx.user, client, ctx.now),
        "exercises": exercises,
    }


@router.post(
    "/me/log",
    response={200: LogOut, 201: LogOut, **WRITE_ERRORS},
    summary="Log one exercise as done, skipped or hurt (optional pain 0-10); 201 when "
    "recorded, 200 when this `entry_id` was recorded before (a retry is recorded once)",
)
def log(request: HttpRequest, data: LogIn) -> Status[Any]:
    ctx, _client = _own(request)
    try:
        logged = actions.log_exercise(
            ctx,
            data.item,
            entry_id=data.entry_id,
            outcome=data.outcome,
            pain=data.pain,
            made_at=data.made_at,
        )
    except Invalid as exc:
        return _refused(exc)
    return Status(201 if logged.created else 200, logged.answer())


def _diary_row(entry: DiaryEntry, kb: Any) -> dict[str, Any]:
    region = kb.regions.get(entry.region)
    return {
        "id": entry.pk,
        "entry_id": str(entry.entry_id),
        "region": entry.region,
        "region_name": region.name if region is not None else entry.region,
        "pain": entry.pain,
        "note": entry.note,
        "made_at": entry.made_at,
    }


@router.get(
    "/me/diary",
    response={200: DiaryOut, **ERRORS},
    summary="The client's pain diary, newest first (the last 50 entries)",
)
def diary(request: HttpRequest) -> dict[str, Any]:
    ctx, client = _own(request)
    kb = load_default()
    entries = queries.diary(ctx.user, client)
    record(ctx, AuditEvent.Action.VIEW, client, summary="portal: pain diary")
    return {"entries": [_diary_row(e, kb) for e in entries]}


@router.post(
    "/me/diary",
    response={200: DiaryCreatedOut, 201: DiaryCreatedOut, **WRITE_ERRORS},
    summary="Write a diary entry: the body map regions, one pain 0-10, an optional note "
    "(422 naming `regions`, `pain` or `note`, nothing saved); 200 for an `entry_id` "
    "recorded before",
)
def write_diary(request: HttpRequest, data: DiaryIn) -> Status[Any]:
    ctx, _client = _own(request)
    try:
        noted = actions.record_diary_regions(
            ctx,
            entry_id=data.entry_id,
            regions=data.regions,
            pain=data.pain,
            note=data.note,
            made_at=data.made_at,
        )
    except Invalid as exc:
        return _refused(exc)
    kb = load_default()
    body = {"entries": [_diary_row(e, kb) for e in noted.entries], "created": noted.created}
    return Status(201 if noted.created else 200, body)


@router.get(
    "/me/appointments",
    response={200: AppointmentsOut, **ERRORS},
    summary="The client's booked appointments not yet over, soonest first",
)
def appointments(request: HttpRequest) -> dict[str, Any]:
    ctx, client = _own(request)
    rows = appointment_queries.upcoming_of_client(client, ctx.now)
    record(ctx, AuditEvent.Action.VIEW, client, summary="portal: appointments")
    return {
        "appointments": [
            {
                "starts": row.starts,
                "ends": row.ends,
                "minutes": row.appointment.minutes,
                "therapist": row.appointment.therapist.get_full_name()
                or row.appointment.therapist.get_username(),
            }
            for row in rows
        ]
    }


@router.get(
    "/me/notes",
    response={200: NotesOut, **ERRORS},
    summary="The client summary of each signed session note (never a draft, never the "
    "note's clinical text), newest visit first",
)
def notes(request: HttpRequest) -> dict[str, Any]:
    ctx, client = _own(request)
    found = queries.note_summaries(ctx.user, client)
    record(ctx, AuditEvent.Action.VIEW, client, summary="portal: session note summaries")
    return {"notes": found}
