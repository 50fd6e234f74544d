"""The visit's SOAP note: draft from the record, edit with a revision, sign, amend."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from myomap.api.auth import context, require_staff, user_of
from myomap.api.schemas import ERRORS, RecordId, Revision
from myomap.api.visit_schemas import AmendIn, NoteIn, NoteOut, NoteVersionOut, SignIn
from myomap.audit.log import record
from myomap.audit.models import AuditEvent
from myomap.visits import actions, queries
from myomap.visits.models import NoteVersion
from myomap.visits.queries import visit_for

router = Router(tags=["notes"])


@router.get(
    "/visits/{visit_id}/note",
    response={200: NoteOut, **ERRORS},
    summary="The note's versions you may read (a client: signed ones only), newest as `current`",
)
def get_note(request: HttpRequest, visit_id: RecordId) -> dict[str, Any]:
    user = user_of(request)
    visit = visit_for(user, visit_id)
    record(context(request), AuditEvent.Action.VIEW, visit, summary="session note")
    # A client reads signed versions only, here as on the web page (`readable_by`).
    history = queries.versions_for(user, visit)
    return {"current": history[-1] if history else None, "history": history}


@router.post(
    "/visits/{visit_id}/note/draft",
    response={200: NoteVersionOut, **ERRORS},
    summary="Write the draft from what was recorded; to rewrite an existing draft, pass "
    "`?revision=` of the draft you are replacing (409 if it changed since)",
)
def draft_note(
    request: HttpRequest, visit_id: RecordId, revision: Revision | None = None
) -> NoteVersion:
    ctx = require_staff(request)
    return actions.draft_note(ctx, visit_for(ctx.user, visit_id), revision=revision)


@router.put(
    "/visits/{visit_id}/note",
    response={200: NoteVersionOut, **ERRORS},
    summary="Save edits to the draft; 409 if someone saved since `revision`",
)
def save_note(request: HttpRequest, visit_id: RecordId, data: NoteIn) -> NoteVersion:
    ctx = require_staff(request)
    return actions.save_note(ctx, visit_for(ctx.user, visit_id), **data.model_dump())


@router.post(
    "/visits/{visit_id}/note/sign",
    response={200: NoteVersionOut, **ERRORS},
    summary="Sign and lock the draft at `revision`",
)
def sign_note(request: HttpRequest, visit_id: RecordId, data: SignIn) -> NoteVersion:
    ctx = require_staff(request)
    return actions.sign_note(ctx, visit_for(ctx.user, visit_id), revision=data.revision)


@router.post(
    "/visits/{visit_id}/note/amend",
    response={201: NoteVersionOut, **ERRORS},
    summary="Start a new version of a signed note; the signed one stays in the history",
)
def amend_note(request: HttpRequest, visit_id: RecordId, data: AmendIn) -> Status[Any]:
    ctx = require_staff(request)
    return Status(201, actions.amend_note(ctx, visit_for(ctx.user, visit_id), data.reason))
