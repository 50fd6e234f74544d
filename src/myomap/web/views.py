import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponseRedirect:
    """Therapists and admins start at their clients, a client with a record at their own
    portal (today's home program, diary and appointments), anyone else at the body map."""
    if getattr(request.user, "is_staff_member", False):
        return redirect("clients:list")
    own = getattr(request.user, "client_record", None) if request.user.role == "client" else None  # type: ignore[union-attr]
    if own is not None:
        return redirect("portal:today")
    return redirect("bodymap:page")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and uptime checks: the database answers a trivial query and the
    knowledge base loads. 200 when both do, else 503 naming what failed; never any record
    (the reason is logged, not shown)."""
    checks = {"database": _database_answers, "knowledge": _knowledge_loads}
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception:  # whatever broke, the answer is "this part failed"
            logger.exception("health check: the %s failed", name)
            results[name] = "failed"
    failed = [name for name, result in results.items() if result != "ok"]
    body: dict[str, object] = {"status": "failed" if failed else "ok", **results}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)


def _database_answers() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _knowledge_loads() -> None:
    from myomap.core.kb import load_default

    load_default()


@require_GET
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico whatever the page links; send them to the SVG mark."""
    return HttpResponseRedirect(static("myomap/favicon.svg"))


# ------------------------------------------------------------------------- error pages
# The API answers its errors in JSON (django-ninja's handlers in myomap.api); these are
# for what reaches Django's own handlers: pages, and /api/ paths that match no route.


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponseBase:
    if _api(request):
        return JsonResponse({"detail": "forbidden", "field": None}, status=403)
    return render(request, "403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponseBase:
    if _api(request):
        return JsonResponse({"detail": "not found", "field": None}, status=404)
    return render(request, "404.html", status=404)


FALLBACK_500 = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Server error · Myomap'
    "</title></head><body><main><h1>Something went wrong on our side</h1><p>Nothing you did "
    'caused this. Please try again in a minute. <a href="/">Back to the start</a></p></main>'
    "</body></html>"
)


def server_error(request: HttpRequest) -> HttpResponseBase:
    """Rendered without the request's context: no session, no user, no query, so it still
    answers when the database or a context processor is what broke."""
    if _api(request):
        return JsonResponse({"detail": "server error", "field": None}, status=500)
    try:
        body = loader.get_template("500.html").render({})
    except Exception:  # the page of last resort must not fail in its turn
        body = FALLBACK_500
    return HttpResponse(body, status=500)
