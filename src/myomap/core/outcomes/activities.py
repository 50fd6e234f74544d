"""The change of each activity the client named (the PSFS): an activity is only compared
with itself, rated again later, so each is matched by its name (whatever the capitals and
spaces), not by its place on the form.

A change of one activity is judged against the knowledge base's threshold for a single
item (`change.single_item_points`: 3 points for a PSFS activity, Stratford 1995), never
the mean's.

    >>> psfs = load_default().instruments["psfs"]
    >>> [a.sentence for a in activity_changes(psfs, [("Gardening", 3)], [("gardening", 7)])]
    ['Gardening 3 → 7: improved by more than the minimal detectable change for one
      activity (4 points)']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from myomap.core.kb.instruments import Instrument
from myomap.core.outcomes.change import THRESHOLD_NAMES, Direction
from myomap.core.outcomes.scoring import number

Rated = tuple[str, int | float | None]  # (the activity in the client's words, its rating)


@dataclass(frozen=True)
class ActivityChange:
    activity: str
    """In the client's words, as first named."""
    baseline: float | None
    """None: not rated at the baseline (named later)."""
    latest: float | None
    """None: not rated again."""
    absolute: float | None
    direction: Direction | None
    reaches_threshold: bool | None
    """Moved by at least the single-item threshold; None without one (or a rating)."""
    passes: bool | None
    """Improved by at least it."""
    sentence: str


def key(activity: str) -> str:
    """The name an activity is matched by: 'Lifting  my son' is 'lifting my son'."""
    return " ".join(activity.split()).casefold()


def named(activities: Sequence[str], answers: Sequence[int | float | None]) -> list[Rated]:
    """A response's named activities with their ratings, in item order."""
    return [
        (name, answer) for name, answer in zip(activities, answers, strict=False) if name.strip()
    ]


def activity_changes(
    instrument: Instrument, baseline: Sequence[Rated], latest: Sequence[Rated]
) -> tuple[ActivityChange, ...]:
    """Each activity of the baseline, in its order, then those named later."""
    later = {key(name): (name, rating) for name, rating in latest}
    first = {key(name) for name, _ in baseline}
    found = [
        _one(instrument, name, rating, later.get(key(name), (name, None))[1])
        for name, rating in baseline
    ]
    found += [
        _one(instrument, name, None, rating) for name, rating in latest if key(name) not in first
    ]
    return tuple(found)


def caveat(changes: Sequence[ActivityChange]) -> str:
    """What the mean's change must say when the activities rated are not the baseline's
    (one named later, or one not rated again): the two means are of different activities,
    so each activity's own change is the one to read. '' when they are the same.

    >>> caveat(activity_changes(psfs, [("Gardening", 3)], [("Swimming", 7)]))
    '; not the same activities as at the baseline (Gardening; Swimming): read each
      activity's own change'
    """
    differ = [c.activity for c in changes if c.baseline is None or c.latest is None]
    if not differ:
        return ""
    return (
        f"; not the same activities as at the baseline ({'; '.join(differ)}): read each "
        "activity's own change"
    )


def _one(
    instrument: Instrument, name: str, before: float | None, after: float | None
) -> ActivityChange:
    if before is None or after is None:
        said = (
            f"{name} {_num(after)}: not rated at the baseline"
            if before is None
            else f"{name} {_num(before)}: rated at the baseline, not again"
        )
        return ActivityChange(name, before, after, None, None, None, None, said)
    absolute = float(after) - float(before)
    better = -absolute if instrument.direction == "higher-is-worse" else absolute
    direction: Direction = "unchanged" if absolute == 0 else "improved" if better > 0 else "worse"
    threshold = instrument.change
    limit = threshold.single_item_points if threshold is not None else None
    head = f"{name} {_num(before)} → {_num(after)}: "
    points = _points(abs(absolute))
    if direction == "unchanged":
        moved = None if limit is None else False
        return ActivityChange(name, before, after, 0.0, direction, moved, moved, head + "no change")
    verb = "improved" if direction == "improved" else "worse"
    if limit is None or threshold is None:
        body = f"{verb} by {points}; no threshold for one activity is set"
        return ActivityChange(name, before, after, absolute, direction, None, None, head + body)
    thing = f"{THRESHOLD_NAMES[threshold.kind]} for one activity"
    if abs(absolute) > limit:
        body = f"{verb} by more than the {thing} ({points})"
    elif abs(absolute) == limit:
        body = f"{verb} by the {thing} ({points})"
    else:
        body = f"{verb} by {points}, less than the {thing} ({_points(limit)})"
    reaches = abs(absolute) >= limit
    return ActivityChange(
        name,
        before,
        after,
        absolute,
        direction,
        reaches,
        reaches and direction == "improved",
        head + body,
    )


def _points(value: float) -> str:
    return f"{_num(value)} point{'' if value == 1 else 's'}"


def _num(value: float | None) -> str:
    return "—" if value is None else str(number(value))
