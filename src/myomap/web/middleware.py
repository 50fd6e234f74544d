"""Response headers that depend on who asked."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase


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
