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
    deployment declares (MYOMAP_BEHIND_HTTPS_PROXY) and only when the request comes from
    one of its trusted addresses (MYOMAP_TRUSTED_PROXIES); the client is then the rightmost
    address in the header that is not a trusted proxy: each proxy appends the address it
    saw, and everything left of that was written by the client, so it is never believed.
    A value that is not an IP address is dropped rather than stored."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None or not settings.BEHIND_PROXY or not _trusted(remote):
        return str(remote) if remote is not None else None
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for value in reversed([part for part in forwarded if part]):
        hop = _address(value)
        if hop is None:
            break  # a malformed entry: what lies left of it cannot be trusted either
        if not _trusted(hop):
            return str(hop)
    return str(remote)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    for entry in getattr(settings, "TRUSTED_PROXIES", ()):
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False
