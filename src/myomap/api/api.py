"""The JSON API: `api.urls` is mounted at /api/; docs at /api/docs, the OpenAPI
description at /api/openapi.json. Errors are `{"detail": ..., "field": ...}`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.openapi.schema import OpenAPISchema

from myomap.api import audit, auth, clients, notes, outcomes, portal, sessions, visits
from myomap.api.schemas import ALWAYS
from myomap.audit.log import Context, record_refusal
from myomap.records.errors import ActionError, NotVisible
from myomap.records.text import ECHO_LIMIT, shorten

# An error message is cut here: one may name several problems, none repeats a whole input.
MESSAGE_LIMIT = 1000


class MyomapAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_always(schema)
        return schema


def document_always(schema: OpenAPISchema) -> None:
    """Every operation may answer 401 (no or wrong credentials) and 422 (input that does
    not fit its schema): say so on each, also on those that list no errors of their own."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    refs: dict[int, Any] = {}
    for status, model in ALWAYS.items():
        found = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in found.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components.setdefault(model.__name__, found)
        refs[status] = {
            "description": "Unauthorized" if status == 401 else "Unprocessable Content",
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, answer in refs.items():
                # django-ninja keys its responses by number; JSON writes both as strings.
                if code not in responses and str(code) not in responses:
                    responses[code] = answer


api = MyomapAPI(
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
    detail = shorten(exc.message, MESSAGE_LIMIT)
    return api.create_response(request, {"detail": detail, "field": exc.field}, status=exc.status)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """django-ninja's 422, with nothing typed echoed back whole (a dict key is in `loc`)."""
    problems = [
        problem
        | {
            "loc": [shorten(p, ECHO_LIMIT) if isinstance(p, str) else p for p in problem["loc"]],
            "msg": shorten(str(problem["msg"]), MESSAGE_LIMIT),
        }
        | ({"ctx": _short_ctx(problem["ctx"])} if "ctx" in problem else {})
        for problem in exc.errors
    ]
    return api.create_response(request, {"detail": problems}, status=422)


def _short_ctx(ctx: Any) -> Any:
    if not isinstance(ctx, dict):
        return ctx
    return {k: shorten(v, ECHO_LIMIT) if isinstance(v, str) else v for k, v in ctx.items()}


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or "forbidden", "field": None}, status=403
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    if isinstance(exc, NotVisible):
        # Another clinic's record: the same answer as for none, and audited for its clinic.
        record_refusal(Context.of(request, via="api"), exc)
    # The same answer for "does not exist" and "not yours", so existence does not leak.
    return api.create_response(request, {"detail": "not found", "field": None}, status=404)


api.add_router("", auth.router)
api.add_router("", clients.router)
api.add_router("", visits.router)
api.add_router("", notes.router)
api.add_router("", sessions.router)
api.add_router("", outcomes.router)
api.add_router("", audit.router)
api.add_router("", portal.router)
