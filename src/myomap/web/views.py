from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponseRedirect:
    """Therapists and admins start at their clients, a client at their own record, anyone
    else at the body map."""
    if getattr(request.user, "is_staff_member", False):
        return redirect("clients:list")
    own = getattr(request.user, "client_record", None) if request.user.role == "client" else None  # type: ignore[union-attr]
    if own is not None:
        return redirect("clients:detail", pk=own.pk)
    return redirect("bodymap:page")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and uptime checks: the app answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
