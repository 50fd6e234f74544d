"""Response headers that depend on who asked."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user.

    A clinic's tablet is shared and a proxy may sit in front: a page or JSON answer about a
    client must not stay in a browser's cache or a shared cache after the user has left.
    The user is read after the view, so an API token (whose auth sets `request.user` inside
    the view) counts as much as a session. Static files never reach this middleware
    (WhiteNoise answers them first) and keep their long caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Replaces any max-age a view set: no-store is the whole answer.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"  # HTTP/1.0 caches
            if "Expires" in response.headers:
                del response.headers["Expires"]
        return response


class MethodNotAllowedPage:
    """A page for a form's address opened as a page (a reload or a bookmark of a refused
    form's answer): Django answers 405 with an empty body, which a browser shows as its
    own bare error. The API keeps its own answers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code != 405
            or request.method not in ("GET", "HEAD")
            or request.path.startswith("/api/")
            or bool(getattr(response, "content", b""))
        ):
            return response
        # /visits/439/palpation/ belongs to /visits/439/
        parent = request.path.rstrip("/").rsplit("/", 1)[0] + "/"
        page = render(request, "405.html", {"page": parent}, status=405)
        page["Allow"] = response.get("Allow", "")
        return page
