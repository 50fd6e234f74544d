"""Who may use a page at all: the staff and clinic-admin checks. Which records a person
may see is each app's query layer (`clients.queries`, `visits.queries`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from myomap.records.errors import NotVisible


def visible_or_404(visible: QuerySet[Any], pk: int, client_of: Callable[[Any], Any]) -> Any:
    """The record `pk` from the `visible` queryset; else 404. When the record exists but
    is not visible (another clinic's), the 404 is a `NotVisible`, which the audit log
    records for the record's clinic; the answer is the same either way."""
    try:
        return visible.get(pk=pk)
    except visible.model.DoesNotExist:
        pass
    hidden: Model | None = visible.model._default_manager.filter(pk=pk).first()
    if hidden is None:
        raise Http404("not found")
    client = client_of(hidden)
    raise NotVisible(type(hidden).__name__, pk, client.clinic_id, client.pk)


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
