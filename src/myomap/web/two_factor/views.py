"""The two-factor pages: set-up and removal (/accounts/two-factor/), the code after the
password (/accounts/two-factor/verify/), the clinic admin's requirement
(/accounts/two-factor/clinic/) and their removal of a member's two-factor sign-in (a button
on the Clinic page). Recovery codes are on the answer that made them only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from myomap.accounts import queries
from myomap.accounts.models import Clinic, User
from myomap.api.models import ApiToken
from myomap.audit.log import Context
from myomap.records.access import admin_required
from myomap.records.errors import ActionError
from myomap.web.clinic import back_to
from myomap.web.two_factor import actions
from myomap.web.two_factor.forms import CodeForm, RequirementForm

APP_CODE = "The 6-digit code your app shows"
REMOVE_CODE = "A code from your app, or a recovery code"


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in as someone who signs in with two-factor (`actions.may_use`: staff, and a
    site admin of /admin/, who may have no clinic); anyone else gets 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not actions.may_use(request.user):  # type: ignore[arg-type]
            raise PermissionDenied("therapists, clinic admins and site admins only")
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@staff_required
def manage(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@staff_required
def start(request: HttpRequest) -> HttpResponse:
    try:
        actions.start_enrolment(Context.of(request))
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("two_factor:manage")


@require_POST
@staff_required
def confirm(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST, label=APP_CODE, numeric=True)
    if form.is_valid():
        try:
            device, codes = actions.confirm_enrolment(
                Context.of(request), form.cleaned_data["code"]
            )
        except ActionError as exc:
            form.add_error("code", exc.message)
        else:
            django_otp.login(request, device)  # this session has just shown the code
            return _page(request, codes=codes, done="Two-factor sign-in is on.")
    return _page(request, confirm_form=form, status=400)


@require_POST
@staff_required
def remove(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST, label=REMOVE_CODE)
    if form.is_valid():
        try:
            actions.remove_device(Context.of(request), form.cleaned_data["code"])
        except ActionError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(
                request,
                "Two-factor sign-in is off: your app's codes and "
                "your recovery codes no longer work.",
            )
            return redirect("two_factor:manage")
    return _page(request, remove_form=form, status=400)


@require_POST
@staff_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    try:
        codes = actions.regenerate_recovery_codes(Context.of(request))
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("two_factor:manage")
    return _page(request, codes=codes, done="New recovery codes: the earlier ones no longer work.")


@require_http_methods(["GET", "POST"])
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if actions.pending_step(request.user) != "verify":  # type: ignore[arg-type]
        return redirect(next_url)
    form = CodeForm(request.POST or None, label="Code from your authenticator app")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                device = actions.check_sign_in_code(Context.of(request), form.cleaned_data["code"])
            except ActionError as exc:
                form.add_error("code", exc.message)
            else:
                django_otp.login(request, device)
                request.session.cycle_key()  # a new session id for the now complete sign-in
                return redirect(next_url)
        status = 400
    return render(
        request, "two_factor/verify.html", {"form": form, "next": next_url}, status=status
    )


@require_http_methods(["GET", "POST"])
@admin_required
def clinic(request: HttpRequest) -> HttpResponse:
    clinic: Clinic = request.user.clinic  # type: ignore[union-attr,assignment]
    form = RequirementForm(request.POST or None, initial={"required": clinic.two_factor_required})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            required = form.cleaned_data["required"]
            try:
                _, revoked = actions.set_two_factor_required(Context.of(request), clinic, required)
            except ActionError as exc:
                form.add_error("required", exc.message)
            else:
                messages.success(
                    request,
                    "Two-factor sign-in is now required at your clinic." + _revoked(revoked)
                    if required
                    else "Two-factor sign-in is no longer required at your clinic.",
                )
                return redirect("two_factor:clinic")
        status = 400
    context = {
        "form": form,
        "clinic": clinic,
        "own": actions.device_of(request.user),  # type: ignore[arg-type]
        "unenrolled": actions.unenrolled_staff(clinic, Context.of(request).now),
    }
    return render(request, "two_factor/clinic.html", context, status=status)


@require_POST
@admin_required
def remove_for_member(request: HttpRequest, pk: int) -> HttpResponse:
    """The Clinic page's button: another clinic's member is a 404, like a missing one."""
    member = queries.member_for(request.user, pk)
    try:
        revoked = actions.remove_for_member(Context.of(request), member)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Two-factor sign-in is off for {member.username}: they are signed out everywhere"
            f" and sign in with their password.{_revoked(revoked)}",
        )
    return back_to(request, "clinic:members")  # the members page it was pressed on


def _revoked(revoked: list[ApiToken]) -> str:
    """What a message adds about the API tokens an action revoked."""
    if not revoked:
        return ""
    people = sorted({t.user.get_username() for t in revoked})
    n = len(revoked)
    return f" {n} API token{'' if n == 1 else 's'} of {', '.join(people)} revoked."


def _page(
    request: HttpRequest,
    *,
    confirm_form: CodeForm | None = None,
    remove_form: CodeForm | None = None,
    codes: list[str] | None = None,
    done: str = "",
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    device = actions.device_of(user)
    pending = None if device else actions.unconfirmed_device(user)
    context: dict[str, Any] = {
        "device": device,
        "pending": pending,
        "codes": codes,
        "done": done,
        "codes_left": actions.recovery_codes_left(user) if device else 0,
        "required": user.clinic.two_factor_required if user.clinic else False,
        "admin": user.is_clinic_admin,
        "confirm_form": confirm_form or CodeForm(label=APP_CODE, numeric=True),
        "remove_form": remove_form or CodeForm(label=REMOVE_CODE),
    }
    if pending is not None:
        context |= {
            "qr": actions.qr_svg(pending),
            "secret": actions.secret_of(pending),
            "uri": pending.config_url,
        }
    response = render(request, "two_factor/manage.html", context, status=status)
    if codes or pending is not None:
        # Recovery codes and the secret are on this answer only: nothing keeps them.
        response["Cache-Control"] = "no-store"
    return response


def _safe_next(request: HttpRequest, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"
