"""Who is acting, from where, and when: built from a request, or for the command line.

`now` is the moment the action happens: actions stamp their rows with it instead of
reading the clock, so a test (or an import replaying old records) fixes the time once."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


@dataclass(frozen=True)
class Context:
    """Who is acting and from where: built from a request, or for the command line."""

    user: Any
    path: str = ""
    ip: str | None = None
    user_agent: str = ""
    via: str = "web"
    now: dt.datetime = field(default_factory=timezone.now)

    @classmethod
    def of(cls, request: HttpRequest, via: str = "web") -> Context:
        return cls(
            user=request.user,
            path=request.get_full_path()[:300],
            ip=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            via=via,
        )


def client_address(request: HttpRequest) -> str | None:
    """Where the request came from. X-Forwarded-For is believed only behind the proxy the
    deployment declares (MYOMAP_BEHIND_HTTPS_PROXY), since anyone can send that header;
    a value that is not an IP address is dropped rather than stored."""
    candidates = []
    if settings.BEHIND_PROXY:
        candidates.append(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip())
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for value in candidates:
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            continue
    return None
