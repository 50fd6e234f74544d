"""The kinds of job, each a function of the job's row run by a worker. An app registers its
own (`@kind("mail")`) in a module its AppConfig.ready() imports, so every worker knows
them all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[Any], None]
_KINDS: dict[str, Handler] = {}


def kind(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _KINDS[name] = handler
        return handler

    return register


def handler_for(name: str) -> Handler:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no kind of job is called {name!r}") from None


def known() -> set[str]:
    return set(_KINDS)
