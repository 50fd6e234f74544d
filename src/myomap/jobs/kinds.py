"""The kinds of job, each a function of the job's row run by a worker. An app registers its
own (`@kind("mail")`) in a module its AppConfig.ready() imports, so every worker knows
them all.

A kind's run is one transaction with the job's "done" (its writes and the ledger agree),
unless it is registered with `atomic=False`: a long job that mostly reads (the nightly
backup) must not hold the embedded SQLite database's write lock while it runs.

A kind registered with `forget=True` (a text: the client's number and words) has its
payload emptied once its job is finished, done or failed for good."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[Any], None]
_KINDS: dict[str, Handler] = {}
_OUTSIDE_TRANSACTION: set[str] = set()
_FORGET: set[str] = set()


def kind(name: str, *, atomic: bool = True, forget: bool = False) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _KINDS[name] = handler
        if forget:
            _FORGET.add(name)
        else:
            _FORGET.discard(name)
        if atomic:
            _OUTSIDE_TRANSACTION.discard(name)
        else:
            _OUTSIDE_TRANSACTION.add(name)
        return handler

    return register


def handler_for(name: str) -> Handler:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no kind of job is called {name!r}") from None


def atomic(name: str) -> bool:
    """Whether a job of kind `name` runs in one transaction with its "done"."""
    return name not in _OUTSIDE_TRANSACTION


def forgets(name: str) -> bool:
    """Whether a finished job of kind `name` keeps no payload."""
    return name in _FORGET


def known() -> set[str]:
    return set(_KINDS)
