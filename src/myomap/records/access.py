"""Who may see what: tiny "get it for this user or 404" helpers and the staff check."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from myomap.clients.models import Client, Intake
from myomap.visits.models import Visit


def client_for(user: Any, pk: int) -> Client:
    return get_object_or_404(Client.objects.visible_to(user), pk=pk)


def intake_for(user: Any, pk: int) -> Intake:
    return get_object_or_404(
        Intake.objects.select_related("client").filter(client__in=Client.objects.visible_to(user)),
        pk=pk,
    )


def visit_for(user: Any, pk: int) -> Visit:
    return get_object_or_404(
        Visit.objects.select_related("client", "intake", "therapist").filter(
            client__in=Client.objects.visible_to(user)
        ),
        pk=pk,
    )


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in as a therapist or clinic admin of a clinic; anyone else gets 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff_member:  # type: ignore[union-attr]
            raise PermissionDenied("therapists and clinic admins only")
        return view(request, *args, **kwargs)

    return wrapped


def admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_clinic_admin:  # type: ignore[union-attr]
            raise PermissionDenied("clinic admins only")
        return view(request, *args, **kwargs)

    return wrapped
