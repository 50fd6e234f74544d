"""The gate: a staff member signed in with a password only is asked for the code (or, when
their clinic requires two-factor sign-in and they have no app, sent to set one up) before
any other page. So is a superuser or Django staff account, before /admin/ too (the admin's
own sign-in takes the password only). Signing out, the code page itself and the set-up
pages stay open.

An API request carrying a bearer token passes: the token decides (tokens are created on
the tokens page, which itself needs a verified session). An unverified session on the API
is a 401 saying what to do."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from myomap.web.two_factor.actions import pending_step

# The URL names each step leaves open (besides signing out).
OPEN: dict[str, tuple[str, ...]] = {
    "verify": ("two_factor:verify",),
    "enrol": ("two_factor:manage", "two_factor:start", "two_factor:confirm"),
}
ALWAYS_OPEN = ("logout", "healthz", "favicon")


class TwoFactorGate:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        step = pending_step(user)
        if step is None:
            return self.get_response(request)
        open_paths = {reverse(name) for name in (*OPEN[step], *ALWAYS_OPEN)}
        if request.path in open_paths:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            if request.headers.get("Authorization"):
                # Only the token may answer for this request: the unfinished session
                # must not stand in when the token is refused.
                request.user = AnonymousUser()
                return self.get_response(request)
            what = "enter your two-factor code" if step == "verify" else "set up two-factor sign-in"
            return JsonResponse(
                {"detail": f"sign-in is not finished: {what} at {reverse(OPEN[step][0])}"},
                status=401,
            )
        target = reverse(OPEN[step][0])
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
