"""The JSON API: `api.urls` is mounted at /api/; docs at /api/docs, the OpenAPI
description at /api/openapi.json. Errors are `{"detail": ..., "field": ...}`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI

from myomap.api import audit, auth, clients, notes, visits
from myomap.records.errors import ActionError

api = NinjaAPI(
    title="Myomap API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    auth=auth.AUTH,
    description=(
        "Clients, intakes with the safety gate, visits, plans and signed notes. "
        "Authenticate with `Authorization: Bearer <key>` (`myomap token create USERNAME`) "
        "or a signed-in session (unsafe methods then need the CSRF token)."
    ),
)


@api.exception_handler(ActionError)
def action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    return api.create_response(
        request, {"detail": exc.message, "field": exc.field}, status=exc.status
    )


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or "forbidden", "field": None}, status=403
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # The same answer for "does not exist" and "not yours", so existence does not leak.
    return api.create_response(request, {"detail": "not found", "field": None}, status=404)


api.add_router("", auth.router)
api.add_router("", clients.router)
api.add_router("", visits.router)
api.add_router("", notes.router)
api.add_router("", audit.router)
