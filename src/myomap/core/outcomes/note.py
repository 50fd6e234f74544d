"""The session note's lines for the scores taken at a visit: the measure and its score,
and the change from the baseline of the episode of care against the instrument's smallest
change that counts, in the words of `change` (never a cause).

    >>> score_line(rmdq, latest, baseline=first, baseline_on=date(2026, 3, 3),
    ...            intake_on=date(2026, 3, 3))
    'RMDQ 8 (0 to 24, higher is worse); from the baseline of this episode of care (RMDQ 14
     on 3 Mar 2026, since the intake of 3 Mar 2026): improved by more than the minimal
     important change (6 points, 43%: past the 5 points and the 30%).'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from myomap.core.kb.instruments import Instrument
from myomap.core.outcomes.activities import ActivityChange
from myomap.core.outcomes.change import change
from myomap.core.outcomes.scoring import Score, number


def day(value: dt.date) -> str:
    """'3 Mar 2026'."""
    return f"{value.day} {value:%b %Y}"


def score_line(
    instrument: Instrument,
    taken: Score,
    *,
    baseline: Score | None,
    baseline_on: dt.date | None,
    intake_on: dt.date | None,
) -> str:
    """One score of the visit; `baseline` None when this score is the episode's first."""
    direction = instrument.direction_words
    grouped = f", {instrument.grouping} {taken.band}" if taken.band and instrument.grouping else ""
    head = (
        f"{instrument.short} {number(taken.score)} ({number(instrument.range.low)} to "
        f"{number(instrument.range.high)}, {direction}{grouped})"
    )
    since = f"since the intake of {day(intake_on)}" if intake_on is not None else ""
    if baseline is None:
        episode = f" ({since})" if since else ""
        return f"{head}: the baseline of this episode of care{episode}."
    moved = change(instrument, baseline, taken)
    when = f" on {day(baseline_on)}" if baseline_on is not None else ""
    where = f", {since}" if since else ""
    if intake_on is not None and baseline_on is not None and baseline_on < intake_on:
        where = f", before the intake of {day(intake_on)}"  # earlier scores join the first
    return (
        f"{head}; from the baseline of this episode of care ({instrument.short} "
        f"{number(baseline.score)}{when}{where}): {moved.verdict}."
    )


def activity_lines(changes: Sequence[ActivityChange]) -> tuple[str, ...]:
    """Each named activity's own change, a line each ('- Gardening 3 → 7: ...')."""
    return tuple(f"- {c.sentence}." for c in changes)
