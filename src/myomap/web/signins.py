"""Sign-ins and sign-outs in the audit log (Django's `user_logged_in`, `user_login_failed`
and `user_logged_out` signals, connected in `WebConfig.ready`): who, from where, and for
a failure the username tried. Each lands in the account's clinic's log; a failure for a
username nobody has lands in none (the Django admin still shows it). The idle sign-out
says why (accounts.middleware sets SIGN_OUT_REASON on the request first)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest

from myomap.accounts.middleware import SIGN_OUT_REASON
from myomap.audit.log import Context, client_address, record


def _context(request: HttpRequest | None, user: Any) -> Context:
    if request is None:
        return Context(user=user)
    return Context(
        user=user,
        path=request.get_full_path()[:300],
        ip=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


def _answered(request: HttpRequest | None) -> bool:
    """A sign-in or sign-out in a request the site answers (it has a path). Outside one (a
    script calling `login`, the test client's `force_login`) nobody visited: nothing to
    record."""
    return request is not None and bool(request.path)


def signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if not _answered(request):
        return
    record(_context(request, user), "update", user, summary="signed in")


def sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    tried = str(credentials.get("username", ""))[:150]
    account = get_user_model()._default_manager.filter(username=tried).first()
    ctx = _context(request, None)
    record(ctx, "refused", account, summary=f"failed sign-in as {tried!r}")


def signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None or not _answered(request):
        return  # nobody was signed in, or nobody visited
    why = getattr(request, SIGN_OUT_REASON, "")
    summary = f"signed out {why}" if why else "signed out"
    record(_context(request, user), "update", user, summary=summary)


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(signed_in, dispatch_uid="myomap.web.signins.signed_in")
    user_login_failed.connect(sign_in_failed, dispatch_uid="myomap.web.signins.failed")
    user_logged_out.connect(signed_out, dispatch_uid="myomap.web.signins.signed_out")
