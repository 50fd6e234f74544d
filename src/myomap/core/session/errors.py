"""The session's refusal: which field of the event is wrong, and why, in words."""

from __future__ import annotations


class SessionError(ValueError):
    """An event the session refuses. `field` names the event's field at fault ("at",
    "trigger_point", "technique"...) or "session" when the session's state refuses it.

    >>> str(SessionError("value", "pain must be 0-10, not 11"))
    'value: pain must be 0-10, not 11'
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")
