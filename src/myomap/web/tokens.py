"""The API tokens page (/accounts/tokens/): a signed-in person's own tokens, and for a
clinic admin those of the clinic's people too, 50 a page; create one (its key shown once)
and revoke.

It lives in `web`, not `accounts`: accounts imports no app above it, and the page needs
the api app's actions and this project's settings helpers (MYOMAP_TOKEN_DAYS)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from myomap.api import tokens
from myomap.api.models import DEFAULT_DAYS, ApiToken
from myomap.audit.log import Context
from myomap.records.errors import ActionError
from myomap.records.pages import paginate, requested
from myomap.web import env
from myomap.web.clinic import back_to

PER_PAGE = 50  # tokens a page


def default_days() -> int:
    """How long a new token lasts: MYOMAP_TOKEN_DAYS, else 90 days."""
    days = env.get_int("MYOMAP_TOKEN_DAYS", DEFAULT_DAYS)
    if not 1 <= days <= tokens.MAX_DAYS:
        raise ImproperlyConfigured(
            f"MYOMAP_TOKEN_DAYS must be 1 to {tokens.MAX_DAYS} days, not {days}"
        )
    return days


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="What it is for",
        widget=forms.TextInput(attrs={"placeholder": "e.g. export script on the office laptop"}),
    )
    days = forms.IntegerField(min_value=1, max_value=tokens.MAX_DAYS, label="Days until it expires")


@require_GET
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    return _page(request, TokenForm(initial={"days": default_days()}))


@require_POST
@login_required
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _, key = tokens.issue(Context.of(request), request.user, data["name"], data["days"])
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            response = _page(request, TokenForm(initial={"days": default_days()}), key=key)
            # The key is on this answer only: no redirect, session or cache keeps it.
            response["Cache-Control"] = "no-store"
            return response
    return _page(request, form, status=400)


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
    try:
        tokens.revoke(Context.of(request), token)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        label = token.label[0].upper() + token.label[1:]
        messages.success(request, f"{label} of {token.user.get_username()} revoked.")
    return back_to(request, "tokens:list")


def _page(
    request: HttpRequest, form: TokenForm, *, key: str | None = None, status: int = 200
) -> HttpResponse:
    # By person, newest first, then the id: a total order, so pages never share a token.
    tokens_shown = ApiToken.objects.visible_to(request.user).order_by(
        "user__username", "-created_at", "-id"
    )
    page = paginate(
        tokens_shown,
        requested(request.GET.get("page")),
        per_page=PER_PAGE,
        at=reverse("tokens:list"),
    )
    now = timezone.now()
    rows: list[dict[str, Any]] = [
        {"token": t, "state": t.state(now), "mine": t.user_id == request.user.pk} for t in page.rows
    ]
    context = {
        "page": page,
        "rows": rows,
        "form": form,
        "key": key,
        "admin": request.user.is_clinic_admin,  # type: ignore[union-attr]
    }
    return render(request, "tokens/list.html", context, status=status)
