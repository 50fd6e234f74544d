"""Relief followed day by day after a session: the next day to ask "is the pain back?", and
how long the relief lasted, from the answers. Plain data in and out; the schedule is the
knowledge base's (aftercare.yaml `relief_check_days`).

    >>> schedule = (4, 7, 10, 14)
    >>> next_day(schedule, after=None), next_day(schedule, after=7), next_day(schedule, after=14)
    (4, 10, None)
    >>> lasted(schedule, [(4, False), (7, False), (10, True)])
    Relief(days=10, at_least=False)
    >>> lasted(schedule, [(4, False), (7, False), (10, False), (14, False)]).words()
    'relief lasted 14 days or more'

A relief that ended by day 10 but was still there on day 7 is counted as 10 days: the day
it was found over (the answers cannot say which day between)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def next_day(schedule: Sequence[int], after: int | None) -> int | None:
    """The first day of `schedule` after the day `after` (None: the first); None at its end."""
    return next((day for day in schedule if after is None or day > after), None)


@dataclass(frozen=True)
class Relief:
    """How long a session's relief lasted: `days`, or at least `days` when it had not
    ended by the last answer."""

    days: int
    at_least: bool

    def words(self) -> str:
        if self.at_least:
            return f"relief lasted {self.days} days or more"
        return f"relief lasted {self.days} days"


def lasted(schedule: Sequence[int], answers: Sequence[tuple[int, bool]]) -> Relief | None:
    """The relief from the answers (day, pain back?) in day order; None before any answer.
    Answers after the first "back" do not count (none are asked for)."""
    last_not_back: int | None = None
    for day, back in sorted(answers):
        if back:
            return Relief(days=day, at_least=False)
        last_not_back = day
    if last_not_back is None:
        return None
    return Relief(days=last_not_back, at_least=True)
