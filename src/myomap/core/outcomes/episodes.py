"""Episodes of care: a client's scores grouped by the intake that began each course of
care, so that a change is measured from the baseline of the current episode, not from the
client's first score ever.

A score taken at a visit belongs to the visit's intake. A score entered on the record (no
visit) belongs to the course of care running on its day: the intake of the latest intake
recorded or visit started on or before that day. Days, not moments, so that a paper form
dated that day, or a score entered minutes before the day's new intake is typed in, goes
with that day's care. A score from before any of them belongs to the client's first
intake; a client with no intake has one episode, `None`.

    >>> started = [Started(1, jan_3, jan_3.date()), Started(2, mar_3, mar_3.date())]
    >>> episode_of(started, visit_intake=None, day=date(2026, 3, 10))
    2
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Started:
    """An intake recorded, or a visit started from one: `intake_id` is the intake either
    way; `day` is `at`'s day where the clinic is (the caller's to work out)."""

    intake_id: int
    at: dt.datetime
    day: dt.date


def episode_of(started: Sequence[Started], *, visit_intake: int | None, day: dt.date) -> int | None:
    """The intake whose episode a score belongs to (see the module's rule)."""
    if visit_intake is not None:
        return visit_intake
    before = [s for s in started if s.day <= day]
    if before:
        return max(before, key=lambda s: s.at).intake_id
    if started:
        return min(started, key=lambda s: s.at).intake_id
    return None


@dataclass(frozen=True)
class Episode(Generic[T]):
    """One episode's items, oldest first."""

    intake_id: int | None
    items: tuple[T, ...]


def group(items: Sequence[T], episode: Callable[[T], int | None]) -> list[Episode[T]]:
    """`items` (oldest first) by episode; the episodes in the order of their first item,
    so the last is the one of the latest item: the current episode."""
    found: dict[int | None, list[T]] = {}
    for item in items:
        found.setdefault(episode(item), []).append(item)
    groups = [Episode(key, tuple(members)) for key, members in found.items()]
    latest = episode(items[-1]) if items else None
    # the latest item's episode last, however the episodes interleave
    return [g for g in groups if g.intake_id != latest] + [
        g for g in groups if g.intake_id == latest
    ]
