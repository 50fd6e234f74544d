"""The Clinic page (/accounts/clinic/): a clinic admin's list of the clinic's accounts, the
form to invite a therapist or admin, deactivate, reactivate and reset a sign-in; and the
outbox (/accounts/outbox/), the mail the embedded default keeps in the data folder. Both
lists show 50 rows a page (myomap.records.pages), the total and links to the others.

It lives in `web`, not `accounts`: the actions audit every change, and the audit log is
an app above accounts (see accounts/actions.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from myomap.accounts import actions, outbox, queries
from myomap.accounts.models import User
from myomap.audit.log import Context, record
from myomap.records.access import admin_required
from myomap.records.errors import ActionError
from myomap.records.forms import PlainTextForm
from myomap.records.pages import paginate, requested
from myomap.web.two_factor import actions as two_factor

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
PER_PAGE = 50  # members a page
OUTBOX_PER_PAGE = 50  # messages a page


def back_to(request: HttpRequest, name: str) -> HttpResponse:
    """Back to the list `name` after an action on one of its rows, at the page the row was
    on (the form's `page`): "/accounts/clinic/?page=2"; page 1 without one."""
    number = request.POST.get("page", "").strip()
    path = reverse(name)
    if number.isdigit() and len(number) <= 9 and int(number) > 1:
        path += f"?page={int(number)}"
    return redirect(path)


class InviteForm(PlainTextForm):
    """A new therapist or clinic admin: who they are and where their link goes."""

    username = forms.CharField(max_length=150, help_text="What they will sign in with.")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(
        label="E-mail", help_text="Their one-time link to set a password is sent here."
    )
    role = forms.ChoiceField(
        choices=[(r.value, r.label) for r in actions.INVITABLE], initial=User.Role.THERAPIST
    )


@require_GET
@admin_required
def members(request: HttpRequest) -> HttpResponse:
    return _page(request, InviteForm())


@require_POST
@admin_required
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            link = actions.invite(
                Context.of(request), record, base_url=_base_url(request), **form.cleaned_data
            )
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return _page(request, InviteForm(), link=link, invited=True)
    return _page(request, form, status=400)


def _on_member(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    """Run one clinic action on a member of the admin's clinic (404 for anyone else) and
    go back to the members page, saying what happened."""
    member = queries.member_for(request.user, pk)
    try:
        action(Context.of(request), record, member)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done.format(username=member.username))
    return back_to(request, "clinic:members")


@require_POST
@admin_required
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    done = "{username} is deactivated and cannot sign in."
    return _on_member(request, pk, actions.deactivate, done)


@require_POST
@admin_required
def reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _on_member(request, pk, actions.reactivate, "{username} can sign in again.")


@require_POST
@admin_required
def reset(request: HttpRequest, pk: int) -> HttpResponse:
    member = queries.member_for(request.user, pk)
    try:
        link = actions.reset_sign_in(
            Context.of(request), record, member, base_url=_base_url(request)
        )
    except ActionError as exc:
        messages.error(request, exc.message)
        return back_to(request, "clinic:members")
    return _page(request, InviteForm(), link=link, invited=False)


@require_GET
@admin_required
def outbox_page(request: HttpRequest) -> HttpResponse:
    folder = _outbox_folder()
    now = Context.of(request).now
    mail = (
        outbox.read(
            folder,
            int(request.user.clinic_id),  # type: ignore[union-attr,arg-type]  # admin_required
            queries.clinic_addresses(request.user),
            now - dt.timedelta(days=outbox.DAYS),
        )
        if folder is not None
        else []
    )
    # Every message is chosen from its headers; the subject and body of the page's only.
    page = paginate(mail, requested(request.GET.get("page")), per_page=OUTBOX_PER_PAGE)
    context = {"page": page, "days": outbox.DAYS, "kept": folder is not None}
    return render(request, "clinic/outbox.html", context)


def _outbox_folder() -> Path | None:
    """The folder mail is written to, when mail is kept rather than sent."""
    if settings.EMAIL_BACKEND != FILE_BACKEND:
        return None
    return Path(settings.EMAIL_FILE_PATH)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _page(
    request: HttpRequest,
    form: InviteForm,
    *,
    link: actions.Link | None = None,
    invited: bool = False,
    status: int = 200,
) -> HttpResponse:
    # The two-factor status is a subquery of the page's query: worked out for its rows only.
    # A reset's answer shows the page the member was on (the form's `page`).
    page = paginate(
        two_factor.with_two_factor(queries.members_of(request.user)),
        requested(request.GET.get("page") or request.POST.get("page")),
        per_page=PER_PAGE,
        at=reverse("clinic:members"),
    )
    context = {
        "page": page,
        "form": form,
        "link": link,
        "invited": invited,
        "me": request.user.pk,
        "sole_admin": queries.sole_active_admin(request.user),
        "outbox": _outbox_folder() is not None,
    }
    response = render(request, "clinic/members.html", context, status=status)
    if link is not None:
        # The link is on this answer only: no redirect, session or cache keeps it.
        response["Cache-Control"] = "no-store"
    return response
