"""Errors raised by actions. Each names what is wrong in words a person can act on; views,
the API and the command line turn them into a form error, a 4xx answer or an exit code."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import Http404


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


class NotVisible(Http404):
    """A record exists but this person may not see it (another clinic's, or another
    client's). Answered exactly as a record that does not exist (404), and audited for the
    record's own clinic as a refused attempt."""

    def __init__(self, kind: str, object_id: int, clinic_id: int, client_id: int) -> None:
        super().__init__("not found")
        self.kind, self.object_id = kind, object_id
        self.clinic_id, self.client_id = clinic_id, client_id
