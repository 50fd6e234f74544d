"""Signing out a session left alone: the idle timeout (MYOMAP_IDLE_SECONDS, 30 minutes by
default) beside the ceiling of a whole session (MYOMAP_SESSION_SECONDS, 12 hours).

A tablet beside the treatment table is shared, and a browser left open keeps its session:
after the idle time the next request is answered as to someone signed out. The session
records when it signed in and when it was last used; the last use is written at most once
a minute, so browsing does not write the session on every page. Because each write moves
the session's own expiry forward, the ceiling is checked here from the sign-in time, so
it stays a ceiling. API tokens carry no session and are not affected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

SIGNED_IN = "myomap_signed_in"  # when the session signed in (seconds since the epoch)
LAST_SEEN = "myomap_last_seen"  # its last request, to a minute
SIGN_OUT_REASON = "myomap_sign_out_reason"  # set on the request before an automatic sign-out
TOUCH_EVERY = 60
DEFAULT_IDLE_SECONDS = 30 * 60


def stamp_sign_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """On `user_logged_in`: the session starts its clocks now."""
    now = int(timezone.now().timestamp())
    request.session[SIGNED_IN] = now
    request.session[LAST_SEEN] = now


def idle_seconds() -> int:
    return int(getattr(settings, "IDLE_SECONDS", DEFAULT_IDLE_SECONDS))


class IdleTimeoutMiddleware:
    """Signs out a session idle longer than the idle timeout, or older than the ceiling."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session = request.session
        now = int(timezone.now().timestamp())
        signed_in = session.get(SIGNED_IN)
        last_seen = session.get(LAST_SEEN)
        if not isinstance(signed_in, int) or not isinstance(last_seen, int):
            # A session from before these clocks: they start now.
            session[SIGNED_IN] = session[LAST_SEEN] = now
            return
        idle = idle_seconds()
        if now - last_seen > idle:
            # Read by the audit log's user_logged_out receiver (myomap.web.signins).
            setattr(request, SIGN_OUT_REASON, f"after {_duration(idle)} without activity")
            logout(request)
            messages.info(
                request,
                f"You were signed out after {_duration(idle)} without activity.",
                fail_silently=True,
            )
        elif now - signed_in > settings.SESSION_COOKIE_AGE:
            setattr(request, SIGN_OUT_REASON, "at the end of the session's longest time")
            logout(request)
            messages.info(
                request, "Your session has ended: please sign in again.", fail_silently=True
            )
        elif now - last_seen >= TOUCH_EVERY:
            session[LAST_SEEN] = now


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if seconds % 60 == 0:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds} seconds"
