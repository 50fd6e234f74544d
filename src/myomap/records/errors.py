"""Errors raised by actions. Each names what is wrong in words a person can act on; views,
the API and the command line turn them into a form error, a 4xx answer or an exit code."""

from __future__ import annotations

from collections.abc import Sequence


class ActionError(Exception):
    """A multi-step write refused as a whole: nothing was saved. `problems` lists every
    problem found when there are several (a plan with two bad steps): (item index, field,
    message without the item's name), so a form can show each beside its row; `message`
    joins them, each naming its item."""

    status = 400

    def __init__(
        self,
        message: str,
        field: str | None = None,
        problems: Sequence[tuple[int, str, str]] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = tuple(problems)


class Invalid(ActionError):
    """Bad input; `field` names the field when there is one."""


class GateClosed(ActionError):
    """A red flag blocks planning until a referral or an override is recorded."""

    status = 409


class Conflict(ActionError):
    """Someone else changed the record since it was opened."""

    status = 409


class Locked(ActionError):
    """A signed note cannot change; amend it instead."""

    status = 409


class Forbidden(ActionError):
    """The person may not do this (not staff, or not their clinic's record)."""

    status = 403
