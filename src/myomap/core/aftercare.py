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


@dataclass(frozen=True)
class Rebooking:
    """When to come back: `day` after the session, with the reasoning in words (`words`:
    the reasoning and the day; `reason`: the reasoning alone, for a sentence that names the
    day and its date itself)."""

    day: int
    words: str
    reason: str = ""


def suggest_rebooking(
    measured: Sequence[Relief], relief_low: int, relief_high: int, usual: int
) -> Rebooking:
    """The day to come back, before relief is expected to end: a day before the median of
    this client's relief that has ended (robust to one odd session), kept within the
    knowledge base's relief range; until a relief has ended, the usual interval.

    >>> suggest_rebooking([Relief(6, False), Relief(8, False), Relief(7, False)], 4, 14, 7).words
    'relief lasted 6, 8 and 7 days; suggest day 6'
    >>> suggest_rebooking([], 4, 14, 7).words
    'no relief measured yet (it usually lasts 4-14 days); suggest the usual day 7'
    >>> suggest_rebooking([Relief(6, False), Relief(9, True)], 4, 14, 7).reason
    'relief lasted 6 days'
    """
    ended = [r.days for r in measured if not r.at_least]
    if not ended:
        reason = f"no relief measured yet (it usually lasts {relief_low}-{relief_high} days)"
        return Rebooking(usual, f"{reason}; suggest the usual day {usual}", reason)
    ordered = sorted(ended)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) // 2
    day = min(max(median - 1, relief_low), relief_high)
    listed = ", ".join(str(d) for d in ended[:-1])
    days = f"{listed} and {ended[-1]}" if listed else str(ended[-1])
    reason = f"relief lasted {days} days"
    return Rebooking(day, f"{reason}; suggest day {day}", reason)
