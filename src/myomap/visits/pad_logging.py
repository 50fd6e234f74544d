"""The pad's token never in the server's log (docs/session.md). The token in a pad's
address is a working credential: Django logs the path of every 4xx and 5xx answer
("Bad Request: /pad/<token>/events", "Too Many Requests: ..."), and its development server
each request's line. `MaskPadTokens` writes such a record with the token replaced by
`<token>`; the visits app puts it on those loggers when Django starts (`apps`)."""

from __future__ import annotations

import logging
import re

# A pad's path: /pad/ then the token (anything up to the next slash, space or quote).
PAD_PATH = re.compile(r"/pad/[^/\s\"']+")
MASKED = "/pad/<token>"
# Loggers that write a request's path (django.request: 4xx and 5xx answers; django.server:
# the development server's request lines).
LOGGERS = ("django.request", "django.server")


def mask(text: str) -> str:
    return PAD_PATH.sub(MASKED, text)


class MaskPadTokens(logging.Filter):
    """Rewrites a record whose message holds a pad's path, with the token masked; the
    record is kept (the refusal is worth logging, the token is not)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/pad/" in message:
            record.msg, record.args = mask(message), ()
        request = getattr(record, "request", None)
        if request is not None and "/pad/" in getattr(request, "path", ""):
            record.request = None  # a handler that prints the request would print the path
        return True


def install() -> None:
    """Put the filter on the loggers that write paths (once: adding it again is a no-op)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskPadTokens) for f in logger.filters):
            logger.addFilter(MaskPadTokens())
