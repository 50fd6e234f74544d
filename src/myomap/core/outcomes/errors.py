"""The one error of outcome scoring: a bad answer, naming the item and what is wrong."""

from __future__ import annotations


class OutcomeError(ValueError):
    """An answer set that cannot be scored. `item` is the item's id when one is at fault."""

    def __init__(self, message: str, item: str | None = None) -> None:
        super().__init__(message)
        self.item = item
